#!/usr/bin/env bash
# Install the Debian packages the pipeline needs, when this machine lets us (root + apt-get);
# otherwise print the one command that does it. Usage: tools/system-deps.sh build|tests|bench
set -euo pipefail

build=(fonts-noto-core fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)
tests=("${build[@]}" gettext chromium chromium-driver default-jre-headless npm poppler-utils)
bench=("${tests[@]}" po4a)

case "${1:-build}" in
  build) wanted=("${build[@]}") ;;
  tests) wanted=("${tests[@]}") ;;
  bench) wanted=("${bench[@]}") ;;
  *) echo "usage: $0 build|tests|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if [ "$pkg" = default-jre-headless ] && command -v java >/dev/null 2>&1; then continue; fi
  if [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi  # (the corpus fetch uses npm pack)
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages; install them with:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
fi
