#!/usr/bin/env bats
#
# allocq(1) and the completions against the program: the page is lint-clean,
# documents every option `allocq --help` prints, and lists the exit statuses
# of the spec; every completion file knows every option.
#
# Environment (set by `meson test`): ALLOCQ, the built program;
# ALLOCQ_SOURCE_ROOT, the source tree; ALLOCQ_WRAPPER, optional, a command
# that runs allocq (valgrind).

setup_file() {
    SRC=${ALLOCQ_SOURCE_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
    export SRC
    export MAN_PAGE=$SRC/man/allocq.1
    export COMPLETIONS=$SRC/completions
    # The page as a terminal shows it, without formatting.
    export MAN_TEXT=$BATS_FILE_TMPDIR/allocq.1.txt
    if command -v mandoc >/dev/null && command -v col >/dev/null; then
        mandoc -Tascii "$MAN_PAGE" | col -bx >"$MAN_TEXT"
    fi
}

# need_program PROGRAM PACKAGE: fails, naming the Debian package, when
# PROGRAM is not installed (rather than with "command not found" later).
need_program() {
    command -v "$1" >/dev/null && return
    echo "$1 is missing: install the Debian package $2 (apt-get install $2)"
    return 1
}

# The man: tests read the page through mandoc and col, but these two.
setup() {
    case $BATS_TEST_DESCRIPTION in
    "man: groff"* | "man: the exit statuses are the ones allocq --help lists") ;;
    man:*) need_program mandoc mandoc && need_program col bsdextrautils ;;
    esac
}

# The exit statuses allocq's spec defines.
SPEC_EXIT_STATUSES="0 1 64 65 66 69 75 77"

need_allocq() {
    if [[ -z ${ALLOCQ-} ]]; then
        echo "ALLOCQ is not set: it must name the built allocq (meson test sets it)"
        return 1
    fi
    if [[ ! -x $ALLOCQ ]]; then
        echo "ALLOCQ=$ALLOCQ is not an executable file"
        return 1
    fi
}

allocq() {
    # shellcheck disable=SC2086 # ALLOCQ_WRAPPER is a command line
    ${ALLOCQ_WRAPPER-} "$ALLOCQ" "$@"
}

# The long options `allocq --help` lists, one per line, without "--".
help_long_options() {
    allocq --help | sed -nE 's/^ +(-[^ ,], )?--([a-z][a-z0-9-]*).*/\2/p' | sort -u
}

# Its short options (letters, and ? ), one per line.
help_short_options() {
    allocq --help | sed -nE 's/^ +-([^ ,-]),.*/\1/p' | sort -u
}

# section NAME: the text of a section of the rendered page.
section() {
    awk -v s="$1" '/^[A-Z]/ { on = ($0 == s); next } on' "$MAN_TEXT"
}

@test "man: mandoc -Tlint is clean" {
    run mandoc -Tlint "$MAN_PAGE"
    echo "$output"
    [ "$status" -eq 0 ]
    # Cross-references (Xr) are looked up in the machine's manual database:
    # what it says about jq(1) or proc(5) is about the machine, not the page.
    local own
    own=$(printf '%s\n' "$output" |
        grep -vE 'mandoc\.db|referenced manual not found' || true)
    [ -z "$own" ]
}

