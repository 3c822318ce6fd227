#!/usr/bin/env bash
# Decide, per base image, what the stack uses: a local image, a pulled upstream image, or an offline stand-in built
# from Debian packages, and record it in .images.env for the other scripts.
#   bash deploy/scripts/ensure-base-images.sh [VAR...]   (default REDIS_IMAGE BASE_IMAGE HAPROXY_IMAGE, and with
#     MONITORING=true PROMETHEUS_IMAGE REDIS_EXPORTER_IMAGE; REGISTRY_IMAGE for a multi-node swarm)
# Env: USE_STANDIN_IMAGES=auto (local, else pull, else stand-in) | always | never; each VAR to choose another
#      upstream image; PULL_TIMEOUT (s).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REQCOUNT_ROOT"

mode=${USE_STANDIN_IMAGES:-auto}
pull_ok=1   # after one failed pull, don't wait on the registry again

# pick VAR UPSTREAM STANDIN_KIND STANDIN_TAG: sets VAR to the image to use.
pick() {
  local var=$1 upstream=${!1:-$2} kind=$3 standin=$4 chosen=""
  case "$mode" in
    always) ;;
    auto|never)
      if $DOCKER image inspect "$upstream" >/dev/null 2>&1; then
        chosen=$upstream; echo "[images] $var=$upstream (found locally)"
      elif [ "$pull_ok" = 1 ] && timeout "${PULL_TIMEOUT:-60}" "$DOCKER" pull -q "$upstream" >/dev/null 2>&1; then
        chosen=$upstream; echo "[images] $var=$upstream (pulled)"
      else
        pull_ok=0
        if [ "$mode" = never ]; then
          echo "[images] cannot get $upstream (pull failed) and USE_STANDIN_IMAGES=never: pull or load it, or set USE_STANDIN_IMAGES=auto" >&2
          exit 1
        fi
        echo "[images] $upstream not local and pull failed: using the offline stand-in"
      fi ;;
    *) echo "[images] USE_STANDIN_IMAGES must be auto, always or never (got '$mode')" >&2; exit 2 ;;
  esac
  if [ -z "$chosen" ]; then
    bash deploy/scripts/build-standin-image.sh "$kind" "$standin"
    chosen=$standin; echo "[images] $var=$standin (stand-in)"
  fi
  printf -v "$var" '%s' "$chosen"
}

vars=("$@")
if [ $# -eq 0 ]; then
  vars=(REDIS_IMAGE BASE_IMAGE HAPROXY_IMAGE)
  [ "${MONITORING:-false}" != true ] || vars+=(PROMETHEUS_IMAGE REDIS_EXPORTER_IMAGE)
fi
chosen=()
for var in "${vars[@]}"; do
  case "$var" in
    REDIS_IMAGE)    pick REDIS_IMAGE    redis:7-alpine         redis    reqcount/redis-standin:7 ;;
    BASE_IMAGE)     pick BASE_IMAGE     eclipse-temurin:25-jre jre      reqcount/jre-standin:25 ;;
    HAPROXY_IMAGE)  pick HAPROXY_IMAGE  haproxy:lts-alpine     haproxy  reqcount/haproxy-standin:2.6 ;;
    REGISTRY_IMAGE) pick REGISTRY_IMAGE registry:2             registry reqcount/registry-standin:2 ;;
    PROMETHEUS_IMAGE)     pick PROMETHEUS_IMAGE     prom/prometheus:v2.53.4      prometheus     reqcount/prometheus-standin:2.42 ;;
    REDIS_EXPORTER_IMAGE) pick REDIS_EXPORTER_IMAGE oliver006/redis_exporter:alpine redis-exporter reqcount/redis-exporter-standin:1.45 ;;
    *) echo "[images] unknown image variable '$var'" >&2; exit 2 ;;
  esac
  chosen+=("$var=${!var}")
done
images_env_set "${chosen[@]}"
echo "[images] wrote ${IMAGES_ENV#"$REQCOUNT_ROOT"/}"
