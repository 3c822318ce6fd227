#!/usr/bin/env bash
# Build an offline stand-in image from Debian packages (mmdebstrap | docker import),
# for hosts that can reach a Debian mirror but no container registry.
# Cached by tag: an existing tag is reused unless REBUILD=1.
#
#   bash deploy/scripts/build-standin-image.sh redis|jre|haproxy|registry|dind|prometheus|redis-exporter|fresh-debian [TAG]
# Env: DEBIAN_MIRROR, DEBIAN_SUITE (default: this host's Debian mirror and release, else bookworm; trixie for the JRE).
set -euo pipefail

kind=${1:-}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
hooks=/usr/share/mmdebstrap/hooks/merged-usr
extra=() kind_suite="" variant=essential
# Left out of a service's image, as upstream's slim images do.
slim=(--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
      --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/*/copyright')
# shellcheck disable=SC2016  # each hook's "$1" is mmdebstrap's root, expanded by the hook's own shell
case "$kind" in
  redis)   # Same shape as redis:7: user redis, data in /data, no protected mode (Swarm network only).
    tag=${2:-reqcount/redis-standin:7}; pkgs=redis-server
    extra=(--customize-hook='mkdir -p "$1"/data && chroot "$1" chown redis:redis /data')
    changes=(-c 'USER redis' -c 'WORKDIR /data' -c 'EXPOSE 6379'
             -c 'CMD ["redis-server", "--protected-mode", "no"]') ;;
  jre)     # Java 25, as eclipse-temurin:25-jre: Debian packages it from trixie (13) on, so that suite, whatever the
           # host runs. passwd gives the Dockerfile useradd, as on eclipse-temurin; bash serves the HEALTHCHECK.
    tag=${2:-reqcount/jre-standin:25}; pkgs=openjdk-25-jre-headless,passwd; kind_suite=trixie
    extra=(--essential-hook='mkdir -p "$1"/usr/share/man/man1')   # the JRE's postinst needs it
    changes=(-c 'WORKDIR /' -c 'CMD ["java", "-version"]') ;;
  haproxy) # Same config path and user as the upstream haproxy image (its stop signal, SIGUSR1, is set in the stack).
    tag=${2:-reqcount/haproxy-standin:2.6}; pkgs=haproxy
    extra=(--customize-hook='mkdir -p "$1"/usr/local/etc/haproxy')
    changes=(-c 'USER haproxy'
             -c 'CMD ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]') ;;
  registry) # Debian's build of the distribution registry, laid out like registry:2 (data in /var/lib/registry).
    tag=${2:-reqcount/registry-standin:2}; pkgs=docker-registry
    extra=(--customize-hook='mkdir -p "$1"/var/lib/registry && printf "%s\n" "version: 0.1" "storage:" \
      "  filesystem:" "    rootdirectory: /var/lib/registry" "http:" "  addr: :5000" > "$1"/etc/docker/registry/config.yml')
    changes=(-c 'EXPOSE 5000' -c 'VOLUME /var/lib/registry'
             -c 'CMD ["docker-registry", "serve", "/etc/docker/registry/config.yml"]') ;;
  dind)    # A Docker engine to run inside a container: the nodes of src/test/scripts/TestNodes.java.
    tag=${2:-reqcount/dind-standin:20.10}; pkgs=docker.io,iptables,procps,ca-certificates
    changes=(-c 'VOLUME /var/lib/docker' -c 'ENTRYPOINT ["dockerd"]') ;;
  prometheus) # Laid out like prom/prometheus: /bin/prometheus, config in /etc/prometheus, data in /prometheus, user nobody.
    tag=${2:-reqcount/prometheus-standin:2.42}; pkgs=prometheus
    extra=(--customize-hook='mkdir -p "$1"/prometheus && chown 65534:65534 "$1"/prometheus')
    changes=(-c 'USER 65534' -c 'WORKDIR /prometheus' -c 'EXPOSE 9090' -c 'ENTRYPOINT ["/bin/prometheus"]'
             -c 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]') ;;
  redis-exporter) # Laid out like oliver006/redis_exporter:alpine: the binary at /redis_exporter, with a shell beside it.
    tag=${2:-reqcount/redis-exporter-standin:1.45}; pkgs=prometheus-redis-exporter
    extra=(--customize-hook='ln -s /usr/bin/prometheus-redis-exporter "$1"/redis_exporter')
    changes=(-c 'USER 59000' -c 'EXPOSE 9121' -c 'ENTRYPOINT ["/redis_exporter"]') ;;
  fresh-debian) # A stock Debian 12 image (debian:12: minbase, so apt, with its docs) plus git and ca-certificates: the
           # fresh machine of src/test/scripts/fresh-host.sh, with nothing the project needs preinstalled.
    tag=${2:-reqcount/fresh-debian:12}; pkgs=git,ca-certificates; kind_suite=bookworm variant=minbase slim=()
    extra=(--customize-hook='rm -f "$1"/etc/apt/apt.conf.d/99mmdebstrap')   # apt as stock: Recommends too
    changes=(-c 'CMD ["bash"]') ;;
  *) echo "usage: $0 redis|jre|haproxy|registry|dind|prometheus|redis-exporter|fresh-debian [TAG]" >&2; exit 2 ;;
esac

if [ "${REBUILD:-0}" != 1 ] && $DOCKER image inspect "$tag" >/dev/null 2>&1; then
  echo "[standin] $tag exists, reusing it (REBUILD=1 to rebuild)"; exit 0
fi
command -v mmdebstrap >/dev/null || { echo "[standin] mmdebstrap missing: apt-get install mmdebstrap (or run deploy/scripts/ensure-docker.sh)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "[standin] mmdebstrap needs root here: re-run with sudo" >&2; exit 1; }

# The host's own Debian mirror and release, so this works wherever apt works.
. /etc/os-release
suite=${DEBIAN_SUITE:-${kind_suite:-$([ "${ID:-}" = debian ] && echo "${VERSION_CODENAME:-bookworm}" || echo bookworm)}}
mirror=${DEBIAN_MIRROR:-$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -1 | tr -d ' ' || true)}
mirror=${mirror:-http://deb.debian.org/debian}

echo "[standin] building $tag from Debian $suite ($pkgs) via $mirror"
start=$SECONDS log=$(mktemp)
if ! mmdebstrap --quiet --variant="$variant" --include="$pkgs" \
  --aptopt='APT::Install-Recommends "false"' "${slim[@]}" \
  --hook-dir="$hooks" "${extra[@]}" \
  "$suite" - "$mirror" 2>"$log" | $DOCKER import "${changes[@]}" - "$tag" >/dev/null; then
  tail -20 "$log" >&2
  echo "[standin] building $tag failed (log above): check that apt reaches $mirror, or set DEBIAN_MIRROR" >&2
  exit 1
fi
rm -f "$log"
echo "[standin] built $tag in $((SECONDS - start))s ($($DOCKER image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec))"
