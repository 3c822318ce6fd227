#!/usr/bin/env bash
# Make sure a JDK 17 or newer is on PATH: ./mvnw (the test gate and the jar), VerifyGate.java and StackCheck.java need
# java and javac. On Debian/Ubuntu without one, install the distribution's headless OpenJDK with apt-get: 17 where
# the release has it (Debian 12, Ubuntu 22.04 and 24.04), else 21, else 25.
#   bash deploy/scripts/ensure-jdk.sh
set -euo pipefail

# The major version of the javac on PATH (javac 17.0.15 -> 17), 0 without one.
jdk_major() { javac -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\).*/\1/p' | grep . || echo 0; }

have=$(jdk_major)
if [ "$have" -ge 17 ] && command -v java >/dev/null 2>&1; then
  echo "[jdk] $(javac -version 2>&1) on PATH"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "[jdk] no JDK 17 or newer on PATH (javac: ${have/#0/none})" \
  "and no apt-get: install a JDK 17+ (e.g. https://adoptium.net), put java and javac on PATH, and re-run." >&2; exit 1; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
for package in openjdk-17-jdk-headless openjdk-21-jdk-headless openjdk-25-jdk-headless; do
  apt-cache show "$package" >/dev/null 2>&1 || continue
  echo "[jdk] installing $package with apt-get"
  # Minimised images (Ubuntu's, Debian's slim) leave out the man folder whose links the JDK's postinst makes.
  $sudo mkdir -p /usr/share/man/man1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" >/dev/null
  break
done
have=$(jdk_major)
[ "$have" -ge 17 ] || { echo "[jdk] still no JDK 17 or newer on PATH (javac: ${have/#0/none}): install one" \
  "(apt-get install openjdk-17-jdk-headless, or https://adoptium.net) and re-run." >&2; exit 1; }
echo "[jdk] $(javac -version 2>&1) installed"
