#!/usr/bin/env bash
# Builds the service's jar from a copy of this tree, so that the work tree's target/ is never touched, and prints the
# jar's path.   bash bench/build.sh DIR [-Pbench]   (-Pbench: the benchmark's jar, with GET /baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/build.sh DIR [-Pbench]}
rm -rf "$DIR"
mkdir -p "$DIR"
tar --exclude=./target --exclude=./.git --exclude=./bench/results -cf - . | tar -xf - -C "$DIR"
# Offline first: quick when the local Maven repository has everything; online otherwise.
(cd "$DIR" && { timeout 900 ./mvnw -B -q -o -DskipTests "${@:2}" package >build.log 2>&1 \
    || timeout 900 ./mvnw -B -q -DskipTests "${@:2}" package >>build.log 2>&1; }) \
    || { echo "[bench] ERROR: the build failed; see $DIR/build.log" >&2; exit 1; }
find "$DIR/target" -maxdepth 2 -name 'replicas-reqcount-*.jar' ! -name '*plain*' | head -1   # target/bench with -Pbench
