#!/usr/bin/env bash
# The benchmark, in one command: a throwaway Redis and the service on loopback, wrk at 16, 64 and 256
# connections, medians over repeated runs, a markdown table and a PNG plot in bench/results/.
#
#   bash bench/run.sh                     # about 7 minutes on a 2-core machine
#
# Variants, side by side in one run:
#   baseline     GET /baseline: the same process, the same reply, no Redis (the ceiling; bench profile only)
#   group        GET / as shipped: group commit (BATCH_MAX_SIZE=256, BATCH_MAX_IN_FLIGHT=1)
#   per-request  GET / with one MULTI/EXEC per request over a 16-connection pool
#                (BATCH_MAX_SIZE=1, BATCH_MAX_IN_FLIGHT=16), in a second process
#   redis INCR   redis-benchmark -t incr at the same concurrency, for reference
# Both services run at once, each idle while the other is measured, so that the runs interleave and a
# noisy machine tilts no variant more than another.
#
# Settings (environment), with their defaults:
#   BENCH_CONNS "16 64 256"   BENCH_REPEATS 5   BENCH_SECONDS 6   BENCH_C1_SECONDS 3
#   BENCH_WARMUP_SECONDS 10   BENCH_REDIS_N 200000 (0 skips redis-benchmark)
#   BENCH_JAVA java           BENCH_JAVA_OPTS (JVM options)   BENCH_APP_ARGS (Spring arguments, e.g.
#                             --server.tomcat.threads.max=50); both go to both services
#   BENCH_JAR (a built jar: skips the build)   BENCH_PER_REQUEST 1 (0 skips that variant)
#   BENCH_QUIET_WAIT 120 (seconds to wait for a load average below the core count)
#   BENCH_OUT bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CONNS=${BENCH_CONNS:-"16 64 256"}
REPEATS=${BENCH_REPEATS:-5}
RUN_SECONDS=${BENCH_SECONDS:-6}
C1_SECONDS=${BENCH_C1_SECONDS:-3}
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-10}
REDIS_N=${BENCH_REDIS_N:-200000}
JAVA_BIN=${BENCH_JAVA:-java}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
APP_ARGS=${BENCH_APP_ARGS:-}
PER_REQUEST=${BENCH_PER_REQUEST:-1}
QUIET_WAIT=${BENCH_QUIET_WAIT:-120}
OUT=${BENCH_OUT:-$ROOT/bench/results}
WORK=$OUT/tmp/run
LUA=$ROOT/bench/report.lua

log() { echo "[bench] $*"; }
die() { echo "[bench] ERROR: $*" >&2; exit 1; }

# --- tools --------------------------------------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need wrk wrk
need redis-server redis-server
need redis-cli redis-tools
need redis-benchmark redis-tools
need gnuplot gnuplot-nox
need curl curl
need jq jq
[[ -n ${BENCH_JAR:-} ]] || need javac openjdk-17-jdk-headless
if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    [[ $(id -u) == 0 ]] || die "run as root, or install: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- clean up whatever this script started, however it ends ------------------------------------
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$WORK"
mkdir -p "$WORK/redis"

