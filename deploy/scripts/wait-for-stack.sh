#!/usr/bin/env bash
# Wait, with a bound, until STACK has converged: every service runs all its replicas on
# the current image (Swarm reports a task with a HEALTHCHECK as running only once it is
# healthy), no update is in progress, and the published port answers /cluster (a replica that
# reads Redis: counts nothing; Actuator is not on the published port).
#   bash deploy/scripts/wait-for-stack.sh STACK PORT [SECONDS]     (default 180 s, or STACK_WAIT_SECONDS)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
stack=${1:?usage: $0 STACK PORT [SECONDS]} port=${2:?usage: $0 STACK PORT [SECONDS]}
limit=${3:-${STACK_WAIT_SECONDS:-180}}
start=$SECONDS next_report=$((SECONDS + 10))

# failed_pulls SERVICE IMAGE: node, task and error of each task of IMAGE that a node could not start for want
# of the image. Swarm retries these forever, so they are named at once rather than waited out.
failed_pulls() {
  $DOCKER service ps --no-trunc "$1" --format '{{.Node}}|{{.Name}}|{{.CurrentState}}|{{.Error}}|{{.Image}}' |
    awk -F'|' -v image="$2" '$5 == image && $3 ~ /^(Rejected|Failed)/ && tolower($4) ~ /image|pull|manifest|registry|https/ {
      printf "[wait] node %s could not start task %s: %s\n", $1, $2, $4 }' | sort -u
}

while :; do
  # A service is short while fewer of its tasks run the current spec's image than it wants
  # (this also catches an update that has not started yet), or while an update runs.
  short="" updating=""
  while read -r id name replicas; do
    want=${replicas#*/}; want=${want%% *}
    image=$($DOCKER service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "$id")
    have=$($DOCKER service ps --no-trunc "$id" --filter desired-state=running --format '{{.Image}} {{.CurrentState}}' |
           awk -v image="$image" '$1 == image && $2 == "Running"' | wc -l)
    if [ "$have" != "$want" ]; then
      short+="${short:+, }$name $have/$want"
      failed=$(failed_pulls "$id" "$image")
      if [ -n "$failed" ]; then
        echo "$failed" >&2
        echo "[wait] every node must be able to pull $image: on a multi-node swarm set REGISTRY=host:port to a registry" \
             "all nodes reach (or leave it unset to run one), make every engine trust it (TLS, or insecure-registries" \
             "in /etc/docker/daemon.json), and re-run" >&2
        exit 1
      fi
    fi
    state=$($DOCKER service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$id")
    case "$state" in
      updating|rollback_started) updating+="${updating:+, }$name $state" ;;
      paused|rollback_paused)
        echo "[wait] the update of $name is $state: see docker service ps --no-trunc $name" >&2; exit 1 ;;
    esac
  done < <($DOCKER stack services "$stack" --format '{{.ID}} {{.Name}} {{.Replicas}}')
  ready=no
  curl -fsS --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$port/cluster" 2>/dev/null && ready=yes
  if [ -z "$short$updating" ] && [ "$ready" = yes ]; then
    echo "[wait] $stack converged in $((SECONDS - start))s: all replicas running, port $port ready"
    exit 0
  fi
  if (( SECONDS - start >= limit )); then
    echo "[wait] $stack not ready after ${limit}s (short: ${short:-none}; updating: ${updating:-none}; port ready: $ready)." >&2
    $DOCKER stack ps --no-trunc --format 'table {{.Node}}\t{{.Name}}\t{{.CurrentState}}\t{{.Error}}' "$stack" | head -20 >&2
    echo "[wait] look at 'docker service logs ${stack}_counter' and the tasks above, fix, and re-run" >&2
    exit 1
  fi
  if (( SECONDS >= next_report )); then
    echo "[wait] $((SECONDS - start))s: short: ${short:-none}; updating: ${updating:-none}; port ready: $ready"
    next_report=$((SECONDS + 10))
  fi
  sleep 2
done
