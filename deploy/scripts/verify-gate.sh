#!/usr/bin/env bash
# The rollout's gate: run the tests, and let start_service.sh go on only if they pass.
#   VERIFY=fast (default)  unit and web-slice tests (./mvnw test): no Docker, seconds
#   VERIFY=full            ./mvnw verify: Testcontainers Redis and browser tests too
#   VERIFY=skip            no tests: the deploy goes on untested, and says so
# A pass is recorded against a hash of every file the repository tracks or would track (git ls-files, with the
# edits not yet committed and new files not yet added; documentation, *.md and docs/, aside) in .verified
# (git-ignored), so an unchanged tree is not tested twice; a full pass also counts for fast.
#   bash deploy/scripts/verify-gate.sh                     runs the gate for $VERIFY
#   bash deploy/scripts/verify-gate.sh --record fast|full  records a pass that another command just made
#   bash deploy/scripts/verify-gate.sh --files             lists the files the hash covers
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REQCOUNT_ROOT"
passes=.verified

# tree_files: NUL-separated. A copy without .git (a tarball) is listed through a throwaway repository, which
# still honours .gitignore.
tree_files() {
  local list=(ls-files -z --cached --others --exclude-standard) scratch
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then git "${list[@]}"; else
    scratch=$(mktemp -d); git --git-dir="$scratch" init -q
    git --git-dir="$scratch" --work-tree=. "${list[@]}"; rm -rf "$scratch"
  fi | grep -zv -e '\.md$' -e '^docs/' | sort -zu |
    while IFS= read -r -d '' file; do if [ -f "$file" ]; then printf '%s\0' "$file"; fi; done
}
# tree_hash: without git nothing tells what changed, so a hash no pass ever matched: the tests always run.
tree_hash() {
  command -v git >/dev/null || { echo "no-git-$RANDOM$RANDOM"; return; }
  tree_files | xargs -0 -r sha256sum | sha256sum | cut -c1-16
}
passed() { [ -f "$passes" ] && grep -qxE "($1|full) $2" "$passes"; }
record() { touch "$passes"; passed "$1" "$2" || echo "$1 $2" >> "$passes"; }

case "${1:-}" in
  --record) record "${2:?usage: $0 --record fast|full}" "$(tree_hash)"; exit 0 ;;
  --files) tree_files | tr '\0' '\n'; exit 0 ;;
esac

mode=${VERIFY:-fast}
case "$mode" in
  skip) echo "[verify] VERIFY=skip: NOT running the tests; this deploy goes out untested"; exit 0 ;;
  fast) goal=(test) ;;
  full) goal=(verify -Dredis.image="${REDIS_IMAGE:-}") ;;
  *) echo "[verify] VERIFY must be fast, full or skip (got '$mode')" >&2; exit 2 ;;
esac

hash=$(tree_hash)
if passed "$mode" "$hash"; then
  echo "[verify] the $mode tests passed before for this tree ($hash): not running them again"; exit 0
fi
log=target/verify-gate.log
mkdir -p target
echo "[verify] VERIFY=$mode: ./mvnw ${goal[0]} (log: $log)"
start=$SECONDS
if ./mvnw -B "${goal[@]}" > "$log" 2>&1; then
  record "$mode" "$hash"
  echo "[verify] $(grep -E '^\[(INFO|WARNING)\] Tests run:' "$log" | tail -1 | sed 's/^\[[A-Z]*\] //') in $((SECONDS - start))s: rolling out"
  exit 0
fi
echo "[verify] the tests FAILED: nothing is built, pushed or deployed; the running stack is untouched." >&2
failing=$(sed -n '/^\[ERROR\] \(Failures\|Errors\): *$/,/^\[ERROR\] Tests run:/p' "$log" | grep -E '^\[ERROR\]   ' | sed 's/^\[ERROR\]   /  /')
if [ -n "$failing" ]; then
  echo "[verify] failing tests:" >&2; echo "$failing" >&2
else
  echo "[verify] the build failed before the tests ran:" >&2; grep -E '^\[ERROR\]' "$log" | head -15 >&2
fi
echo "[verify] reports: target/surefire-reports/$([ "$mode" = full ] && echo ' and target/failsafe-reports/'); full log: $log" >&2
exit 1
