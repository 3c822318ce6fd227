#!/usr/bin/env bash
# Reporting, the second half of bench/run.sh: reads what bench/measure.sh wrote (raw.tsv, service.tsv,
# meta.tsv in $BENCH_OUT/tmp/run) and writes the medians (summary.tsv, its first row naming the columns),
# the markdown report bench/results/latest.md, the plot throughput.png and a copy of the raw figures.
#   bash bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/results}
WORK=$OUT/tmp/run
. "$ROOT/bench/lib.sh"

log() { echo "[bench] $*"; }
die() { echo "[bench] ERROR: $*" >&2; exit 1; }

# The container figures (bench/container.sh), when it ran: startup, warm-up, memory.
CONTAINER=$OUT/tmp/container
CONTAINER_REPORT=$OUT/container.md
# warmup VARIANT: "steady seconds": the median req/s of the last 10 s, and the first second after ready that
# reached 90% of it ("-" if none did)
warmup() {
    local rps steady
    rps=$(tsv_get "$CONTAINER/warmup.tsv" rps variant="$1")
    steady=$(tail -n 10 <<<"$rps" | median %s)
    awk -v steady="$steady" '$1 >= 0.9 * steady { second = NR; exit }
        END { printf "%.0f %s\n", steady, second ? second : "-" }' <<<"$rps"
}
if [[ -s $CONTAINER/startup.tsv ]]; then
    cpus=$(tsv_get "$CONTAINER/meta.tsv" value key=cpus)
    {
        plain=$(tsv_get "$CONTAINER/startup.tsv" ms variant=plain | median)
        tuned=$(tsv_get "$CONTAINER/startup.tsv" ms variant=tuned | median)
        share=$(awk -v t="$tuned" -v p="$plain" 'BEGIN { printf "%.1f", 100 * t / p }')
        echo "Startup, from \`docker run\` to readiness UP, $cpus CPUs (plain at 512M, the others at 256M), medians of" \
            "$(tsv_get "$CONTAINER/startup.tsv" rep variant=plain | wc -l) starts each, alternating: plain (\`java -jar\`," \
            "no JVM options) **$plain ms**, tuned (the image as shipped) **$tuned ms**: $share% of plain" \
            "(target <= 45%: $(verdict "$share <= 45"); <= 2 s: $(verdict "$tuned <= 2000"))."
        echo
        echo "| Startup variant | ms (median) | of plain |"
        echo "|---|---:|---:|"
        for v in $(awk -F'\t' 'NR > 1 && !seen[$1]++ { print $1 }' "$CONTAINER/startup.tsv"); do
            ms=$(tsv_get "$CONTAINER/startup.tsv" ms variant="$v" | median)
            echo "| $v | $ms | $(awk -v t="$ms" -v p="$plain" 'BEGIN { printf "%.1f%%", 100 * t / p }') |"
        done
        echo
        if [[ -s $CONTAINER/warmup.tsv ]] && (($(wc -l <"$CONTAINER/warmup.tsv") > 1)); then
            echo "| Warm-up at 64 connections | steady req/s (median of the last 10 s) | seconds from ready to 90% of it |"
            echo "|---|---:|---:|"
            for v in $(awk -F'\t' 'NR > 1 && !seen[$1]++ { print $1 }' "$CONTAINER/warmup.tsv"); do
                read -r steady seconds < <(warmup "$v")
                echo "| $v | $steady | ${seconds/-/not within the run} |"
            done
            echo
        fi
        echo "| Memory variant | limit | req/s @64 (median) | of the first | p99 ms | container memory after (docker stats) | JVM peak RSS (VmHWM) |"
        echo "|---|---:|---:|---:|---:|---:|---:|"
        reference=$(awk -F'\t' 'NR == 2 { print $1 }' "$CONTAINER/memory.tsv")
        before=$(tsv_get "$CONTAINER/memory.tsv" rps variant="$reference" | median)
        for v in $(awk -F'\t' 'NR > 1 && !seen[$1]++ { print $1 }' "$CONTAINER/memory.tsv"); do
            rps=$(tsv_get "$CONTAINER/memory.tsv" rps variant="$v" | median)
            p99=$(tsv_get "$CONTAINER/memory.tsv" p99_ms variant="$v" | median %.2f)
            echo "| $v | $(tsv_get "$CONTAINER/memory.tsv" limit variant="$v" | head -1) | $rps |" \
                "$(awk -v r="$rps" -v b="$before" 'BEGIN { printf "%.1f%%", 100 * r / b }') | $p99 |" \
                "$(tsv_get "$CONTAINER/memory.tsv" mem_mib variant="$v") MiB | $(tsv_get "$CONTAINER/memory.tsv" vmhwm_mib variant="$v") MiB |"
        done
        echo
        shipped_rps=$(tsv_get "$CONTAINER/memory.tsv" rps variant=shipped | median)
        shipped_mem=$(tsv_get "$CONTAINER/memory.tsv" mem_mib variant=shipped)
        kept=$(awk -v r="$shipped_rps" -v b="$before" 'BEGIN { printf "%.1f", 100 * r / b }')
        echo "*$reference* is the settings before this round, the reference; *shipped* is the image as the stack runs" \
            "it; the others change one thing each from *shipped* (bench/container.sh lists them). Target: *shipped*" \
            "<= 160 MiB under load ($shipped_mem MiB: $(verdict "$shipped_mem <= 160")) at no more than 5% throughput" \
            "loss against *$reference* ($kept%: $(verdict "$kept >= 95"))."
    } >"$CONTAINER_REPORT"
    # Rows of latest.md's target table
    {
        echo "| Startup to ready in the container, tuned <= 45% of plain | $share% ($tuned vs $plain ms) | $(verdict "$share <= 45") |"
        echo "| Startup to ready in the container <= 2 s | $tuned ms | $(verdict "$tuned <= 2000") |"
        if [[ -s $CONTAINER/warmup.tsv ]] && (($(wc -l <"$CONTAINER/warmup.tsv") > 1)); then
            read -r steady seconds < <(warmup tuned)
            echo "| Warm-up, ready to 90% of steady state (tuned, $cpus CPUs) <= 15 s | ${seconds/-/not within the run} s" \
                "(plain: $(warmup plain | cut -d' ' -f2) s) | $([[ $seconds == - ]] && echo MISS || verdict "$seconds <= 15") |"
        fi
        echo "| Shipped container's memory under load <= 160 MiB | $shipped_mem MiB | $(verdict "$shipped_mem <= 160") |"
        echo "| ... at <= 5% throughput loss against the settings before | $kept% of *$reference* | $(verdict "$kept >= 95") |"
    } >"$CONTAINER/targets.md"
