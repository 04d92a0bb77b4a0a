#!/usr/bin/env bash
# Installs the real servers the tests use (Debian packages): PostgreSQL and Chromium.
# Tests that need them skip with a clear message when this could not install them.
set -u
need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "install-system-deps: cannot install ${need[*]} (not root or no apt-get); those tests will skip" >&2
    exit 0
fi
echo "install-system-deps: installing ${need[*]}"
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "install-system-deps: apt-get failed; tests needing ${need[*]} will skip" >&2
exit 0
