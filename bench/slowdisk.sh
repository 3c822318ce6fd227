#!/usr/bin/env bash
# The durable default on a slow disk: Redis with its AOF on a FUSE disk whose every fsync takes SLOWDISK_FSYNC
# seconds (src/test/scripts/slow_fsync_fs.py), two replicas of the service in front of it, and SLOWDISK_CLIENTS
# closed-loop clients (wrk, half on each replica) for SLOWDISK_SECONDS, once per BATCH_MAX_IN_FLIGHT in
# SLOWDISK_IN_FLIGHT. A closed-loop client waits at least one fsync per request, so the clients and the disk set a
# bound: SLOWDISK_CLIENTS / fsync time. Redis fsyncs once per event-loop turn, before it answers that turn, and starts
# the next fsync at once for what arrived during this one; so a client answered by one fsync rides at the earliest in
# the one after next, the clients take turns in two halves, and an fsync carries at most half of them: the
# "200s per fsync" column shows how close each fsync came. Prints, per setting, the disk's measured fsync time, that
# bound, the 200s a second and their share of the bound, the 200s per fsync, the refusals (503), and whether
# total_count rose by at least the 200s (a refused batch may leave a gap, never a repeat).
# Needs root, python3-fusepy, fuse3, redis-server, wrk.
#   bash bench/slowdisk.sh                            # 50 ms fsync, BATCH_MAX_IN_FLIGHT 1 2 4 8
#   SLOWDISK_FSYNC=1.2 SLOWDISK_IN_FLIGHT=4 bash bench/slowdisk.sh
# Settings: SLOWDISK_FSYNC (0.05 s), SLOWDISK_IN_FLIGHT ("1 2 4 8"), SLOWDISK_APPENDFSYNC (always),
# SLOWDISK_CLIENTS (16), SLOWDISK_SECONDS (20), SLOWDISK_PORT (18410: Redis; the services take the next ones),
# SLOWDISK_APP_ARGS (more Spring arguments for both replicas), BENCH_JAR (default: target/replicas-reqcount-*.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools wrk=wrk redis-server=redis-server redis-cli=redis-tools curl=curl fusermount=fuse3
/usr/bin/python3 -c 'import fusepy' 2>/dev/null || bench_tools slow-fsync-fs-needs-fusepy=python3-fusepy

FSYNC=${SLOWDISK_FSYNC:-0.05}
IN_FLIGHT=${SLOWDISK_IN_FLIGHT:-1 2 4 8}
APPENDFSYNC=${SLOWDISK_APPENDFSYNC:-always}
CLIENTS=${SLOWDISK_CLIENTS:-16}
SECONDS_PER_RUN=${SLOWDISK_SECONDS:-20}
PORT=${SLOWDISK_PORT:-18410}
jars=(target/replicas-reqcount-*[0-9T].jar)   # not the -plain.jar
JAR=${BENCH_JAR:-${jars[0]}}
[[ -f $JAR ]] || { echo "[slowdisk] no jar: build it with ./mvnw -q -DskipTests package, or set BENCH_JAR" >&2; exit 1; }
WORK=$(mktemp -d /tmp/reqcount-slowdisk-bench.XXXXXX)
pids=()

cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
    sleep 1
    fusermount -u -z "$WORK/mnt" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

fsyncs() { cat "$WORK/fsyncs"; } # "<count> <seconds>"

echo "[slowdisk] FUSE disk with a ${FSYNC} s fsync at $WORK/mnt"
mkdir -p "$WORK/backing" "$WORK/mnt"
/usr/bin/python3 src/test/scripts/slow_fsync_fs.py "$WORK/backing" "$WORK/mnt" "$FSYNC" "$WORK/fsyncs" \
    > "$WORK/fuse.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q " $WORK/mnt fuse" /proc/mounts && break; sleep 0.1; done
grep -q " $WORK/mnt fuse" /proc/mounts || { echo "[slowdisk] the FUSE disk did not mount: see $WORK/fuse.log" >&2; exit 1; }

echo "[slowdisk] redis-server on 127.0.0.1:$PORT, appendfsync $APPENDFSYNC"
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$WORK/mnt" --appendonly yes --appendfsync "$APPENDFSYNC" \
    --protected-mode no --logfile "$WORK/redis.log" --daemonize yes
for _ in $(seq 100); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done

