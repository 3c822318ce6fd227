#!/usr/bin/env bash
# Measuring, the first half of bench/run.sh: a throwaway Redis and the service on loopback, wrk at each
# concurrency, repeated. Writes raw figures only, as TSV files whose first row names the columns, into
# $BENCH_OUT/tmp/run (bench/report.sh turns them into the table and the plot):
#   raw.tsv      one row per wrk or redis-benchmark run, with the service JVM's CPU time and context switches
#                per request (all its threads, from /proc)
#   service.tsv  one row per service: startup to ready and peak RSS
#   meta.tsv     key and value: the run's settings, the machine's load, the JVM
# This script installs the tools and builds the bench jar; bench/Measure.java starts the processes and measures.
#
# Variants, side by side in one run:
#   baseline     GET /baseline: the same process, the same reply, no Redis (the ceiling; only in the jar that
#                ./mvnw -Pbench builds, and there only under the bench Spring profile)
#   group        GET / as shipped: group commit (BATCH_MAX_SIZE=256, BATCH_MAX_IN_FLIGHT=4)
#   per-request  GET / with one MULTI/EXEC per request over a 16-connection pool
#                (BATCH_MAX_SIZE=1, BATCH_MAX_IN_FLIGHT=16), in a second process
#   durable      GET / as group, against a Redis of its own with appendfsync always (the stack's default);
#                BENCH_DURABLE=0 leaves it out. Every other round runs the services in reverse order
#   ha           GET / as group, against a primary with one replica and WAIT 1 within 100 ms after every
#                transaction (min-replicas-to-write 1 on the primary): REDIS_HA's write path, in a third process.
#                Sentinel is left out: the service watches it off the request path (redis/SentinelWatch)
#   redis INCR   redis-benchmark -t incr at the same concurrency, for reference
# The services run at once, each idle while another is measured, so that the runs interleave and a
# noisy machine tilts no variant more than another.
#
# Settings (environment), with their defaults:
#   BENCH_CONNS "16 64 256"   BENCH_REPEATS 5   BENCH_SECONDS 6   BENCH_C1_SECONDS 3
#   BENCH_WARMUP_SECONDS 10   BENCH_REDIS_N 200000 (0 skips redis-benchmark)
#   BENCH_JAVA java           BENCH_JAVA_OPTS (JVM options)   BENCH_APP_ARGS (Spring arguments, e.g.
#                             --server.tomcat.threads.max=50); both go to every service
#   BENCH_JAR (a jar built with -Pbench: skips the build)   BENCH_PER_REQUEST 1, BENCH_HA 1, BENCH_DURABLE 1 (0 skips)
#   BENCH_QUIET_WAIT 120 (seconds to wait for a load average below the core count)
#   BENCH_OUT bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools wrk=wrk redis-server=redis-server redis-benchmark=redis-tools gnuplot=gnuplot-nox curl=curl jq=jq mlr=miller \
    javac=openjdk-17-jdk-headless
WORK=${BENCH_OUT:-bench/results}/tmp/run
rm -rf "$WORK"
mkdir -p "$WORK"
if [[ -z ${BENCH_JAR:-} ]]; then
    echo "[bench] building the bench jar (./mvnw -Pbench, in $WORK/build)"
    BENCH_JAR=$(bash bench/build.sh "$WORK/build" -Pbench)
fi
[[ -f $BENCH_JAR ]] || { echo "[bench] ERROR: no jar at $BENCH_JAR" >&2; exit 1; }
BENCH_JAR=$BENCH_JAR exec java bench/Measure.java
