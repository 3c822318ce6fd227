#!/usr/bin/env bash
# Measuring, the first half of bench/run.sh: a throwaway Redis and the service on loopback, wrk at each
# concurrency, repeated. Writes raw figures only, as TSV files whose first row names the columns, into
# $BENCH_OUT/tmp/run (bench/report.sh turns them into the table and the plot):
#   raw.tsv      one row per wrk or redis-benchmark run, with the service JVM's CPU time and context switches
#                per request (all its threads, from /proc)
#   service.tsv  one row per service: startup to ready and peak RSS
#   meta.tsv     key and value: the run's settings, the machine's load, the JVM
#
# Variants, side by side in one run:
#   baseline     GET /baseline: the same process, the same reply, no Redis (the ceiling; bench profile only)
#   group        GET / as shipped: group commit (BATCH_MAX_SIZE=256, BATCH_MAX_IN_FLIGHT=1)
#   async        GET /async in the same process: the same group commit, but no thread waits for it: the request
#                returns a future that the transaction's reply completes on Lettuce's event loop (bench profile
#                only; an experiment, measured beside GET / to see what the thread hand-off costs)
#   per-request  GET / with one MULTI/EXEC per request over a 16-connection pool
#                (BATCH_MAX_SIZE=1, BATCH_MAX_IN_FLIGHT=16), in a second process
#   ha           GET / as group, against a primary with one replica and WAIT 1 within 100 ms after every
#                transaction (min-replicas-to-write 1 on the primary): REDIS_HA's write path, in a third process.
#                Sentinel is left out: the service watches it off the request path (redis/SentinelWatch)
#   redis INCR   redis-benchmark -t incr at the same concurrency, for reference
# Both services run at once, each idle while the other is measured, so that the runs interleave and a
# noisy machine tilts no variant more than another.
#
# Settings (environment), with their defaults:
#   BENCH_CONNS "16 64 256"   BENCH_REPEATS 5   BENCH_SECONDS 6   BENCH_C1_SECONDS 3
#   BENCH_WARMUP_SECONDS 10   BENCH_REDIS_N 200000 (0 skips redis-benchmark)
#   BENCH_JAVA java           BENCH_JAVA_OPTS (JVM options)   BENCH_APP_ARGS (Spring arguments, e.g.
#                             --server.tomcat.threads.max=50); both go to both services
#   BENCH_JAR (a built jar: skips the build)   BENCH_PER_REQUEST 1, BENCH_HA 1, BENCH_ASYNC 1 (0 skips)
#   BENCH_QUIET_WAIT 120 (seconds to wait for a load average below the core count)
#   BENCH_OUT bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/bench/lib.sh"

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
HA=${BENCH_HA:-1}
ASYNC=${BENCH_ASYNC:-1}
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
# start_redis NAME PORT [ARGS...]
start_redis() {
    mkdir -p "$WORK/$1"
    redis-server --bind 127.0.0.1 --port "$2" --dir "$WORK/$1" --save '' --appendonly yes --appendfsync everysec \
        --logfile "$WORK/$1.log" "${@:3}" &
    PIDS+=($!)
    for _ in $(seq 1 50); do redis-cli -p "$2" ping >/dev/null 2>&1 && return; sleep 0.1; done
    die "redis-server $1 did not start; see $WORK/$1.log"
}
REDIS_PORT=$(free_port 6400)
log "starting redis-server on 127.0.0.1:$REDIS_PORT (AOF, appendfsync everysec, no RDB)"
start_redis redis "$REDIS_PORT"
# REDIS_OF[service port]: the Redis (primary) that service counts in.
declare -A REDIS_OF
if [[ $HA == 1 ]]; then
    HA_PRIMARY=$(free_port $((REDIS_PORT + 1))) HA_REPLICA=$(free_port $((REDIS_PORT + 2)))
    log "starting a primary on 127.0.0.1:$HA_PRIMARY and its replica on 127.0.0.1:$HA_REPLICA (as REDIS_HA runs them)"
    start_redis ha-primary "$HA_PRIMARY" --min-replicas-to-write 1 --min-replicas-max-lag 5 --repl-diskless-sync-delay 0
    start_redis ha-replica "$HA_REPLICA" --replicaof 127.0.0.1 "$HA_PRIMARY"
    for _ in $(seq 1 100); do
        redis-cli -p "$HA_REPLICA" info replication | grep -q master_link_status:up && break
        sleep 0.1
    done
    redis-cli -p "$HA_REPLICA" info replication | grep -q master_link_status:up || die "the replica did not sync"
fi

