#!/bin/sh
# Starts Prometheus with deploy/monitoring/prometheus.yml, its intervals and the replicas' management port taken from the
# environment, and the Redis servers to scrape written as a file_sd file. Plain sh: busybox in prom/prometheus,
# dash in the Debian stand-in.
#   prometheus-start.sh [prometheus arguments...]
# Env: PROMETHEUS_SCRAPE_INTERVAL, PROMETHEUS_EVALUATION_INTERVAL (15s), MANAGEMENT_PORT (8081),
#      MONITORING_REDIS_TARGETS (redis; with REDIS_HA redis,redis-2,redis-3), PROMETHEUS_RETENTION (15d).
set -eu
config=/tmp/prometheus.yml
sed -e "s/^\(  scrape_interval:\) [^ ]*/\1 ${PROMETHEUS_SCRAPE_INTERVAL:-15s}/" \
    -e "s/^\(  evaluation_interval:\) [^ ]*/\1 ${PROMETHEUS_EVALUATION_INTERVAL:-15s}/" \
    -e "s/^\(        port:\) 8081 /\1 ${MANAGEMENT_PORT:-8081} /" \
    -e "s|^  - alerts.yml |  - /etc/prometheus/alerts.yml |" \
    /etc/prometheus/prometheus.yml > "$config"
echo "- targets:" > /tmp/redis-targets.yml
for name in $(echo "${MONITORING_REDIS_TARGETS:-redis}" | tr ',' ' '); do
  echo "    - redis://$name:6379" >> /tmp/redis-targets.yml
done
echo "prometheus-start: scrape every ${PROMETHEUS_SCRAPE_INTERVAL:-15s}, rules every ${PROMETHEUS_EVALUATION_INTERVAL:-15s}, Redis: ${MONITORING_REDIS_TARGETS:-redis}" >&2
exec prometheus --config.file="$config" --storage.tsdb.path=/prometheus \
  --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-15d}" --web.listen-address=:9090 "$@"
