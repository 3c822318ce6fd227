#!/usr/bin/env bash
# The benchmark, in one command: bench/measure.sh runs the services on loopback under wrk, bench/container.sh
# runs the image as deployed (startup, warm-up, memory), and bench/stack.sh measures a stack of its own that this
# script deploys on the swarm (the published port against one replica, rolling updates, scale-outs) and removes
# afterwards; each writes raw TSV files, and bench/report.sh computes the medians and writes the markdown report
# and the plot in bench/results/.
#
#   bash bench/run.sh                     # about 35 minutes on a 2-core machine
#   BENCH_CONTAINER=0 bash bench/run.sh   # loopback only: no Docker needed, about 9 minutes
#   BENCH_STACK=0 bash bench/run.sh       # no stack: loopback and container only
#
# The benchmark's stack is BENCH_STACK_NAME (reqcount-bench) on port BENCH_STACK_PORT (18383, apart from the
# end-to-end stack's 18083), with the settings of .env otherwise; a stack of that name is replaced, counts and all.
# The variants and settings (BENCH_* in the environment) are listed at the top of each script.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/results}
bash bench/measure.sh
if [ "${BENCH_CONTAINER:-1}" = 1 ]; then
  bash deploy/scripts/ensure-docker.sh >/dev/null && bash deploy/scripts/ensure-base-images.sh >/dev/null
  bash bench/container.sh
else
  rm -rf "$OUT/tmp/container"
  echo "[bench] BENCH_CONTAINER=0: no container figures in this report"
fi
if [ "${BENCH_STACK:-${BENCH_CONTAINER:-1}}" = 1 ]; then
  (
    # shellcheck source=deploy/scripts/lib.sh
    . deploy/scripts/lib.sh
    # shellcheck source=/dev/null
    if [ -f .env ]; then environment=$(export -p); set -a; . ./.env; set +a; eval "$environment"; fi
    # The image under a name of its own, so that the shared reqcount/replicas-reqcount tags stay as they are.
    export STACK_NAME=${BENCH_STACK_NAME:-reqcount-bench} SERVICE_PORT=${BENCH_STACK_PORT:-18383} APP_IMAGE_REPO=reqcount/bench-replicas-reqcount
    remove() {
      echo "[bench] removing stack $STACK_NAME and its Redis volume"
      $DOCKER stack rm "$STACK_NAME" >/dev/null || true
      for _ in $(seq 1 60); do   # the volume is in use until Redis has stopped
        $DOCKER volume rm "${STACK_NAME}_redis-data" >/dev/null 2>&1 && break
        $DOCKER volume inspect "${STACK_NAME}_redis-data" >/dev/null 2>&1 || break
        sleep 1
      done
      for _ in $(seq 1 30); do   # and its network, before a stack of the same name is deployed again
        [ -z "$($DOCKER network ls -q --filter "name=${STACK_NAME}_backend")" ] && break
        sleep 1
      done
    }
    if $DOCKER stack ls --format '{{.Name}}' | grep -qx "$STACK_NAME"; then remove; fi
    trap remove EXIT
    echo "[bench] deploying stack $STACK_NAME on port $SERVICE_PORT"
    # shellcheck disable=SC2119 # setup_app_image builds the jar itself when given none
    setup_swarm >/dev/null && setup_app_image >/dev/null && setup_deploy "$STACK_NAME" "$SERVICE_PORT" >/dev/null
    setup_wait "$STACK_NAME" "$SERVICE_PORT"
    bash bench/stack.sh
  )
else
  rm -rf "$OUT/tmp/stack"
  echo "[bench] BENCH_STACK=0: no stack figures in this report"
fi
bash bench/report.sh
