#!/usr/bin/env bash
# The HAProxy edge's side of a drain and of a node loss, without Swarm or JVMs: three stand-in replicas (HAProxy
# answering 200 on the service port and the readiness path, 503 on readiness once told to drain) behind
# deploy/haproxy/haproxy.cfg (or the config given), on a network of their own, under 8 keep-alive clients on
# 127.0.0.1:18098 (python3). At 6 s, replica 3 either drains (readiness 503, serving 3 s more, then stopped: what
# DrainOnShutdown does) or dies (every packet to it dropped in its network namespace, as on a killed node).
# Prints the requests, the failures and when they were sent, and when the edge marked replica 3 down.
#   bash src/test/scripts/edge-faults.sh drain|kill [haproxy.cfg]
# Needs root (nsenter, iptables), docker and the image reqcount/haproxy-standin:2.6 (deploy/scripts/lib.sh).
set -euo pipefail
scenario=${1:-}
cfg=$(realpath "${2:-deploy/haproxy/haproxy.cfg}")
case $scenario in drain | kill) ;; *) echo "usage: $0 drain|kill [haproxy.cfg]" >&2; exit 2 ;; esac
image=${HAPROXY_IMAGE:-reqcount/haproxy-standin:2.6}
net=reqcount-edge-check port=18098
work=$(mktemp -d)
cleanup() {
  docker rm -f reqcount-edge-check reqcount-edge-check-1 reqcount-edge-check-2 reqcount-edge-check-3 >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"
cat > "$work/replica.cfg" <<'CFG'
global
    stats socket ipv4@0.0.0.0:9999 level admin
defaults
    mode http
    timeout client 30s
    timeout connect 1s
    timeout server 30s
frontend service
    bind :8083
    http-request return status 200 content-type text/plain string "${NAME}"
frontend management
    bind :8081
    http-request return status 503 if { path /actuator/health/readiness } { str(drain),map(/tmp/drain.map) -m found }
    http-request return status 200
CFG
: > "$work/drain.map"
cat > "$work/load.py" <<'PY'
# load.py HOST PORT SECONDS CLIENTS: closed-loop keep-alive clients, a line per request: sent status body-or-error
import http.client, sys, threading, time
host, port, secs, n = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
out, lock, end = [], threading.Lock(), time.time() + secs
def client():
    conn = None
    while time.time() < end:
        sent = time.time()
        try:
            conn = conn or http.client.HTTPConnection(host, port, timeout=5)
            conn.request('GET', '/')
            reply = conn.getresponse()
            result = (sent, reply.status, reply.read().decode().strip().replace(' ', '_') or '-')
        except Exception as e:
            result = (sent, 0, type(e).__name__)
            conn.close()
            conn = None
        with lock:
            out.append(result)
        time.sleep(0.005)
threads = [threading.Thread(target=client) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
for sent, status, body in sorted(out): print(f"{sent:.3f} {status} {body}")
PY
docker network create "$net" >/dev/null
for i in 1 2 3; do
  docker run -d --name "reqcount-edge-check-$i" --network "$net" --network-alias tasks.counter -e NAME="replica-$i" \
    -v "$work/replica.cfg:/tmp/replica.cfg:ro" -v "$work/drain.map:/tmp/drain.map:ro" \
    --entrypoint haproxy "$image" -f /tmp/replica.cfg >/dev/null
done
docker run -d --name reqcount-edge-check --network "$net" -p "127.0.0.1:$port:8083" -e SERVICE_PORT=8083 \
  -e MANAGEMENT_PORT=8081 -v "$cfg:/tmp/haproxy.cfg:ro" --entrypoint haproxy "$image" -f /tmp/haproxy.cfg >/dev/null
sleep 6   # the edge resolves the replicas and checks them
python3 "$work/load.py" 127.0.0.1 "$port" 22 8 > "$work/outcomes" &
load=$!
sleep 6
replica=reqcount-edge-check-3
fault=$(date +%s.%N)
if [ "$scenario" = drain ]; then
  ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$replica")
  exec 3<>"/dev/tcp/$ip/9999"
  echo "add map /tmp/drain.map drain 1" >&3
  exec 3>&-
  sleep 3
  docker kill "$replica" >/dev/null   # after the delay nothing is sent to it any more
else
  nsenter -t "$(docker inspect -f '{{.State.Pid}}' "$replica")" -n iptables -A INPUT -j DROP
fi
wait "$load"
awk -v t0="$fault" '{ n++; if ($2 != 200) { f++; d = $1 - t0; if (f == 1 || d < lo) lo = d; if (f == 1 || d > hi) hi = d; kinds[$2 " " $3]++ } }
  END { printf "[edge-faults] %s: %d requests, %d failed", scenario, n, f
        if (f) printf ", sent %.2f to %.2f s after the fault", lo, hi
        for (k in kinds) printf "; %s x%d", k, kinds[k]
        print "" }' scenario="$scenario" "$work/outcomes"
down=$(docker logs -t reqcount-edge-check 2>&1 | grep -m1 ' is DOWN' | cut -d' ' -f1 || true)
if [ -n "$down" ]; then
  echo "[edge-faults] the edge marked replica 3 down $(python3 -c 'import datetime, sys
t = datetime.datetime.fromisoformat(sys.argv[1][:26]).replace(tzinfo=datetime.timezone.utc).timestamp()
print(f"{t - float(sys.argv[2]):.2f}")' "$down" "$fault") s after the fault"
else
  echo "[edge-faults] the edge never marked replica 3 down" >&2
  exit 1
fi
