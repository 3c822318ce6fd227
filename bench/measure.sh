#!/usr/bin/env bash
# Measuring, the first half of bench/run.sh: a throwaway Redis and the services on loopback, wrk at each concurrency,
# repeated. Writes raw TSV files whose first row names the columns into $BENCH_OUT/tmp/run, for bench/report.sh:
#   raw.tsv      one row per wrk or redis-benchmark run, with the service JVM's CPU time and context switches per
#                request (all its threads, from /proc), and its Redis's CPU time per request (with appendfsync always,
#                that includes the write and fsync of the AOF)
#   service.tsv  one row per service: startup to ready and peak RSS
#   meta.tsv     key and value: the run's settings, the machine's load, the JVM
# Variants, side by side in one run (the services run at once, each idle while another is measured, so that a noisy
# machine tilts no variant more than another; every other round measures them in reverse order):
#   baseline     GET /baseline: the same process, the same reply, no Redis (the ceiling; only in the jar that
#                ./mvnw -Pbench builds, under the bench Spring profile)
#   group        GET / with the shipped group commit (BATCH_MAX_SIZE=256, BATCH_MAX_IN_FLIGHT=4), appendfsync everysec
#   per-request  GET / with one MULTI/EXEC per request (BATCH_MAX_SIZE=1, BATCH_MAX_IN_FLIGHT=16)
#   durable      GET / as shipped: as group, against a Redis of its own with appendfsync always (the default)
#   ha           GET / as group, against a primary with one replica and WAIT 1 within 100 ms after every transaction
#                (min-replicas-to-write 1): REDIS_HA's write path. Sentinel is left out: the service watches it off
#                the request path
#   redis INCR   redis-benchmark -t incr at the same concurrency, for reference
# Settings (environment), with their defaults:
#   BENCH_CONNS "16 64 256"   BENCH_REPEATS 5   BENCH_SECONDS 6   BENCH_C1_SECONDS 3   BENCH_WARMUP_SECONDS 10
#   BENCH_REDIS_N 200000 (0 skips redis-benchmark)   BENCH_PER_REQUEST 1, BENCH_HA 1, BENCH_DURABLE 1 (0 skips)
#   BENCH_JAVA java   BENCH_JAVA_OPTS (JVM options) and BENCH_APP_ARGS (Spring arguments, such as
#   --server.tomcat.threads.max=50), both for every service   BENCH_JAR (a jar built with -Pbench: skips the build)
#   BENCH_QUIET_WAIT 120 (seconds to wait for a load average below the core count)   BENCH_OUT bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools wrk=wrk redis-server=redis-server redis-cli=redis-tools curl=curl jq=jq mlr=miller javac=openjdk-17-jdk-headless
CONNS=${BENCH_CONNS:-16 64 256} REPEATS=${BENCH_REPEATS:-5} RUN_SECONDS=${BENCH_SECONDS:-6} C1_SECONDS=${BENCH_C1_SECONDS:-3}
WARMUP=${BENCH_WARMUP_SECONDS:-10} REDIS_N=${BENCH_REDIS_N:-200000} JAVA=${BENCH_JAVA:-java} QUIET_WAIT=${BENCH_QUIET_WAIT:-120}
read -ra JAVA_OPTS <<<"${BENCH_JAVA_OPTS:-}"
read -ra APP_ARGS <<<"${BENCH_APP_ARGS:-}"
WORK=$(realpath -m "${BENCH_OUT:-bench/results}/tmp/run")
RAW=$WORK/raw.tsv
LUA=$PWD/bench/report.lua HZ=$(getconf CLK_TCK) CORES=$(nproc)
log() { echo "[bench] $*"; }
die() { echo "[bench] ERROR: $*" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK"
if [[ -z ${BENCH_JAR:-} ]]; then
    log "building the bench jar (./mvnw -Pbench, in $WORK/build)"
    BENCH_JAR=$(bash bench/build.sh "$WORK/build" -Pbench)
fi
[[ -f $BENCH_JAR ]] || die "no jar at $BENCH_JAR"

# ---- the processes: Redis and the services, on loopback, stopped however the run ends -----------------------------
PIDS=()                                              # every process started, stopped on exit
NAMES=() PORTS=() MGMTS=() REDIS=() JVMS=() STARTUP=() # the services, one index each
alive() { local s; s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1); [[ -n $s && $s != [ZX] ]]; }
stop_all() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do for _ in {1..50}; do alive "$p" || break; sleep 0.1; done; kill -9 "$p" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT TERM
start() { local out=$1; shift; "$@" >"$out" 2>&1 & PIDS+=($!); }   # start OUTPUT COMMAND...: in the background
# free_port FROM: a loopback port in FROM..FROM+9 that nothing listens on; the bench keeps to 18300-18399
free_port() {
    local p
    for p in $(seq "$1" $(($1 + 9))); do (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done
    die "no free port in $1..$(($1 + 9))"
}
declare -A REDIS_PID                                 # each Redis's pid, by its port
# start_redis NAME PORT [ARG...]: loopback only, AOF with fsync every second as in the stack, no RDB; later ARGs win
start_redis() {
    local name=$1 port=$2
    shift 2 && mkdir -p "$WORK/$name"
    start "$WORK/$name.out" redis-server --bind 127.0.0.1 --port "$port" --dir "$WORK/$name" --save "" --appendonly yes \
        --appendfsync everysec --logfile "$WORK/$name.log" "$@"
    REDIS_PID[$port]=${PIDS[-1]}
    for _ in {1..50}; do redis-cli -p "$port" PING >/dev/null 2>&1 && return; sleep 0.1; done
    die "redis-server $name did not start; see $WORK/$name.log"
}
ready() { [[ $(curl -s --max-time 1 "http://127.0.0.1:$1/actuator/health/readiness") == *UP* ]]; }
# start_service VARIANT PORT REDIS_PORT [VAR=value...]: the bench profile with those settings; waits until it is ready
start_service() {
    local v=$1 port=$2 redis=$3 mgmt t0
    shift 3
    mgmt=$(free_port $((port + 50))) t0=$(date +%s%N)
    start "$WORK/$v.log" env SERVICE_HOST=127.0.0.1 SERVICE_PORT="$port" MANAGEMENT_PORT="$mgmt" INSTANCE_NAME="bench-$v" \
        CONTAINER_DB_HOST=127.0.0.1 CONTAINER_DB_PORT="$redis" "$@" "$JAVA" "${JAVA_OPTS[@]}" -jar "$BENCH_JAR" \
        --spring.profiles.active=bench --management.endpoints.web.exposure.include=health,metrics "${APP_ARGS[@]}"
    for _ in {1..1200}; do
        ready "$mgmt" && break
        alive "${PIDS[-1]}" || die "$v exited at start; see $WORK/$v.log"
        sleep 0.05
    done
    ready "$mgmt" || die "$v was not ready within a minute; see $WORK/$v.log"
    NAMES+=("$v") PORTS+=("$port") MGMTS+=("$mgmt") REDIS+=("$redis") JVMS+=("${PIDS[-1]}") STARTUP+=($((($(date +%s%N) - t0) / 1000000)))
    log "$v ready on 127.0.0.1:$port in ${STARTUP[-1]} ms (pid ${JVMS[-1]})"
}

# ---- one measured run ---------------------------------------------------------------------------------------------
# proc_cost PID: "cpu_ticks context_switches" of a process: all its threads, voluntary switches and not
proc_cost() {
    { sed 's/.*) //' "/proc/$1/stat"; cat "/proc/$1/task/"*/status 2>/dev/null || true; } |
        awk 'NR == 1 { t = $12 + $13 } /^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print t, s }'
}
# cpu_ticks SELF: "busy mine uptime": busy is the machine's user and system time; mine is what the benchmark's own
# processes used: Redis and the services, and SELF with the processes it waited for (wrk, redis-cli, curl)
cpu_ticks() {
    local p
    { cat /proc/uptime; head -1 /proc/stat; for p in "${PIDS[@]}"; do sed 's/.*) /pid /' "/proc/$p/stat" 2>/dev/null || true; done
        sed 's/.*) /self /' "/proc/$1/stat"; } |
        awk 'NR == 1 { up = $1 } $1 == "cpu" { busy = $2 + $3 + $4 } $1 == "pid" { mine += $13 + $14 }
            $1 == "self" { mine += $13 + $14 + $15 + $16 } END { print busy, mine, up }'
}
# wrk_run CONNS THREADS SECONDS URL [PID]: "req/s p50_ms p99_ms 200s others_cpu cpu_us_per_req ctxsw_per_req": wrk with
# bench/report.lua; the share of the machine's CPU that other processes took meanwhile; given the service's JVM, its CPU
# time (µs) and context switches per answered request ("-" without)
wrk_run() {
    local self=$BASHPID cost0=(0 0) cost1=(0 0) tick0 tick1 out
    [[ -z ${5:-} ]] || read -ra cost0 < <(proc_cost "$5")
    read -ra tick0 < <(cpu_ticks "$self")
    out=$(timeout $(($3 + 60)) wrk -t"$2" -c"$1" -d"$3"s -s "$LUA" "$4" | wrk_figures) || true
    read -ra tick1 < <(cpu_ticks "$self")
    [[ -z ${5:-} ]] || read -ra cost1 < <(proc_cost "$5")
    [[ -n $out ]] || die "wrk failed against $4"
    awk -v f="$out" -v busy=$((tick1[0] - tick0[0])) -v mine=$((tick1[1] - tick0[1])) -v s="${tick0[2]}" -v e="${tick1[2]}" -v hz="$HZ" \
        -v cores="$CORES" -v cpu=$((cost1[0] - cost0[0])) -v csw=$((cost1[1] - cost0[1])) -v jvm="${5:-}" 'BEGIN {
        split(f, v, " "); n = v[4] > 1 ? v[4] : 1; others = (busy - mine) / ((e - s) * hz * cores) * 100
        printf "%s %.0f", f, (others > 0 ? others : 0)
        if (jvm == "") print " - -"; else printf " %.0f %.2f\n", cpu * 1e6 / hz / n, csw / n }'
}
total() { local t; t=$(redis-cli -p "$1" GET total_count); echo "${t:-0}"; }
# count MGMT_PORT METER [QUERY]: the COUNT of a Micrometer meter, 0 if absent
count() { curl -sf --max-time 5 "http://127.0.0.1:$1/actuator/metrics/$2?${3:-}" | jq '[.measurements[] | select(.statistic == "COUNT")][0].value // 0' || echo 0; }
# redis_calls PORT: every command the Redis ran, but the benchmark's own INFO
redis_calls() { redis-cli -p "$1" INFO commandstats | tr -d '\r' | awk -F'[:=,]' '/^cmdstat_/ && !/^cmdstat_info:/ { n += $3 } END { print n + 0 }'; }
log_line() { printf '%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  others %2s%% CPU' "$@"; }
row() { local IFS=$'\t'; echo "$*" >>"$RAW"; }

