#!/usr/bin/env bash
# Make this node a Swarm manager: `docker swarm init` unless it already is one.
#   bash deploy/scripts/ensure-swarm.sh      Env: SWARM_ADVERTISE_ADDR (when the host has several addresses)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

state=$($DOCKER info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}')
case "$state" in
  "active true") echo "[swarm] this node is already a swarm manager" ;;
  active*) echo "[swarm] this node is a swarm worker: run this on a manager node" >&2; exit 1 ;;
  *)
    echo "[swarm] docker swarm init"
    $DOCKER swarm init ${SWARM_ADVERTISE_ADDR:+--advertise-addr "$SWARM_ADVERTISE_ADDR"} >/dev/null || {
      echo "[swarm] swarm init failed: if the host has several addresses, set SWARM_ADVERTISE_ADDR in .env and re-run" >&2
      exit 1; } ;;
esac
