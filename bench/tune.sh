#!/usr/bin/env bash
# Tuning: GET / and its ceiling under one setting at a time, each in a fresh service on loopback (bench/run.sh with
# BENCH_CONTAINER=0), and a table of them in bench/results/tuning.md. About 15 minutes on a 2-core machine.
#
#   bash bench/tune.sh            # every setting below
#   bash bench/tune.sh default in-flight-2
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TMP=$ROOT/bench/results/tmp/tuning
JDK21PLUS=${BENCH_JDK21PLUS:-/usr/lib/jvm/temurin-25-jdk-amd64}

# name | JVM ("" is the default java, 17) | Spring arguments | what it tries. The jar alone runs Spring's 200 Tomcat
# threads; the image sets 32 (SERVER_TOMCAT_THREADS_MAX in the Dockerfile).
SETTINGS=(
    "default||| the jar's defaults: 200 Tomcat threads (the image ships 32), accept count 100, 1 transaction in flight"
    "threads-32||--server.tomcat.threads.max=32| 32 Tomcat threads, as the image ships"
    "in-flight-2||--batch-max-in-flight=2| two transactions in flight"
    "in-flight-4||--batch-max-in-flight=4| four transactions in flight"
    "threads-50||--server.tomcat.threads.max=50| 50 Tomcat threads"
    "threads-400||--server.tomcat.threads.max=400| 400 Tomcat threads"
    "accept-1000||--server.tomcat.accept-count=1000| accept count 1000"
    "jdk25|$JDK21PLUS/bin/java|| Java 25, platform threads"
    "jdk25-virtual|$JDK21PLUS/bin/java|--spring.threads.virtual.enabled=true| Java 25, virtual threads"
)
log() { echo "[tune] $*"; }

mkdir -p "$TMP"
log "building the bench jar once"
JAR=$(bash "$ROOT/bench/build.sh" "$TMP/build" -Pbench)
printf 'name\twhat\n' >"$TMP/settings.tsv"
for entry in "${SETTINGS[@]}"; do
    IFS='|' read -r name java args what <<<"$entry"
    printf '%s\t%s\n' "$name" "$what" >>"$TMP/settings.tsv"
    if (($#)) && [[ " $* " != *" $name "* ]]; then continue; fi
    if [[ -n $java && ! -x $java ]]; then
        log "skipping $name: no $java"
        continue
    fi
    log "$name:$what"
    BENCH_JAR=$JAR BENCH_JAVA=${java:-java} BENCH_APP_ARGS=$args BENCH_OUT="$TMP/$name" BENCH_CONTAINER=0 \
        BENCH_CONNS=${BENCH_CONNS:-"64 256"} BENCH_REPEATS=${BENCH_REPEATS:-3} BENCH_SECONDS=${BENCH_SECONDS:-5} \
        BENCH_C1_SECONDS=2 BENCH_WARMUP_SECONDS=5 BENCH_PER_REQUEST=0 BENCH_REDIS_N=0 \
        bash "$ROOT/bench/run.sh" >"$TMP/$name.log" 2>&1 || { log "$name failed; see $TMP/$name.log"; continue; }
done
# One row per setting that has a result, from this run or an earlier one (each run's summary.tsv and service.tsv).
BENCH_OUT=$ROOT/bench/results bash "$ROOT/bench/report.sh" tuning
log "wrote $ROOT/bench/results/tuning.md"
