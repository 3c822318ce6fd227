#!/usr/bin/env bash
# The published port against one replica measured directly, on a stack that start_service.sh deployed: wrk at
# 64 connections on the published port (the edge or the routing mesh, then the overlay, then a replica), and in
# one replica's own network namespace on its port (no NAT, no edge, no overlay), alternating, in one run. Also
# reads what the replicas' 1-CPU quota took (cpu.stat's nr_throttled and throttled_usec) and the machine's
# softirq share meanwhile. Every request counts on the stack, as any other would: use a test deployment.
#   bash bench/stack.sh                     # STACK_NAME and SERVICE_PORT from .env, as start_service.sh uses them
# Settings: BENCH_ROUNDS 5   BENCH_SECONDS 10   BENCH_CONNS 64   BENCH_WARMUP_SECONDS 60   BENCH_OUT bench/results
# Writes $BENCH_OUT/stack.md and the raw rows to $BENCH_OUT/tmp/stack/raw.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/scripts/lib.sh"
. "$ROOT/bench/lib.sh"
[[ -f .env ]] && { set -a; . ./.env; set +a; }

STACK=${STACK_NAME:-reqcount}
PORT=${SERVICE_PORT:-8083}
ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_EACH=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
WARMUP=${BENCH_WARMUP_SECONDS:-60}
OUT=${BENCH_OUT:-$ROOT/bench/results}
WORK=$OUT/tmp/stack
LUA=$ROOT/bench/report.lua
log() { echo "[stack] $*"; }
die() { echo "[stack] ERROR: $*" >&2; exit 1; }
for tool in wrk nsenter; do command -v $tool >/dev/null || die "$tool missing (apt-get install wrk util-linux)"; done
mkdir -p "$WORK"

PUBLISHED=http://127.0.0.1:$PORT/
curl -sf --max-time 5 "$PUBLISHED" >/dev/null || die "nothing answers on $PUBLISHED: deploy with bash start_service.sh first"
mapfile -t REPLICAS < <($DOCKER ps -q --filter "label=com.docker.swarm.service.name=${STACK}_counter")
((${#REPLICAS[@]})) || die "no replica of ${STACK}_counter runs on this node"
DIRECT_PID=$($DOCKER inspect -f '{{.State.Pid}}' "${REPLICAS[0]}")
DIRECT_NAME=$($DOCKER inspect -f '{{.Config.Hostname}}' "${REPLICAS[0]}")
log "published port $PUBLISHED against $DIRECT_NAME directly (its network namespace, port 8083); ${#REPLICAS[@]} replicas here"

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
        direct) cmd=(nsenter -t "$DIRECT_PID" -n wrk -t2 -c"$CONNS" -d"$SECONDS_EACH"s -s "$LUA" http://127.0.0.1:8083/) ;;
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
timeout $((WARMUP + 60)) nsenter -t "$DIRECT_PID" -n wrk -t2 -c"$CONNS" -d"$WARMUP"s http://127.0.0.1:8083/ >/dev/null
printf 'path\trep\trps\tp50_ms\tp99_ms\tok\tthrottled_pct\tsoftirq_pct\n' >"$WORK/raw.tsv"
for rep in $(seq 1 "$ROUNDS"); do
    run published "$rep"
    run direct "$rep"
done

# The ratio is the median of each round's published / direct, measured back to back.
ratio=$(paired_ratio "$WORK/raw.tsv" rps "$ROUNDS" path=published path=direct)
p99=$(tsv_get "$WORK/raw.tsv" p99_ms path=published | median %.2f)
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
} >"$OUT/stack.md"
cat "$OUT/stack.md"
