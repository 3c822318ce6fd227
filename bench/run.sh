#!/usr/bin/env bash
# The benchmark, in one command: bench/measure.sh runs the services under wrk and writes raw TSV files;
# bench/report.sh computes the medians and writes the markdown table and the plot in bench/results/.
#
#   bash bench/run.sh                     # about 7 minutes on a 2-core machine
#
# The variants and the settings (BENCH_* in the environment) are listed at the top of bench/measure.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/measure.sh
bash bench/report.sh
