#!/usr/bin/env bash
# Tools the tests use that no Python package ships, kept under deploy/.data/tools/ (gitignored).
#
#   deploy/tools.sh promtool    print the path of Prometheus' promtool (checks and unit-tests deploy/prometheus/),
#                               taken from Debian's `prometheus` package without installing it (no service, no user)
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS_DIR=${BERDAYA_TOOLS_DIR:-$DEPLOY_DIR/.data/tools}

die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

promtool() {
    local bin=$TOOLS_DIR/promtool
    if [ ! -x "$bin" ]; then
        command -v apt-get >/dev/null || die "no apt-get: install Prometheus' promtool and put it at $bin"
        local work
        work=$(mktemp -d)
        # apt-get download needs no root, only package lists: a fresh machine without them needs `apt-get update`
        # (as root) first.
        (cd "$work" && apt-get download -qq prometheus >/dev/null 2>&1) || {
            rm -rf "$work"
            die "apt-get download prometheus failed: run 'apt-get update' as root, then make install again"; }
        mkdir -p "$TOOLS_DIR"
        dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -x -C "$work" ./usr/bin/promtool
        mv "$work/usr/bin/promtool" "$bin"
        rm -rf "$work"
    fi
    echo "$bin"
}

case "${1:-}" in
    promtool) promtool ;;
    *) echo "usage: deploy/tools.sh promtool" >&2; exit 2 ;;
esac
