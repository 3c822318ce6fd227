#!/usr/bin/env bash
# Deploy or update the stack. Routing mesh where the engine has IPVS, else dnsrr replicas
# behind an HAProxy edge. Re-running with nothing changed changes nothing.
#   bash scripts/deploy-stack.sh [STACK] [PORT]
# Env (exported by start_service.sh from .env): REPLICAS, REDIS_APPENDFSYNC, REDIS_AUTH,
# REDIS_PASSWORD_FILE, REDIS_ADMIN_PASSWORD_FILE, EDGE_MODE, ...; image names come from .images.env.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REQCOUNT_ROOT"
export STACK_NAME=${1:-${STACK_NAME:-reqcount}} SERVICE_PORT=${2:-${SERVICE_PORT:-8083}}
images_env_load

# Redis's volume lives on one node: pin Redis to the node labelled for it (this one, at first).
label=reqcount.redis-data
if [ -z "$($DOCKER node ls -q --filter "node.label=$label=true")" ]; then
  echo "[deploy] labelling this node $label=true: Redis and its volume will live here"
  $DOCKER node update --label-add "$label=true" "$($DOCKER info -f '{{.Swarm.NodeID}}')" >/dev/null
fi

mode=$(bash scripts/detect-edge-mode.sh)
# Docker configs are immutable: name the HAProxy config after its content.
[ "$mode" = mesh ] || export HAPROXY_CFG_VERSION=$(cksum < haproxy/haproxy.cfg | cut -d' ' -f1)
# Several nodes: each must be able to pull every image, so they go through a registry.
[ "$($DOCKER node ls -q | wc -l)" -le 1 ] || . scripts/publish-images.sh

bash scripts/ensure-secrets.sh
# Configs are immutable too: name Redis's ACL and start script after their content.
export REDIS_CONF_VERSION=$(cat redis/users.acl redis/start.sh | cksum | cut -d' ' -f1)

# docker-stack.yml is the real-host, auth-on default; some of its lines are marked for dropping.
drop=()
[ "$mode" = mesh ] || drop+=(-e '/# routing-mesh only/d')
[ "${REDIS_AUTH:-true}" = true ] || drop+=(-e '/# auth only/d')
files=(-c -)
[ "$mode" = mesh ] || files+=(-c docker-stack.no-ipvs.yml)

echo "[deploy] docker stack deploy $STACK_NAME: mode $mode, port $SERVICE_PORT, ${REPLICAS:-3} replicas, Redis auth ${REDIS_AUTH:-true}, image ${APP_IMAGE:-reqcount/replicas-reqcount:latest}"
# Local images, or images already pinned to a digest: don't ask a registry. --prune drops services no longer in the files.
if [ ${#drop[@]} -eq 0 ]; then cat docker-stack.yml; else sed "${drop[@]}" docker-stack.yml; fi |
  $DOCKER stack deploy --resolve-image never --prune "${files[@]}" "$STACK_NAME"
