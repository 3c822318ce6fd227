#!/usr/bin/env bash
# Reporting, the second half of bench/run.sh: bench/Report.java reads what bench/measure.sh and bench/container.sh
# wrote (in $BENCH_OUT/tmp/run and tmp/container) and writes the medians (tmp/run/summary.tsv), the markdown
# reports bench/results/latest.md and container.md, the plot throughput.png and a copy of the raw figures.
#   bash bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools javac=openjdk-17-jdk-headless gnuplot=gnuplot-nox
java bench/Report.java run "${BENCH_OUT:-bench/results}"