# A port on loopback that nothing listens on, from a bounded range.
free_port() {
    local p
    for p in $(seq "$1" $(($1 + 99))); do
        (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    die "no free port in $1..$(($1 + 99))"
}

# --- build ----------------------------------------------------------------------------------------
if [[ -n ${BENCH_JAR:-} ]]; then
    JAR=$BENCH_JAR
else
    log "building the jar (in $WORK/build)"
    JAR=$(bash "$ROOT/bench/build.sh" "$WORK/build")
fi
[[ -f $JAR ]] || die "no jar at $JAR"

# --- Redis: throwaway, loopback only, AOF with fsync every second as in the stack ------------------
REDIS_PORT=$(free_port 6400)
log "starting redis-server on 127.0.0.1:$REDIS_PORT (AOF, appendfsync everysec, no RDB)"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --save '' \
    --appendonly yes --appendfsync everysec --logfile "$WORK/redis.log" &
PIDS+=($!)
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
for _ in $(seq 1 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
rcli ping >/dev/null || die "redis-server did not start; see $WORK/redis.log"

# --- the services -----------------------------------------------------------------------------------
# Actuator answers on a management port of its own: the service port + 1000 here.
mgmt() { echo $(($1 + 1000)); }

# start_service NAME PORT VAR=value...: starts it, waits for readiness, sets STARTUP_MS and STARTED_PID.
start_service() {
    local name=$1 port=$2 t0 pid
    shift 2
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # JAVA_OPTS and APP_ARGS are word lists
    env "$@" SERVICE_HOST=127.0.0.1 SERVICE_PORT="$port" MANAGEMENT_PORT="$(mgmt "$port")" INSTANCE_NAME="bench-$name" \
        CONTAINER_DB_HOST=127.0.0.1 CONTAINER_DB_PORT="$REDIS_PORT" \
        "$JAVA_BIN" $JAVA_OPTS -jar "$JAR" --spring.profiles.active=bench \
        --management.endpoints.web.exposure.include=health,metrics $APP_ARGS >"$WORK/$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 1200); do
        curl -sf --max-time 1 "http://127.0.0.1:$(mgmt "$port")/actuator/health/readiness" 2>/dev/null | grep -q UP && break
        kill -0 "$pid" 2>/dev/null || die "$name exited at start; see $WORK/$name.log"
        sleep 0.05
    done
    curl -sf --max-time 1 "http://127.0.0.1:$(mgmt "$port")/actuator/health/readiness" | grep -q UP \
        || die "$name was not ready within a minute; see $WORK/$name.log"
    STARTUP_MS=$((($(date +%s%N) - t0) / 1000000))
    STARTED_PID=$pid
    log "$name ready on 127.0.0.1:$port in $STARTUP_MS ms (pid $pid)"
}

GROUP_PORT=$(free_port 18400)
start_service group "$GROUP_PORT"
STARTUP_group=$STARTUP_MS
PID_group=$STARTED_PID
if [[ $PER_REQUEST == 1 ]]; then
    PERREQ_PORT=$(free_port $((GROUP_PORT + 1)))
    start_service per-request "$PERREQ_PORT" BATCH_MAX_SIZE=1 BATCH_MAX_IN_FLIGHT=16
    STARTUP_per_request=$STARTUP_MS
    PID_per_request=$STARTED_PID
fi

# --- measuring --------------------------------------------------------------------------------------
RAW=$WORK/raw.tsv
printf 'variant\tconns\trep\trps\tp50_ms\tp99_ms\twrk_ok\tredis_delta\tserved_200\tredis_cmds\tbatches\tcheck\tothers_cpu\n' >"$RAW"

# CPU ticks: "busy mine", where busy is the machine's user and system time and mine is what this
# script's processes used: the services and Redis, and wrk and the rest among the shell's children.
cpu_ticks() {
    local busy mine=0 pid ticks
    busy=$(awk '/^cpu / { print $2 + $3 + $4 }' /proc/stat)
    for pid in "${PIDS[@]}"; do
        ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) && mine=$((mine + ticks))
    done
    times >"$WORK/times"
    ticks=$(awk -v hz="$(getconf CLK_TCK)" 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] }
        printf "%.0f", n * hz }' "$WORK/times")
    echo "$busy $((mine + ticks))"
}

