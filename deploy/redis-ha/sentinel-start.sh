#!/bin/sh
# Starts one Sentinel of the replicated set. It monitors the primary that its peers name, else the one Redis
# instance that says it is a primary, else HA_INITIAL_PRIMARY; Sentinel itself learns the rest.
# Sentinel resolves a hostname once and then keeps the address; in Swarm with dnsrr a restarted Redis task comes
# back at a new one. So while Sentinel runs, this script re-resolves the Redis names every 2 s and, when one moved
# while the primary is up, sends SENTINEL RESET, which makes Sentinel discover the replicas afresh.
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

umask 077    # the file holds the Sentinels' password
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
# Sentinel's own users (ACL in sentinel.conf; Sentinel keeps only the hashes when it rewrites the file):
#   sentinel  the Sentinels among themselves (sentinel-user/-pass) and these scripts; it is also the user they
#             log in to every Redis as (auth-user/-pass), allowed only what monitoring and failover need there
#   the service's user (REDIS_USERNAME): may only ask where the primary is and what state it is in, and
#             listen to the failover events (the service's SentinelWatch)
#   admin     operators: everything
# With REDIS_AUTH=false every user takes any password, as on the Redis servers.
if [ -z "$sentinel_password" ]; then
  echo "user ${REDIS_USERNAME:-reqcount} on nopass ~* &* +@all" >> "$conf"
else
  sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
  service_user=${REDIS_USERNAME:-reqcount}
  service_password=$(secret redis-password)
  admin_password=$(secret redis-admin-password)
  service_sha=$(sha "$service_password") admin_sha=$(sha "$admin_password")
  events='&+odown &+new-epoch &+try-failover &+vote-for-leader &+elected-leader &+failover-* &+selected-slave &+promoted-slave &+switch-master &-failover-abort-*'
  cat >> "$conf" <<CONF
user default off
user sentinel on #$(sha "$sentinel_password") ~* &* +@all
user $service_user on #$service_sha resetchannels $events -@all +auth +hello +ping +client|setname +subscribe +sentinel|get-master-addr-by-name +sentinel|master +sentinel|myid +sentinel|sentinels +sentinel|replicas
user admin on #$admin_sha ~* &* +@all
sentinel sentinel-user sentinel
sentinel sentinel-pass "$sentinel_password"
sentinel auth-user $name sentinel
sentinel auth-pass $name "$sentinel_password"
CONF
fi

resolve() { getent hosts "$1" 2>/dev/null | awk '{ print $1; exit }' || true; }
# addresses: name=address for every Redis; a name that resolves to nothing (its task is down) keeps its last
# address, since a name going away is no move: resetting then would make Sentinel forget the replicas and
# peers it needs for the failover.
# shellcheck disable=SC2086  # $known and $1 are lists of name=address, split on purpose
addresses() {
  for r in $redis_nodes; do
    a=$(resolve "${r%:*}")
    [ -n "$a" ] || a=$(printf '%s\n' $known | sed -n "s/^$r=//p")
    printf '%s=%s ' "$r" "$a"
  done
}
# moved OLD NEW: whether a name that had an address now has another one.
# shellcheck disable=SC2086
moved() {
  for pair in $2; do
    old=$(printf '%s\n' $1 | sed -n "s/^${pair%%=*}=//p")
    [ -n "$old" ] && [ -n "${pair#*=}" ] && [ "$old" != "${pair#*=}" ] && return 0
  done
  return 1
}

redis-server "$conf" --sentinel &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' TERM INT
known=""
known=$(addresses)
while kill -0 "$pid" 2>/dev/null; do
  sleep 2
  now=$(addresses)
  if moved "$known" "$now"; then
    # Only while the primary is up and no failover runs: RESET makes Sentinel forget replicas and peers
    # for a moment (it finds them again within seconds), which it must not do while it needs them.
    flags=$(cli "127.0.0.1:$port" sentinel master "$name" | awk 'prev == "flags" { print; exit } { prev = $0 }')
    [ "$flags" = master ] || continue
    log "a Redis task came back at a new address ($known-> $now): SENTINEL RESET $name"
    cli "127.0.0.1:$port" sentinel reset "$name" >/dev/null
  fi
  known=$now
done
wait "$pid"
