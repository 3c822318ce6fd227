#!/usr/bin/env bash
# The service as deployed, one container at a time: startup to ready, warm-up, and memory and throughput
# under load, each variant side by side in one run. Raw figures go to TSV files whose first row names their
# columns, in $BENCH_OUT/tmp/container; bench/report.sh reports them.
#   startup.tsv  variant, rep, ms from `docker run` to readiness UP
#   warmup.tsv   variant, rep, second after ready, req/s in that second (GET / at 64 connections)
#   memory.tsv   variant, rep, req/s and p99 at 64 connections, then the container's memory (docker stats)
#                and the JVM's peak RSS (VmHWM) after the runs
#
#   bash bench/container.sh          # about 15 minutes on a 2-core machine
# Startup variants: plain is `java -jar` with none of our JVM options (no archive, no Spring AOT, no sizing); tuned
# is the image as shipped (its training-run archive, Spring AOT, JAVA_TOOL_OPTIONS and MALLOC_ARENA_MAX).
# Memory variants: MEMORY_VARIANTS below.
# Every container gets the stack's CPU limit (2 CPUs) and talks to a throwaway Redis on a network of its own.
# Settings: BENCH_STARTS 5   BENCH_WARMUP_SECONDS 60 (0 skips)   BENCH_MEM_WARMUP_SECONDS 30   BENCH_MEM_REPEATS 3
#           BENCH_SECONDS 6   BENCH_OUT bench/results
#           BENCH_CONTAINER_JAR (a jar built without -Pbench, as the stack runs it: skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=deploy/scripts/lib.sh
. "$ROOT/deploy/scripts/lib.sh"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

STARTS=${BENCH_STARTS:-5}
WARMUP=${BENCH_WARMUP_SECONDS:-60}
MEM_REPEATS=${BENCH_MEM_REPEATS:-3}
RUN_SECONDS=${BENCH_SECONDS:-6}
OUT=${BENCH_OUT:-$ROOT/bench/results}
WORK=$OUT/tmp/container
LUA=$ROOT/bench/report.lua
NAME=reqcount-bench-c     # every container and the network start with this
NET=$NAME-net
IMAGE_REPO=reqcount/bench-replicas-reqcount
CPUS=2.0
MEM_WARMUP=${BENCH_MEM_WARMUP_SECONDS:-30}
LATE_C2="-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 -XX:Tier4CompileThreshold=150000"

# Startup and warm-up: name | memory limit | JAVA_TOOL_OPTIONS as for MEMORY_VARIANTS. plain and tuned are the
# two that the target compares; plain gets the old 512M limit, as at 256M its default sizing stopped answering
# 37 s into the warm-up's load in a trial. tuned-late-c2 (C2 only for methods called 10 times as often as by
# default) was tried: it starts a little faster and reaches a lower steady state, so it is not shipped.
START_VARIANTS=(
    "plain|512m|plain"
    "tuned|256m|image"
    "tuned-late-c2|256m|shipped $LATE_C2"
)

# name | memory limit | JAVA_TOOL_OPTIONS ("image" keeps the image's; "shipped ..." adds to them) | environment
# (VAR=value sets, -VAR unsets). The first is the reference that the others' throughput is held against:
# the settings before this round (75% heap of a 512M limit, the JVM's own choices for the rest).
# The others change one thing each from the image as shipped, to show what that thing is worth.
MEMORY_VARIANTS=(
    "before|512m|-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError|-MALLOC_ARENA_MAX"
    "shipped|256m|image|"
    "shipped-archive-relocated|256m|shipped -XX:ArchiveRelocationMode=1|"
    "shipped-default-malloc|256m|image|-MALLOC_ARENA_MAX"
    "shipped-c1-only|256m|shipped -XX:TieredStopAtLevel=1|"
    "shipped-tomcat-200-threads|256m|image|SERVER_TOMCAT_THREADS_MAX=200"
)

log() { echo "[container] $*"; }
die() { echo "[container] ERROR: $*" >&2; exit 1; }
bench_tools wrk=wrk curl=curl jq=jq

