#!/usr/bin/env bash
# What replication costs: GET / against one Redis, and against a primary with a replica where every batch
# waits for the replica (WAIT 1, REDIS_ACK_TIMEOUT 100ms, min-replicas-to-write 1 on the primary, as in the
# HA stack), side by side in one run, at 16, 64 and 256 wrk connections, everything on loopback.
# Sentinel is left out: the service asks it only when it (re)connects, never per request.
#
#   bash bench/ha.sh                      # about 3 minutes on a 2-core machine; writes bench/results/ha.md
#
# Settings (environment): HA_BENCH_CONNS "16 64 256"  HA_BENCH_REPEATS 3  HA_BENCH_SECONDS 5
#   HA_BENCH_JAR (a built jar: skips the build)  HA_BENCH_OUT bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${HA_BENCH_CONNS:-"16 64 256"} REPEATS=${HA_BENCH_REPEATS:-3} SECONDS_PER_RUN=${HA_BENCH_SECONDS:-5}
OUT=${HA_BENCH_OUT:-bench/results}
WORK=$(mktemp -d /tmp/reqcount-ha-bench.XXXXXX)
log() { echo "[ha-bench] $*"; }
die() { echo "[ha-bench] ERROR: $*" >&2; exit 1; }

for tool in wrk redis-server redis-cli java curl; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install wrk redis-server redis-tools openjdk-17-jre-headless curl"
done
jar=${HA_BENCH_JAR:-}
if [ -z "$jar" ]; then
  log "building the jar (./mvnw -B -q -DskipTests package)"
  ./mvnw -B -q -DskipTests package
  jar=$(ls target/replicas-reqcount-*.jar | grep -v plain | head -1)
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rcli() { redis-cli -p "$1" "${@:2}"; }

# start_redis NAME PORT ARGS...: AOF on, as in the stack.
start_redis() {
  mkdir -p "$WORK/$1"
  redis-server --bind 127.0.0.1 --port "$2" --dir "$WORK/$1" --save '' --appendonly yes \
    --appendfsync everysec --repl-diskless-sync-delay 0 "${@:3}" >"$WORK/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do rcli "$2" ping >/dev/null 2>&1 && return; sleep 0.1; done
  die "redis $1 did not start; see $WORK/$1.log"
}
# start_app NAME PORT SPRING-ARGS...: waits until it is ready.
start_app() {
  java -jar "$jar" --server.port="$2" --instance-name="$1" "${@:3}" >"$WORK/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 120); do
    curl -fs "http://127.0.0.1:$2/actuator/health/readiness" >/dev/null 2>&1 && return; sleep 0.5
  done
  die "service $1 did not get ready; see $WORK/$1.log"
}

single=$(free_port) primary=$(free_port) replica=$(free_port) app1=$(free_port) app2=$(free_port)
log "one Redis on :$single; a primary on :$primary with a replica on :$replica"
start_redis single "$single"
start_redis primary "$primary" --min-replicas-to-write 1 --min-replicas-max-lag 5
start_redis replica "$replica" --replicaof 127.0.0.1 "$primary"
for _ in $(seq 50); do rcli "$replica" info replication | grep -q 'master_link_status:up' && break; sleep 0.2; done
log "services: single on :$app1, HA (WAIT 1 within 100ms) on :$app2"
start_app single "$app1" --container-db-port="$single"
start_app ha "$app2" --container-db-port="$primary" --redis-ack-replicas=1 --redis-ack-timeout=100ms

# wrk_rps CONNS URL: req/s (non-2xx answers would make the counts below disagree).
wrk_rps() { wrk -t2 -c"$1" -d"${SECONDS_PER_RUN}"s "$2" | awk '/^Requests\/sec:/ { print $2 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

log "warm-up: 10 s each"
wrk -t2 -c64 -d10s "http://127.0.0.1:$app1/" >/dev/null; wrk -t2 -c64 -d10s "http://127.0.0.1:$app2/" >/dev/null

rows=()
for c in $CONNS; do
  s_all=() h_all=() r_all=()
  for rep in $(seq "$REPEATS"); do
    s=$(wrk_rps "$c" "http://127.0.0.1:$app1/"); h=$(wrk_rps "$c" "http://127.0.0.1:$app2/")
    r=$(awk -v h="$h" -v s="$s" 'BEGIN { printf "%.1f", 100 * h / s }')
    log "c=$c round $rep: single $s req/s, HA $h req/s, HA/single $r%"
    s_all+=("$s"); h_all+=("$h"); r_all+=("$r")
  done
  rows+=("| $c | $(printf '%s\n' "${s_all[@]}" | median) | $(printf '%s\n' "${h_all[@]}" | median) | $(printf '%s\n' "${r_all[@]}" | median)% |")
done

# Every 200 must be on the replica: the HA primary's total equals the replica's once it caught up.
sleep 1
p_total=$(rcli "$primary" get total_count) r_total=$(rcli "$replica" get total_count)
refused=$(curl -fs "http://127.0.0.1:$app2/actuator/prometheus" | awk '/^reqcount_requests_refused_total/ { s += $2 } END { print s + 0 }')
mkdir -p "$OUT"
{
  echo "# HA (primary + replica + WAIT 1) against one Redis, $(date -u +%Y-%m-%d)"
  echo
  echo "$(nproc) cores, $(java -version 2>&1 | head -1), $(redis-server --version | awk '{ print $3 }'), wrk, ${SECONDS_PER_RUN} s x ${REPEATS} rounds, interleaved."
  echo
  echo "| Conns | single req/s | HA req/s | HA / single (median of rounds) |"
  echo "|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "HA primary total $p_total, replica total $r_total; HA requests refused (WAIT short or Redis error): $refused."
} | tee "$OUT/ha.md"
[ "$p_total" = "$r_total" ] || die "the replica's total ($r_total) differs from the primary's ($p_total)"
