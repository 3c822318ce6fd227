# Sourced by the bench scripts: reading TSV files whose first row names their columns.

# tsv_get FILE COLUMN [NAME=VALUE...]: COLUMN of every row whose named columns hold those values ("-" and
# empty cells print nothing). Fails if a column does not exist, so a renamed column is never read as empty.
tsv_get() {
    local file=$1 column=$2
    shift 2
    awk -F'\t' -v want="$column" '
        BEGIN { for (i = 1; i < ARGC - 1; i++) { n = index(ARGV[i], "="); key[i] = substr(ARGV[i], 1, n - 1)
                    val[i] = substr(ARGV[i], n + 1); delete ARGV[i] }; conds = ARGC - 2 }
        FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
                   for (i = 1; i <= conds; i++) if (!(key[i] in col)) { print "no column " key[i] " in " FILENAME > "/dev/stderr"; exit 2 }
                   if (!(want in col)) { print "no column " want " in " FILENAME > "/dev/stderr"; exit 2 }
                   next }
        { for (i = 1; i <= conds; i++) if ($(col[key[i]]) != val[i]) next
          if ($(col[want]) != "-" && $(col[want]) != "") print $(col[want]) }' "$@" "$file"
}