# --- the services -----------------------------------------------------------------------------------
# Actuator answers on a port of its own: MGMT[service port] is that port. PID_OF[service port]: its JVM.
declare -A MGMT PID_OF
# start_service NAME PORT VAR=value...: starts it, waits for readiness, sets STARTUP_MS and PID_OF[PORT].
start_service() {
    local name=$1 port=$2 t0 pid mgmt
    shift 2
    mgmt=$(free_port $((port + 100)))
    MGMT[$port]=$mgmt
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # JAVA_OPTS and APP_ARGS are word lists
    env SERVICE_HOST=127.0.0.1 SERVICE_PORT="$port" MANAGEMENT_PORT="$mgmt" INSTANCE_NAME="bench-$name" \
        CONTAINER_DB_HOST=127.0.0.1 CONTAINER_DB_PORT="$REDIS_PORT" "$@" \
        "$JAVA_BIN" $JAVA_OPTS -jar "$JAR" --spring.profiles.active=bench \
        --management.endpoints.web.exposure.include=health,metrics $APP_ARGS >"$WORK/$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    PID_OF[$port]=$pid
    for _ in $(seq 1 1200); do
        curl -sf --max-time 1 "http://127.0.0.1:$mgmt/actuator/health/readiness" 2>/dev/null | grep -q UP && break
        kill -0 "$pid" 2>/dev/null || die "$name exited at start; see $WORK/$name.log"
        sleep 0.05
    done
    curl -sf --max-time 1 "http://127.0.0.1:$mgmt/actuator/health/readiness" | grep -q UP \
        || die "$name was not ready within a minute; see $WORK/$name.log"
    STARTUP_MS=$((($(date +%s%N) - t0) / 1000000))
    log "$name ready on 127.0.0.1:$port in $STARTUP_MS ms (pid $pid)"
}

GROUP_PORT=$(free_port 18400)
start_service group "$GROUP_PORT"
REDIS_OF[$GROUP_PORT]=$REDIS_PORT
STARTUP_group=$STARTUP_MS
if [[ $PER_REQUEST == 1 ]]; then
    PERREQ_PORT=$(free_port $((GROUP_PORT + 1)))
    start_service per-request "$PERREQ_PORT" BATCH_MAX_SIZE=1 BATCH_MAX_IN_FLIGHT=16
    REDIS_OF[$PERREQ_PORT]=$REDIS_PORT
    STARTUP_per_request=$STARTUP_MS
fi
if [[ $HA == 1 ]]; then
    HA_PORT=$(free_port $((GROUP_PORT + 2)))
    start_service ha "$HA_PORT" CONTAINER_DB_PORT="$HA_PRIMARY" REDIS_ACK_REPLICAS=1 REDIS_ACK_TIMEOUT=100ms
    REDIS_OF[$HA_PORT]=$HA_PRIMARY
    STARTUP_ha=$STARTUP_MS
fi

# --- measuring --------------------------------------------------------------------------------------
RAW=$WORK/raw.tsv
printf 'variant\tconns\trep\trps\tp50_ms\tp99_ms\twrk_ok\tredis_delta\tserved_200\tredis_cmds\tbatches\tcheck\tothers_cpu\tcpu_us_per_req\tctxsw_per_req\n' >"$RAW"

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

# jvm_cost PID: "cpu_ticks context_switches" of that process (all its threads, voluntary and not)
jvm_cost() {
    awk '{ printf "%d ", $14 + $15 }' "/proc/$1/stat"
    cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'
}

