#!/usr/bin/env bash
# Deploy replicas-reqcount to Docker Swarm: N counter replicas and a persistent Redis (replicated under
# Sentinel on 3 or more nodes, REDIS_HA in .env; the deploy step says which it chose and why).
# Safe to run twice: it reuses what exists and rolls out only what changed.
set -euo pipefail
cd "$(dirname "$0")"

echo "== 1/9 settings (.env)"
[ -f .env ] || { cp .env.example .env; echo "created .env from .env.example"; }
set -a; . ./.env; set +a
STACK_NAME=${STACK_NAME:-reqcount} SERVICE_PORT=${SERVICE_PORT:-8083} REPLICAS=${REPLICAS:-3}

echo "== 2/9 Docker engine"
. scripts/ensure-docker.sh

echo "== 3/9 base images"
bash scripts/ensure-base-images.sh

echo "== 4/9 jar and image"
bash scripts/build-app-image.sh

echo "== 5/9 swarm"
bash scripts/ensure-swarm.sh

echo "== 6/9 deploy stack $STACK_NAME"
bash scripts/deploy-stack.sh "$STACK_NAME" "$SERVICE_PORT"

echo "== 7/9 wait until healthy"
bash scripts/wait-for-stack.sh "$STACK_NAME" "$SERVICE_PORT"

echo "== 8/9 smoke test"
bash scripts/smoke-test.sh "$SERVICE_PORT" "$REPLICAS"

echo "== 9/9 ready"
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
