#!/usr/bin/env bash
# Make sure the Redis secrets exist before a deploy, REDIS_AUTH=false or not (the stack files always name them):
# the service's, the admin's, the monitoring user's, the replication and the Sentinel users' (all five, every
# deploy: the overlays add to the stack's secrets, never remove, so each name exists whatever the mode). Each
# lives in the file its variable names (REDIS_PASSWORD_FILE, ...), default ./secrets/<name>. A missing file at its
# default path gets a random password; a file you named yourself must exist, and no secret file may be empty.
#   bash deploy/scripts/ensure-secrets.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${REDIS_AUTH:-true}" in
  true) ;;
  false) echo "[secrets] WARNING: REDIS_AUTH=false: Redis takes any password or none, so any container on the" \
              "stack's network can read, rewrite or erase the cluster total. Remove REDIS_AUTH=false to turn auth back on." >&2 ;;
  *) echo "[secrets] REDIS_AUTH must be true or false (got '$REDIS_AUTH')" >&2; exit 2 ;;
esac

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

for name in redis-password redis-admin-password redis-monitoring-password redis-replication-password \
  redis-sentinel-password; do
  ensure "$name" "$(tr 'a-z-' 'A-Z_' <<< "$name")_FILE"
done
