#!/usr/bin/env bash
# Deploy replicas-reqcount to Docker Swarm: N counter replicas and a persistent Redis (replicated under
# Sentinel on 3 or more nodes, REDIS_HA in .env; the deploy step says which it chose and why). Only a tree
# whose tests pass rolls out (VERIFY=fast|full|skip, see deploy/scripts/VerifyGate.java).
# Safe to run twice: it reuses what exists and rolls out only what changed.
set -euo pipefail
cd "$(dirname "$0")"
. deploy/scripts/lib.sh

echo "== 1/10 settings (.env)"
[ -f .env ] || { cp .env.example .env; echo "created .env from .env.example"; }
# Settings already in the environment win over .env (e.g. SERVICE_PORT=18091 bash start_service.sh).
environment=$(export -p); set -a
# shellcheck source=.env.example
. ./.env; set +a; eval "$environment"
STACK_NAME=${STACK_NAME:-reqcount} SERVICE_PORT=${SERVICE_PORT:-8083} REPLICAS=${REPLICAS:-3}

echo "== 2/10 Docker engine and a JDK"
setup_engine
setup_jdk

echo "== 3/10 base images"
setup_base_images

echo "== 4/10 tests (VERIFY=${VERIFY:-fast})"
java deploy/scripts/VerifyGate.java

echo "== 5/10 jar and image"
setup_app_image "${APP_JAR:-}"

echo "== 6/10 swarm"
setup_swarm

echo "== 7/10 deploy stack $STACK_NAME"
setup_deploy "$STACK_NAME" "$SERVICE_PORT"

echo "== 8/10 wait until healthy"
setup_wait "$STACK_NAME" "$SERVICE_PORT"

echo "== 9/10 smoke test"
setup_smoke "$SERVICE_PORT" "$REPLICAS"

echo "== 10/10 ready"
DOCKER=docker   # print the plain command
cat <<EOT
Service:  http://127.0.0.1:$SERVICE_PORT/   (try: curl http://127.0.0.1:$SERVICE_PORT/)
Status:   $DOCKER stack services $STACK_NAME ; $DOCKER stack ps $STACK_NAME
Logs:     $DOCKER service logs -f ${STACK_NAME}_counter
Scale:    $DOCKER service scale ${STACK_NAME}_counter=5   (REPLICAS in .env keeps it across runs)
Update:   change the code and re-run: bash start_service.sh   (rolling, one replica at a time)
          restart replicas in place: $DOCKER service update --force ${STACK_NAME}_counter
Remove:   $DOCKER stack rm $STACK_NAME   (the total stays in volume ${STACK_NAME}_redis-data, and with
          REDIS_HA in ${STACK_NAME}_redis-2-data and ${STACK_NAME}_redis-3-data on their nodes;
          $DOCKER volume rm of them once the stack is gone wipes it)
EOT
if [ "${VERIFY:-fast}" = skip ]; then
  echo "WARNING: VERIFY=skip: this rollout was NOT tested. Run VERIFY=fast (or full) bash start_service.sh to gate it."
fi
