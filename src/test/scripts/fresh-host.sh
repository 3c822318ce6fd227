#!/usr/bin/env bash
# The README's first command on a fresh machine: a container from a stand-in of a stock Debian 12 image (minbase with
# apt, plus git and ca-certificates: what a stock image has once git is installed), with the engine privileges a VM
# has, a clean clone of this repository's HEAD, and `bash start_service.sh` in it as a new user runs it. It must
# install the engine and a JDK, build the stand-in images, pass the test gate, deploy and answer: then GET / on the
# published port, from inside, must give the two-line reply. Nothing of this host goes in (no tool, no image, no
# Maven cache) but the CA certificates it trusts locally, which this network's TLS needs. The container needs what a
# fresh host needs, Debian's mirror and Maven Central; where it can't reach them, this says so and fails.
#   bash src/test/scripts/fresh-host.sh
# Env: FRESH_HOST_REF (HEAD) the commit to clone; FRESH_HOST_LIMIT (1500) seconds for start_service.sh;
#      FRESH_HOST_NAME (reqcount-fresh-host) the container; KEEP_FRESH_HOST=true leaves it up to look at
#      (docker exec -it reqcount-fresh-host bash).
set -euo pipefail
cd "$(dirname "$0")/../../.."
. deploy/scripts/lib.sh

name=${FRESH_HOST_NAME:-reqcount-fresh-host} image=reqcount/fresh-debian:12 port=8083
ref=${FRESH_HOST_REF:-HEAD} limit=${FRESH_HOST_LIMIT:-1500} log=target/$name.log
start=$SECONDS work=$(mktemp -d)
say() { echo "[fresh-host] $*"; }
remove() { # the container, its engine's volume: every run starts from a fresh machine
  $DOCKER rm -f -v "$name" >/dev/null 2>&1 || true
  $DOCKER volume rm "$name-docker" >/dev/null 2>&1 || true
}
finish() {
  local rc=$?
  if [ "${KEEP_FRESH_HOST:-false}" = true ]; then say "left $name up (KEEP_FRESH_HOST=true)"; else remove; fi
  rm -rf "$work"
  say "$((SECONDS - start)) s in all"
  exit "$rc"
}
trap finish EXIT
inside() { $DOCKER exec "$name" bash -c "$1"; }

bash deploy/scripts/build-standin-image.sh fresh-debian "$image"
remove   # what a run that was cut short left
commit=$(git rev-parse --short "$ref")
git bundle create -q "$work/replicas-reqcount.bundle" "$ref"
say "starting $name from $image, with a clone of $commit ($ref) to make"
$DOCKER volume create "$name-docker" >/dev/null
# Where --privileged is refused, a nested engine needs these (as the test swarm's nodes, src/test/scripts/TestNodes.java).
$DOCKER run -d --name "$name" --hostname fresh-host --init \
  --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --security-opt systempaths=unconfined -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "$name-docker:/var/lib/docker" \
  -v "$work/replicas-reqcount.bundle:/mnt/replicas-reqcount.bundle:ro" "$image" sleep infinity >/dev/null

# This network's TLS goes out through the certificate authorities this host trusts locally: any host on it needs
# them, whatever it runs, so they go in (as a site's CA would be on a fresh VM there). No tool, image or cache does.
cas=()
for ca in /usr/local/share/ca-certificates/*.crt; do [ -f "$ca" ] && cas+=("$ca"); done
if [ "${#cas[@]}" -gt 0 ]; then
  inside "mkdir -p /usr/local/share/ca-certificates"
  for ca in "${cas[@]}"; do $DOCKER cp "$ca" "$name:/usr/local/share/ca-certificates/"; done
  inside "update-ca-certificates >/dev/null 2>&1"
  say "this host's local CA certificates went in: ${cas[*]##*/}"
fi
if ! timeout 15 "$DOCKER" exec "$name" bash -c "exec 3<>/dev/tcp/deb.debian.org/80" 2>/dev/null; then
  say "FAIL: the container can't reach deb.debian.org:80 (Debian's packages), which a fresh host installs from:" \
    "this host can't show that the first command works; give containers that access and re-run"
  exit 1
fi
if ! inside "timeout 20 openssl s_client -connect repo.maven.apache.org:443 -servername repo.maven.apache.org \
    -verify_return_error </dev/null >/dev/null 2>&1"; then
  say "FAIL: the container has no trusted TLS connection to Maven Central (repo.maven.apache.org:443), which a fresh" \
    "host downloads Maven and the build's dependencies from: give containers that access (and this network's CA" \
    "in /usr/local/share/ca-certificates) and re-run"
  exit 1
fi
for tool in java javac docker dockerd mvn curl mmdebstrap; do
  if inside "command -v $tool" >/dev/null; then say "FAIL: the image is not fresh: it has $tool"; exit 1; fi
done

inside "git -c advice.detachedHead=false clone -q /mnt/replicas-reqcount.bundle /root/replicas-reqcount"
say "bash start_service.sh in /root/replicas-reqcount (bounded to ${limit} s; log: $log)"
mkdir -p target
run_start=$SECONDS rc=0
timeout -k 10 "$limit" "$DOCKER" exec "$name" bash -c 'cd /root/replicas-reqcount && bash start_service.sh' 2>&1 |
  while IFS= read -r line; do printf '[fresh-host %4ds] %s\n' $((SECONDS - start)) "$line"; done | tee "$log" || rc=$?
if [ "$rc" = 124 ]; then say "FAIL: start_service.sh did not finish within ${limit} s (FRESH_HOST_LIMIT)"; exit 1; fi
if [ "$rc" != 0 ]; then say "FAIL: start_service.sh exited $rc on a fresh host after $((SECONDS - run_start)) s (above)"; exit 1; fi
say "start_service.sh finished in $((SECONDS - run_start)) s"
if grep -q '(stand-in)' "$log"; then
  say "note: no registry answered the container, so start_service.sh built the base images from Debian packages" \
    "(its offline path); a host that reaches Docker Hub pulls them instead"
fi

# A stock image has no curl: bash's /dev/tcp sends the GET.
reply=$(inside "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && timeout 10 cat <&3" |
  tr -d '\r')
body=$(sed '1,/^$/d' <<< "$reply")
say "GET http://127.0.0.1:$port/ from inside: $(head -1 <<< "$reply")"
printf '%s\n' "$body" | sed 's/^/  /'
if head -1 <<< "$reply" | grep -q '^HTTP/1\.[01] 200' && [ "$(wc -l <<< "$body")" = 2 ] &&
  sed -n 1p <<< "$body" | grep -Eq "^You are talking to instance [^ ]+:$port\.$" &&
  sed -n 2p <<< "$body" | grep -Eq '^This is request [0-9]+ to this instance and request [0-9]+ to the cluster\.$'; then
  say "PASS: a fresh Debian 12 with git ran bash start_service.sh to a serving stack in $((SECONDS - run_start)) s"
else
  say "FAIL: the published port did not give the two-line reply (above)"
  exit 1
fi
