# shellcheck shell=bash
# Sourced by start_service.sh, testing_infrastructure.sh and the scripts here: the docker client to use,
# the record of chosen images (.images.env), and the set-up steps that both entry points run.
#   . deploy/scripts/lib.sh

REQCOUNT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The engine's own client is safest for `docker stack` (a newer client may sit earlier on PATH).
DOCKER=${DOCKER:-$(command -v /usr/bin/docker || command -v docker || echo docker)}
IMAGES_ENV=${IMAGES_ENV_FILE:-$REQCOUNT_ROOT/.images.env}

# images_env_set VAR=VALUE...: records image choices in .images.env, replacing earlier values.
images_env_set() {
  local pair
  touch "$IMAGES_ENV"
  for pair; do
    sed -i "/^${pair%%=*}=/d" "$IMAGES_ENV"
    echo "$pair" >> "$IMAGES_ENV"
  done
}

# images_env_load: exports the recorded choices (REDIS_IMAGE, BASE_IMAGE, HAPROXY_IMAGE, APP_IMAGE).
images_env_load() {
  # shellcheck source=/dev/null  # written by ensure-base-images.sh and build-app-image.sh
  if [ -f "$IMAGES_ENV" ]; then set -a; . "$IMAGES_ENV"; set +a; fi
}

# The set-up steps, in order. Each loads what the step before recorded.
setup_engine()      { . "$REQCOUNT_ROOT/deploy/scripts/ensure-docker.sh"; }
setup_jdk()         { bash "$REQCOUNT_ROOT/deploy/scripts/ensure-jdk.sh"; }   # ./mvnw and the java File.java steps
setup_base_images() { bash "$REQCOUNT_ROOT/deploy/scripts/ensure-base-images.sh" && images_env_load; }
setup_app_image()   { bash "$REQCOUNT_ROOT/deploy/scripts/build-app-image.sh" "$@" && images_env_load; }
setup_deploy()      { bash "$REQCOUNT_ROOT/deploy/scripts/deploy-stack.sh" "$@"; }   # STACK PORT
setup_wait()  { DOCKER=$DOCKER java "$REQCOUNT_ROOT/deploy/scripts/StackCheck.java" wait "$@"; }  # STACK PORT [SECONDS]
setup_smoke() { java "$REQCOUNT_ROOT/deploy/scripts/StackCheck.java" smoke "$@"; }            # PORT EXPECTED
# setup_swarm: makes this node a Swarm manager (SWARM_ADVERTISE_ADDR when the host has several addresses).
setup_swarm() {
  case "$($DOCKER info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}')" in
    "active true") echo "[swarm] this node is already a swarm manager" ;;
    active*) echo "[swarm] this node is a swarm worker: run this on a manager node" >&2; return 1 ;;
    *) echo "[swarm] docker swarm init"
       $DOCKER swarm init ${SWARM_ADVERTISE_ADDR:+--advertise-addr "$SWARM_ADVERTISE_ADDR"} >/dev/null || {
         echo "[swarm] swarm init failed: if the host has several addresses, set SWARM_ADVERTISE_ADDR in .env and re-run" >&2
         return 1; } ;;
  esac
}