@test "man: groff renders the page without warnings" {
    command -v groff >/dev/null || skip "groff not installed"
    run groff -mandoc -Tutf8 -ww -z "$MAN_PAGE"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "man: the page has the expected sections" {
    local s
    for s in NAME SYNOPSIS DESCRIPTION OPTIONS "FILTER SEMANTICS" SOURCES \
        "COMPARING SNAPSHOTS" "GROUPS AND TOTALS" WATCHING \
        "OUTPUT FORMATS" "SIZE ARGUMENTS" ENVIRONMENT FILES "EXIT STATUS" \
        EXAMPLES NOTES "SEE ALSO" "SECURITY CONSIDERATIONS"; do
        grep -qx "$s" "$MAN_TEXT" || { echo "no section $s"; return 1; }
    done
}

@test "man: every long option of allocq --help is documented" {
    need_allocq
    local opts o missing=
    opts=$(help_long_options)
    [ -n "$opts" ] || { echo "no options parsed from allocq --help"; return 1; }
    for o in $opts; do
        # An item of OPTIONS: "-f path, --file=path", "--csv", "-?, --help",
        # "-w[seconds], --watch[=seconds]".
        section OPTIONS | grep -qE -- "^     (-[^ ,]+( [a-z]+)?, )?--$o([= []|\$)" ||
            missing+=" --$o"
    done
    [ -z "$missing" ] || { echo "not in the OPTIONS of allocq.1:$missing"; return 1; }
}

@test "man: every short option of allocq --help is documented" {
    need_allocq
    local opts o missing=
    opts=$(help_short_options)
    [ -n "$opts" ] || { echo "no short options parsed from allocq --help"; return 1; }
    while IFS= read -r o; do
        section OPTIONS | grep -qF -- "     -$o" || missing+=" -$o"
    done <<<"$opts"
    [ -z "$missing" ] || { echo "not in the OPTIONS of allocq.1:$missing"; return 1; }
}

@test "man: no option in the page that allocq --help does not print" {
    need_allocq
    local o extra=
    for o in $(section OPTIONS | sed -nE 's/^     (-[^ ,]+( [a-z]+)?, )?--([a-z][a-z0-9-]*).*/\3/p'); do
        help_long_options | grep -qx -- "$o" || extra+=" --$o"
    done
    [ -z "$extra" ] || { echo "documented but not in allocq --help:$extra"; return 1; }
}

@test "completions: every long option of allocq --help is in each completion file" {
    need_allocq
    local opts o missing=
    opts=$(help_long_options)
    [ -n "$opts" ] || { echo "no options parsed from allocq --help"; return 1; }
    for o in $opts; do
        # bash: in the option word list.
        grep -qE -- "(^|[[:space:]])--$o([[:space:]]|\$)" "$COMPLETIONS/allocq.bash" ||
            missing+=" bash:--$o"
        # zsh: an _arguments spec: "--opt[", "--opt=[", "{-o,--opt}",
        # "--opt=-" (an optional argument)...
        grep -qE -- "(^|[^a-z-])--$o'?(=?-?\\[|=?-?\\}|=?-?,)" "$COMPLETIONS/_allocq" ||
            missing+=" zsh:--$o"
        # fish: "complete -c allocq ... -l opt".
        grep -qE -- "^complete -c allocq .*-l $o( |\$)" "$COMPLETIONS/allocq.fish" ||
            missing+=" fish:--$o"
    done
    [ -z "$missing" ] || { echo "missing:$missing"; return 1; }
}

@test "completions: every short option of allocq --help is in each completion file" {
    need_allocq
    local opts o re missing=
    opts=$(help_short_options)
    while IFS= read -r o; do
        re=$(printf '%s' "$o" | sed 's/[?]/\\?/')
        grep -qE -- "(^|[[:space:]'])-$re([[:space:]']|\$)" "$COMPLETIONS/allocq.bash" ||
            missing+=" bash:-$o"
        grep -qE -- "(\\{|'|\\()-$re[+-]?[],'[]" "$COMPLETIONS/_allocq" ||
            missing+=" zsh:-$o"
        grep -qE -- "^complete -c allocq .*-s '?$re'? " "$COMPLETIONS/allocq.fish" ||
            missing+=" fish:-$o"
    done <<<"$opts"
    [ -z "$missing" ] || { echo "missing:$missing"; return 1; }
}

@test "man: the exit statuses are the spec's" {
    local got
    got=$(section "EXIT STATUS" | sed -nE 's/^     ([0-9]+)([[:space:]].*)?$/\1/p' |
        sort -n | paste -sd ' ' -)
    [ "$got" = "$SPEC_EXIT_STATUSES" ] ||
        { printf 'allocq.1: %s\nspec:     %s\n' "$got" "$SPEC_EXIT_STATUSES"; return 1; }
}

@test "man: the exit statuses are the ones allocq --help lists" {
    need_allocq
    local help got
    help=$(allocq --help | sed -n '/^Exit status/,/^$/p')
    [ -n "$help" ] || { echo "allocq --help has no exit status paragraph"; return 1; }
    # "0 success (...), 1 run-time error, 64 usage error, ..."
    got=$(printf '%s\n' "$help" | tr '\n' ' ' |
        grep -oE '(:|,) +[0-9]+ [a-z]' | grep -oE '[0-9]+' | sort -n | paste -sd ' ' -)
    [ "$got" = "$SPEC_EXIT_STATUSES" ] ||
        { printf 'allocq --help: %s\nspec:          %s\n' "$got" "$SPEC_EXIT_STATUSES"; return 1; }
}

@test "man: ENVIRONMENT lists the variables allocq reads" {
    local got
    got=$(section ENVIRONMENT | sed -nE 's/^     ([A-Z_]+)([[:space:]].*)?$/\1/p' |
        sort | paste -sd ' ' -)
    [ "$got" = "ALLOCQ_CACHE_DIR ALLOCQ_PROC HOME XDG_CACHE_HOME" ] ||
        { echo "ENVIRONMENT lists: $got"; return 1; }
}

@test "man: the JSON fields and CSV header are those of the output" {
    # The documented CSV header, and the example object's keys in order.
    grep -qxE ' +bytes,calls,file,line,module,function,accurate' "$MAN_TEXT"
    local keys
    keys=$(section "OUTPUT FORMATS" | sed -nE 's/^ +"([a-z]+)": .*/\1/p' | paste -sd ' ' -)
    [ "$keys" = "schema source allocations bytes calls file line module function accurate total" ] ||
        { echo "example keys: $keys"; return 1; }
}