# wrk CONNS THREADS SECONDS URL [PID]: sets W_OK, W_RPS, W_P50, W_P99 (ms) from report.lua's line, and
# W_OTHERS: the share of the machine's CPU that other processes took meanwhile. With the PID of the service's JVM,
# also C_CPU and C_CSW: its CPU time (microseconds) and context switches per request that wrk saw answered.
run_wrk() {
    local line busy0 mine0 busy1 mine1 t0 t1 cost0 cost1
    [[ -z ${5:-} ]] || cost0=$(jvm_cost "$5")
    read -r busy0 mine0 < <(cpu_ticks)
    t0=$(date +%s%N)
    line=$(timeout $(($3 + 60)) wrk -t"$2" -c"$1" -d"$3"s -s "$LUA" "$4" | grep '^BENCH ') \
        || die "wrk failed against $4"
    t1=$(date +%s%N)
    read -r busy1 mine1 < <(cpu_ticks)
    [[ -z ${5:-} ]] || cost1=$(jvm_cost "$5")
    W_OTHERS=$(awk -v b="$((busy1 - busy0))" -v m="$((mine1 - mine0))" -v ns="$((t1 - t0))" \
        -v hz="$(getconf CLK_TCK)" -v n="$(nproc)" 'BEGIN { o = (b - m) / (ns / 1e9 * hz * n) * 100
        printf "%.0f", o < 0 ? 0 : o }')
    read -r W_RPS W_P50 W_P99 W_OK < <(wrk_figures <<<"$line")
    [[ -z ${5:-} ]] || read -r C_CPU C_CSW < <(awk -v b="$cost0" -v a="$cost1" -v n="$W_OK" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { split(b, x, " "); split(a, y, " "); if (n < 1) n = 1
                 printf "%.0f %.2f\n", (y[1] - x[1]) * 1e6 / hz / n, (y[2] - x[2]) / n }')
}

metric() { # metric PORT NAME STATISTIC [TAG...]: one statistic of a Micrometer meter, 0 if absent
    local port=$1 name=$2 stat=$3 query="" tag
    shift 3
    for tag in "$@"; do query+="${query:+&}tag=$tag"; done
    curl -sf --max-time 5 "http://127.0.0.1:${MGMT[$port]}/actuator/metrics/$name?$query" 2>/dev/null \
        | jq -r --arg s "$stat" '[.measurements[] | select(.statistic == $s) | .value][0] // 0' 2>/dev/null \
        || echo 0
}
served_200() { metric "$1" http.server.requests COUNT "uri:$2" status:200; } # served_200 PORT PATH
total() { redis-cli -p "${REDIS_OF[$1]}" get total_count | sed 's/^$/0/'; } # total SERVICE_PORT
# Every command the service's Redis ran, but the benchmark's own INFO.
redis_calls() { # redis_calls SERVICE_PORT
    redis-cli -p "${REDIS_OF[$1]}" info commandstats | tr -d '\r' \
        | awk -F'[:=,]' '/^cmdstat_/ && $1 != "cmdstat_info" { n += $3 } END { print n + 0 }'
}

# measure_get VARIANT PORT CONNS THREADS SECONDS REP [PATH]: GET PATH (/) once, with the count check.
measure_get() {
    local variant=$1 port=$2 c=$3 t=$4 s=$5 rep=$6 path=${7:-/}
    local t0 s0 r0 b0 t1 s1 r1 b1 prev check gets=0
    t0=$(total "$port"); s0=$(served_200 "$port" "$path"); r0=$(redis_calls "$port"); b0=$(metric "$port" reqcount.batch.size COUNT)
    run_wrk "$c" "$t" "$s" "http://127.0.0.1:$port$path" "${PID_OF[$port]}"
    # The requests that wrk abandoned when it stopped still finish on the server: let them.
    prev=-1
    for _ in $(seq 1 50); do
        t1=$(total "$port"); s1=$(served_200 "$port" "$path"); gets=$((gets + 1))
        [[ "$t1 $s1" == "$prev" ]] && break
        prev="$t1 $s1"
        sleep 0.1
    done
    r1=$(redis_calls "$port"); b1=$(metric "$port" reqcount.batch.size COUNT)
    local delta=$((t1 - t0)) served sent
    served=$(awk -v a="$s1" -v b="$s0" 'BEGIN { printf "%.0f", a - b }')
    # Exact: Redis's total rose by the 200s the service sent. wrk saw all of them but those still
    # in flight when it stopped (at most one per connection).
    check=OK
    if ((delta != served || W_OK > delta || delta - W_OK > c)); then check=MISMATCH; fi
    sent=$(awk -v a="$b1" -v b="$b0" 'BEGIN { printf "%.0f", a - b }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$c" "$rep" "$W_RPS" "$W_P50" \
        "$W_P99" "$W_OK" "$delta" "$served" "$((r1 - r0 - gets))" "$sent" "$check" "$W_OTHERS" "$C_CPU" "$C_CSW" >>"$RAW"
    log "$(printf '%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  others %2s%% CPU  wrk 200s %s, total +%s, served %s: %s' \
        "$variant" "$c" "$rep" "$W_RPS" "$W_P50" "$W_P99" "$W_OTHERS" "$W_OK" "$delta" "$served" "$check")"
}

measure_baseline() { # measure_baseline CONNS THREADS SECONDS REP
    run_wrk "$1" "$2" "$3" "http://127.0.0.1:$GROUP_PORT/baseline" "${PID_OF[$GROUP_PORT]}"
    printf 'baseline\t%s\t%s\t%s\t%s\t%s\t%s\t\t\t\t\t\t%s\t%s\t%s\n' "$1" "$4" "$W_RPS" "$W_P50" "$W_P99" "$W_OK" \
        "$W_OTHERS" "$C_CPU" "$C_CSW" >>"$RAW"
    log "$(printf '%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  others %2s%% CPU' baseline "$1" "$4" \
        "$W_RPS" "$W_P50" "$W_P99" "$W_OTHERS")"
}

# Other work on the machine skews every figure: wait a bounded while for it to calm down.
for i in $(seq 1 "$QUIET_WAIT"); do
    awk -v n="$(nproc)" '{ exit !($1 < n) }' /proc/loadavg && break
    ((i % 10 == 1)) && log "waiting for a quieter machine: load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
    sleep 1
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v n="$(nproc)" '{ exit !($1 >= n) }' /proc/loadavg \
    && log "WARNING: the machine is busy (load $LOAD_BEFORE on $(nproc) cores): expect low, noisy figures"
log "warm-up: ${WARMUP_SECONDS}s per endpoint at 64 connections"
run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$GROUP_PORT/baseline"
run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$GROUP_PORT/"
if [[ $ASYNC == 1 ]]; then run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$GROUP_PORT/async"; fi
if [[ $PER_REQUEST == 1 ]]; then run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$PERREQ_PORT/"; fi
if [[ $HA == 1 ]]; then run_wrk 64 2 "$WARMUP_SECONDS" "http://127.0.0.1:$HA_PORT/"; fi

for rep in $(seq 1 "$REPEATS"); do
    for c in $CONNS; do
        measure_baseline "$c" 2 "$RUN_SECONDS" "$rep"
        measure_get group "$GROUP_PORT" "$c" 2 "$RUN_SECONDS" "$rep"
        if [[ $ASYNC == 1 ]]; then measure_get async "$GROUP_PORT" "$c" 2 "$RUN_SECONDS" "$rep" /async; fi
        if [[ $PER_REQUEST == 1 ]]; then measure_get per-request "$PERREQ_PORT" "$c" 2 "$RUN_SECONDS" "$rep"; fi
        if [[ $HA == 1 ]]; then measure_get ha "$HA_PORT" "$c" 2 "$RUN_SECONDS" "$rep"; fi
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
        printf 'redis INCR\t%s\t%s\t%.0f\t%s\t%s\t%s\t\t\t\t\t\t\t\t\n' "$c" "$rep" "$rps" "$p50" "$p99" "$REDIS_N" >>"$RAW"
        log "$(printf '%-12s c=%-3s rep %s: %6.0f req/s  p50 %6s ms  p99 %7s ms' "redis INCR" "$c" "$rep" "$rps" "$p50" "$p99")"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ $HA == 1 ]]; then
    # Every number the HA service answered must be on the replica: its total equals the primary's once it caught up.
    sleep 1
    HA_TOTALS="$(redis-cli -p "$HA_PRIMARY" get total_count) $(redis-cli -p "$HA_REPLICA" get total_count)"
    [[ ${HA_TOTALS% *} == "${HA_TOTALS#* }" ]] || die "the replica's total differs from the primary's: $HA_TOTALS"