fi
[[ -s $WORK/raw.tsv ]] || [[ ! -s $CONTAINER_REPORT ]] || {
    echo "[bench] wrote $CONTAINER_REPORT (bench/container.sh's figures; no bench/measure.sh run to report)"
    exit 0
}

RAW=$WORK/raw.tsv
for f in raw service meta; do
    [[ -s $WORK/$f.tsv ]] || die "no $WORK/$f.tsv: run bash bench/measure.sh first"
done
command -v gnuplot >/dev/null || die "gnuplot missing: apt-get install gnuplot-nox (bench/measure.sh installs it)"
meta() { tsv_get "$WORK/meta.tsv" value key="$1"; }
CONNS=$(meta conns)
REPEATS=$(meta repeats)

SUMMARY=$WORK/summary.tsv
awk -f "$ROOT/bench/summary.awk" "$RAW" >"$SUMMARY"
get() { tsv_get "$SUMMARY" "$3" variant="$1" conns="$2"; } # get VARIANT CONNS COLUMN: one median

TABLE=$WORK/table.md
{
    echo "| Variant | Conns | req/s | p50 ms | p99 ms | of ceiling | Redis cmds/req | req per tx | counts | others' CPU | JVM CPU µs/req | ctx switches/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
    for c in $CONNS 1; do
        for v in baseline group async per-request ha "redis INCR"; do
            [[ -n $(get "$v" "$c" rps) ]] || continue
            case $v in
                baseline) name="GET /baseline (no Redis: the ceiling)" ;;
                group) name="GET / group commit (default)" ;;
                async) name="GET /async: group commit, no thread waits (experiment, bench profile)" ;;
                per-request) name="GET / one MULTI/EXEC per request" ;;
                ha) name="GET / group commit, primary + replica, WAIT 1 (REDIS_HA)" ;;
                *) name="redis-benchmark -t incr (reference)" ;;
            esac
            ratio=$(get "$v" "$c" of_ceiling_pct) others=$(get "$v" "$c" others_cpu_pct)
            echo "| $name | $c | $(get "$v" "$c" rps) | $(get "$v" "$c" p50_ms) | $(get "$v" "$c" p99_ms) |" \
                "${ratio:+$ratio%} | $(get "$v" "$c" cmds_per_req) | $(get "$v" "$c" req_per_tx) |" \
                "$(get "$v" "$c" counts) | ${others:+$others%} | $(get "$v" "$c" cpu_us_per_req) | $(get "$v" "$c" ctxsw_per_req) |"
        done
    done
} >"$TABLE"

