#!/usr/bin/env bash
# The Debian packages Berdaya needs on the machine that runs it and its tests, installed when missing
# (`make install` runs this first, so `make up` and `make test` are all a fresh Debian machine needs):
#
#   python3-venv            the project's virtual environment
#   chromium                the browser tests (Playwright drives Debian's /usr/bin/chromium; it downloads none)
#   fonts-liberation        installed with chromium (the fonts its pages are rendered with)
#   postgresql              the local database server, and pg_dump/pg_restore for `make backup` / `make restore`
#   openjdk-17-jre-headless, maven   Kafka and Keycloak from their Maven Central jars (deploy/stack.sh)
#   npm                     the pinned AsyncAPI schemas and parser the contract tests use
#   curl, iproute2          the service launcher's readiness and port checks (deploy/services.sh)
#
# As root: `apt-get update` once, then `apt-get install` of what is missing. Not root: nothing is installed; when
# something is missing the script prints the one `sudo apt-get install ...` line to run and exits 1 (with nothing
# missing it succeeds without root). Prometheus' promtool for the alert-rule tests comes from deploy/tools.sh.
set -euo pipefail

log() { printf '[system %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

missing=()
need() {  # need PACKAGE TEST-COMMAND...: PACKAGE is missing when the test fails
    local package=$1
    shift
    "$@" >/dev/null 2>&1 || missing+=("$package")
}
has() { command -v "$1"; }
has_pg() { ls /usr/lib/postgresql/*/bin/postgres /usr/lib/postgresql/*/bin/pg_dump; }

need python3-venv python3 -c 'import ensurepip, venv'
need chromium test -x /usr/bin/chromium
need postgresql has_pg
need openjdk-17-jre-headless has java
need maven has mvn
need npm has npm
need curl has curl
need iproute2 has ss

case " ${missing[*]:-} " in *" chromium "*) missing+=(fonts-liberation) ;; esac

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "install them as root, then run make again:"
    log "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
fi
log "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed: ${missing[*]}"
