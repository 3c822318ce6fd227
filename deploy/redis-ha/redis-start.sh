#!/bin/sh
# Starts one Redis of the replicated set (a primary, its replicas, three Sentinels). It decides the role before
# Redis starts, so a restarted task never comes back as a second primary:
#   - the Sentinels name another primary: start as its replica;
#   - they still name this instance (its process has just died): wait until they have failed over to a replica,
#     then start as a replica of that one; only if no failover happens in time, start as the primary again;
#   - no Sentinel answers (first start, or all of them lost): keep the role the Sentinels gave this instance last
#     (they rewrite its redis.conf at every reconfiguration), else the one the deployment says (HA_INITIAL_PRIMARY).
# Env: HA_SELF (the name others reach it by), HA_PORT, HA_SENTINELS, HA_INITIAL_PRIMARY, HA_NAME, HA_DIR,
#      HA_DOWN_AFTER_MS, HA_FAILOVER_TIMEOUT_MS, HA_MIN_REPLICAS, HA_MIN_REPLICAS_MAX_LAG, REDIS_APPENDFSYNC,
#      and as deploy/redis/start.sh, which renders the ACL (deploy/redis/users.acl) and runs Redis: REDIS_AUTH, REDIS_USERNAME,
#      SECRETS_DIR, HA_REDIS_START (where that script is).
# Users: the service's, admin, `replication` (this Redis, as a replica, authenticates to the primary as it:
# masteruser/masterauth) and `sentinel` (the Sentinels, and these scripts).
set -eu
. "$(dirname "$0")/common.sh"
port=${HA_PORT:-6379}
me=$self:$port
conf=$dir/redis.conf

primary=$(sentinels_primary)
if [ -n "$primary" ] && [ "$primary" != "$me" ]; then
  role="replicaof ${primary%:*} ${primary##*:}"; why="the Sentinels name $primary as primary"
elif [ "$primary" = "$me" ]; then
  wait_s=$(( (down_after_ms + failover_timeout_ms) / 1000 + 5 ))
  log "the Sentinels still name this instance as primary: waiting up to ${wait_s}s for them to fail over"
  role=""; why="no failover within ${wait_s}s (no replica could take over): primary again, with its own data"
  end=$(( $(date +%s) + wait_s ))
  while [ "$(date +%s)" -lt "$end" ]; do
    primary=$(sentinels_primary)
    if [ -n "$primary" ] && [ "$primary" != "$me" ]; then
      role="replicaof ${primary%:*} ${primary##*:}"; why="the Sentinels failed over to $primary"; break
    fi
    sleep 0.5
  done
elif line=$(grep -E '^(replicaof|slaveof) ' "$conf" 2>/dev/null); then
  role="replicaof ${line#* }"; why="no Sentinel answers; keeping the role they last gave it"
elif [ "$initial" = "$me" ]; then
  role=""; why="no Sentinel answers and this is HA_INITIAL_PRIMARY"
else
  role="replicaof ${initial%:*} ${initial##*:}"; why="no Sentinel answers; starting as a replica of HA_INITIAL_PRIMARY"
fi
log "starting as ${role:-primary}: $why"

umask 077    # the file holds the replication password
mkdir -p "$dir"
# Written afresh at each start; Sentinel's CONFIG REWRITE adds to it while it runs (that is how the role persists).
cat > "$conf" <<CONF
port $port
dir $dir
protected-mode no
appendonly yes
appendfsync ${REDIS_APPENDFSYNC:-always}
# Replicas announce the name others reach them by: addresses change when a task restarts.
replica-announce-ip $self
replica-announce-port $port
# A new primary syncs its replicas at once, rather than waiting 5 s (the default) for more to ask.
repl-diskless-sync-delay 0
# A primary cut off from its replicas refuses writes instead of diverging from them.
min-replicas-to-write ${HA_MIN_REPLICAS:-1}
min-replicas-max-lag ${HA_MIN_REPLICAS_MAX_LAG:-5}
$role
CONF
replication_password=$(secret redis-replication-password)
if [ -n "$replication_password" ]; then
  printf 'masteruser replication\nmasterauth "%s"\n' "$replication_password" >> "$conf"
fi
exec sh "${HA_REDIS_START:-/usr/local/etc/redis/start.sh}" "$conf"