# wrk CONNS THREADS SECONDS URL: sets W_OK, W_RPS, W_P50, W_P99 (ms) from report.lua's line, and
# W_OTHERS: the share of the machine's CPU that other processes took meanwhile.
run_wrk() {
    local line busy0 mine0 busy1 mine1 t0 t1
    read -r busy0 mine0 < <(cpu_ticks)
    t0=$(date +%s%N)
    line=$(timeout $(($3 + 60)) wrk -t"$2" -c"$1" -d"$3"s -s "$LUA" "$4" | grep '^BENCH ') \
        || die "wrk failed against $4"
    t1=$(date +%s%N)
    read -r busy1 mine1 < <(cpu_ticks)
    W_OTHERS=$(awk -v b="$((busy1 - busy0))" -v m="$((mine1 - mine0))" -v ns="$((t1 - t0))" \
        -v hz="$(getconf CLK_TCK)" -v n="$(nproc)" 'BEGIN { o = (b - m) / (ns / 1e9 * hz * n) * 100
        printf "%.0f", o < 0 ? 0 : o }')
    W_OK=$(sed -E 's/.* ok=([0-9]+).*/\1/' <<<"$line")
    read -r W_RPS W_P50 W_P99 < <(awk '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%.0f %.2f %.2f\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000
    }' <<<"$line")
}

metric() { # metric PORT NAME STATISTIC [TAG...]: one statistic of a Micrometer meter, 0 if absent
    local port=$1 name=$2 stat=$3 query="" tag
    shift 3
    for tag in "$@"; do query+="${query:+&}tag=$tag"; done
    curl -sf --max-time 5 "http://127.0.0.1:$(mgmt "$port")/actuator/metrics/$name?$query" 2>/dev/null \
        | jq -r --arg s "$stat" '[.measurements[] | select(.statistic == $s) | .value][0] // 0' 2>/dev/null \
        || echo 0
}
served_200() { metric "$1" http.server.requests COUNT uri:/ status:200; }
total() { rcli get total_count | sed 's/^$/0/'; }
# Every command Redis ran, but the benchmark's own INFO.
redis_calls() {
    rcli info commandstats | tr -d '\r' \
        | awk -F'[:=,]' '/^cmdstat_/ && $1 != "cmdstat_info" { n += $3 } END { print n + 0 }'
}

