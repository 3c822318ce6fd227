# shellcheck shell=sh disable=SC2034  # the settings are for redis-start.sh and sentinel-start.sh, which source this
# Shared by redis-start.sh and sentinel-start.sh (sourced): settings, credentials, logging and the Sentinels' view.
name=${HA_NAME:-reqcount}
self=${HA_SELF:-$(hostname)}
dir=${HA_DIR:-/data}
down_after_ms=${HA_DOWN_AFTER_MS:-2000}
failover_timeout_ms=${HA_FAILOVER_TIMEOUT_MS:-10000}
# The service stops counting 1 s after it loses the Sentinels (SentinelWatch.LIVE); a failover must not be able
# to start sooner, or a service cut off with the old primary could still count there while a new one takes over.
if [ "$down_after_ms" -lt 1500 ]; then
  echo "[redis-ha $self] HA_DOWN_AFTER_MS=$down_after_ms is below 1500: the service needs 1 s to stop counting on a primary cut off from the Sentinels, so a failover may not start sooner" >&2
  exit 1
fi
sentinels=$(echo "${HA_SENTINELS:?HA_SENTINELS must list the Sentinels as host:port,...}" | tr ',' ' ')
initial=${HA_INITIAL_PRIMARY:?HA_INITIAL_PRIMARY must name the first primary as host:port}
secrets=${SECRETS_DIR:-/run/secrets}
export SECRETS_DIR="$secrets"

log() { echo "[redis-ha $self] $*"; }

# secret NAME: the content of the Docker secret, or nothing when auth is off (REDIS_AUTH=false). With auth on,
# a missing or empty secret stops the start, naming it.
secret() {
  [ "${REDIS_AUTH:-true}" = false ] && return 0
  if [ ! -s "$secrets/$1" ]; then
    echo "[redis-ha $self] the secret $secrets/$1 is missing or empty: give the stack a non-empty secret $1" >&2
    exit 1
  fi
  cat "$secrets/$1"
}
# These scripts ask the Redis servers and the Sentinels as the Sentinels' own user (deploy/redis/users.acl).
sentinel_password=$(secret redis-sentinel-password)
cli_user=""
if [ -n "$sentinel_password" ]; then
  export REDISCLI_AUTH="$sentinel_password"     # redis-cli reads it from here, never from its command line
  cli_user="--user sentinel"
fi

# cli HOST:PORT ARGS...: one command with a short bound, errors silenced.
cli() {
  target=$1; shift
  # shellcheck disable=SC2086
  timeout 2 redis-cli --no-auth-warning $cli_user -h "${target%:*}" -p "${target##*:}" --raw "$@" 2>/dev/null || true
}

# The primary as the first answering Sentinel names it (host:port), or nothing if none answers.
sentinels_primary() {
  for s in $sentinels; do
    # shellcheck disable=SC2046  # split on purpose: the host and the port are two lines
    set -- $(cli "$s" sentinel get-master-addr-by-name "$name")
    if [ $# -eq 2 ] && [ "$2" -eq "$2" ] 2>/dev/null; then echo "$1:$2"; return; fi
  done
}
