# fish completion for allocq(1).
# Installed as .../fish/vendor_completions.d/allocq.fish.
#
# --file, --func and --module complete the names of the running kernel,
# read from $ALLOCQ_PROC/allocinfo (default /proc, the same place allocq
# reads); when that file cannot be read (not root, profiling not built in)
# they complete nothing, silently. -o offers the columns the rows of the
# command line have (--diff, --watch and --group-by change them).

# __allocq_names KIND: print, one per line, the distinct names of KIND (file,
# func or module) in the kernel's allocinfo; for "file", both each full path
# and its basename. One awk pass over the file.
function __allocq_names --argument-names kind
    set -l proc /proc
    set -q ALLOCQ_PROC[1]; and test -n "$ALLOCQ_PROC"; and set proc $ALLOCQ_PROC
    set -l src $proc/allocinfo
    test -f $src -a -r $src; or return 0
    env LC_ALL=C awk -v kind=$kind '
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
                if (v[i] != "" && !(v[i] in seen)) { seen[v[i]] = 1; print v[i] }
        }' $src 2>/dev/null
end

# __allocq_row_columns: print, one per line, the columns of the rows the
# command line asks for: call sites, or with --group-by groups; --diff and
# --watch add theirs.
function __allocq_row_columns
    set -l words (commandline -opc)
    set -l diff 0
    set -l watch 0
    set -l group 0
    set -l key
    set -l n (count $words)
    for i in (seq 2 $n)
        set -l w $words[$i]
        if string match -qr -- '^--diff(=|$)' $w
            set diff 1
        else if string match -qr -- '^(--watch(=|$)|-[BbJnrV]*w)' $w
            set watch 1
        else if string match -qr -- '^(--group-by|-[BbJnrV]*g)$' $w
            set group 1
            test $i -lt $n; and set key $words[(math $i + 1)]
        else if string match -qr -- '^(--group-by=|-[BbJnrV]*g)' $w
            set group 1
            set key (string replace -r -- '^(--group-by=|-[BbJnrV]*g)' '' $w)
        end
    end
    set key (string replace -r -- ':.*' '' "$key")
    printf '%s\n' bytes calls
    if test $diff = 1
        printf '%s\n' old_bytes old_calls delta_bytes delta_calls
        test $group = 1; or echo change
    else if test $watch = 1
        printf '%s\n' delta_bytes delta_calls rate
    end
    if test $group = 1
        echo sites
        if contains -- "$key" module file function dir
            echo $key
        else
            printf '%s\n' module file function dir
        end
    else
        printf '%s\n' file line module function accurate
    end
end

# __allocq_columns: complete one element of the comma-separated -o LIST,
# offering the columns of the rows that are not already in it.
function __allocq_columns
    set -l tok (commandline -ct)
    # The value of "--output=LIST" or "-oLIST" when given in the same token.
    set tok (string replace -r -- '^(--output=|-o)' '' $tok)
    set -l head (string replace -r -- '[^,]*$' '' $tok)
    set -l given (string split -n , -- $head)
    for c in (__allocq_row_columns)
        contains -- $c $given; or printf '%s%s\n' $head $c
    end
end

complete -c allocq -f

# Filters
complete -c allocq -s f -l file -x -a '(__allocq_names file)' -d 'Allocations in a source file (path, or basename)'
complete -c allocq -s F -l func -x -a '(__allocq_names func)' -d 'Allocations in a function'
complete -c allocq -s m -l module -x -a '(__allocq_names module)' -d 'Allocations in a module'
complete -c allocq -s B -l builtin -d 'Allocations in code built into the kernel image'
complete -c allocq -l line -x -d 'Allocations at a line number'
complete -c allocq -l min-size -x -d 'At least SIZE bytes (K, M, G, T)'
complete -c allocq -l max-size -x -d 'At most SIZE bytes (K, M, G, T)'
complete -c allocq -l accurate -n 'not __fish_seen_argument -l inaccurate' -d 'Only counters flagged accurate'
complete -c allocq -l inaccurate -n 'not __fish_seen_argument -l accurate' -d 'Only counters flagged inaccurate'

# Source
complete -c allocq -l source -x -a 'auto\t"ioctl if available, else text (default)" ioctl\t"The /proc/allocinfo ioctl" text\t"The /proc/allocinfo text file"' -d 'Where to read the kernel counters from'
complete -c allocq -s i -l input -r -F -d 'Read a saved /proc/allocinfo (- for stdin)'

# Analysis
complete -c allocq -l diff -r -F -d 'What changed since OLD, a saved /proc/allocinfo (- for stdin)'
complete -c allocq -s g -l group-by -x -a 'module\t"By module (built-in code is one group)" file\t"By source file" function\t"By function" dir\t"By directory of the source file" dir:1\t"By first directory (fs)" dir:2\t"By first 2 directories (fs/xfs)" dir:3\t"By first 3 directories"' -d 'Add call sites up by KEY'
complete -c allocq -l total -d 'A total line after the rows'
complete -c allocq -s w -l watch -d 'Repeat every SECONDS (default 2; --watch=SECONDS)'
complete -c allocq -s c -l count -x -d 'With --watch: stop after N samples'
complete -c allocq -l status -d 'Say what allocq sees and why a query would not work'

# Output
complete -c allocq -l format -x -a 'table\t"Aligned columns (default)" csv\t"Comma-separated values" json\t"One JSON object" allocinfo\t"The kernel text format (/proc/allocinfo)" prometheus\t"Prometheus text exposition format"' -d 'Output format'
complete -c allocq -s J -l json -d 'Same as --format=json'
complete -c allocq -l csv -d 'Same as --format=csv'
complete -c allocq -s o -l output -x -a '(__allocq_columns)' -d 'Columns of the table or CSV, comma separated'
complete -c allocq -s b -l bytes -d 'Exact byte counts in the table'
complete -c allocq -s n -l no-headings -d 'No header line'
complete -c allocq -s s -l sort -x -a 'bytes\t"Largest first (default)" calls\t"Largest first" delta\t"Change in bytes, largest growth first" sites\t"Call sites per group, most first" file func module line' -d 'Sort key'
complete -c allocq -s r -l reverse -d 'Reverse the sort order'
complete -c allocq -l limit -x -d 'Print at most N rows'
complete -c allocq -l output-file -r -F -d 'Write to FILE atomically'

# Help
complete -c allocq -s '?' -l help -d 'Print the option list and exit'
complete -c allocq -l usage -d 'Print a short usage message and exit'
complete -c allocq -s V -l version -d 'Print the version and exit'