# measure_get VARIANT PORT CONNS THREADS SECONDS REP: GET / once, with the count check.
measure_get() {
    local variant=$1 port=$2 c=$3 t=$4 s=$5 rep=$6
    local t0 s0 r0 b0 t1 s1 r1 b1 prev check gets=0
    t0=$(total); s0=$(served_200 "$port"); r0=$(redis_calls); b0=$(metric "$port" reqcount.batch.size COUNT)
    run_wrk "$c" "$t" "$s" "http://127.0.0.1:$port/"
    # The requests that wrk abandoned when it stopped still finish on the server: let them.
    prev=-1
    for _ in $(seq 1 50); do
        t1=$(total); s1=$(served_200 "$port"); gets=$((gets + 1))
        [[ "$t1 $s1" == "$prev" ]] && break
        prev="$t1 $s1"
        sleep 0.1
    done
    r1=$(redis_calls); b1=$(metric "$port" reqcount.batch.size COUNT)
    local delta=$((t1 - t0)) served sent
    served=$(awk -v a="$s1" -v b="$s0" 'BEGIN { printf "%.0f", a - b }')
    # Exact: Redis's total rose by the 200s the service sent. wrk saw all of them but those still
    # in flight when it stopped (at most one per connection).
    check=OK
    if ((delta != served || W_OK > delta || delta - W_OK > c)); then check=MISMATCH; fi
    sent=$(awk -v a="$b1" -v b="$b0" 'BEGIN { printf "%.0f", a - b }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$c" "$rep" "$W_RPS" "$W_P50" \
        "$W_P99" "$W_OK" "$delta" "$served" "$((r1 - r0 - gets))" "$sent" "$check" "$W_OTHERS" >>"$RAW"
    log "$(printf '%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  others %2s%% CPU  wrk 200s %s, total +%s, served %s: %s' \
        "$variant" "$c" "$rep" "$W_RPS" "$W_P50" "$W_P99" "$W_OTHERS" "$W_OK" "$delta" "$served" "$check")"
}

measure_baseline() { # measure_baseline CONNS THREADS SECONDS REP
    run_wrk "$1" "$2" "$3" "http://127.0.0.1:$GROUP_PORT/baseline"
    printf 'baseline\t%s\t%s\t%s\t%s\t%s\t%s\t\t\t\t\t\t%s\n' "$1" "$4" "$W_RPS" "$W_P50" "$W_P99" "$W_OK" \
        "$W_OTHERS" >>"$RAW"
    log "$(printf '%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  others %2s%% CPU' baseline "$1" "$4" \
        "$W_RPS" "$W_P50" "$W_P99" "$W_OTHERS")"
}

# Other work on the machine skews every figure: wait a bounded while for it to calm down.
for _ in $(seq 1 "$QUIET_WAIT"); do
    awk -v n="$(nproc)" '{ exit !($1 < n) }' /proc/loadavg && break
    ((_ % 10 == 1)) && log "waiting for a quieter machine: load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
    sleep 1
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v n="$(nproc)" '{ exit !($1 >= n) }' /proc/loadavg \
    && log "WARNING: the machine is busy (load $LOAD_BEFORE on $(nproc) cores): expect low, noisy figures"
log "warm-up: ${WARMUP_SECONDS}s per endpoint at 64 connections"
run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$GROUP_PORT/baseline"
run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$GROUP_PORT/"
if [[ $PER_REQUEST == 1 ]]; then run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$PERREQ_PORT/"; fi

for rep in $(seq 1 "$REPEATS"); do
    for c in $CONNS; do
        measure_baseline "$c" 2 "$RUN_SECONDS" "$rep"
        measure_get group "$GROUP_PORT" "$c" 2 "$RUN_SECONDS" "$rep"
        if [[ $PER_REQUEST == 1 ]]; then measure_get per-request "$PERREQ_PORT" "$c" 2 "$RUN_SECONDS" "$rep"; fi
    done
    # At concurrency 1 batching must cost nothing: one connection, one thread.
    measure_baseline 1 1 "$C1_SECONDS" "$rep"
    measure_get group "$GROUP_PORT" 1 1 "$C1_SECONDS" "$rep"
    if [[ $PER_REQUEST == 1 ]]; then measure_get per-request "$PERREQ_PORT" 1 1 "$C1_SECONDS" "$rep"; fi
done

((REDIS_N > 0)) && log "redis-benchmark -t incr, $REDIS_N requests per run"
for rep in $(seq 1 $((REDIS_N > 0 ? REPEATS : 0))); do
    for c in $CONNS; do
        line=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t incr -c "$c" -n "$REDIS_N" --csv | tail -1)
        # "INCR","rps","avg","min","p50","p95","p99","max"
        IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"${line//\"/}"
        printf 'redis INCR\t%s\t%s\t%.0f\t%s\t%s\t%s\t\t\t\t\t\t\n' "$c" "$rep" "$rps" "$p50" "$p99" "$REDIS_N" >>"$RAW"
        log "$(printf '%-12s c=%-3s rep %s: %6.0f req/s  p50 %6s ms  p99 %7s ms' "redis INCR" "$c" "$rep" "$rps" "$p50" "$p99")"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
RSS_group=$(hwm_mb "$PID_group")
if [[ $PER_REQUEST == 1 ]]; then RSS_per_request=$(hwm_mb "$PID_per_request"); fi

