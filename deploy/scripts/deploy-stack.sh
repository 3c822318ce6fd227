#!/usr/bin/env bash
# Deploy or update the stack: docker-stack.yml, then the overlays of deploy/stack/ this host and .env choose
# (mesh.yml where the engine has IPVS, else no-ipvs.yml; ha.yml; monitoring.yml). Re-running changes only what changed.
#   bash deploy/scripts/deploy-stack.sh [STACK] [PORT]     Env: .env's settings; image names from .images.env.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REQCOUNT_ROOT"
export STACK_NAME=${1:-${STACK_NAME:-reqcount}} SERVICE_PORT=${2:-${SERVICE_PORT:-8083}}
images_env_load
case "${MONITORING:-false}" in
  true|false) ;;
  *) echo "[deploy] MONITORING must be true or false (got '$MONITORING'): fix it in .env" >&2; exit 2 ;;
esac

# Redis's volume lives on one node: pin Redis to the node labelled for it (this one, at first).
label=reqcount.redis-data
if [ -z "$($DOCKER node ls -q --filter "node.label=$label=true")" ]; then
  echo "[deploy] labelling this node $label=true: Redis and its volume will live here"
  $DOCKER node update --label-add "$label=true" "$($DOCKER info -f '{{.Swarm.NodeID}}')" >/dev/null
fi

# REDIS_HA: a primary, two replicas and three Sentinels (deploy/stack/ha.yml), each Redis on a node of its own.
# auto turns it on when the swarm has at least three nodes: with fewer, one node's loss takes a majority of the
# Sentinels with it, and replicas on the same node as the primary survive no node failure.
ready_nodes=$($DOCKER node ls --format '{{.Status}}' | grep -c '^Ready$' || true)
case "${REDIS_HA:-auto}" in
  auto) if [ "$ready_nodes" -ge 3 ]; then ha=true why="auto: $ready_nodes nodes are ready (3 or more)"
        else ha=false why="auto: $ready_nodes node(s) ready, HA needs 3"; fi ;;
  true) ha=true why="REDIS_HA=true" ;;
  false) ha=false why="REDIS_HA=false" ;;
  *) echo "[deploy] REDIS_HA must be auto, true or false (got '$REDIS_HA'): fix it in .env" >&2; exit 2 ;;
esac
if [ "$ha" = true ]; then
  echo "[deploy] Redis HA on ($why): a primary, two replicas and three Sentinels"
  # One Redis and one Sentinel per label; `redis` (slot 1) stays on the redis-data node. Each other slot goes to
  # a node that holds none yet, else (fewer than 3 nodes) shares this one: process failures only, then.
  for slot in redis-2 redis-3; do
    [ -n "$($DOCKER node ls -q --filter "node.label=reqcount.$slot=true")" ] && continue
    labels='{{index .Spec.Labels "reqcount.redis-data"}}{{index .Spec.Labels "reqcount.redis-2"}}{{index .Spec.Labels "reqcount.redis-3"}}'
    node=$($DOCKER node ls -q | xargs "$DOCKER" node inspect -f "{{.ID}} {{.Status.State}} $labels" |
      awk '$2 == "ready" && NF == 2 { print $1; exit }')
    if [ -z "$node" ]; then
      node=$($DOCKER info -f '{{.Swarm.NodeID}}')
      echo "[deploy] WARNING: no free node for $slot: it shares this node, which then survives no node failure"
    fi
    echo "[deploy] labelling node $($DOCKER node inspect -f '{{.Description.Hostname}}' "$node") reqcount.$slot=true: $slot and its volume live there"
    $DOCKER node update --label-add "reqcount.$slot=true" "$node" >/dev/null
  done
else
  echo "[deploy] Redis HA off ($why): one Redis"
fi

# The edge: the routing mesh where the engine's kernel (not necessarily this one, e.g. Docker Desktop) has IPVS,
# which shows as /proc/net/ip_vs in every network namespace; dockerd loads ip_vs on demand, so try that here too.
case "${EDGE_MODE:-auto}" in
  mesh|no-ipvs) mode=$EDGE_MODE why="set by EDGE_MODE" ;;
  auto) if command -v modprobe >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then modprobe -q ip_vs 2>/dev/null || true; fi
        if $DOCKER run --rm --network none --entrypoint test "${REDIS_IMAGE:-redis:7-alpine}" -e /proc/net/ip_vs 2>/dev/null
        then mode=mesh why="the engine's kernel has IPVS, so Swarm's routing mesh publishes the port"
        else mode=no-ipvs why="the engine's kernel has no IPVS, so no routing mesh or VIPs: dnsrr replicas behind an HAProxy edge in host mode"; fi ;;
  *) echo "[deploy] EDGE_MODE must be auto, mesh or no-ipvs (got '$EDGE_MODE'): fix it in .env" >&2; exit 2 ;;
esac
echo "[deploy] edge $mode: $why"
# Several nodes: each must be able to pull every image, so they go through a registry.
[ "$($DOCKER node ls -q | wc -l)" -le 1 ] || . deploy/scripts/publish-images.sh
bash deploy/scripts/ensure-secrets.sh

# version FILE...: a name for the files' content. Docker configs are immutable, so each is named after it.
version() { cat "$@" | cksum | cut -d' ' -f1; }
REDIS_CONF_VERSION=$(version deploy/redis/users.acl deploy/redis/start.sh)
HA_CFG_VERSION=$(version deploy/redis-ha/*.sh)
HAPROXY_CFG_VERSION=$(version deploy/haproxy/haproxy.cfg)
MONITORING_CFG_VERSION=$(version deploy/monitoring/prometheus.yml deploy/monitoring/alerts.yml deploy/monitoring/prometheus-start.sh)
MONITORING_REDIS_TARGETS=redis
[ "$ha" = false ] || MONITORING_REDIS_TARGETS=redis,redis-2,redis-3
export REDIS_CONF_VERSION HA_CFG_VERSION HAPROXY_CFG_VERSION MONITORING_CFG_VERSION MONITORING_REDIS_TARGETS

# The base, one edge, then what .env adds. Paths in every file resolve from docker-stack.yml's folder.
files=(-c docker-stack.yml -c "deploy/stack/$mode.yml")
[ "$ha" = false ] || files+=(-c deploy/stack/ha.yml)
if [ "${MONITORING:-false}" = true ]; then
  files+=(-c deploy/stack/monitoring.yml)
  if [ -z "${PROMETHEUS_IMAGE:-}" ] || [ -z "${REDIS_EXPORTER_IMAGE:-}" ]; then
    echo "[deploy] MONITORING=true but no PROMETHEUS_IMAGE or REDIS_EXPORTER_IMAGE in .images.env:" \
         "run MONITORING=true bash deploy/scripts/ensure-base-images.sh (start_service.sh does)" >&2
    exit 1
  fi
  echo "[deploy] monitoring on: Prometheus ($PROMETHEUS_IMAGE) and redis_exporter ($REDIS_EXPORTER_IMAGE) for $MONITORING_REDIS_TARGETS"
fi

echo "[deploy] docker stack deploy ${files[*]} $STACK_NAME: port $SERVICE_PORT, ${REPLICAS:-3} replicas, Redis auth ${REDIS_AUTH:-true}, image ${APP_IMAGE:-reqcount/replicas-reqcount:latest}"
# Local images, or images already pinned to a digest: don't ask a registry. --prune drops services no longer in the files.
$DOCKER stack deploy --resolve-image never --prune "${files[@]}" "$STACK_NAME"
