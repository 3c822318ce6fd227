#!/usr/bin/env bash
# Reach the stack's Prometheus UI, which the stack never publishes: a forwarder container (the edge's HAProxy
# image) on the stack's network, published on this host's loopback only. From another machine, tunnel to it:
#   ssh -L 9090:127.0.0.1:9090 <this host>       then open http://127.0.0.1:9090/
#   bash deploy/scripts/prometheus-ui.sh [start|stop] [STACK] [PORT]     (defaults: start, STACK_NAME or reqcount, 9090)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
images_env_load
action=${1:-start} stack=${2:-${STACK_NAME:-reqcount}} port=${3:-${PROMETHEUS_UI_PORT:-9090}}
name=$stack-prometheus-ui

$DOCKER rm -f "$name" >/dev/null 2>&1 || true
if [ "$action" = stop ]; then echo "[prometheus-ui] stopped $name"; exit 0; fi
[ "$action" = start ] || { echo "usage: $0 [start|stop] [STACK] [PORT]" >&2; exit 2; }
$DOCKER service inspect "${stack}_prometheus" >/dev/null 2>&1 ||
  { echo "[prometheus-ui] stack $stack has no Prometheus: deploy it with MONITORING=true in .env" >&2; exit 1; }

# A TCP relay to prometheus:9090, resolved through Docker's DNS at each connection's start.
config='defaults
  mode tcp
  timeout connect 2s
  timeout client 5m
  timeout server 5m
resolvers docker
  nameserver dns 127.0.0.11:53
frontend ui
  bind :9090
  default_backend prometheus
backend prometheus
  server prometheus prometheus:9090 resolvers docker init-addr none'
# shellcheck disable=SC2016  # $HAPROXY_CONFIG is the container's, expanded by its shell
$DOCKER run -d --rm --name "$name" --network "${stack}_backend" -p "127.0.0.1:$port:9090" --cap-drop ALL \
  -e HAPROXY_CONFIG="$config" --entrypoint sh "${HAPROXY_IMAGE:-haproxy:lts-alpine}" \
  -c 'printf "%s\n" "$HAPROXY_CONFIG" > /tmp/haproxy.cfg && exec haproxy -db -f /tmp/haproxy.cfg' >/dev/null
echo "[prometheus-ui] Prometheus of $stack on http://127.0.0.1:$port/ (this host only); stop with: bash $0 stop $stack"
