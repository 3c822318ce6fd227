#!/usr/bin/env bash
# The benchmark, in one command: bench/measure.sh runs the services on loopback under wrk, bench/container.sh
# runs the image as deployed (startup, warm-up, memory), both writing raw TSV files; bench/report.sh computes
# the medians and writes the markdown report and the plot in bench/results/.
#
#   bash bench/run.sh                     # about 20 minutes on a 2-core machine
#   BENCH_CONTAINER=0 bash bench/run.sh   # loopback only: no Docker needed, about 9 minutes
#
# The variants and settings (BENCH_* in the environment) are listed at the top of each script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/measure.sh
if [ "${BENCH_CONTAINER:-1}" = 1 ]; then
  bash scripts/ensure-docker.sh >/dev/null && bash scripts/ensure-base-images.sh >/dev/null
  bash bench/container.sh
else
  rm -rf "${BENCH_OUT:-bench/results}/tmp/container"
  echo "[bench] BENCH_CONTAINER=0: no container figures in this report"
fi
bash bench/report.sh