# measure_get SERVICE CONNS THREADS SECONDS REP: GET / once, with the count check
measure_get() {
    local i=$1 c=$2 rep=$5 redis=${REDIS[$1]} mgmt=${MGMTS[$1]} ok200=(http.server.requests "tag=uri:/&tag=status:200")
    local t0 s0 r0 b0 t1 s1 b1 gets=0 prev=-1 rps p50 p99 ok others cpu csw run delta served check rt0 rt1
    t0=$(total "$redis") s0=$(count "$mgmt" "${ok200[@]}") r0=$(redis_calls "$redis") b0=$(count "$mgmt" reqcount.batch.size)
    read -r rt0 _ < <(proc_cost "${REDIS_PID[$redis]}")
    run=$(wrk_run "$c" "$3" "$4" "http://127.0.0.1:${PORTS[$i]}/" "${JVMS[$i]}")
    read -r rt1 _ < <(proc_cost "${REDIS_PID[$redis]}")
    read -r rps p50 p99 ok others cpu csw <<<"$run"
    # The requests that wrk abandoned when it stopped still finish on the server: let them.
    while ((gets < 50)); do
        t1=$(total "$redis") s1=$(count "$mgmt" "${ok200[@]}") gets=$((gets + 1))
        [[ "$t1 $s1" != "$prev" ]] || break
        prev="$t1 $s1" && sleep 0.1
    done
    b1=$(count "$mgmt" reqcount.batch.size) delta=$((t1 - t0)) served=$((s1 - s0)) check=OK
    # Exact: Redis's total rose by the 200s the service sent. wrk saw all of them but those still in flight when it
    # stopped (at most one per connection).
    ((delta == served && ok <= delta && delta - ok <= c)) || check=MISMATCH
    row "${NAMES[$i]}" "$c" "$rep" "$rps" "$p50" "$p99" "$ok" "$delta" "$served" $(($(redis_calls "$redis") - r0 - gets)) \
        $((b1 - b0)) "$check" "$others" "$cpu" "$csw" "$(awk -v t=$((rt1 - rt0)) -v hz="$HZ" -v n="$served" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
    log "$(log_line "${NAMES[$i]}" "$c" "$rep" "$rps" "$p50" "$p99" "$others")  wrk 200s $ok, total +$delta, served $served: $check"
}
# measure_baseline CONNS THREADS SECONDS REP: GET /baseline of the group commit's service: the ceiling, in the same process
measure_baseline() {
    local rps p50 p99 ok others cpu csw run
    run=$(wrk_run "$1" "$2" "$3" "http://127.0.0.1:${PORTS[0]}/baseline" "${JVMS[0]}")
    read -r rps p50 p99 ok others cpu csw <<<"$run"
    row baseline "$1" "$4" "$rps" "$p50" "$p99" "$ok" "" "" "" "" "" "$others" "$cpu" "$csw" ""
    log "$(log_line baseline "$1" "$4" "$rps" "$p50" "$p99" "$others")"
}