# --- the table --------------------------------------------------------------------------------------
# Per variant and concurrency: medians of req/s, p50, p99 and of the other processes' CPU share; the
# median of the ratios to the ceiling measured just before, in the same round; commands per request.
SUMMARY=$WORK/summary.tsv
awk -F'\t' 'NR > 1 {
    k = $1 "\t" $2; if (!(k in seen)) { seen[k] = 1; keys[++n] = k }
    m = ++cnt[k]; rps[k, m] = $4; p50[k, m] = $5; p99[k, m] = $6; oth[k, m] = $13
    if ($1 == "baseline") ceiling[$2, $3] = $4
    else if ($1 != "redis INCR" && ($2, $3) in ceiling) ratio[k, ++nr[k]] = $4 / ceiling[$2, $3]
    if ($10 != "") { cmds[k] += $10; served[k] += $9; batches[k] += $11 }
    if ($12 == "MISMATCH") bad[k]++
    if ($12 != "") checked[k]++
}
function median(a, k, m,   i, j, v, t) {
    if (m == 0) return ""
    for (i = 1; i <= m; i++) v[i] = a[k, i] + 0
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
END {
    for (i = 1; i <= n; i++) {
        k = keys[i]; m = cnt[k]
        # "-" for none: read with IFS=tab would merge empty fields.
        printf "%s\t%.0f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\n", k, median(rps, k, m), median(p50, k, m), median(p99, k, m),
            served[k] ? sprintf("%.3f", cmds[k] / served[k]) : "-",
            batches[k] ? sprintf("%.1f", served[k] / batches[k]) : "-",
            checked[k] ? (bad[k] ? "MISMATCH (" bad[k] "/" checked[k] ")" : "OK (" checked[k] "/" checked[k] ")") : "-",
            nr[k] ? sprintf("%.1f", 100 * median(ratio, k, nr[k])) : "-",
            oth[k, 1] != "" ? sprintf("%.0f", median(oth, k, m)) : "-"
    }
}' "$RAW" >"$SUMMARY"

get() { # get VARIANT CONNS COLUMN: one figure from the summary
    # columns: 3 req/s, 4 p50, 5 p99, 6 cmds/req, 7 req per tx, 8 check, 9 % of ceiling, 10 others' CPU %
    awk -F'\t' -v v="$1" -v c="$2" -v col="$3" '$1 == v && $2 == c && $col != "-" { print $col }' "$SUMMARY"
}

TABLE=$WORK/table.md
{
    echo "| Variant | Conns | req/s | p50 ms | p99 ms | of ceiling | Redis cmds/req | req per tx | counts | others' CPU |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
    for c in $CONNS 1; do
        for v in baseline group per-request "redis INCR"; do
            row=$(awk -F'\t' -v v="$v" -v c="$c" '$1 == v && $2 == c' "$SUMMARY")
            [[ -n $row ]] || continue
            IFS=$'\t' read -r _ _ rps p50 p99 cmds batch check ratio others <<<"$row"
            case $v in
                baseline) name="GET /baseline (no Redis: the ceiling)" ;;
                group) name="GET / group commit (default)" ;;
                per-request) name="GET / one MULTI/EXEC per request" ;;
                *) name="redis-benchmark -t incr (reference)" ;;
            esac
            ratio=${ratio#-} cmds=${cmds#-} batch=${batch#-} check=${check#-} others=${others#-}
            echo "| $name | $c | $rps | $p50 | $p99 | ${ratio:+$ratio%} | $cmds | $batch | $check | ${others:+$others%} |"
        done
    done
} >"$TABLE"

# --- the targets ------------------------------------------------------------------------------------
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }
TARGETS=$WORK/targets.md
{
    echo "| Target | Measured | Result |"
    echo "|---|---|---|"
    r=$(get group 64 9)
    if [[ -n $r ]]; then
        echo "| GET / at 64 conns >= 80% of the ceiling | $r% ($(get group 64 3) vs $(get baseline 64 3) req/s) |" \
            "$(verdict "$r >= 80") |"
    fi
    k=$(get group 64 6)
    if [[ -n $k ]]; then
        echo "| Redis commands per served request at 64 conns <= 0.25 | $k | $(verdict "$k <= 0.25") |"
    fi
    gp=$(get group 64 5); pp=$(get per-request 64 5)
    if [[ -n $gp && -n $pp ]]; then
        echo "| p99 at 64 conns no worse than per-request | $gp ms vs $pp ms | $(verdict "$gp <= $pp") |"
    fi
    g1=$(get group 1 4); p1=$(get per-request 1 4); g9=$(get group 1 5); p9=$(get per-request 1 5)
    if [[ -n $g1 && -n $p1 ]]; then
        echo "| Latency at concurrency 1 no worse than per-request (p50 and p99 within 5%) |" \
            "p50 $g1 vs $p1 ms, p99 $g9 vs $p9 ms | $(verdict "$g1 <= 1.05 * $p1 && $g9 <= 1.05 * $p9") |"
    fi
} >"$TARGETS"