# ha_ratio CONNS: the median over rounds of HA's req/s over group's in the same round, in percent.
ha_ratio() { paired_ratio "$RAW" rps "$REPEATS" variant=ha variant=group conns="$1"; }
TARGETS=$WORK/targets.md
{
    echo "| Target | Measured | Result |"
    echo "|---|---|---|"
    r=$(get group 64 of_ceiling_pct)
    if [[ -n $r ]]; then
        echo "| GET / at 64 conns >= 80% of the ceiling | $r% ($(get group 64 rps) vs $(get baseline 64 rps) req/s) |" \
            "$(verdict "$r >= 80") |"
    fi
    a=$(get async 64 of_ceiling_pct)
    if [[ -n $a ]]; then
        echo "| GET /async at 64 conns >= 80% of the ceiling (the experiment; not shipped) | $a% ($(get async 64 rps) req/s," \
            "p99 $(get async 64 p99_ms) ms against GET /'s $(get group 64 p99_ms) ms) | $(verdict "$a >= 80") |"
    fi
    k=$(get group 64 cmds_per_req)
    if [[ -n $k ]]; then
        echo "| Redis commands per served request at 64 conns <= 0.25 | $k | $(verdict "$k <= 0.25") |"
    fi
    gp=$(get group 64 p99_ms); pp=$(get per-request 64 p99_ms)
    if [[ -n $gp && -n $pp ]]; then
        echo "| p99 at 64 conns no worse than per-request | $gp ms vs $pp ms | $(verdict "$gp <= $pp") |"
    fi
    for c in $CONNS; do
        h=$(ha_ratio "$c")
        [[ -z $h || $c != 64 ]] || echo "| REDIS_HA (WAIT 1) at 64 conns >= 80% of one Redis | $h% ($(get ha 64 rps) vs" \
            "$(get group 64 rps) req/s; HA at 16: $(ha_ratio 16)%, at 256: $(ha_ratio 256)%) | $(verdict "$h >= 80") |"
    done
    g1=$(get group 1 p50_ms); p1=$(get per-request 1 p50_ms); g9=$(get group 1 p99_ms); p9=$(get per-request 1 p99_ms)
    if [[ -n $g1 && -n $p1 ]]; then
        echo "| Latency at concurrency 1 no worse than per-request (p50 and p99 within 5%) |" \
            "p50 $g1 vs $p1 ms, p99 $g9 vs $p9 ms | $(verdict "$g1 <= 1.05 * $p1 && $g9 <= 1.05 * $p9") |"
    fi
    # The container's and the deployed stack's rows, when they ran
    cat "$CONTAINER/targets.md" "$OUT/tmp/stack/targets.md" 2>/dev/null || true
} >"$TARGETS"