# ---- the run ------------------------------------------------------------------------------------------------------
REDIS_PORT=$(free_port 18370)
log "starting redis-server on 127.0.0.1:$REDIS_PORT (AOF, appendfsync everysec, no RDB)"
start_redis redis "$REDIS_PORT"
if [[ ${BENCH_HA:-1} == 1 ]]; then
    PRIMARY=$(free_port $((REDIS_PORT + 1))) && REPLICA=$(free_port $((PRIMARY + 1)))
    log "starting a primary on 127.0.0.1:$PRIMARY and its replica on 127.0.0.1:$REPLICA (as REDIS_HA runs them)"
    start_redis ha-primary "$PRIMARY" --min-replicas-to-write 1 --min-replicas-max-lag 5 --repl-diskless-sync-delay 0
    start_redis ha-replica "$REPLICA" --replicaof 127.0.0.1 "$PRIMARY"
    synced() { [[ $(redis-cli -p "$REPLICA" INFO replication) == *master_link_status:up* ]]; }
    for _ in {1..100}; do synced && break; sleep 0.1; done
    synced || die "the replica did not sync"
fi
GROUP_PORT=$(free_port 18300)
start_service group "$GROUP_PORT" "$REDIS_PORT"
[[ ${BENCH_PER_REQUEST:-1} != 1 ]] ||
    start_service per-request "$(free_port $((GROUP_PORT + 1)))" "$REDIS_PORT" BATCH_MAX_SIZE=1 BATCH_MAX_IN_FLIGHT=16
