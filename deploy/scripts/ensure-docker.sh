#!/usr/bin/env bash
# Make sure a Docker engine answers. On Debian/Ubuntu without one, install Debian's docker.io (and mmdebstrap for
# the offline stand-in images) and start dockerd by hand when there is no systemd.
#   bash deploy/scripts/ensure-docker.sh     # prints the environment Testcontainers needs
#   source deploy/scripts/ensure-docker.sh   # also exports it, plus DOCKER (client to use)
set -euo pipefail

ensure_docker_main() {
  local log=${DOCKERD_LOG:-/var/log/dockerd.log} wait_s=${DOCKERD_WAIT_SECONDS:-60} sudo="" i
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The engine's own client is safest for `docker stack` (a newer client may sit earlier on PATH).
  if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

  if [ -S /var/run/docker.sock ] && [ ! -w /var/run/docker.sock ]; then
    echo "[docker] no permission on /var/run/docker.sock: add yourself to the docker group (then log in again), or use sudo" >&2
    return 1
  fi
  if ! $DOCKER info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null 2>&1 || ! command -v mmdebstrap >/dev/null 2>&1; then
      command -v apt-get >/dev/null 2>&1 || { echo "[docker] no Docker engine and no apt-get: install Docker Engine" \
        "(https://docs.docker.com/engine/install/) and start it, then re-run." >&2; return 1; }
      echo "[docker] installing Debian's docker.io and mmdebstrap with apt-get"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker.io mmdebstrap >/dev/null
      [ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker
    fi
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      echo "[docker] starting docker with systemctl"
      $sudo systemctl start docker
    elif ! pgrep -x dockerd >/dev/null 2>&1; then
      # No userland proxy: a client on this host reaches a published port through the kernel's NAT, as a remote
      # client does, instead of through a docker-proxy process per port that copies every byte.
      echo "[docker] no systemd: starting dockerd in the background, without the userland proxy (log: $log)"
      $sudo sh -c "nohup setsid dockerd --userland-proxy=false >>'$log' 2>&1 </dev/null &"
    fi
    for ((i = 0; i < wait_s; i++)); do $DOCKER info >/dev/null 2>&1 && break; sleep 1; done
    $DOCKER info >/dev/null 2>&1 || { echo "[docker] the engine did not answer within ${wait_s}s: see $log" \
      "(or 'journalctl -u docker'), fix it, and re-run." >&2; return 1; }
  fi
  echo "[docker] engine answers ($($DOCKER version --format '{{.Server.Version}}' 2>/dev/null)); client for stack commands: DOCKER=$DOCKER"

  # Testcontainers: Ryuk's image can't be pulled offline, and inside a container (/.dockerenv) it would
  # otherwise pull alpine to find the gateway.
  export DOCKER TESTCONTAINERS_RYUK_DISABLED=true
  if [ -e /.dockerenv ]; then export TESTCONTAINERS_HOST_OVERRIDE=localhost; fi
  echo "[docker] Testcontainers: export TESTCONTAINERS_RYUK_DISABLED=true${TESTCONTAINERS_HOST_OVERRIDE:+ TESTCONTAINERS_HOST_OVERRIDE=$TESTCONTAINERS_HOST_OVERRIDE}"
}

ensure_docker_main
