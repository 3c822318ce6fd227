#!/usr/bin/env bash
# Print how to publish the service: "mesh" (Swarm routing mesh, needs IPVS in the engine's
# kernel) or "no-ipvs" (dnsrr + HAProxy edge). The reason goes to stderr.
#   bash deploy/scripts/detect-edge-mode.sh      Env: EDGE_MODE=auto|mesh|no-ipvs to decide yourself
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
probe_image=${REDIS_IMAGE:-redis:7-alpine}

case "${EDGE_MODE:-auto}" in
  mesh|no-ipvs) echo "[mode] ${EDGE_MODE}: set by EDGE_MODE" >&2; echo "$EDGE_MODE"; exit 0 ;;
  auto) ;;
  *) echo "[mode] EDGE_MODE must be auto, mesh or no-ipvs (got '$EDGE_MODE')" >&2; exit 2 ;;
esac

# dockerd loads ip_vs on demand; try it here too where we can (harmless if absent).
if command -v modprobe >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then modprobe -q ip_vs 2>/dev/null || true; fi
# Ask the engine's kernel (not necessarily this one, e.g. Docker Desktop): /proc/net/ip_vs
# exists in every network namespace once IPVS is available.
if $DOCKER run --rm --network none --entrypoint test "$probe_image" -e /proc/net/ip_vs 2>/dev/null; then
  echo "[mode] mesh: the engine's kernel has IPVS, so Swarm's routing mesh publishes the port" >&2
  echo mesh
else
  echo "[mode] no-ipvs: the engine's kernel has no IPVS (no /proc/net/ip_vs), so the routing mesh and VIPs can't work;" \
       "using dnsrr replicas behind an HAProxy edge in host mode (deploy/stack/no-ipvs.yml)" >&2
  echo no-ipvs
fi
