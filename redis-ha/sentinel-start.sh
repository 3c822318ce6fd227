#!/bin/sh
# Starts one Sentinel of the replicated set. It monitors the primary that its peers name, else the one Redis
# instance that says it is a primary, else HA_INITIAL_PRIMARY; Sentinel itself learns the rest.
# Sentinel resolves a hostname once and then keeps the address; in Swarm with dnsrr a restarted Redis task comes
# back at a new one. So while Sentinel runs, this script re-resolves the Redis names every 2 s and, when one moved
# and no failover is under way, sends SENTINEL RESET, which makes Sentinel discover the replicas afresh.
# Env: as redis-start.sh, plus HA_SENTINEL_PORT, HA_REDIS (every Redis as host:port,...), HA_QUORUM.
set -eu
. "$(dirname "$0")/common.sh"
port=${HA_SENTINEL_PORT:-26379}
redis_nodes=$(echo "${HA_REDIS:?HA_REDIS must list every Redis as host:port,...}" | tr ',' ' ')
conf=$dir/sentinel.conf

primary=$(sentinels_primary); why="named by a peer Sentinel"
if [ -z "$primary" ]; then
  for r in $redis_nodes; do
    if [ "$(cli "$r" role | head -1)" = master ]; then primary=$r; why="the Redis that says it is primary"; break; fi
  done
fi
[ -n "$primary" ] || { primary=$initial; why="HA_INITIAL_PRIMARY (nothing else answers)"; }
log "Sentinel on port $port monitors $name at $primary: $why"

mkdir -p "$dir"
cat > "$conf" <<CONF
port $port
dir $dir
protected-mode no
# Hostnames, not addresses frozen at start: they must come before the monitor line.
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $self
sentinel announce-port $port
sentinel monitor $name ${primary%:*} ${primary##*:} ${HA_QUORUM:-2}
sentinel down-after-milliseconds $name $down_after_ms
sentinel failover-timeout $name $failover_timeout_ms
sentinel parallel-syncs $name 1
CONF
if [ -n "$password" ]; then
  printf 'sentinel auth-pass %s "%s"\nrequirepass "%s"\nsentinel sentinel-pass "%s"\n' \
    "$name" "$password" "$password" "$password" >> "$conf"
fi

resolve() { getent hosts "$1" 2>/dev/null | awk '{ print $1; exit }' || true; }
addresses() { for r in $redis_nodes; do printf '%s=%s ' "$r" "$(resolve "${r%:*}")"; done; }

$(command -v docker-entrypoint.sh) redis-server "$conf" --sentinel &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' TERM INT
last=$(addresses)
while kill -0 "$pid" 2>/dev/null; do
  sleep 2
  now=$(addresses)
  if [ "$now" != "$last" ]; then
    flags=$(cli "127.0.0.1:$port" sentinel master "$name" | awk 'prev == "flags" { print; exit } { prev = $0 }')
    case "$flags" in
      *failover*) continue ;;          # never reset in the middle of a failover: try again in 2 s
    esac
    log "a Redis address changed ($last-> $now): SENTINEL RESET $name"
    cli "127.0.0.1:$port" sentinel reset "$name" >/dev/null
    last=$now
  fi
done
wait "$pid"
