# shellcheck shell=bash disable=SC2154  # mode: set by deploy-stack.sh, which sources this
# Sourced by deploy-stack.sh when the swarm has more than one node. An image built or loaded here exists on this
# node only, so every image the stack runs is pushed to a registry that all nodes can pull from, and APP_IMAGE,
# REDIS_IMAGE and HAPROXY_IMAGE (with MONITORING=true also PROMETHEUS_IMAGE and REDIS_EXPORTER_IMAGE) are re-pointed
# at the pushed digests: the stack names exactly what was pushed, and an unchanged image redeploys as a no-op.
# Env: REGISTRY=host:port to use your registry. Without it, a registry service runs on this manager
# (service reqcount-registry, volume reqcount-registry-data, port REGISTRY_PORT or 5000).

# ensure_registry_service: runs the registry service if it is missing, and sets REGISTRY to the address nodes use.
ensure_registry_service() {
  local service=reqcount-registry port=${REGISTRY_PORT:-5000} publish
  if [ "$mode" = mesh ]; then
    # The routing mesh answers on every node's loopback, which engines trust without TLS.
    REGISTRY=127.0.0.1:$port publish="published=$port,target=5000"
  else
    # No mesh: the nodes reach this node's address, which their engines must trust (insecure-registries or TLS).
    REGISTRY=$($DOCKER info -f '{{.Swarm.NodeAddr}}'):$port publish="mode=host,published=$port,target=5000"
  fi
  if ! $DOCKER service inspect "$service" >/dev/null 2>&1; then
    bash deploy/scripts/ensure-base-images.sh REGISTRY_IMAGE
    images_env_load
    echo "[registry] no REGISTRY set: starting service $service ($REGISTRY_IMAGE) on this node, data in volume reqcount-registry-data"
    $DOCKER service create -d -q --name "$service" --no-resolve-image --publish "$publish" \
      --constraint "node.id==$($DOCKER info -f '{{.Swarm.NodeID}}')" \
      --mount type=volume,source=reqcount-registry-data,target=/var/lib/registry "$REGISTRY_IMAGE" >/dev/null
  fi
  local t
  for ((t = 0; t < 60; t++)); do
    $DOCKER service ps "$service" --filter desired-state=running --format '{{.CurrentState}}' | grep -q '^Running' && break
    sleep 1
  done
  ((t < 60)) || { $DOCKER service ps --no-trunc "$service" >&2
    echo "[registry] the registry service $service did not start within 60 s (tasks above): fix it, or set REGISTRY=host:port" >&2; exit 1; }
  echo "[registry] using the registry service $service at $REGISTRY"
  [ "$mode" = mesh ] || echo "[registry] every node's engine must trust $REGISTRY: \"insecure-registries\": [\"$REGISTRY\"]" \
    "in /etc/docker/daemon.json (then restart dockerd), or give the registry TLS"
}

# push_pinned VAR: pushes the image VAR names to REGISTRY and sets VAR to REGISTRY/name:tag@digest.
push_pinned() {
  local var=$1 source=${!1:-} target digest log
  [ -n "$source" ] || { echo "[registry] $var is not set: run deploy/scripts/ensure-base-images.sh and deploy/scripts/build-app-image.sh first" >&2; exit 1; }
  [[ "$source" == *@sha256:* ]] && return 0   # already pinned
  target=$REGISTRY/$source
  [[ "${source%%/*}" == *[.:]* ]] && target=$REGISTRY/${source#*/}   # drop another registry's host
  $DOCKER tag "$source" "$target"
  log=$(mktemp)
  if ! timeout "${PUSH_TIMEOUT:-180}" "$DOCKER" push -q "$target" >"$log" 2>&1; then
    tail -3 "$log" >&2; rm -f "$log"
    echo "[registry] cannot push $target (error above). Check that REGISTRY=$REGISTRY answers from this node" \
         "(curl http://$REGISTRY/v2/) and that this engine trusts it (TLS, or \"insecure-registries\": [\"$REGISTRY\"]" \
         "in /etc/docker/daemon.json); or unset REGISTRY and let this script run one." >&2
    exit 1
  fi
  rm -f "$log"
  digest=$($DOCKER image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$target" | grep -m1 "^${target%:*}@")
  printf -v "$var" '%s' "$target@${digest#*@}"
  export "${var?}"
  echo "[registry] $var=${!var}"
}

[ -n "${REGISTRY:-}" ] || ensure_registry_service
push_pinned APP_IMAGE
push_pinned REDIS_IMAGE
[ "$mode" = mesh ] || push_pinned HAPROXY_IMAGE
if [ "${MONITORING:-false}" = true ]; then push_pinned PROMETHEUS_IMAGE; push_pinned REDIS_EXPORTER_IMAGE; fi
