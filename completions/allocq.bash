# bash completion for allocq(1)                            -*- shell-script -*-
#
# Installed as .../bash-completion/completions/allocq and loaded on demand by
# bash-completion; it also works when sourced on its own (without
# bash-completion's helpers it falls back to plain compgen).
#
# --file, --func and --module complete the names of the running kernel,
# read from ${ALLOCQ_PROC:-/proc}/allocinfo (the same place allocq reads);
# when that file cannot be read (not root, profiling not built in) they
# complete nothing, silently.

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

# _allocq_columns: complete one element of the comma-separated -o LIST,
# offering the columns not already in it.
_allocq_columns()
{
    local head=${cur%"${cur##*,}"} tail=${cur##*,} c
    for c in bytes calls file line module function accurate; do
        [[ ,$head == *",$c,"* ]] && continue
        [[ $c == "$tail"* ]] && COMPREPLY+=("$head$c")
    done
    # Leave the cursor after the column so that a comma can follow.
    compopt -o nospace 2>/dev/null
}

_allocq()
{
    # words and cword are set by _init_completion.
    # shellcheck disable=SC2034
    local cur prev words cword split=false
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
    if [[ $prev =~ ^-[BbJnrV]+([fFmios])$ ]]; then
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
            _allocq_reply table csv json
            return
            ;;
        -s | --sort)
            _allocq_reply bytes calls file func module line
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
        -i | --input)
            if [[ $cur == - ]]; then
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
        --line | --min-size | --max-size | --limit)
            return
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
            --format --json --csv --output --bytes --no-headings --sort \
            --reverse --limit \
            --help --usage --version \
            -f -F -m -B -i -J -o -b -n -s -r -V '-?'
    fi
}
complete -F _allocq allocq

# ex: filetype=sh
