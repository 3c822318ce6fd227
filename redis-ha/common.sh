# Shared by redis-start.sh and sentinel-start.sh (sourced): settings, logging and the Sentinels' view.
name=${HA_NAME:-reqcount}
self=${HA_SELF:-$(hostname)}
dir=${HA_DIR:-/data}
down_after_ms=${HA_DOWN_AFTER_MS:-2000}
failover_timeout_ms=${HA_FAILOVER_TIMEOUT_MS:-10000}
sentinels=$(echo "${HA_SENTINELS:?HA_SENTINELS must list the Sentinels as host:port,...}" | tr ',' ' ')
initial=${HA_INITIAL_PRIMARY:?HA_INITIAL_PRIMARY must name the first primary as host:port}
password_file=${HA_PASSWORD_FILE:-/run/secrets/redis-password}
password=""
if [ -s "$password_file" ]; then
  password=$(cat "$password_file")
  export REDISCLI_AUTH="$password"     # redis-cli reads it from here, never from its command line
fi

log() { echo "[redis-ha $self] $*"; }

# cli HOST:PORT ARGS...: one command with a short bound, errors silenced.
cli() {
  target=$1; shift
  timeout 2 redis-cli --no-auth-warning -h "${target%:*}" -p "${target##*:}" --raw "$@" 2>/dev/null || true
}

# The primary as the first answering Sentinel names it (host:port), or nothing if none answers.
sentinels_primary() {
  for s in $sentinels; do
    set -- $(cli "$s" sentinel get-master-addr-by-name "$name")
    if [ $# -eq 2 ] && [ "$2" -eq "$2" ] 2>/dev/null; then echo "$1:$2"; return; fi
  done
}
