#!/usr/bin/env bash
# The published port against one replica measured directly, on a deployed stack: wrk on the published port (the edge
# or the routing mesh, the overlay, a replica) and in one replica's network namespace on its own port (no NAT, no edge,
# no overlay), alternating; with what the replicas' CPU quota took (cpu.stat) and the machine's softirq share. Then,
# under light load (two clients, BENCH_LIGHT_RATE requests a second each, a new connection per request), rolling
# updates (--force) and scale-outs to twice the replicas, timed from Swarm's task timestamps and from the answers.
# The stack counts every request and is updated and scaled: use a test deployment (bench/run.sh deploys its own).
#   bash bench/stack.sh                     # STACK_NAME and SERVICE_PORT as start_service.sh uses them
# Settings: BENCH_ROUNDS 5   BENCH_SECONDS 10   BENCH_CONNS 64   BENCH_WARMUP_SECONDS 60   BENCH_ROLLOUTS 3 (0 skips)
#           BENCH_LIGHT_RATE 20   BENCH_OUT bench/results
# Writes the raw rows to $BENCH_OUT/tmp/stack (raw.tsv, rollout.tsv, meta.tsv), and $BENCH_OUT/stack.md from them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=deploy/scripts/lib.sh
. "$ROOT/deploy/scripts/lib.sh"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# Settings already in the environment win over .env, as in start_service.sh.
# shellcheck source=/dev/null
if [[ -f .env ]]; then environment=$(export -p); set -a; . ./.env; set +a; eval "$environment"; fi

STACK=${STACK_NAME:-reqcount}
PORT=${SERVICE_PORT:-8083}
ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_EACH=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
WARMUP=${BENCH_WARMUP_SECONDS:-60}
ROLLOUTS=${BENCH_ROLLOUTS:-3}
RATE=${BENCH_LIGHT_RATE:-20}
OUT=${BENCH_OUT:-$ROOT/bench/results}
WORK=$OUT/tmp/stack
LUA=$ROOT/bench/report.lua
SERVICE=${STACK}_counter
log() { echo "[stack] $*"; }
die() { echo "[stack] ERROR: $*" >&2; exit 1; }
bench_tools wrk=wrk nsenter=util-linux curl=curl mlr=miller
mkdir -p "$WORK"