PLOTDATA=$WORK/throughput.dat
{
    echo "# conns baseline group per-request ha redis-incr"
    for c in $CONNS; do
        line=""
        for v in baseline group per-request ha "redis INCR"; do
            x=$(get "$v" "$c" rps)
            line+=" ${x:-NaN}"
        done
        echo "$c$line"
    done
} >"$PLOTDATA"
TERM_PNG=pngcairo
gnuplot -e "set terminal pngcairo" >/dev/null 2>&1 || TERM_PNG=png
gnuplot >"$WORK/gnuplot.log" 2>&1 <<PLOT || log "gnuplot failed; see $WORK/gnuplot.log"
set terminal $TERM_PNG size 900,560
set output "$OUT/throughput.png"
set title "replicas-reqcount on $(nproc) cores, loopback (medians of $REPEATS runs)"
set xlabel "wrk connections"
set ylabel "HTTP requests/s"
set y2label "redis-benchmark INCR/s"
set logscale x 2
set xrange [${CONNS%% *} * 0.8:${CONNS##* } * 1.25]
set xtics (${CONNS// /, })
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set key below
set grid
plot "$PLOTDATA" using 1:2 with linespoints lw 2 title "GET /baseline (no Redis: ceiling)", \\
     "" using 1:3 with linespoints lw 2 title "GET / group commit", \\
     "" using 1:4 with linespoints lw 2 title "GET / MULTI/EXEC per request", \\
     "" using 1:5 with linespoints lw 2 title "GET / primary + replica, WAIT 1", \\
     "" using 1:6 axes x1y2 with linespoints dt 2 title "redis-benchmark INCR (right axis)"
PLOT

REPORT=$OUT/latest.md
{
    echo "# Benchmark: latest run"
    echo
    echo "Run by \`bash bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Medians of $REPEATS runs of" \
        "$(meta seconds)s each ($(meta c1_seconds)s at concurrency 1) after a $(meta warmup_seconds)s warm-up;" \
        "wrk with 2 threads (1 at concurrency 1); loopback."
    echo
    cat "$TABLE"
    echo
    echo "![throughput](throughput.png)"
    echo
    echo "## Targets"
    echo
    cat "$TARGETS"
    echo
    echo "## The service"
    echo
    echo "| Variant | Startup to ready | Peak RSS (VmHWM) |"
    echo "|---|---:|---:|"
    for v in group per-request ha; do
        startup=$(tsv_get "$WORK/service.tsv" startup_ms variant="$v")
        [[ -n $startup ]] || continue
        case $v in
            group) name="group commit (default)" ;;
            per-request) name="one MULTI/EXEC per request" ;;
            *) name="group commit against a primary + replica, WAIT 1" ;;
        esac
        echo "| $name | $startup ms | $(tsv_get "$WORK/service.tsv" vmhwm_mb variant="$v") MB |"
    done
    echo
    if [[ -s $CONTAINER/startup.tsv ]]; then
        echo "## The service in its container (bench/container.sh)"
        echo
        cat "$CONTAINER_REPORT"
        echo
    fi
    if [[ -s $OUT/tmp/stack/raw.tsv ]]; then
        echo "## The deployed stack (bench/stack.sh)"
        echo
        sed '1,2d; s/^## /### /' "$OUT/stack.md"
        echo
    fi
    echo "## How to read it"
    echo
    echo "- *of ceiling*: req/s over GET /baseline's, measured in the same process at the same concurrency just"
    echo "  before, in the same round; the median of those paired ratios, which is steadier than the ratio of"
    echo "  the medians on a noisy machine."
    echo "- *Redis cmds/req*: every command in Redis's INFO commandstats between the run's start and end"
    echo "  (but the benchmark's own INFO and GET total_count), over the 200s the service served."
    echo "- *req per tx*: served 200s over Redis transactions (the reqcount.batch.size meter's count)."
    echo "- *counts*: total_count rose by exactly the 200s the service served (its http.server.requests"
    echo "  meter), and wrk's own 200s fall short of that by no more than one per connection: the requests"
    echo "  in flight when wrk stopped, which the server still served."
    echo "- *JVM CPU µs/req* and *ctx switches/req*: the service JVM's CPU time (user and system, all threads) and"
    echo "  context switches (voluntary and not, summed over its threads from /proc) during the run, over the"
    echo "  requests wrk saw answered; the baseline's are measured in the same process."
    echo "- *others' CPU*: the share of the machine's CPU spent outside the benchmark's own processes during"
    echo "  the runs (median): other work on the machine, and kernel threads such as ksoftirqd that carry"
    echo "  some of the loopback traffic. Well above 10% means the figures are low and noisy."
    echo "- *primary + replica, WAIT 1*: REDIS_HA's write path. Every 200 it served is on the replica: at the end"
    echo "  the primary's and the replica's totals were $(meta ha_totals) (the run stops if they differ)."
    echo "- Startup is from launching java to /actuator/health/readiness answering UP (Redis included)."
    echo
    echo "## Machine"
    echo
    echo "- $(nproc) cores: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory; Linux $(uname -r)"
    echo "- $(meta java)"
    echo "- $(meta redis); AOF with appendfsync everysec, no RDB"
    echo "- $(meta wrk)"
    echo "- load average before: $(meta load_before); after: $(meta load_after)"
    echo "- JVM options: $(meta java_opts); extra service arguments: $(meta app_args)"
} >"$REPORT"
cp "$RAW" "$OUT/latest-raw.tsv"

echo
cat "$TABLE"
echo
cat "$TARGETS"
echo
awk -F'\t' 'NR > 1 { printf "%s: startup to ready %s ms, peak RSS %s MB.\n", $1, $2, $3 }' "$WORK/service.tsv"
log "wrote $REPORT, $OUT/throughput.png and $OUT/latest-raw.tsv"
