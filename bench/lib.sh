# shellcheck shell=bash
# Sourced by the bench scripts: the tools they need, wrk's figures and medians.

# bench_tools COMMAND=PACKAGE...: installs with apt-get the packages whose command is missing, so that a fresh machine
# needs nothing but this tree.
bench_tools() {
    local t missing=()
    for t in "$@"; do command -v "${t%%=*}" >/dev/null 2>&1 || missing+=("${t#*=}"); done
    ((${#missing[@]})) || return 0
    echo "[bench] installing: ${missing[*]}"
    [[ $(id -u) == 0 ]] || { echo "[bench] ERROR: run as root, or install: apt-get install ${missing[*]}" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# wrk_figures: "req/s p50_ms p99_ms 200s" from wrk's output with bench/report.lua (nothing without its BENCH line).
wrk_figures() {
    awk '/^BENCH / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%.0f %.2f %.2f %s\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000, v["ok"] }'
}

# A Miller function: the median of an array of numbers, the mean of the middle two for an even count.
MEDIAN_FUNC='func median(arr a): num { s = sort(a); n = length(s); return n % 2 == 1 ? s[(n + 1) // 2] : (s[n // 2] + s[n // 2 + 1]) / 2 }'

# median [FORMAT]: the median of the numbers on stdin, one a line, printed with FORMAT (%.0f); nothing for none.
# shellcheck disable=SC2016 # Miller's own $fields
median() {
    mlr --inidx --onidx put -q -s f="${1:-%.0f}" "$MEDIAN_FUNC"'
        @v[NR] = $1; end { if (is_present(@v)) { print fmtnum(median(get_values(@v)), @f) } }'
}
