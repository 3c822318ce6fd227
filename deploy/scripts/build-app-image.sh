#!/usr/bin/env bash
# Build the jar (unless one is given) and the application image on BASE_IMAGE. Tags reqcount/replicas-reqcount:latest
# and :<image id>, and records the id tag as APP_IMAGE in .images.env: an unchanged image redeploys as a no-op.
#   bash deploy/scripts/build-app-image.sh [path/to/app.jar]     (or APP_JAR=path/to/app.jar)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REQCOUNT_ROOT"

images_env_load
base=${BASE_IMAGE:-eclipse-temurin:25-jre}
repo=${APP_IMAGE_REPO:-reqcount/replicas-reqcount}
jar=${1:-${APP_JAR:-}}

if [ -z "$jar" ]; then
  command -v java >/dev/null || { echo "[app] building the jar needs a JDK 17+: e.g. apt-get install openjdk-17-jdk-headless" >&2; exit 1; }
  if [ -x ./mvnw ]; then mvn=./mvnw; elif command -v mvn >/dev/null; then mvn=mvn; else
    echo "[app] neither ./mvnw nor mvn found: restore ./mvnw from git, or install Maven" >&2; exit 1; fi
  echo "[app] building the jar: $mvn -B -q -DskipTests package"
  $mvn -B -q -DskipTests package || { echo "[app] the Maven build failed: fix it (see above) and re-run" >&2; exit 1; }
  jars=(target/*.jar); jar=${jars[0]}
fi
[ -f "$jar" ] || { echo "[app] no jar at '$jar': build it with ./mvnw -B -DskipTests package" >&2; exit 1; }

# A context of just the jar and the training run: works for a jar anywhere, and keeps the context small.
ctx=$(mktemp -d); trap 'rm -rf "$ctx"' EXIT
cp "$jar" "$ctx/application.jar"
mkdir -p "$ctx/deploy/scripts" && cp deploy/scripts/training-run.sh "$ctx/deploy/scripts/"
echo "[app] building image $repo on $base from $jar"
start=$SECONDS
DOCKER_BUILDKIT=0 $DOCKER build -q -f Dockerfile --build-arg BASE_IMAGE="$base" \
  --build-arg JAR_FILE=application.jar -t "$repo:latest" "$ctx" >/dev/null
id=$($DOCKER image inspect -f '{{.Id}}' "$repo:latest" | cut -d: -f2 | cut -c1-12)
$DOCKER tag "$repo:latest" "$repo:$id"
images_env_set "APP_IMAGE=$repo:$id"
echo "[app] built $repo:$id in $((SECONDS - start))s"
