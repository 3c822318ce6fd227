#!/usr/bin/env bash
# Make sure the Redis secrets exist before a deploy: the service's password (REDIS_PASSWORD_FILE,
# default ./secrets/redis-password) and the admin's (REDIS_ADMIN_PASSWORD_FILE, default
# ./secrets/redis-admin-password). A missing file at its default path gets a random password; a
# file you named yourself must exist, and no secret file may be empty. REDIS_AUTH=false skips this.
#   bash scripts/ensure-secrets.sh [EXTRA_SECRET_NAME...]     (e.g. redis-sentinel-password for REDIS_HA, redis-monitoring-password for MONITORING)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${REDIS_AUTH:-true}" = false ]; then
  echo "[secrets] WARNING: REDIS_AUTH=false: Redis runs with no users and no passwords, so any container on the" \
       "stack's network can read, rewrite or erase the cluster total. Remove REDIS_AUTH=false to turn auth back on." >&2
  exit 0
fi
[ "${REDIS_AUTH:-true}" = true ] || { echo "[secrets] REDIS_AUTH must be true or false (got '$REDIS_AUTH')" >&2; exit 2; }

# ensure NAME VAR: the secret NAME lives in the file that VAR names, else in ./secrets/NAME.
ensure() {
  local name=$1 var=$2 default="./secrets/$1"
  local file=${!var:-$default}
  if [ ! -e "$file" ]; then
    if [ "$file" != "$default" ]; then
      echo "[secrets] $var=$file: no such file. Create it with the password (no newline), or unset $var" \
           "to have one generated in $default." >&2
      exit 1
    fi
    # The folder is private; the file is readable so that a bind mount (docker compose) serves non-root containers.
    mkdir -p "$(dirname "$file")"; chmod 700 "$(dirname "$file")"
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file"; chmod 644 "$file"
    echo "[secrets] created $file with a random password (secret $name)"
  elif [ ! -s "$file" ]; then
    echo "[secrets] $file (secret $name) is empty: write the password into it (no newline), or delete it to have one generated" >&2
    exit 1
  fi
  echo "[secrets] $name from $file"
}

ensure redis-password REDIS_PASSWORD_FILE
ensure redis-admin-password REDIS_ADMIN_PASSWORD_FILE
for extra in "$@"; do
  var=$(tr 'a-z-' 'A-Z_' <<< "$extra")_FILE
  ensure "$extra" "$var"
done
