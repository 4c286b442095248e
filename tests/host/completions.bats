#!/usr/bin/env bats
#
# The shell completions in completions/, driven for real:
#  - bash: the file is sourced, COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT
#    are set as readline sets them, _allocq runs and COMPREPLY is checked;
#    once on its own and once on top of bash-completion's helpers.
#  - fish: `complete -C LINE` with the completion file sourced.
#  - zsh: syntax, loading through compinit, the name helper, and the real
#    completion system driven through zsh/zpty.
# Kernel names come from a fixture allocinfo through ALLOCQ_PROC; the
# machine's /proc is never read.

setup_file() {
    # meson test sets ALLOCQ_SOURCE_ROOT; bats alone finds the tree from here.
    SRC=${ALLOCQ_SOURCE_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
    export SRC
    export COMPLETIONS=$SRC/completions
    export FIXTURE_PROC=$BATS_TEST_DIRNAME/fixtures/completion-proc

    # bash-completion's main script, when installed.
    BASH_COMPLETION_SCRIPT=
    local d
    for d in "$(pkg-config --variable=datadir bash-completion 2>/dev/null)" \
        /usr/share /usr/local/share; do
        if [[ -n $d && -r $d/bash-completion/bash_completion ]]; then
            BASH_COMPLETION_SCRIPT=$d/bash-completion/bash_completion
            break
        fi
    done
    export BASH_COMPLETION_SCRIPT

    # Drives zsh's completion system: starts an interactive zsh in a pty,
    # types LINE and TAB, and prints every candidate offered, one per line.
    export ZSH_DRIVER=$BATS_FILE_TMPDIR/zsh-complete.zsh
    cat >"$ZSH_DRIVER" <<'ZSH'
# zsh -f zsh-complete.zsh FPATH-DIR LINE
zmodload zsh/zpty || exit 2
local fdir=$1 line=$2 init out all
init=$(mktemp) || exit 2
trap 'rm -f $init' EXIT
cat >$init <<INIT
PROMPT= RPROMPT= PS2=
fpath=(${(q)fdir} \$fpath)
autoload -Uz compinit && compinit -u -D
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
__allocq_t_begin() { print -rn -- \$'\\x02\\n' }
__allocq_t_end() { print -rn -- \$'\\x03\\n'; exit }
compprefuncs=(__allocq_t_begin)
comppostfuncs=(__allocq_t_end)
# Report every match added, with the prefixes the shell would insert.
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
    builtin compadd "\$@"
    return
  fi
  local -a __hits
  builtin compadd -A __hits "\$@"
  local -A o
  zparseopts -E -A o P: p: 2>/dev/null
  local h
  for h in \$__hits; do print -r -- "<<\${IPREFIX}\${o[-P]}\${o[-p]}\$h>>"; done
  builtin compadd "\$@"
}
print -- READY''READY
INIT
zpty z zsh -f -i
zpty -w z "source ${(q)init}"
zpty -r z out '*READYREADY*' || exit 3
zpty -w -n z "$line"$'\t'
zpty -r z all $'*\x03*' || exit 4
zpty -d z
all=${all#*$'\x02'}
all=${all%%$'\x03'*}
local l
for l in ${(f)all//$'\r'/}; do
  [[ $l == '<<'*'>>' ]] && print -r -- ${${l#<<}%>>}
done
ZSH
}

# need_program PROGRAM PACKAGE: fails, naming the Debian package, when
# PROGRAM is not installed (rather than with "command not found" later).
need_program() {
    command -v "$1" >/dev/null && return
    echo "$1 is missing: install the Debian package $2 (apt-get install $2)"
    return 1
}

setup() {
    export ALLOCQ_PROC=$FIXTURE_PROC
    case $BATS_TEST_DESCRIPTION in
    zsh:*) need_program zsh zsh ;;
    fish:*) need_program fish fish ;;
    esac
}

teardown() {
    local d
    if [[ -f $BATS_TEST_TMPDIR/remove-after-test ]]; then
        while IFS= read -r d; do
            rm -rf -- "$d"
        done <"$BATS_TEST_TMPDIR/remove-after-test"
    fi
}

# Sorted, distinct, space-separated.
words() { printf '%s\n' "$@" | LC_ALL=C sort -u | paste -sd ' ' -; }

# The output of the last `run`, sorted and space-separated.
got() { printf '%s\n' "$output" | sed '/^$/d' | LC_ALL=C sort -u | paste -sd ' ' -; }

# expect WORD...: the last `run` succeeded and offered exactly these.
expect() {
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    local want g
    want=$(words "$@")
    g=$(got)
    [ "$g" = "$want" ] || { printf 'want: %s\ngot:  %s\n' "$want" "$g"; return 1; }
}

# expect_nothing: the last `run` succeeded and printed nothing at all.
expect_nothing() {
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [ -z "$output" ] || { printf 'want nothing, got: %s\n' "$output"; return 1; }
}

ALL_LONG=(--file --func --module --builtin --line --min-size --max-size
    --accurate --inaccurate --source --input --diff --group-by --total --watch
    --count --status --format --json --csv --output --bytes --no-headings
    --sort --reverse --limit --output-file --help --usage --version)
ALL_SHORT=(-f -F -m -B -i -g -w -c -J -o -b -n -s -r -V '-?')

# The values of --format, --sort and --group-by, and the columns of -o for
# each kind of rows.
FORMATS=(table csv json allocinfo prometheus)
SORT_KEYS=(bytes calls delta sites file func module line)
GROUP_KEYS=(module file function dir dir:1 dir:2 dir:3)
SITE_COLUMNS=(bytes calls file line module function accurate)
DIFF_COLUMNS=(bytes calls old_bytes old_calls delta_bytes delta_calls change
    file line module function accurate)
WATCH_COLUMNS=(bytes calls delta_bytes delta_calls rate file line module
    function accurate)

# ---------------------------------------------------------------- bash

# The script run by `bash --norc` for one completion: the completion file's
# text is inlined, so that it also runs as a user who cannot read the tree.
bash_driver() {
    local mode=$1
    if [[ $mode == full ]]; then
        printf 'source %q || exit 99\n' "$BASH_COMPLETION_SCRIPT"
    fi
    cat "$COMPLETIONS/allocq.bash"
    cat <<'EOF'
line=$1
# Split LINE the way readline does for COMP_WORDS: at blanks, and at '='
# and ':' (in COMP_WORDBREAKS), each of which becomes a word of its own.
read -ra ws <<<"$line"
[[ -z $line || $line == *' ' ]] && ws+=('')
COMP_WORDS=()
for w in "${ws[@]}"; do
    [[ -z $w ]] && { COMP_WORDS+=(''); continue; }
    while [[ $w =~ ^([^=:]*)([=:])(.*)$ ]]; do
        [[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
        COMP_WORDS+=("${BASH_REMATCH[2]}")
        w=${BASH_REMATCH[3]}
    done
    [[ -n $w ]] && COMP_WORDS+=("$w")
done
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMPREPLY=()
_allocq
printf '%s\n' "${COMPREPLY[@]}"
EOF
}

# bash_complete MODE LINE: what _allocq offers for LINE, completing at its
# end. MODE "bare": the completion file alone; "full": on top of
# bash-completion, as installed systems load it. stderr is kept in $output.
bash_complete() {
    bash --norc --noprofile -c "$(bash_driver "$1")" bash "$2" 2>&1
}

# The bash modes to run: bare always, full when bash-completion is there.
bash_modes() {
    echo bare
    [[ -n $BASH_COMPLETION_SCRIPT ]] && echo full
    return 0
}

# bash_expect LINE WORD...: in every mode, LINE offers exactly WORDs.
bash_expect() {
    local line=$1 mode
    shift
    for mode in $(bash_modes); do
        run bash_complete "$mode" "$line"
        expect "$@" || { echo "(bash, $mode mode: '$line')"; return 1; }
    done
}

@test "bash: the completion file registers _allocq for allocq" {
    run bash --norc --noprofile -c "source '$COMPLETIONS/allocq.bash' && complete -p allocq"
    [ "$status" -eq 0 ]
    [ "$output" = "complete -F _allocq allocq" ]
}

@test "bash: bash-completion is installed, and the full mode completes through it" {
    [[ -n $BASH_COMPLETION_SCRIPT ]] || {
        echo "bash-completion is missing, so the full mode is not tested:" \
            "install the Debian package bash-completion"
        return 1
    }
    # _allocq on top of bash-completion takes the words from its
    # _init_completion (which splits --format=j), not from its own fallback
    local hook='eval "real_$(declare -f _init_completion)"
_init_completion() { echo "through _init_completion"; real__init_completion "$@"; }'
    run bash --norc --noprofile -c "source '$BASH_COMPLETION_SCRIPT' || exit 99
$hook
$(bash_driver bare)" bash "allocq --format=j"
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [ "$output" = $'through _init_completion\njson' ] || { echo "got: $output"; return 1; }
}

@test "bash: options, long and short" {
    bash_expect "allocq -" "${ALL_LONG[@]}" "${ALL_SHORT[@]}"
    bash_expect "allocq --" "${ALL_LONG[@]}"
    bash_expect "allocq " "${ALL_LONG[@]}" "${ALL_SHORT[@]}"
    bash_expect "allocq --f" --file --func --format
    bash_expect "allocq --no" --no-headings
    bash_expect "allocq --m" --module --min-size --max-size
    bash_expect "allocq --json --re" --reverse
    bash_expect "allocq --zzz"
}

@test "bash: --format values" {
    bash_expect "allocq --format " "${FORMATS[@]}"
    bash_expect "allocq --format c" csv
    bash_expect "allocq --format=" "${FORMATS[@]}"
    bash_expect "allocq --format=j" json
    bash_expect "allocq --format a" allocinfo
    bash_expect "allocq --format=p" prometheus
}

@test "bash: --sort values" {
    bash_expect "allocq --sort " "${SORT_KEYS[@]}"
    bash_expect "allocq -s " "${SORT_KEYS[@]}"
    bash_expect "allocq --sort=f" file func
    bash_expect "allocq -rs c" calls
    bash_expect "allocq --sort d" delta
    bash_expect "allocq -s s" sites
}

@test "bash: --group-by values, dir:N across readline's ':' split" {
    bash_expect "allocq --group-by " "${GROUP_KEYS[@]}"
    bash_expect "allocq -g " "${GROUP_KEYS[@]}"
    bash_expect "allocq --group-by=" "${GROUP_KEYS[@]}"
    bash_expect "allocq -g f" file function
    bash_expect "allocq -bg m" module
    bash_expect "allocq --group-by d" dir dir:1 dir:2 dir:3
    # readline replaces only what follows the ':'.
    bash_expect "allocq -g dir:" 1 2 3
    bash_expect "allocq --group-by=dir:2" 2
    bash_expect "allocq -gdir:" 1 2 3
    bash_expect "allocq --file dir:"
}

@test "bash: --source values" {
    bash_expect "allocq --source " auto ioctl text
    bash_expect "allocq --source=i" ioctl
}

@test "bash: -o completes a comma-separated column list" {
    bash_expect "allocq -o " "${SITE_COLUMNS[@]}"
    bash_expect "allocq -o bytes,c" bytes,calls
    bash_expect "allocq --output=bytes,calls," bytes,calls,file bytes,calls,line \
        bytes,calls,module bytes,calls,function bytes,calls,accurate
    bash_expect "allocq -o file,line,module,function,accurate,bytes," \
        file,line,module,function,accurate,bytes,calls
    bash_expect "allocq -o func" function
}

@test "bash: -o offers the columns of the rows asked for" {
    bash_expect "allocq --diff old.txt -o " "${DIFF_COLUMNS[@]}"
    bash_expect "allocq --diff=old.txt --output=bytes,d" bytes,delta_bytes bytes,delta_calls
    bash_expect "allocq --watch=1 -o " "${WATCH_COLUMNS[@]}"
    bash_expect "allocq -w -o r" rate
    bash_expect "allocq -g module -o " bytes calls sites module
    bash_expect "allocq --group-by=dir:2 -o " bytes calls sites dir
    bash_expect "allocq -gfile --diff old.txt -o " bytes calls old_bytes \
        old_calls delta_bytes delta_calls sites file
    bash_expect "allocq -g function -w -o " bytes calls delta_bytes \
        delta_calls rate sites function
    # Not yet a key: every key column.
    bash_expect "allocq -g x -o s" sites
    bash_expect "allocq -g x -o " bytes calls sites module file function dir
}

@test "bash: options without enumerable values offer nothing" {
    local opt
    for opt in --line --min-size --max-size --limit --count; do
        bash_expect "allocq $opt "
        bash_expect "allocq $opt="
    done
    bash_expect "allocq -c "
    bash_expect "allocq --watch="
    bash_expect "allocq --unknown="
}

@test "bash: --watch takes its interval joined, so options follow it" {
    bash_expect "allocq --watch --to" --total
    bash_expect "allocq -w --st" --status
    bash_expect "allocq --watch=2 --cou" --count
}

@test "bash: --input completes file paths, and - for stdin" {
    local d=$BATS_TEST_TMPDIR/snaps
    mkdir -p "$d/sub"
    : >"$d/snap1"
    : >"$d/snap2"
    : >"$d/other"
    bash_expect "allocq --input $d/sn" "$d/snap1" "$d/snap2"
    bash_expect "allocq -i $d/s" "$d/snap1" "$d/snap2" "$d/sub"
    bash_expect "allocq --input=$d/o" "$d/other"
    bash_expect "allocq -i -" -
    bash_expect "allocq --diff $d/sn" "$d/snap1" "$d/snap2"
    bash_expect "allocq --diff=$d/o" "$d/other"
    bash_expect "allocq --diff -" -
    bash_expect "allocq --output-file $d/sn" "$d/snap1" "$d/snap2"
}

@test "bash: --file completes kernel paths and basenames from allocinfo" {
    bash_expect "allocq --file " \
        arch/x86/events/rapl.c rapl.c arch/x86/kernel/cpu/core.c core.c \
        kernel/sched/core.c mm/slub.c slub.c fs/xfs/xfs_buf.c xfs_buf.c \
        fs/ext4/super.c super.c \
        allocq_test_subdirectory_with_a_deliberately_long_name/allocq_test_long_path.c \
        allocq_test_long_path.c
    bash_expect "allocq --file ra" rapl.c
    bash_expect "allocq -f arch/" arch/x86/events/rapl.c arch/x86/kernel/cpu/core.c
    bash_expect "allocq --file=co" core.c
    bash_expect "allocq -f k" kernel/sched/core.c
    bash_expect "allocq -Bf x" xfs_buf.c
    bash_expect "allocq --file nosuch"
}

@test "bash: --func completes kernel function names from allocinfo" {
    bash_expect "allocq --func " init_rapl_pmus cpu_core_init sched_init \
        alloc_slab_page xfs_buf_alloc xfs_buf_get_map ext4_fill_super \
        allocq_test_function_with_a_deliberately_long_name_over_63_chars
    bash_expect "allocq -F xfs_" xfs_buf_alloc xfs_buf_get_map
    bash_expect "allocq --func=init" init_rapl_pmus
}

@test "bash: --module completes module names from allocinfo, once each" {
    bash_expect "allocq --module " xfs ext4 allocq_test
    bash_expect "allocq -m e" ext4
    bash_expect "allocq --module=x" xfs
    local mode
    for mode in $(bash_modes); do
        run bash_complete "$mode" "allocq --module "
        [ "${#lines[@]}" -eq 3 ]
    done
}

@test "bash: names follow ALLOCQ_PROC" {
    local p=$BATS_TEST_TMPDIR/proc
    mkdir -p "$p"
    printf '%s\n' 'allocinfo - version: 1.0' '#     <size>  <calls> <tag info>' \
        '         128        1 drivers/net/dummy.c:10 [dummy] func:dummy_init ' >"$p/allocinfo"
    ALLOCQ_PROC=$p bash_expect "allocq --module " dummy
    ALLOCQ_PROC=$p bash_expect "allocq --file " drivers/net/dummy.c dummy.c
}

# as_nobody CMD...: run CMD as a user who cannot read a root-only file.
as_nobody() {
    if ((EUID == 0)); then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        "$@"
    fi
}

# A proc directory whose allocinfo is root-only (0400), like the kernel's.
# It lives outside bats' own (private) temporary directory, so that another
# user can reach it; teardown removes it.
unreadable_proc() {
    local p
    p=$(mktemp -d)
    echo "$p" >>"$BATS_TEST_TMPDIR/remove-after-test"
    chmod 755 "$p"
    printf 'allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n        4096        1 mm/secret.c:1 func:secret_fn \n' >"$p/allocinfo"
    chmod 0400 "$p/allocinfo"
    echo "$p"
}

@test "bash: silently nothing when allocinfo is missing or unreadable" {
    local mode opt p
    for opt in --file --func --module; do
        ALLOCQ_PROC=$BATS_TEST_TMPDIR/nonexistent bash_expect "allocq $opt "
    done
    # A directory in its place.
    mkdir -p "$BATS_TEST_TMPDIR/dirproc/allocinfo"
    ALLOCQ_PROC=$BATS_TEST_TMPDIR/dirproc bash_expect "allocq --func "

    # Root-only, read as another user: the usual case for a non-root shell.
    if ((EUID == 0)) && ! command -v setpriv >/dev/null; then
        skip "running as root without setpriv: cannot test an unreadable file"
    fi
    p=$(unreadable_proc)
    for mode in $(bash_modes); do
        for opt in --file --func --module; do
            run as_nobody env ALLOCQ_PROC="$p" \
                bash --norc --noprofile -c "$(bash_driver "$mode")" bash "allocq $opt "
            expect_nothing || { echo "($mode, $opt)"; return 1; }
        done
    done
    # The same file, readable: the test above did not pass by accident.
    ALLOCQ_PROC=$p bash_expect "allocq --func " secret_fn
}

# ---------------------------------------------------------------- fish

# fish_complete LINE: the candidates fish offers for LINE (without their
# descriptions).
fish_complete() {
    fish --no-config -c "source $(printf '%q' "$COMPLETIONS/allocq.fish"); complete -C $(printf '%q' "$1")" 2>&1 |
        cut -f1
}

fish_expect() {
    local line=$1
    shift
    run fish_complete "$line"
    expect "$@" || { echo "(fish: '$line')"; return 1; }
}

@test "fish: the completion file parses" {
    run fish --no-config -n "$COMPLETIONS/allocq.fish"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "fish: options, long and short" {
    fish_expect "allocq -" "${ALL_LONG[@]}" "${ALL_SHORT[@]}"
    fish_expect "allocq --" "${ALL_LONG[@]}"
    fish_expect "allocq --f" --file --func --format
    fish_expect "allocq --accurate --ina"
}

@test "fish: enumerated values of --format, --sort, --source, --group-by" {
    fish_expect "allocq --format " "${FORMATS[@]}"
    fish_expect "allocq --format=" --format=table --format=csv --format=json \
        --format=allocinfo --format=prometheus
    fish_expect "allocq --sort " "${SORT_KEYS[@]}"
    fish_expect "allocq -s f" file func
    fish_expect "allocq -s d" delta
    fish_expect "allocq --source " auto ioctl text
    fish_expect "allocq --group-by " "${GROUP_KEYS[@]}"
    fish_expect "allocq -g f" file function
    fish_expect "allocq --group-by dir:" dir:1 dir:2 dir:3
    fish_expect "allocq --group-by=m" --group-by=module
}

@test "fish: -o completes a comma-separated column list" {
    fish_expect "allocq -o " "${SITE_COLUMNS[@]}"
    fish_expect "allocq -o bytes,c" bytes,calls
    fish_expect "allocq --output=bytes,calls," --output=bytes,calls,file \
        --output=bytes,calls,line --output=bytes,calls,module \
        --output=bytes,calls,function --output=bytes,calls,accurate
}

@test "fish: -o offers the columns of the rows asked for" {
    fish_expect "allocq --diff old.txt -o " "${DIFF_COLUMNS[@]}"
    fish_expect "allocq --watch=1 -o " "${WATCH_COLUMNS[@]}"
    fish_expect "allocq -g module -o " bytes calls sites module
    fish_expect "allocq --group-by=dir:2 -o " bytes calls sites dir
    fish_expect "allocq -gfile --diff old.txt -o " bytes calls old_bytes \
        old_calls delta_bytes delta_calls sites file
}

@test "fish: --input completes file paths" {
    local d=$BATS_TEST_TMPDIR/snaps
    mkdir -p "$d/sub"
    : >"$d/snap1"
    : >"$d/snap2"
    fish_expect "allocq --input $d/sn" "$d/snap1" "$d/snap2"
    fish_expect "allocq -i $d/s" "$d/snap1" "$d/snap2" "$d/sub/"
    fish_expect "allocq --diff $d/sn" "$d/snap1" "$d/snap2"
    fish_expect "allocq --output-file $d/sn" "$d/snap1" "$d/snap2"
}

@test "fish: kernel names from allocinfo for --file, --func, --module" {
    fish_expect "allocq --file ra" rapl.c
    fish_expect "allocq -f arch/" arch/x86/events/rapl.c arch/x86/kernel/cpu/core.c
    fish_expect "allocq --file co" core.c
    fish_expect "allocq -F xfs_" xfs_buf_alloc xfs_buf_get_map
    fish_expect "allocq --module " xfs ext4 allocq_test
    fish_expect "allocq --module=e" --module=ext4
}

@test "fish: silently nothing when allocinfo is missing or unreadable" {
    ALLOCQ_PROC=$BATS_TEST_TMPDIR/nonexistent fish_expect "allocq --file "
    ALLOCQ_PROC=$BATS_TEST_TMPDIR/nonexistent fish_expect "allocq --module "
    if ((EUID == 0)) && ! command -v setpriv >/dev/null; then
        skip "running as root without setpriv: cannot test an unreadable file"
    fi
    local p
    p=$(unreadable_proc)
    # The completion text goes in inline: the user may not read the tree.
    run as_nobody env HOME="$p" ALLOCQ_PROC="$p" fish --no-config -c \
        "$(cat "$COMPLETIONS/allocq.fish"); complete -C 'allocq --func '"
    expect_nothing
    ALLOCQ_PROC=$p fish_expect "allocq --func " secret_fn
}

# ---------------------------------------------------------------- zsh

# zsh_complete LINE: the candidates zsh's completion system offers.
zsh_complete() {
    timeout 60 zsh -f "$ZSH_DRIVER" "$COMPLETIONS" "$1" 2>&1
}

zsh_expect() {
    local line=$1
    shift
    run zsh_complete "$line"
    expect "$@" || { echo "(zsh: '$line')"; return 1; }
}

@test "zsh: the completion function parses" {
    run zsh -n "$COMPLETIONS/_allocq"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "zsh: compinit binds _allocq to allocq" {
    run zsh -f -c "fpath=($(printf '%q' "$COMPLETIONS") \$fpath)
        autoload -Uz compinit && compinit -u -D
        print -r -- \$_comps[allocq]"
    [ "$status" -eq 0 ]
    [ "$output" = "_allocq" ]
}

# zsh_names KIND: what the name helper of _allocq prints.
zsh_names() {
    # Loading the file defines the helpers, then calls _allocq, whose
    # _arguments is stubbed out here.
    zsh -f -c "_arguments() { return 0 }
        source $(printf '%q' "$COMPLETIONS/_allocq")
        _allocq_names $1" 2>&1
}

@test "zsh: the name helper reads allocinfo" {
    run zsh_names file
    expect arch/x86/events/rapl.c rapl.c arch/x86/kernel/cpu/core.c core.c \
        kernel/sched/core.c mm/slub.c slub.c fs/xfs/xfs_buf.c xfs_buf.c \
        fs/ext4/super.c super.c \
        allocq_test_subdirectory_with_a_deliberately_long_name/allocq_test_long_path.c \
        allocq_test_long_path.c
    run zsh_names func
    expect init_rapl_pmus cpu_core_init sched_init alloc_slab_page \
        xfs_buf_alloc xfs_buf_get_map ext4_fill_super \
        allocq_test_function_with_a_deliberately_long_name_over_63_chars
    run zsh_names module
    expect xfs ext4 allocq_test
    [ "${#lines[@]}" -eq 3 ]
}

@test "zsh: the name helper is silent when allocinfo is missing or unreadable" {
    ALLOCQ_PROC=$BATS_TEST_TMPDIR/nonexistent run zsh_names file
    expect_nothing
    if ((EUID == 0)) && ! command -v setpriv >/dev/null; then
        skip "running as root without setpriv: cannot test an unreadable file"
    fi
    local p
    p=$(unreadable_proc)
    run as_nobody env ALLOCQ_PROC="$p" zsh -f -c "_arguments() { return 0 }
        $(cat "$COMPLETIONS/_allocq")
        _allocq_names func"
    expect_nothing
    ALLOCQ_PROC=$p run zsh_names func
    expect secret_fn
}

@test "zsh: options, long and short (driven through zpty)" {
    # _arguments hands -? over quoted for the command line, as -\?.
    zsh_expect "allocq -" "${ALL_LONG[@]}" -f -F -m -B -i -g -w -c -J -o -b -n -s -r -V '-\?'
    zsh_expect "allocq --f" --file --func --format
    # --accurate excludes --inaccurate, --json the other format options.
    zsh_expect "allocq --accurate --ina"
    zsh_expect "allocq --json --cs"
}

@test "zsh: enumerated values of --format, --sort, --source, --group-by (zpty)" {
    zsh_expect "allocq --format " "${FORMATS[@]}"
    zsh_expect "allocq --format=" --format=table --format=csv --format=json \
        --format=allocinfo --format=prometheus
    zsh_expect "allocq -s " "${SORT_KEYS[@]}"
    zsh_expect "allocq --sort=f" --sort=file --sort=func
    zsh_expect "allocq --source " auto ioctl text
    zsh_expect "allocq --group-by " "${GROUP_KEYS[@]}"
    zsh_expect "allocq -g f" file function
    zsh_expect "allocq --group-by=m" --group-by=module
}

@test "zsh: -o completes a comma-separated column list (zpty)" {
    zsh_expect "allocq -o " "${SITE_COLUMNS[@]}"
    zsh_expect "allocq -o bytes,c" bytes,calls
    zsh_expect "allocq -o bytes,calls," bytes,calls,file bytes,calls,line \
        bytes,calls,module bytes,calls,function bytes,calls,accurate
}

@test "zsh: -o offers the columns of the rows asked for (zpty)" {
    zsh_expect "allocq --diff old.txt -o " "${DIFF_COLUMNS[@]}"
    zsh_expect "allocq --watch=1 -o " "${WATCH_COLUMNS[@]}"
    zsh_expect "allocq -g module -o " bytes calls sites module
    zsh_expect "allocq --group-by=dir:2 -o " bytes calls sites dir
    zsh_expect "allocq -gfile --diff old.txt -o " bytes calls old_bytes \
        old_calls delta_bytes delta_calls sites file
}

@test "zsh: --input completes file paths (zpty)" {
    local d=$BATS_TEST_TMPDIR/snaps
    mkdir -p "$d/sub"
    : >"$d/snap1"
    : >"$d/snap2"
    zsh_expect "allocq --input $d/sn" "$d/snap1" "$d/snap2"
    zsh_expect "allocq --diff $d/sn" "$d/snap1" "$d/snap2"
    zsh_expect "allocq --output-file $d/sn" "$d/snap1" "$d/snap2"
}

@test "zsh: kernel names for --file, --func, --module (zpty)" {
    zsh_expect "allocq --file ra" rapl.c
    zsh_expect "allocq -f arch/" arch/x86/events/rapl.c arch/x86/kernel/cpu/core.c
    zsh_expect "allocq -F xfs_" xfs_buf_alloc xfs_buf_get_map
    zsh_expect "allocq --module " xfs ext4 allocq_test
    ALLOCQ_PROC=$BATS_TEST_TMPDIR/nonexistent zsh_expect "allocq --module "
}
