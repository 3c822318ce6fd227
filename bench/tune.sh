#!/usr/bin/env bash
# Tuning: GET / and its ceiling under one setting at a time, each in a fresh service, and a table of
# them in bench/results/tuning.md. About 15 minutes on a 2-core machine.
#
#   bash bench/tune.sh            # every setting below
#   bash bench/tune.sh default in-flight-1
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/bench/lib.sh"
TMP=$ROOT/bench/results/tmp/tuning
JDK21PLUS=${BENCH_JDK21PLUS:-/usr/lib/jvm/temurin-25-jdk-amd64}

# name | JVM ("" is the default java, 17) | Spring arguments | what it tries
SETTINGS=(
    "default||| as shipped: 200 Tomcat threads, accept count 100, 1 transaction in flight"
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
log "building the jar once"
JAR=$(bash "$ROOT/bench/build.sh" "$TMP/build")

chosen=("$@")
for entry in "${SETTINGS[@]}"; do
    IFS='|' read -r name java args what <<<"$entry"
    if ((${#chosen[@]})) && [[ " ${chosen[*]} " != *" $name "* ]]; then continue; fi
    if [[ -n $java && ! -x $java ]]; then
        log "skipping $name: no $java"
        continue
    fi
    log "$name:$what"
    BENCH_JAR=$JAR BENCH_JAVA=${java:-java} BENCH_APP_ARGS=$args BENCH_OUT="$TMP/$name" \
        BENCH_CONNS=${BENCH_CONNS:-"64 256"} BENCH_REPEATS=${BENCH_REPEATS:-3} BENCH_SECONDS=${BENCH_SECONDS:-5} \
        BENCH_C1_SECONDS=2 BENCH_WARMUP_SECONDS=5 BENCH_PER_REQUEST=0 BENCH_REDIS_N=0 \
        bash "$ROOT/bench/run.sh" >"$TMP/$name.log" 2>&1 || { log "$name failed; see $TMP/$name.log"; continue; }
done

# One row per setting, from each run's summary.tsv and service.tsv (bench/summary.awk names the columns).
fig() { tsv_get "$TMP/$1/tmp/run/summary.tsv" "$4" variant="$2" conns="$3"; } # fig SETTING VARIANT CONNS COLUMN
OUT=$ROOT/bench/results/tuning.md
{
    echo "# Tuning: one setting at a time"
    echo
    echo "Written by \`bash bench/tune.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores. Each setting in a fresh"
    echo "service; medians of ${BENCH_REPEATS:-3} runs of ${BENCH_SECONDS:-5}s. *of ceiling* is against /baseline in the same"
    echo "process, so it holds across runs better than req/s does on a shared machine."
    echo
    echo "| Setting | req/s @64 | of ceiling @64 | p99 ms @64 | Redis cmds/req @64 | req per tx @64 | req/s @256 | of ceiling @256 | p99 ms @256 | p50 ms @1 | peak RSS | others' CPU @64 |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    # Every setting that has a result, from this run or an earlier one.
    for entry in "${SETTINGS[@]}"; do
        IFS='|' read -r name _ _ what <<<"$entry"
        [[ -f $TMP/$name/tmp/run/summary.tsv ]] || continue
        rss=$(tsv_get "$TMP/$name/tmp/run/service.tsv" vmhwm_mb variant=group)
        echo "| $name:$what | $(fig "$name" group 64 rps) | $(fig "$name" group 64 of_ceiling_pct)% |" \
            "$(fig "$name" group 64 p99_ms) | $(fig "$name" group 64 cmds_per_req) | $(fig "$name" group 64 req_per_tx) |" \
            "$(fig "$name" group 256 rps) | $(fig "$name" group 256 of_ceiling_pct)% | $(fig "$name" group 256 p99_ms) |" \
            "$(fig "$name" group 1 p50_ms) | $rss MB | $(fig "$name" group 64 others_cpu_pct)% |"
    done
} >"$OUT"
cat "$OUT"
log "wrote $OUT"