fi

hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
{
    printf 'variant\tstartup_ms\tvmhwm_mb\n'
    printf 'group\t%s\t%s\n' "$STARTUP_group" "$(hwm_mb "${PID_OF[$GROUP_PORT]}")"
    if [[ $PER_REQUEST == 1 ]]; then printf 'per-request\t%s\t%s\n' "$STARTUP_per_request" "$(hwm_mb "${PID_OF[$PERREQ_PORT]}")"; fi
    if [[ $HA == 1 ]]; then printf 'ha\t%s\t%s\n' "$STARTUP_ha" "$(hwm_mb "${PID_OF[$HA_PORT]}")"; fi
} >"$WORK/service.tsv"
{
    printf 'key\tvalue\n'
    printf 'conns\t%s\nrepeats\t%s\nseconds\t%s\nc1_seconds\t%s\nwarmup_seconds\t%s\n' \
        "$CONNS" "$REPEATS" "$RUN_SECONDS" "$C1_SECONDS" "$WARMUP_SECONDS"
    printf 'load_before\t%s\nload_after\t%s\n' "$LOAD_BEFORE" "$LOAD_AFTER"
    printf 'java\t%s\njava_opts\t%s\napp_args\t%s\n' "$("$JAVA_BIN" -version 2>&1 | head -1)" "${JAVA_OPTS:-none}" "${APP_ARGS:-none}"
    printf 'ha_totals\t%s\n' "${HA_TOTALS:--}"
    printf 'redis\t%s\nwrk\t%s\n' "$(redis-server --version | cut -d' ' -f1-3)" "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
} >"$WORK/meta.tsv"
log "wrote $WORK/raw.tsv, service.tsv and meta.tsv"