[[ ${BENCH_HA:-1} != 1 ]] || start_service ha "$(free_port $((GROUP_PORT + 2)))" "$PRIMARY" REDIS_ACK_REPLICAS=1 REDIS_ACK_TIMEOUT=100ms
if [[ ${BENCH_DURABLE:-1} == 1 ]]; then
    # The stack's default: group, against a Redis of its own that fsyncs before it replies (the later --appendfsync wins).
    DURABLE_REDIS=$(free_port $((REDIS_PORT + 3)))
    log "starting redis-server on 127.0.0.1:$DURABLE_REDIS (AOF, appendfsync always, no RDB)"
    start_redis redis-durable "$DURABLE_REDIS" --appendfsync always
    start_service durable "$(free_port $((GROUP_PORT + 3)))" "$DURABLE_REDIS"
fi

# Other work on the machine skews every figure: wait a bounded while for it to calm down.
busy() { awk -v cores="$CORES" '{ exit !($1 >= cores) }' /proc/loadavg; }
for ((i = 1; i <= QUIET_WAIT; i++)); do
    busy || break
    ((i % 10 != 1)) || log "waiting for a quieter machine: load $(cut -d' ' -f1 /proc/loadavg) on $CORES cores"; sleep 1
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
! busy || log "WARNING: the machine is busy (load $LOAD_BEFORE on $CORES cores): expect low, noisy figures"
log "warm-up: ${WARMUP}s per endpoint at 64 connections"
wrk_run 64 2 "$WARMUP" "http://127.0.0.1:$GROUP_PORT/baseline" >/dev/null
for port in "${PORTS[@]}"; do wrk_run 64 2 "$WARMUP" "http://127.0.0.1:$port/" >/dev/null; done

