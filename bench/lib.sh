# Sourced by the bench scripts: wrk's figures, medians, and reading TSV files whose first row names their columns.

# wrk_figures: from wrk's output with bench/report.lua, "req/s p50_ms p99_ms 200s" (nothing without its BENCH line).
wrk_figures() {
    awk '/^BENCH / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%.0f %.2f %.2f %s\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000, v["ok"] }'
}

# median [FORMAT]: the median of the numbers on stdin, one per line, printed with FORMAT (default %.0f); nothing for none.
median() {
    sort -n | awk -v f="${1:-%.0f}" '{ v[NR] = $1 } END { if (NR) printf f, NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# sum: the sum of the numbers on stdin, one per line (0 for none).
sum() { awk '{ s += $1 } END { print s + 0 }'; }

# verdict CONDITION: PASS if the awk CONDITION holds, else MISS.
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }

# paired_ratio FILE COLUMN ROUNDS A B [NAME=VALUE...]: the median over rounds 1..ROUNDS (the rep column) of A's COLUMN
# over B's in the same round, in percent, where A and B are NAME=VALUE filters and the rest apply to both. Paired
# rounds hold steadier than a ratio of medians on a noisy machine. A round that lacks either is left out.
paired_ratio() {
    local file=$1 column=$2 rounds=$3 a=$4 b=$5 rep x y
    shift 5
    for rep in $(seq 1 "$rounds"); do
        x=$(tsv_get "$file" "$column" "$a" rep="$rep" "$@") y=$(tsv_get "$file" "$column" "$b" rep="$rep" "$@")
        if [[ -n $x && -n $y ]]; then awk -v x="$x" -v y="$y" 'BEGIN { printf "%.1f\n", 100 * x / y }'; fi
    done | median %.1f
}

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