PUBLISHED=http://127.0.0.1:$PORT/
curl -sf --max-time 5 "$PUBLISHED" >/dev/null || die "nothing answers on $PUBLISHED: deploy with bash start_service.sh first"
mapfile -t REPLICAS < <($DOCKER ps -q --filter "label=com.docker.swarm.service.name=$SERVICE")
((${#REPLICAS[@]})) || die "no replica of $SERVICE runs on this node"
DIRECT_PID=$($DOCKER inspect -f '{{.State.Pid}}' "${REPLICAS[0]}")
DIRECT_NAME=$($DOCKER inspect -f '{{.Config.Hostname}}' "${REPLICAS[0]}")
log "published port $PUBLISHED against $DIRECT_NAME directly (its network namespace, port $PORT); ${#REPLICAS[@]} replicas here"

# cpu_stat PID: the cpu.stat of the process's cgroup: cgroup v1's cpu controller where it is mounted, else v2's
cpu_stat() {
    local v1
    v1=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' "/proc/$1/cgroup")
    if [[ -n $v1 && -f /sys/fs/cgroup/cpu$v1/cpu.stat ]]; then cat "/sys/fs/cgroup/cpu$v1/cpu.stat"
    else cat "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")/cpu.stat"; fi
}
# counters: "periods throttled_periods softirq+irq total" (the first two summed over the replicas on this node)
counters() {
    local id
    for id in "${REPLICAS[@]}"; do cpu_stat "$($DOCKER inspect -f '{{.State.Pid}}' "$id")"; done \
        | awk '/^nr_periods/ { p += $2 } /^nr_throttled/ { t += $2 } END { printf "%d %d ", p, t }'
    awk '/^cpu / { print $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

# run PATH REP: one wrk run on the published or the direct path; appends a row to raw.tsv
run() {
    local path=$1 rep=$2 url=$PUBLISHED ns=() c0 c1 line rps p50 p99 ok thr soft
    [[ $path == published ]] || { url=http://127.0.0.1:$PORT/ ns=(nsenter -t "$DIRECT_PID" -n); }
    read -r -a c0 < <(counters)
    line=$(timeout $((SECONDS_EACH + 60)) "${ns[@]}" wrk -t2 -c"$CONNS" -d"$SECONDS_EACH"s -s "$LUA" "$url" | wrk_figures) || true
    [[ -n $line ]] || die "wrk gave no figures on the $path path"
    read -r -a c1 < <(counters)
    read -r rps p50 p99 ok <<<"$line"
    read -r thr soft < <(awk -v p=$((c1[0] - c0[0])) -v t=$((c1[1] - c0[1])) -v s=$((c1[2] - c0[2])) -v a=$((c1[3] - c0[3])) \
        'BEGIN { printf "%.0f %.0f\n", p ? 100 * t / p : 0, a ? 100 * s / a : 0 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "$rep" "$rps" "$p50" "$p99" "$ok" "$thr" "$soft" >>"$WORK/raw.tsv"
    log "$(printf '%-9s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  quota throttled in %3s%% of periods  softirq %2s%%' \
        "$path" "$rep" "$rps" "$p50" "$p99" "$thr" "$soft")"
}

log "warm-up: ${WARMUP}s on each path"
timeout $((WARMUP + 60)) wrk -t2 -c"$CONNS" -d"$WARMUP"s "$PUBLISHED" >/dev/null
timeout $((WARMUP + 60)) nsenter -t "$DIRECT_PID" -n wrk -t2 -c"$CONNS" -d"$WARMUP"s "http://127.0.0.1:$PORT/" >/dev/null
printf 'path\trep\trps\tp50_ms\tp99_ms\tok\tthrottled_pct\tsoftirq_pct\n' >"$WORK/raw.tsv"
for rep in $(seq 1 "$ROUNDS"); do
    run published "$rep"
    run direct "$rep"
done

# ---- Rolling update and scale-out under light load ----
REPLICAS_NOW=$($DOCKER service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "$SERVICE")
MONITOR=$($DOCKER service inspect -f '{{.Spec.UpdateConfig.Monitor}}' "$SERVICE")

# light_load NAME SECONDS: two clients in the background on the published port, RATE requests a second each, a
# new connection per request; $WORK/NAME.log gets "epoch_seconds status instance" per request (status 000: no
# answer). Ends by itself after SECONDS; stop_light_load NAME ends it sooner.
light_load() {
    local name=$1
    awk -v n=$(($2 * RATE)) -v url="$PUBLISHED" 'BEGIN { for (i = 0; i < n; i++) printf "url = \"%s\"\n", url }' >"$WORK/$name.curlrc"
    : >"$WORK/$name.log"
    for _ in 1 2; do
        curl -s --rate "$RATE/s" --max-time 5 -H 'Connection: close' -w '%{http_code}\n' -K "$WORK/$name.curlrc" 2>/dev/null |
            while IFS= read -r line; do
                if [[ $line == "You are talking to instance "* ]]; then instance=${line#You are talking to instance }
                elif [[ $line =~ ^[0-9]{3}$ ]]; then echo "$EPOCHREALTIME $line ${instance:--}"; instance=""; fi
            done >>"$WORK/$name.log" &
    done
}
# The clients are this script's own curl processes, found by their config file's unique path.
stop_light_load() { pkill -f -- "-K $WORK/$1.curlrc" || true; wait; }
# answers NAME FROM [TO]: "requests failed distinct_instances" over the answers between the epoch times FROM and TO
answers() {
    awk -v from="$2" -v to="${3:-1e12}" '$1 >= from && $1 <= to { n++; if ($2 != 200) f++; else if (!seen[$3]++) d++ }
        END { print n + 0, f + 0, d + 0 }' "$WORK/$1.log"
}
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; } # since T0 T1: seconds between two epoch times

# roll REP: a rolling update (--force: a new task for every replica). "replaced" is when the last new task ran
# (healthy: Swarm counts a task with a HEALTHCHECK as running once it is) and the last old one had stopped;
# "completed" is when docker service update --detach=false returned, which adds Swarm's monitor window and the
# CLI's check that the tasks stay up.
roll() {
    local rep=$1 t0 t1 rows replaced per_task requests failed
    light_load "roll-$rep" 300; sleep 2
    t0=$EPOCHREALTIME
    timeout 300 "$DOCKER" service update --force --detach=false --quiet "$SERVICE" >/dev/null || die "the rolling update failed"
    t1=$EPOCHREALTIME
    sleep 2; stop_light_load "roll-$rep"
    # "created_epoch state state_epoch" of every task of the service that Swarm still remembers
    rows=$($DOCKER service ps -q --no-trunc "$SERVICE" | xargs "$DOCKER" inspect \
        -f '{{.CreatedAt.UnixNano}} {{.Status.State}} {{.Status.Timestamp.UnixNano}}' | awk '{ printf "%.3f %s %.3f\n", $1 / 1e9, $2, $3 / 1e9 }')
    # the new tasks' start to running, and the old ones' stop
    replaced=$(awk -v t0="$t0" '($1 >= t0 && $2 == "running") || ($1 < t0 && $3 >= t0 && $2 != "running") {
        if ($3 > last) last = $3 } END { printf "%.1f", last - t0 }' <<<"$rows")
    per_task=$(awk -v t0="$t0" '$1 >= t0 && $2 == "running" { print $3 - $1 }' <<<"$rows" | median %.1f)
    read -r requests failed _ < <(answers "roll-$rep" "$t0" "$t1")
    printf 'roll\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$replaced" "$(since "$t0" "$t1")" "$per_task" "$requests" "$failed" >>"$WORK/rollout.tsv"
    log "rolling update $rep: all $REPLICAS_NOW replaced after $replaced s (each new task created to healthy: median $per_task s)," \
        "update completed after $(since "$t0" "$t1") s; $requests requests, $failed failed"
}

# scale REP: from REPLICAS_NOW to twice as many; done when every one of them has answered on the published port.
scale() {
    local rep=$1 target=$((2 * REPLICAS_NOW)) t0 t1="" requests failed seen
    light_load "scale-$rep" 200; sleep 2
    t0=$EPOCHREALTIME
    $DOCKER service scale --detach "$SERVICE=$target" >/dev/null
    for _ in $(seq 1 1200); do   # at most 120 s
        read -r _ _ seen < <(answers "scale-$rep" "$t0")
        ((seen >= target)) && { t1=$EPOCHREALTIME; break; }
        sleep 0.1
    done
    sleep 1; stop_light_load "scale-$rep"
    read -r requests failed _ < <(answers "scale-$rep" "$t0")
    $DOCKER service scale --detach=false "$SERVICE=$REPLICAS_NOW" >/dev/null
    [[ -n $t1 ]] || die "scale to $target: only $seen replicas answered within 120 s"
    printf 'scale\t%s\t%s\t-\t-\t%s\t%s\n' "$rep" "$(since "$t0" "$t1")" "$requests" "$failed" >>"$WORK/rollout.tsv"
    log "scale $REPLICAS_NOW -> $target $rep: all $target answering after $(since "$t0" "$t1") s; $requests requests, $failed failed"
}

printf 'kind\trep\tseconds\tcompleted_s\tper_task_s\trequests\tfailed\n' >"$WORK/rollout.tsv"
for rep in $(seq 1 "$ROLLOUTS"); do
    roll "$rep"
    scale "$rep"
done
printf 'key\tvalue\nstack\t%s\nservices\t%s\ndirect\t%s\nconns\t%s\nrounds\t%s\nseconds\t%s\nwarmup_seconds\t%s\n' "$STACK" \
    "$($DOCKER service ls --filter "name=${STACK}_" --format '{{.Name}} {{.Replicas}}' | tr '\n' ' ')" "$DIRECT_NAME" "$CONNS" \
    "$ROUNDS" "$SECONDS_EACH" "$WARMUP" >"$WORK/meta.tsv"
printf 'rollouts\t%s\nrate\t%s\nmonitor\t%s\nreplicas\t%s\n' "$ROLLOUTS" "$RATE" "$MONITOR" "$REPLICAS_NOW" >>"$WORK/meta.tsv"
BENCH_OUT=$OUT bash "$ROOT/bench/report.sh" stack
