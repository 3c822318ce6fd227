#!/usr/bin/env bash
# Curl the published port until EXPECTED different replicas have answered (bounded), and
# show the answers. Exits non-zero if a request fails or not all replicas answered.
#   bash deploy/scripts/smoke-test.sh PORT EXPECTED [MAX_REQUESTS]      (default 30 requests)
set -euo pipefail
port=${1:?usage: $0 PORT EXPECTED [MAX_REQUESTS]} expected=${2:?usage: $0 PORT EXPECTED [MAX_REQUESTS]}
max=${3:-30}
declare -A seen=()

for ((i = 1; i <= max; i++)); do
  if ! reply=$(curl -fsS --noproxy '*' --max-time 5 "http://127.0.0.1:$port/"); then
    echo "[smoke] request $i to 127.0.0.1:$port failed: see docker service logs, then re-run" >&2
    exit 1
  fi
  echo "  $(tr '\n' ' ' <<<"$reply")"
  instance=$(sed -n 's/^You are talking to instance \(.*\)\.$/\1/p' <<<"$reply")
  seen[$instance]=1
  # Show at least two rounds, then stop once every replica has answered.
  (( i >= 2 * expected && ${#seen[@]} >= expected )) && break
  sleep 0.2
done
echo "[smoke] $((i > max ? max : i)) requests answered by ${#seen[@]} of $expected replicas: ${!seen[*]}"
(( ${#seen[@]} >= expected )) || { echo "[smoke] not every replica answered: check 'docker service ps' and the edge" >&2; exit 1; }