# --- the plot -----------------------------------------------------------------------------------------
PLOTDATA=$WORK/throughput.dat
{
    echo "# conns baseline group per-request redis-incr"
    for c in $CONNS; do
        line=""
        for v in baseline group per-request "redis INCR"; do
            x=$(get "$v" "$c" 3)
            line+=" ${x:-NaN}"
        done
        echo "$c$line"
    done
} >"$PLOTDATA"
TERM_PNG=pngcairo
gnuplot -e "set terminal pngcairo" >/dev/null 2>&1 || TERM_PNG=png
gnuplot >"$WORK/gnuplot.log" 2>&1 <<EOF || log "gnuplot failed; see $WORK/gnuplot.log"
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
plot "$PLOTDATA" using 1:2 with linespoints lw 2 title "GET /baseline (no Redis: ceiling)", \
     "" using 1:3 with linespoints lw 2 title "GET / group commit", \
     "" using 1:4 with linespoints lw 2 title "GET / MULTI/EXEC per request", \
     "" using 1:5 axes x1y2 with linespoints dt 2 title "redis-benchmark INCR (right axis)"
EOF

# --- the report -----------------------------------------------------------------------------------------
REPORT=$OUT/latest.md
{
    echo "# Benchmark: latest run"
    echo
    echo "Run by \`bash bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Medians of $REPEATS runs of" \
        "${RUN_SECONDS}s each (${C1_SECONDS}s at concurrency 1) after a ${WARMUP_SECONDS}s warm-up; wrk with 2 threads"\
        "(1 at concurrency 1); loopback."
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
    echo "| group commit (default) | $STARTUP_group ms | $RSS_group MB |"
    if [[ $PER_REQUEST == 1 ]]; then
        echo "| one MULTI/EXEC per request | $STARTUP_per_request ms | $RSS_per_request MB |"
    fi
    echo
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
    echo "- *others' CPU*: the share of the machine's CPU spent outside the benchmark's own processes during"
    echo "  the runs (median): other work on the machine, and kernel threads such as ksoftirqd that carry"
    echo "  some of the loopback traffic. Well above 10% means the figures are low and noisy."
    echo "- Startup is from launching java to /actuator/health/readiness answering UP (Redis included)."
    echo
    echo "## Machine"
    echo
    echo "- $(nproc) cores: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory; Linux $(uname -r)"
    echo "- $("$JAVA_BIN" -version 2>&1 | head -1)"
    echo "- $(redis-server --version | cut -d' ' -f1-3); AOF with appendfsync everysec, no RDB"
    echo "- $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- load average before: $LOAD_BEFORE; after: $LOAD_AFTER"
    echo "- JVM options: ${JAVA_OPTS:-none}; extra service arguments: ${APP_ARGS:-none}"
} >"$REPORT"
cp "$RAW" "$OUT/latest-raw.tsv"

echo
cat "$TABLE"
echo
cat "$TARGETS"
echo
echo "Startup to ready: group $STARTUP_group ms${STARTUP_per_request:+, per-request $STARTUP_per_request ms}." \
    "Peak RSS: group $RSS_group MB${RSS_per_request:+, per-request $RSS_per_request MB}."
log "wrote $REPORT, $OUT/throughput.png and $OUT/latest-raw.tsv"