cleanup() {
    local ids
    ids=$($DOCKER ps -aq --filter "name=^$NAME-") || true
    # shellcheck disable=SC2086 # one word per container id
    [[ -z $ids ]] || $DOCKER rm -f $ids >/dev/null 2>&1 || true
    $DOCKER network rm "$NET" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
rm -rf "$WORK"
mkdir -p "$WORK"

# --- the image: built from the jar on the recorded base image, under a tag of its own ---------------------
images_env_load
[[ -n ${BASE_IMAGE:-} && -n ${REDIS_IMAGE:-} ]] || die "no base images recorded: run bash deploy/scripts/ensure-base-images.sh"
# The jar as shipped: no bench code in the image.
JAR=${BENCH_CONTAINER_JAR:-$(bash "$ROOT/bench/build.sh" "$WORK/build")}
log "building $IMAGE_REPO on $BASE_IMAGE (the training run is part of the build)"
IMAGES_ENV_FILE=$WORK/images.env APP_IMAGE_REPO=$IMAGE_REPO bash "$ROOT/deploy/scripts/build-app-image.sh" "$JAR" >/dev/null
IMAGE=$(IMAGES_ENV_FILE=$WORK/images.env bash -c '. deploy/scripts/lib.sh; images_env_load; echo "$APP_IMAGE"')
SHIPPED_OPTS=$($DOCKER image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" | sed -n 's/^JAVA_TOOL_OPTIONS=//p')

$DOCKER network create "$NET" >/dev/null
$DOCKER run -d --name "$NAME-redis" --network "$NET" "$REDIS_IMAGE" >/dev/null
ip_of() { $DOCKER inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$1"; }

# run_app NAME LIMIT OPTS ENV...: starts a replica and waits until it is ready; prints ms from `docker run`. OPTS and ENV
# as in MEMORY_VARIANTS; "plain" runs `java -jar` with no JVM options and no MALLOC_ARENA_MAX.
run_app() {
    local name=$1 limit=$2 opts=$3 t0 ip args=() unset=() cmd=()
    shift 3
    case $opts in
        plain) unset=(-u JAVA_TOOL_OPTIONS -u MALLOC_ARENA_MAX) ;;
        image) ;;
        shipped\ *) args=(-e "JAVA_TOOL_OPTIONS=$SHIPPED_OPTS ${opts#shipped }") ;;
        *) args=(-e "JAVA_TOOL_OPTIONS=$opts") ;;
    esac
    local e i
    for e in "$@"; do
        if [[ $e == -* ]]; then unset+=(-u "${e#-}"); else args+=(-e "$e"); fi
    done
    if ((${#unset[@]})); then
        args+=(--entrypoint env)
        if [[ $opts == plain ]]; then cmd=("${unset[@]}" java -jar application.jar)
        else cmd=("${unset[@]}" java @jvm.args -jar application.jar); fi
    fi
    t0=$(date +%s%N)
    $DOCKER run -d --name "$name" --network "$NET" --cpus "$CPUS" --memory "$limit" \
        -e CONTAINER_DB_HOST="$NAME-redis" -e INSTANCE_NAME="$name" "${args[@]}" "$IMAGE" "${cmd[@]}" >/dev/null
    ip=$(ip_of "$name")
    for i in $(seq 1 2400); do
        curl -sf --max-time 1 "http://$ip:8081/actuator/health/readiness" 2>/dev/null | grep -q UP && break
        # The docker CLI costs CPU of its own: ask it once a second only.
        if ((i % 40 == 0)) && [[ $($DOCKER inspect -f '{{.State.Running}}' "$name") != true ]]; then
            $DOCKER logs --tail 20 "$name" >&2 || true
            die "$name exited (its last log lines are above; exit code $($DOCKER inspect -f '{{.State.ExitCode}} OOMKilled={{.State.OOMKilled}}' "$name"))"
        fi
        sleep 0.025
    done
    curl -sf --max-time 1 "http://$ip:8081/actuator/health/readiness" | grep -q UP || die "$name not ready in two minutes"
    echo $((($(date +%s%N) - t0) / 1000000))
}

# gone NAME: a run gave no figures; says whether the container is still there, and how it ended if not
gone() {
    die "no figures from wrk against $1: $($DOCKER inspect -f 'running={{.State.Running}} exit={{.State.ExitCode}} OOMKilled={{.State.OOMKilled}}' "$1" 2>&1)"
}

# wrk_line CONNS SECONDS URL: "req/s p99_ms" from report.lua's line
wrk_line() {
    timeout $(($2 + 60)) wrk -t2 -c"$1" -d"$2"s -s "$LUA" "$3" | wrk_figures | awk '{ print $1, $3 }'
}

# --- startup to ready: START_VARIANTS, alternating ------------------------------------------------------
printf 'variant\trep\tms\n' >"$WORK/startup.tsv"
for rep in $(seq 1 "$STARTS"); do
    for entry in "${START_VARIANTS[@]}"; do
        IFS='|' read -r v limit opts <<<"$entry"
        ms=$(run_app "$NAME-start" "$limit" "$opts")
        $DOCKER rm -f "$NAME-start" >/dev/null
        printf '%s\t%s\t%s\n' "$v" "$rep" "$ms" >>"$WORK/startup.tsv"
        log "startup $v rep $rep: $ms ms"
    done
done

# --- warm-up: req/s in each second after ready, at 64 connections ----------------------------------------
printf 'variant\trep\tsecond\trps\n' >"$WORK/warmup.tsv"
if ((WARMUP > 0)); then
    for entry in "${START_VARIANTS[@]}"; do
        IFS='|' read -r v limit opts <<<"$entry"
        run_app "$NAME-warm" "$limit" "$opts" >/dev/null
        ip=$(ip_of "$NAME-warm")
        for s in $(seq 1 "$WARMUP"); do
            read -r rps _ < <(wrk_line 64 1 "http://$ip:8083/") || gone "$NAME-warm"
            printf '%s\t1\t%s\t%s\n' "$v" "$s" "$rps" >>"$WORK/warmup.tsv"
        done
        $DOCKER rm -f "$NAME-warm" >/dev/null
        log "warm-up $v: $(awk -F'\t' -v v="$v" '$1 == v { printf "%s ", $4 }' "$WORK/warmup.tsv")"
    done
fi

# --- memory and throughput under load: every variant at once, measured in turn -------------------------
printf 'variant\trep\trps\tp99_ms\tlimit\tmem_mib\tvmhwm_mib\n' >"$WORK/memory.tsv"
for entry in "${MEMORY_VARIANTS[@]}"; do
    IFS='|' read -r v limit opts env <<<"$entry"
    # shellcheck disable=SC2086 # env is a word list
    ms=$(run_app "$NAME-m-$v" "$limit" "$opts" $env)
    ip=$(ip_of "$NAME-m-$v")
    wrk_line 64 "$MEM_WARMUP" "http://$ip:8083/" >/dev/null
    log "memory variant $v ready in $ms ms, warmed up for ${MEM_WARMUP}s"
done
for rep in $(seq 1 "$MEM_REPEATS"); do
    for entry in "${MEMORY_VARIANTS[@]}"; do
        IFS='|' read -r v limit _ <<<"$entry"
        read -r rps p99 < <(wrk_line 64 "$RUN_SECONDS" "http://$(ip_of "$NAME-m-$v"):8083/") || gone "$NAME-m-$v"
        printf '%s\t%s\t%s\t%s\t%s\t\t\n' "$v" "$rep" "$rps" "$p99" "$limit" >>"$WORK/memory.tsv"
        log "memory variant $v rep $rep: $rps req/s, p99 $p99 ms"
    done
done
# After the 64-connection runs: the container's memory as docker stats shows it, and the JVM's peak RSS.
for entry in "${MEMORY_VARIANTS[@]}"; do
    IFS='|' read -r v limit _ <<<"$entry"
    mem=$($DOCKER stats --no-stream --format '{{.MemUsage}}' "$NAME-m-$v" | awk '{ v = $1; u = v; gsub(/[0-9.]/, "", u); sub(/[A-Za-z]+$/, "", v)
        f = u == "GiB" ? 1024 : u == "KiB" ? 1 / 1024 : u == "B" ? 1 / 1048576 : 1; printf "%.0f", v * f }')
    pid=$($DOCKER inspect -f '{{.State.Pid}}' "$NAME-m-$v")
    hwm=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
    printf '%s\tafter\t\t\t%s\t%s\t%s\n' "$v" "$limit" "$mem" "$hwm" >>"$WORK/memory.tsv"
    log "memory variant $v: $mem MiB in docker stats (limit $limit), VmHWM $hwm MiB"
done
printf 'key\tvalue\ncpus\t%s\nimage\t%s\nbase_image\t%s\njava\t%s\n' "$CPUS" "$IMAGE" "$BASE_IMAGE" \
    "$($DOCKER run --rm --entrypoint env "$IMAGE" -u JAVA_TOOL_OPTIONS java -version 2>&1 | head -1)" >"$WORK/meta.tsv"
log "wrote $WORK/startup.tsv, warmup.tsv, memory.tsv and meta.tsv"
