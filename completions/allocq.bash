# bash completion for allocq(1)                            -*- shell-script -*-
#
# Installed as .../bash-completion/completions/allocq and loaded on demand by
# bash-completion; it also works when sourced on its own (without
# bash-completion's helpers it falls back to plain compgen).
#
# --file, --func and --module complete the names of the running kernel,
# read from ${ALLOCQ_PROC:-/proc}/allocinfo (the same place allocq reads);
# when that file cannot be read (not root, profiling not built in) they
# complete nothing, silently. -o offers the columns the rows of the command
# line have (--diff, --watch and --group-by change them).

# _allocq_names KIND PREFIX
# Print, one per line, the distinct names of KIND (file, func or module) in
# the kernel's allocinfo that start with PREFIX. For "file", both each full
# path and its basename. One awk pass over the file.
_allocq_names()
{
    local src=${ALLOCQ_PROC:-/proc}/allocinfo
    [[ -f $src && -r $src ]] || return 0
    LC_ALL=C awk -v kind="$1" -v pre="$2" '
        $1 == "allocinfo" || $1 ~ /^#/ || NF < 4 { next }
        {
            n = 0
            if (kind == "module") {
                if ($4 ~ /^\[.+\]$/) v[++n] = substr($4, 2, length($4) - 2)
            } else if (kind == "func") {
                for (i = 4; i <= NF; i++)
                    if (substr($i, 1, 5) == "func:") { v[++n] = substr($i, 6); break }
            } else {
                p = $3; sub(/:[0-9]+$/, "", p); v[++n] = p
                b = p; sub(/.*\//, "", b); if (b != p) v[++n] = b
            }
            for (i = 1; i <= n; i++)
                if (v[i] != "" && !(v[i] in seen) && index(v[i], pre) == 1) {
                    seen[v[i]] = 1
                    print v[i]
                }
        }' "$src" 2>/dev/null
}

# _allocq_reply WORD... : add the WORDs that start with $cur to COMPREPLY.
_allocq_reply()
{
    local w
    for w; do
        [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
    done
}

# _allocq_row_columns: print the columns of the rows the command line asks
# for: call sites, or with --group-by groups; --diff and --watch add theirs.
_allocq_row_columns()
{
    local i w diff=false watch=false group=false key=
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == --diff ]]; then
            diff=true
        elif [[ $w == --watch || $w =~ ^-[BbJnrV]*w ]]; then
            watch=true
        elif [[ $w == --group-by || $w =~ ^-[BbJnrV]*g$ ]]; then
            # The key is the next word, or the one after "=".
            group=true key=${COMP_WORDS[i + 1]-}
            [[ $key == = ]] && key=${COMP_WORDS[i + 2]-}
        elif [[ $w =~ ^-[BbJnrV]*g(.+)$ ]]; then
            group=true key=${BASH_REMATCH[1]}
        fi
    done
    key=${key%%:*}
    echo bytes calls
    if $diff; then
        echo old_bytes old_calls delta_bytes delta_calls
        $group || echo change
    elif $watch; then
        echo delta_bytes delta_calls rate
    fi
    if $group; then
        case $key in
            module | file | function | dir) echo sites "$key" ;;
            *) echo sites module file function dir ;;
        esac
    else
        echo file line module function accurate
    fi
}

