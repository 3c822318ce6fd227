#!/usr/bin/env bash
# A test swarm of N Docker engines on this one host: Docker-in-Docker containers reqcount-node-1..N, all
# managers (the swarm keeps its quorum when any one dies), on their own network reqcount-node-net.
#   bash src/test/scripts/test-swarm.sh up [N]    start (or complete) N nodes, default 3; prints the DOCKER_HOST to export
#   bash src/test/scripts/test-swarm.sh status    the nodes, and where each task runs
#   bash src/test/scripts/test-swarm.sh down      remove the nodes, their volumes and their network
# Node 1's engine answers on 127.0.0.1:$TEST_SWARM_DOCKER_PORT (12375); node i's service port is published on
# 127.0.0.1:<18090+i> only. Deploy with SERVICE_PORT=$TEST_SWARM_SERVICE_PORT (18091) so that the deploying
# script's own checks on 127.0.0.1:18091 reach node 1.
# Env: TEST_SWARM_SUBNET (172.30.213.0/24), TEST_SWARM_DOCKER_PORT, TEST_SWARM_SERVICE_PORT.
set -euo pipefail
# The nodes run on this host's engine, whatever DOCKER_HOST says (it may point at node 1 already).
unset DOCKER_HOST
. "$(dirname "${BASH_SOURCE[0]}")/../../deploy/scripts/lib.sh"
cd "$REQCOUNT_ROOT"

prefix=reqcount-node label=reqcount.test-node=true network=reqcount-node-net
subnet=${TEST_SWARM_SUBNET:-172.30.213.0/24}
docker_port=${TEST_SWARM_DOCKER_PORT:-12375} service_port=${TEST_SWARM_SERVICE_PORT:-18091}
node_image=reqcount/dind-standin:20.10
net=${subnet%.*}   # first three octets: node i is $net.$((10 + i))
# Stand-in images node 1 gets from this host's cache, so that nothing is built twice.
seed_images=(reqcount/redis-standin:7 reqcount/jre-standin:25 reqcount/haproxy-standin:2.6 reqcount/registry-standin:2)
# What a nested engine needs where --privileged is refused (measured): every capability but SYS_RESOURCE.
nested=(--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined
        --security-opt systempaths=unconfined -v /sys/fs/cgroup:/sys/fs/cgroup:rw)

on() { local i=$1; shift; $DOCKER exec "$prefix-$i" docker "$@"; }   # on I ARGS...: docker on node I
nodes() { $DOCKER ps -a "$@" --filter "label=$label" --format '{{.Names}}' | grep -E "^$prefix-[0-9]+$" | sort -t- -k3n || true; }

# A node's engine answers within the bound, or we say why it can't start (most often: no nested engines here).
await_engine() {
  local i=$1 t
  for ((t = 0; t < 60; t++)); do
    on "$i" info >/dev/null 2>&1 && return 0
    [ "$($DOCKER inspect -f '{{.State.Running}}' "$prefix-$i")" = true ] || break
    sleep 1
  done
  $DOCKER logs --tail 15 "$prefix-$i" >&2 || true
  echo "[test-swarm] the engine in $prefix-$i did not start (its log is above). This host can't run nested Docker" \
       "engines as configured: the container needs the capabilities in this script (--privileged alone is refused on" \
       "some hosts), cgroups mounted read-write, and a kernel with overlay2. Run it on a host or VM where" \
       "'docker run --cap-add ALL ... $node_image' can start dockerd, then 'bash $0 down' and 'up' again." >&2
  exit 1
}

