#!/usr/bin/env bash
# The image build's training run (Dockerfile): starts the service with the JVM option that records what it
# learns (an AOT cache on Java 25+, a CDS archive before), asks each endpoint a few times, and stops it with
# SIGTERM; the JVM writes the archive as it exits. A run that serves requests records the classes of the request
# path too, which one that exits on refresh never loads. (Not, on 25+, its method profiles: the Dockerfile turns
# them off, as they would teach the JIT a request path on which every request fails.)
# No Redis at build time: CONTAINER_DB_HOST is loopback, where nothing listens, so / answers 503 fast; that
# still loads Tomcat, MVC, the controller, Lettuce's connect path and the error replies.
#   bash deploy/scripts/training-run.sh -XX:ArchiveClassesAtExit=app.jsa [more JVM options]
set -uo pipefail
log=$(mktemp)
CONTAINER_DB_HOST=127.0.0.1 java "$@" -jar application.jar >"$log" 2>&1 &
pid=$!

# get PORT PATH: the status line of a plain HTTP/1.0 GET (bash's /dev/tcp: no curl in the image)
get() {
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3
    local status=""
    read -r -t 10 status <&3
    cat <&3 >/dev/null
    exec 3<&-
    echo "$status"
}
fail() { echo "[training] $*" >&2; cat "$log" >&2; kill -9 "$pid" 2>/dev/null; exit 1; }

for _ in $(seq 1 600); do
    [[ $(get 8081 /actuator/health/liveness 2>/dev/null) == *' 200'* ]] && break
    kill -0 "$pid" 2>/dev/null || fail "the service exited before it was live"
    sleep 0.2
done
[[ $(get 8081 /actuator/health/liveness 2>/dev/null) == *' 200'* ]] || fail "not live in two minutes"
for _ in $(seq 1 20); do
    for target in 8083:/ 8083:/cluster 8083:/dashboard.html 8083:/no-such-page \
                  8081:/actuator/health/liveness 8081:/actuator/health/readiness 8081:/actuator/prometheus; do
        get "${target%%:*}" "${target#*:}" >/dev/null || fail "GET $target failed"
    done
done
[[ $(get 8083 /) == *' 503'* ]] || fail "GET / without Redis should answer 503"
kill -TERM "$pid"
wait "$pid"
code=$?
# 143: stopped by the SIGTERM above, after a graceful shutdown
((code == 0 || code == 143)) || fail "the service exited with $code"
rm -f "$log"
