#!/usr/bin/env bash
# The published port against one replica measured directly, on a stack that start_service.sh deployed: wrk at
# 64 connections on the published port (the edge or the routing mesh, then the overlay, then a replica), and in
# one replica's own network namespace on its port (no NAT, no edge, no overlay), alternating, in one run. Also
# reads what the replicas' CPU quota took (cpu.stat's nr_throttled and throttled_usec) and the machine's
# softirq share meanwhile. Then, under light load (two clients, BENCH_LIGHT_RATE requests a second each, a new
# connection per request), rolling updates (docker service update --force) and scale-outs to twice the replicas,
# timed from Swarm's own task timestamps and from the answers. Every request counts on the stack, as any other
# would, and the stack is updated and scaled: use a test deployment (bench/run.sh deploys one of its own).
#   bash bench/stack.sh                     # STACK_NAME and SERVICE_PORT as start_service.sh uses them
# Settings: BENCH_ROUNDS 5   BENCH_SECONDS 10   BENCH_CONNS 64   BENCH_WARMUP_SECONDS 60   BENCH_ROLLOUTS 3 (0 skips)
#           BENCH_LIGHT_RATE 20   BENCH_OUT bench/results
# Writes $BENCH_OUT/stack.md and the raw rows to $BENCH_OUT/tmp/stack/raw.tsv and rollout.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/deploy/scripts/lib.sh"
. "$ROOT/bench/lib.sh"
# Settings already in the environment win over .env, as in start_service.sh.
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
log() { echo "[stack] $*"; }
die() { echo "[stack] ERROR: $*" >&2; exit 1; }
for tool in wrk nsenter curl; do command -v $tool >/dev/null || die "$tool missing (apt-get install wrk util-linux curl)"; done
mkdir -p "$WORK"