printf 'variant\tconns\trep\trps\tp50_ms\tp99_ms\twrk_ok\tredis_delta\tserved_200\tredis_cmds\tbatches\tcheck\tothers_cpu\tcpu_us_per_req\tctxsw_per_req\tredis_cpu_us_per_req\n' >"$RAW"
for rep in $(seq 1 "$REPEATS"); do
    for c in $CONNS; do
        measure_baseline "$c" 2 "$RUN_SECONDS" "$rep"
        # Every other round in reverse order, so that no variant always runs first after the baseline.
        order=$(seq 0 $((${#NAMES[@]} - 1)))
        ((rep % 2)) || order=$(tac <<<"$order")
        for i in $order; do measure_get "$i" "$c" 2 "$RUN_SECONDS" "$rep"; done
    done
    # At concurrency 1 batching must cost nothing: one connection, one thread.
    measure_baseline 1 1 "$C1_SECONDS" "$rep"
    for i in "${!NAMES[@]}"; do [[ ${NAMES[$i]} == ha ]] || measure_get "$i" 1 1 "$C1_SECONDS" "$rep"; done
done

((REDIS_N == 0)) || log "redis-benchmark -t incr, $REDIS_N requests per run"
for ((rep = 1; REDIS_N > 0 && rep <= REPEATS; rep++)); do
    for c in $CONNS; do
        # "INCR","rps","avg_latency_ms","min","p50","p95","p99","max"
        IFS=, read -r _ rps _ _ p50 _ p99 _ < <(timeout 120 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t incr -c "$c" -n "$REDIS_N" \
            --csv | tail -1 | tr -d '"')
        rps=$(printf '%.0f' "$rps")
        row "redis INCR" "$c" "$rep" "$rps" "$p50" "$p99" "$REDIS_N" "" "" "" "" "" "" "" "" ""
        log "$(printf '%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms' "redis INCR" "$c" "$rep" "$rps" "$p50" "$p99")"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
HA_TOTALS=-
if [[ ${BENCH_HA:-1} == 1 ]]; then
    # Every number the HA service answered must be on the replica: its total equals the primary's once it caught up.
    sleep 1 && HA_TOTALS="$(total "$PRIMARY") $(total "$REPLICA")"
    [[ ${HA_TOTALS% *} == "${HA_TOTALS#* }" ]] || die "the replica's total differs from the primary's: $HA_TOTALS"
fi

{
    printf 'variant\tstartup_ms\tvmhwm_mb\n'
    for i in "${!NAMES[@]}"; do
        printf '%s\t%s\t%s\n' "${NAMES[$i]}" "${STARTUP[$i]}" "$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/${JVMS[$i]}/status")"
    done
} >"$WORK/service.tsv"
{
    printf 'key\tvalue\n'
    printf '%s\t%s\n' conns "$CONNS" repeats "$REPEATS" seconds "$RUN_SECONDS" c1_seconds "$C1_SECONDS" warmup_seconds "$WARMUP" \
        load_before "$LOAD_BEFORE" load_after "$LOAD_AFTER" java "$("$JAVA" -version 2>&1 | head -1)" java_opts "${BENCH_JAVA_OPTS:-none}" \
        app_args "${BENCH_APP_ARGS:-none}" ha_totals "$HA_TOTALS" redis "$(redis-server --version | cut -d' ' -f1-3)" \
        wrk "$( (wrk -v 2>&1 || true) | head -1 | cut -d' ' -f1-2)"
} >"$WORK/meta.tsv"
log "wrote $RAW, service.tsv and meta.tsv"