up() {
  local n=${1:-3} i
  [[ "$n" =~ ^[1-9]$ ]] || { echo "[test-swarm] N must be 1..9 (ports 18091-18099), got '$n'" >&2; exit 2; }
  # The registry stand-in is built here too (alongside, to save time), so that node 1 gets it from the cache.
  bash deploy/scripts/build-standin-image.sh registry & local registry_build=$!
  bash deploy/scripts/build-standin-image.sh dind "$node_image"
  wait "$registry_build"

  if ! $DOCKER network inspect "$network" >/dev/null 2>&1; then
    echo "[test-swarm] creating network $network ($subnet)"
    $DOCKER network create --label "$label" --subnet "$subnet" "$network" >/dev/null ||
      { echo "[test-swarm] cannot create $subnet: it overlaps another network; choose a free one with TEST_SWARM_SUBNET" >&2; exit 1; }
  fi
  for ((i = 1; i <= n; i++)); do
    if $DOCKER inspect "$prefix-$i" >/dev/null 2>&1; then
      echo "[test-swarm] $prefix-$i exists: starting it if stopped"
      $DOCKER start "$prefix-$i" >/dev/null
      continue
    fi
    local port
    for port in $((18090 + i)) $([ "$i" = 1 ] && echo "$docker_port"); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "[test-swarm] 127.0.0.1:$port is already in use: stop what listens there (or set TEST_SWARM_DOCKER_PORT)" >&2
        exit 1
      fi
    done
    echo "[test-swarm] starting $prefix-$i at $net.$((10 + i)), service port 127.0.0.1:$((18090 + i))"
    $DOCKER volume create --label "$label" "$prefix-$i-docker" >/dev/null
    local publish=(-p "127.0.0.1:$((18090 + i)):$service_port")
    [ "$i" = 1 ] && publish+=(-p "127.0.0.1:$docker_port:2375")
    # A killed node leaves pid files behind that stop its engine from starting again: clear them first.
    # Plain TCP for the engine is reachable from this host's loopback and the nodes' own network only.
    $DOCKER run -d --name "$prefix-$i" --hostname "$prefix-$i" --label "$label" --init "${nested[@]}" \
      --network "$network" --ip "$net.$((10 + i))" -v "$prefix-$i-docker:/var/lib/docker" "${publish[@]}" \
      --entrypoint sh "$node_image" -c 'rm -rf /run/docker /run/docker.pid /run/containerd; exec dockerd "$@"' dockerd \
      --host unix:///var/run/docker.sock --host tcp://0.0.0.0:2375 --tls=false \
      --storage-driver overlay2 --insecure-registry "$subnet" >/dev/null || {
        echo "[test-swarm] this host's engine refused to start a nested engine (see above): it needs the options in" \
             "this script; run on a host that allows them, then 'bash $0 down' and 'up' again" >&2; exit 1; }
  done
  for ((i = 1; i <= n; i++)); do await_engine "$i"; done
  echo "[test-swarm] $n engines answer"

  if [ "$(on 1 info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
    echo "[test-swarm] swarm init on $prefix-1"
    on 1 swarm init --advertise-addr "$net.11" >/dev/null
  fi
  local token; token=$(on 1 swarm join-token -q manager)
  for ((i = 2; i <= n; i++)); do
    if [ "$(on "$i" info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
      echo "[test-swarm] $prefix-$i joins as a manager"
      on "$i" swarm join --token "$token" --advertise-addr "$net.$((10 + i))" "$net.11:2377" >/dev/null
    fi
  done

  local image
  for image in "${seed_images[@]}"; do
    if $DOCKER image inspect "$image" >/dev/null 2>&1 && ! on 1 image inspect "$image" >/dev/null 2>&1; then
      echo "[test-swarm] copying $image from this host's cache to $prefix-1"
      $DOCKER save "$image" | $DOCKER exec -i "$prefix-1" docker load -q >/dev/null
    fi
  done
  status
  cat <<EOT
[test-swarm] ready. Deploy the stack onto it with the usual script:
  export DOCKER_HOST=tcp://127.0.0.1:$docker_port
  SERVICE_PORT=$service_port bash start_service.sh
Node i answers on http://127.0.0.1:1809i/ ; remove everything with: bash $0 down
EOT
}

status() {
  local running; running=$(nodes --filter status=running)
  [ -n "$running" ] || { echo "[test-swarm] no node is running (bash $0 up)"; return 0; }
  $DOCKER ps -a --filter "label=$label" --format 'table {{.Names}}\t{{.Status}}\t{{.Ports}}'
  local first=${running%%$'\n'*}
  first=${first##*-}
  on "$first" node ls || { echo "[test-swarm] $prefix-$first is not in a swarm yet: bash $0 up"; return 0; }
  local service
  for service in $(on "$first" service ls -q); do
    on "$first" service ps --filter desired-state=running --format '{{.Node}}\t{{.Name}}\t{{.CurrentState}}' "$service"
  done | sort | awk -F'\t' 'BEGIN { printf "%-16s  %-48s  %s\n", "NODE", "TASK", "STATE" }
                            { printf "%-16s  %-48s  %s\n", $1, $2, $3 }'
}

down() {
  local names; names=$(nodes)
  if [ -n "$names" ]; then
    echo "[test-swarm] removing $(echo $names)"
    # shellcheck disable=SC2086
    $DOCKER rm -f -v $names >/dev/null
  fi
  local volumes; volumes=$($DOCKER volume ls -q --filter "label=$label")
  if [ -n "$volumes" ]; then
    echo "[test-swarm] removing volumes $(echo $volumes)"
    # shellcheck disable=SC2086
    $DOCKER volume rm $volumes >/dev/null
  fi
  if $DOCKER network inspect "$network" >/dev/null 2>&1; then
    echo "[test-swarm] removing network $network"
    $DOCKER network rm "$network" >/dev/null
  fi
  echo "[test-swarm] down"
}

case "${1:-}" in
  up) up "${2:-3}" ;;
  status) status ;;
  down) down ;;
  *) echo "usage: $0 up [N] | status | down" >&2; exit 2 ;;
esac