start_replica() { # start_replica N IN_FLIGHT: service N on PORT+N, management on PORT+10+N
    # shellcheck disable=SC2086 # SLOWDISK_APP_ARGS is a list of arguments
    java -Xmx192m -XX:+UseSerialGC -jar "$JAR" --service-host=127.0.0.1 --server.port="$((PORT + $1))" \
        --management.server.port="$((PORT + 10 + $1))" --instance-name="slowdisk-$1" --container-db-host=127.0.0.1 \
        --container-db-port="$PORT" --batch-max-in-flight="$2" ${SLOWDISK_APP_ARGS:-} > "$WORK/svc$1.log" 2>&1 &
    pids+=($!)
}
await_replica() { # await_replica N: until its readiness answers 200, at most 3 minutes
    for _ in $(seq 360); do
        curl -fs "http://127.0.0.1:$((PORT + 10 + $1))/actuator/health/readiness" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "[slowdisk] replica $1 was not ready within 3 minutes: see $WORK/svc$1.log" >&2
    exit 1
}

{
    printf '| BATCH_MAX_IN_FLIGHT | fsync measured (s) | bound (req/s) | 200/s | of the bound | 200s per fsync | 503s |'
    printf ' socket errors | total rose by ≥ the 200s |\n|---|---|---|---|---|---|---|---|---|\n'
} > "$WORK/table"
for n in $IN_FLIGHT; do
    start_replica 1 "$n"
    start_replica 2 "$n"
    await_replica 1
    await_replica 2
    for r in 1 2; do wrk -t1 -c2 -d3s "http://127.0.0.1:$((PORT + r))/" >/dev/null 2>&1 || true; done # warm-up
    read -r count0 secs0 < <(fsyncs)
    total0=$(redis-cli -p "$PORT" get total_count)
    wrks=()
    for r in 1 2; do
        timeout $((SECONDS_PER_RUN + 60)) wrk -t1 -c"$((CLIENTS / 2))" -d"${SECONDS_PER_RUN}s" --timeout 30s \
            -s bench/report.lua "http://127.0.0.1:$((PORT + r))/" > "$WORK/wrk$r.txt" 2>&1 &
        wrks+=($!)
    done
    wait "${wrks[@]}"
    read -r count1 secs1 < <(fsyncs)
    total1=$(redis-cli -p "$PORT" get total_count)
    ok=0 non2xx=0 sockerr=0 duration=0
    for r in 1 2; do
        line=$(grep '^BENCH ' "$WORK/wrk$r.txt") || { echo "[slowdisk] wrk printed no figures: $WORK/wrk$r.txt" >&2; cat "$WORK/wrk$r.txt" >&2; exit 1; }
        ok=$((ok + $(sed -E 's/.* ok=([0-9]+).*/\1/' <<< "$line")))
        non2xx=$((non2xx + $(sed -E 's/.* non2xx=([0-9]+).*/\1/' <<< "$line")))
        sockerr=$((sockerr + $(sed -E 's/.* sockerr=([0-9]+).*/\1/' <<< "$line")))
        duration=$(sed -E 's/.* duration_us=([0-9]+).*/\1/' <<< "$line")
    done
    awk -v n="$n" -v c="$CLIENTS" -v dc="$((count1 - count0))" -v ds="$(awk -v a="$secs0" -v b="$secs1" 'BEGIN { print b - a }')" \
        -v ok="$ok" -v d="$duration" -v non2xx="$non2xx" -v sockerr="$sockerr" -v delta="$((total1 - total0))" 'BEGIN {
        f = dc > 0 ? ds / dc : 0; bound = f > 0 ? c / f : 0; rps = ok / (d / 1e6)
        printf "| %d | %.3f (%d fsyncs) | %.0f | %.1f | %.2f× | %.1f of %d | %d | %d | %s (+%d for %d) |\n", n, f, dc, bound, rps,
            (bound > 0 ? rps / bound : 0), (dc > 0 ? ok / dc : 0), c / 2, non2xx, sockerr, (delta >= ok ? "yes" : "NO"), delta, ok }' |
        tee -a "$WORK/table"
    for pid in "${pids[@]:1}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]:1}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
    pids=("${pids[0]}")
done
echo
echo "Redis $(redis-server --version | cut -d' ' -f3), appendfsync $APPENDFSYNC, $CLIENTS closed-loop clients (wrk) over two replicas, ${SECONDS_PER_RUN} s a setting, disk fsync set to ${FSYNC} s:"
cat "$WORK/table"