PUBLISHED=http://127.0.0.1:$PORT/
curl -sf --max-time 5 "$PUBLISHED" >/dev/null || die "nothing answers on $PUBLISHED: deploy with bash start_service.sh first"
mapfile -t REPLICAS < <($DOCKER ps -q --filter "label=com.docker.swarm.service.name=${STACK}_counter")
((${#REPLICAS[@]})) || die "no replica of ${STACK}_counter runs on this node"
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
# throttled: "periods throttled_periods" summed over the replicas on this node
throttled() {
    local id
    for id in "${REPLICAS[@]}"; do cpu_stat "$($DOCKER inspect -f '{{.State.Pid}}' "$id")"; done \
        | awk '/^nr_periods/ { p += $2 } /^nr_throttled/ { t += $2 } END { print p + 0, t + 0 }'
}
softirq() { awk '/^cpu / { print $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }  # "softirq+irq total"

# run PATH_NAME: one wrk run; appends a row to raw.tsv
run() {
    local path=$1 rep=$2 cmd=() t0 t1 s0 s1 line
    case $path in
        published) cmd=(wrk -t2 -c"$CONNS" -d"$SECONDS_EACH"s -s "$LUA" "$PUBLISHED") ;;
        direct) cmd=(nsenter -t "$DIRECT_PID" -n wrk -t2 -c"$CONNS" -d"$SECONDS_EACH"s -s "$LUA" http://127.0.0.1:$PORT/) ;;
    esac
    read -r -a t0 < <(throttled); read -r -a s0 < <(softirq)
    line=$(timeout $((SECONDS_EACH + 60)) "${cmd[@]}" | wrk_figures) || true
    [[ -n $line ]] || die "wrk gave no figures on the $path path"
    read -r -a t1 < <(throttled); read -r -a s1 < <(softirq)
    read -r rps p50 p99 ok <<<"$line"
    local thr soft
    thr=$(awk -v p=$((t1[0] - t0[0])) -v t=$((t1[1] - t0[1])) 'BEGIN { printf "%.0f", p ? 100 * t / p : 0 }')
    soft=$(awk -v s=$((s1[0] - s0[0])) -v a=$((s1[1] - s0[1])) 'BEGIN { printf "%.0f", a ? 100 * s / a : 0 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "$rep" "$rps" "$p50" "$p99" "$ok" "$thr" "$soft" >>"$WORK/raw.tsv"
    log "$(printf '%-9s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  quota throttled in %3s%% of periods  softirq %2s%%' \
        "$path" "$rep" "$rps" "$p50" "$p99" "$thr" "$soft")"
}

log "warm-up: ${WARMUP}s on each path"
timeout $((WARMUP + 60)) wrk -t2 -c"$CONNS" -d"$WARMUP"s "$PUBLISHED" >/dev/null
timeout $((WARMUP + 60)) nsenter -t "$DIRECT_PID" -n wrk -t2 -c"$CONNS" -d"$WARMUP"s http://127.0.0.1:$PORT/ >/dev/null
printf 'path\trep\trps\tp50_ms\tp99_ms\tok\tthrottled_pct\tsoftirq_pct\n' >"$WORK/raw.tsv"
for rep in $(seq 1 "$ROUNDS"); do
    run published "$rep"
    run direct "$rep"
done

# ---- Rolling update and scale-out under light load ----
SERVICE=${STACK}_counter
REPLICAS_NOW=$($DOCKER service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "$SERVICE")
MONITOR=$($DOCKER service inspect -f '{{.Spec.UpdateConfig.Monitor}}' "$SERVICE")

# light_load NAME SECONDS: two clients in the background on the published port, RATE requests a second each, a
# new connection per request; $WORK/NAME.log gets "epoch_seconds status instance" per request (status 000: no
# answer). Ends by itself after SECONDS; stop_light_load NAME ends it sooner.
light_load() {
    local name=$1 client
    awk -v n=$(($2 * RATE)) -v url="$PUBLISHED" 'BEGIN { for (i = 0; i < n; i++) printf "url = \"%s\"\n", url }' >"$WORK/$name.curlrc"
    : >"$WORK/$name.log"
    for client in 1 2; do
        curl -s --rate "$RATE/s" --max-time 5 -H 'Connection: close' -w '%{http_code}\n' -K "$WORK/$name.curlrc" 2>/dev/null |
            while IFS= read -r line; do
                if [[ $line == "You are talking to instance "* ]]; then instance=${line#You are talking to instance }
                elif [[ $line =~ ^[0-9]{3}$ ]]; then echo "$EPOCHREALTIME $line ${instance:--}"; instance=""; fi
            done >>"$WORK/$name.log" &
    done
}
stop_light_load() { pkill -f -- "-K $WORK/$1.curlrc" || true; wait; }
# answers NAME FROM [TO]: "requests failed distinct_instances" over the answers between the epoch times FROM and TO
answers() {
    awk -v from="$2" -v to="${3:-1e12}" '$1 >= from && $1 <= to { n++; if ($2 != 200) f++; else if (!seen[$3]++) d++ }
        END { print n + 0, f + 0, d + 0 }' "$WORK/$1.log"
}
# since T0 T1: seconds from epoch time T0 to T1, to a tenth
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# tasks: "created_epoch state state_epoch" of every task of the service Swarm still remembers
tasks() {
    $DOCKER service ps -q --no-trunc "$SERVICE" | xargs $DOCKER inspect \
        -f '{{.CreatedAt.UnixNano}} {{.Status.State}} {{.Status.Timestamp.UnixNano}}' | awk '{ printf "%.3f %s %.3f\n", $1 / 1e9, $2, $3 / 1e9 }'
}

# roll REP: a rolling update (--force: a new task for every replica). "replaced" is when the last new task ran
# (healthy: Swarm counts a task with a HEALTHCHECK as running once it is) and the last old one had stopped;
# "completed" is when docker service update --detach=false returned, which adds Swarm's monitor window and the
# CLI's check that the tasks stay up.
roll() {
    local rep=$1 t0 t1 rows replaced per_task requests failed
    light_load roll-$rep 300; sleep 2
    t0=$EPOCHREALTIME
    timeout 300 $DOCKER service update --force --detach=false --quiet "$SERVICE" >/dev/null || die "the rolling update failed"
    t1=$EPOCHREALTIME
    sleep 2; stop_light_load roll-$rep
    rows=$(tasks)
    # the new tasks' start to running, and the old ones' stop
    replaced=$(awk -v t0="$t0" '($1 >= t0 && $2 == "running") || ($1 < t0 && $3 >= t0 && $2 != "running") {
        if ($3 > last) last = $3 } END { print last - t0 }' <<<"$rows" | median %.1f)
    per_task=$(awk -v t0="$t0" '$1 >= t0 && $2 == "running" { print $3 - $1 }' <<<"$rows" | median %.1f)
    read -r requests failed _ < <(answers roll-$rep "$t0" "$t1")
    printf 'roll\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$replaced" "$(since "$t0" "$t1")" "$per_task" "$requests" "$failed" >>"$WORK/rollout.tsv"
    log "rolling update $rep: all $REPLICAS_NOW replaced after $replaced s (each new task created to healthy: median $per_task s)," \
        "update completed after $(since "$t0" "$t1") s; $requests requests, $failed failed"
}

# scale REP: from REPLICAS_NOW to twice as many; done when every one of them has answered on the published port.
scale() {
    local rep=$1 target=$((2 * REPLICAS_NOW)) t0 t1="" requests failed seen
    light_load scale-$rep 200; sleep 2
    t0=$EPOCHREALTIME
    $DOCKER service scale --detach "$SERVICE=$target" >/dev/null
    for i in $(seq 1 1200); do   # at most 120 s
        read -r _ _ seen < <(answers scale-$rep "$t0")
        ((seen >= target)) && { t1=$EPOCHREALTIME; break; }
        sleep 0.1
    done
    sleep 1; stop_light_load scale-$rep
    read -r requests failed _ < <(answers scale-$rep "$t0")
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

# The ratio is the median of each round's published / direct, measured back to back.
ratio=$(paired_ratio "$WORK/raw.tsv" rps "$ROUNDS" path=published path=direct)
p99=$(tsv_get "$WORK/raw.tsv" p99_ms path=published | median %.2f)
if ((ROLLOUTS)); then
    roll_s=$(tsv_get "$WORK/rollout.tsv" seconds kind=roll | median %.1f)
    completed_s=$(tsv_get "$WORK/rollout.tsv" completed_s kind=roll | median %.1f)
    scale_s=$(tsv_get "$WORK/rollout.tsv" seconds kind=scale | median %.1f)
    failed=$(tsv_get "$WORK/rollout.tsv" failed | sum)
    requests=$(tsv_get "$WORK/rollout.tsv" requests | sum)
fi
{
    echo "# The published port against one replica directly"
    echo
    echo "Run by \`bash bench/stack.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') against stack $STACK ($(${DOCKER} service ls --filter "name=${STACK}_" --format '{{.Name}} {{.Replicas}}' | tr '\n' ' '))."
    echo "wrk with 2 threads at $CONNS connections, $ROUNDS alternating rounds of ${SECONDS_EACH}s after a ${WARMUP}s warm-up; medians."
    echo
    echo "| Path | req/s | p50 ms | p99 ms | replicas' quota throttled (share of periods) | softirq (share of the machine) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for path in published direct; do
        echo "| $path | $(tsv_get "$WORK/raw.tsv" rps path=$path | median) | $(tsv_get "$WORK/raw.tsv" p50_ms path=$path | median %.2f) |" \
            "$(tsv_get "$WORK/raw.tsv" p99_ms path=$path | median %.2f) | $(tsv_get "$WORK/raw.tsv" throttled_pct path=$path | median)% |" \
            "$(tsv_get "$WORK/raw.tsv" softirq_pct path=$path | median)% |"
    done
    echo
    echo "Published / direct, median of the rounds: **$ratio%** (target >= 50%: $(verdict "$ratio >= 50")); p99 at the" \
        "published port **$p99 ms** (target <= 50 ms: $(verdict "$p99 <= 50"))."
    echo
    echo "*direct* is wrk inside $DIRECT_NAME's network namespace on its own port: one replica, no NAT, no edge, no overlay."
    echo "*published* goes through the host's port to the edge (or the routing mesh) and over the overlay to all the replicas."
    if ((ROLLOUTS)); then
        echo
        echo "## Rolling update and scale-out under light load"
        echo
        echo "Two clients on the published port, $RATE requests a second each, a new connection per request; $ROLLOUTS rounds," \
            "medians. Update settings: parallelism 1, start-first, monitor $MONITOR."
        echo
        echo "| | seconds | update completed (s) | each new task, created to healthy (s) | requests | failed |"
        echo "|---|---:|---:|---:|---:|---:|"
        echo "| rolling update of $REPLICAS_NOW: all replaced | $roll_s | $completed_s |" \
            "$(tsv_get "$WORK/rollout.tsv" per_task_s kind=roll | median %.1f) | $(tsv_get "$WORK/rollout.tsv" requests kind=roll | sum) |" \
            "$(tsv_get "$WORK/rollout.tsv" failed kind=roll | sum) |"
        echo "| scale $REPLICAS_NOW -> $((2 * REPLICAS_NOW)): all answering | $scale_s | | |" \
            "$(tsv_get "$WORK/rollout.tsv" requests kind=scale | sum) |" \
            "$(tsv_get "$WORK/rollout.tsv" failed kind=scale | sum) |"
        echo
        echo "Rolling update of $REPLICAS_NOW, all replaced: **$roll_s s** (target <= 25 s: $(verdict "$roll_s <= 25")); scale" \
            "to $((2 * REPLICAS_NOW)), all answering: **$scale_s s** (target <= 10 s: $(verdict "$scale_s <= 10")); failed requests" \
            "$failed (target 0)."
        echo
        echo "*All replaced*: from the update's start until the last new task ran (a task with a HEALTHCHECK runs once it is"
        echo "healthy) and the last old one had stopped, from Swarm's task timestamps. *Update completed*: until"
        echo "\`docker service update --detach=false\` returned, which adds the monitor window after the last task."
    fi
} >"$OUT/stack.md"
# Rows of bench/report.sh's target table
{
    echo "| Published port >= 50% of one replica directly (64 conns) | $ratio% | $(verdict "$ratio >= 50") |"
    echo "| p99 at the published port <= 50 ms (64 conns) | $p99 ms | $(verdict "$p99 <= 50") |"
    if ((ROLLOUTS)); then
        echo "| Rolling update of $REPLICAS_NOW, all replaced, <= 25 s | $roll_s s (update completed after $completed_s s) |" \
            "$(verdict "$roll_s <= 25") |"
        echo "| Scale $REPLICAS_NOW -> $((2 * REPLICAS_NOW)), all answering, <= 10 s | $scale_s s | $(verdict "$scale_s <= 10") |"
        echo "| No failed request during the updates and scale-outs | $failed of $requests | $(verdict "$failed == 0") |"
    fi
} >"$WORK/targets.md"
cat "$OUT/stack.md"