# _allocq_columns: complete one element of the comma-separated -o LIST,
# offering the columns of the rows that are not already in it.
_allocq_columns()
{
    local head=${cur%"${cur##*,}"} tail=${cur##*,} c
    for c in $(_allocq_row_columns); do
        [[ ,$head == *",$c,"* ]] && continue
        [[ $c == "$tail"* ]] && COMPREPLY+=("$head$c")
    done
    # Leave the cursor after the column so that a comma can follow.
    compopt -o nospace 2>/dev/null
}

# _allocq_group_key_colon: complete a --group-by value that has a ':'
# (dir:2). readline splits words at ':' (it is in COMP_WORDBREAKS), so
# "-g dir:2" arrives as "-g" "dir" ":" "2" and only the text after the ':'
# is replaced. Returns 1 when the word being completed is not such a value.
_allocq_group_key_colon()
{
    local i=$COMP_CWORD typed=${COMP_WORDS[COMP_CWORD]} opt c
    while ((i > 1)) && [[ ${COMP_WORDS[i]} == : || ${COMP_WORDS[i - 1]} == : ]]; do
        ((i--))
        typed=${COMP_WORDS[i]}$typed
    done
    [[ $typed == *:* ]] || return 1
    if [[ $typed =~ ^-[BbJnrV]*g(.+)$ ]]; then
        typed=${BASH_REMATCH[1]}    # joined: -gdir:2
    else
        opt=${COMP_WORDS[i - 1]}
        [[ $opt == = ]] && ((i >= 2)) && opt=${COMP_WORDS[i - 2]}
        [[ $opt =~ ^(-[BbJnrV]*g|--group-by)$ ]] || return 1
    fi
    for c in dir:1 dir:2 dir:3; do
        [[ $c == "$typed"* ]] && COMPREPLY+=("${c##*:}")
    done
    return 0
}

_allocq()
{
    # words and cword are set by _init_completion.
    # shellcheck disable=SC2034
    local cur prev words cword split=false
    COMPREPLY=()
    _allocq_group_key_colon && return
    if declare -F _init_completion >/dev/null; then
        _init_completion -s || return
    else
        # Without bash-completion: readline splits "--opt=value" at '='.
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        if [[ $cur == = && $prev == --* ]]; then
            cur='' split=true
        elif [[ $prev == = ]] && ((COMP_CWORD >= 2)) &&
            [[ ${COMP_WORDS[COMP_CWORD - 2]} == --* ]]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]} split=true
        fi
    fi

    # A cluster of flags ending in an option that takes a value: -bs KEY.
    if [[ $prev =~ ^-[BbJnrV]+([fFmiosgc])$ ]]; then
        prev=-${BASH_REMATCH[1]}
    fi

    local line
    case $prev in
        -f | --file | -F | --func | -m | --module)
            local kind=file
            [[ $prev == -F || $prev == --func ]] && kind=func
            [[ $prev == -m || $prev == --module ]] && kind=module
            while IFS= read -r line; do
                COMPREPLY+=("$line")
            done < <(_allocq_names "$kind" "$cur")
            return
            ;;
        --format)
            _allocq_reply table csv json allocinfo prometheus
            return
            ;;
        -s | --sort)
            _allocq_reply bytes calls delta sites file func module line
            return
            ;;
        -g | --group-by)
            _allocq_reply module file function dir dir:1 dir:2 dir:3
            return
            ;;
        --source)
            _allocq_reply auto ioctl text
            return
            ;;
        -o | --output)
            _allocq_columns
            return
            ;;
        -i | --input | --diff | --output-file)
            if [[ $cur == - && $prev != --output-file ]]; then
                COMPREPLY=(-)
            elif declare -F _filedir >/dev/null; then
                _filedir
            else
                compopt -o filenames 2>/dev/null
                while IFS= read -r line; do
                    COMPREPLY+=("$line")
                done < <(compgen -f -- "$cur")
            fi
            return
            ;;
        --line | --min-size | --max-size | --limit | -c | --count)
            return
            ;;
        --watch)
            # The interval is optional and joined (--watch=2): after
            # "--watch " come options again.
            $split && return
            ;;
    esac

    # "--unknown=...": nothing to offer.
    $split && return

    # allocq takes no operands: offer the options.
    if [[ -z $cur || $cur == -* ]]; then
        _allocq_reply \
            --file --func --module --builtin --line --min-size --max-size \
            --accurate --inaccurate \
            --source --input \
            --diff --group-by --total --watch --count --status \
            --format --json --csv --output --bytes --no-headings --sort \
            --reverse --limit --output-file \
            --help --usage --version \
            -f -F -m -B -i -g -w -c -J -o -b -n -s -r -V '-?'
    fi
}
complete -F _allocq allocq

# ex: filetype=sh
