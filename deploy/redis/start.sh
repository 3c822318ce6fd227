#!/bin/sh
# Starts Redis with the repository's ACL (deploy/redis/users.acl): renders it with the SHA-256 of each password
# from the Docker secrets, into a file only Redis reads, then runs redis-server with any other arguments.
# The service's and the admin's secrets are required; the replication, Sentinel and monitoring users exist only
# when their secrets are there (REDIS_HA, MONITORING). Plain sh: runs in the upstream Alpine image and in the Debian stand-in.
#   start.sh [redis-server arguments...]
# Env: REDIS_AUTH (default true; false: every user, the default one too, takes any password or none, so the
#      clients keep their settings), REDIS_USERNAME (default reqcount), ACL_TEMPLATE, ACL_FILE, SECRETS_DIR.
set -eu
secrets=${SECRETS_DIR:-/run/secrets}
template=${ACL_TEMPLATE:-/usr/local/etc/redis/users.acl}
acl=${ACL_FILE:-/tmp/users.acl}
user=${REDIS_USERNAME:-reqcount}

case "$user" in
  ''|*[!A-Za-z0-9_.-]*) echo "redis: REDIS_USERNAME '$user' must be letters, digits, '.', '_' or '-'" >&2; exit 1 ;;
esac
umask 077
if [ "${REDIS_AUTH:-true}" = false ]; then
  echo "redis: REDIS_AUTH=false: no passwords; anything on this network can read and erase the count" >&2
  grep -v -e '^#' -e '^[[:space:]]*$' "$template" | sed -e 's/^user default off /user default on nopass /' \
    -e "s/\${REDIS_USERNAME}/$user/" -e 's/#\${[A-Z_]*_SHA256}/nopass/' > "$acl"
  exec redis-server "$@" --aclfile "$acl"
fi

# sha256 SECRET: the hash of the secret's content, without a trailing newline.
sha256() {
  if [ ! -s "$secrets/$1" ]; then
    echo "redis: the secret $secrets/$1 is missing or empty: give the stack a non-empty secret $1" >&2
    exit 1
  fi
  printf '%s' "$(cat "$secrets/$1")" | sha256sum | cut -d' ' -f1
}

service=$(sha256 redis-password)
admin=$(sha256 redis-admin-password)
drop=""
replication=none sentinel=none monitoring=none
if [ -e "$secrets/redis-replication-password" ]; then replication=$(sha256 redis-replication-password); else drop="$drop -e /REDIS_REPLICATION_PASSWORD_SHA256/d"; fi
if [ -e "$secrets/redis-sentinel-password" ]; then sentinel=$(sha256 redis-sentinel-password); else drop="$drop -e /REDIS_SENTINEL_PASSWORD_SHA256/d"; fi
if [ -e "$secrets/redis-monitoring-password" ]; then monitoring=$(sha256 redis-monitoring-password); else drop="$drop -e /REDIS_MONITORING_PASSWORD_SHA256/d"; fi

# Redis's ACL files have no comments: drop them and blank lines, then fill in the user and the hashes.
# shellcheck disable=SC2086
grep -v -e '^#' -e '^[[:space:]]*$' "$template" | sed $drop \
  -e "s/\${REDIS_USERNAME}/$user/" \
  -e "s/\${REDIS_PASSWORD_SHA256}/$service/" \
  -e "s/\${REDIS_ADMIN_PASSWORD_SHA256}/$admin/" \
  -e "s/\${REDIS_REPLICATION_PASSWORD_SHA256}/$replication/" \
  -e "s/\${REDIS_SENTINEL_PASSWORD_SHA256}/$sentinel/" \
  -e "s/\${REDIS_MONITORING_PASSWORD_SHA256}/$monitoring/" > "$acl"
exec redis-server "$@" --aclfile "$acl"
