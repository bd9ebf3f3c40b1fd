#!/usr/bin/env bash
# Keycloak for the local stack without Docker: the official server distribution from Maven Central
# (org.keycloak:keycloak-quarkus-dist, pinned in deploy/keycloak/pom.xml), run on Java 17 in production mode
# over plain HTTP on loopback, with its own database on the stack's PostgreSQL. deploy/stack.sh calls it.
#
#   deploy/keycloak.sh bootstrap  fetch (mvn) and unpack the distribution, `kc.sh build` once per version and options
#   deploy/keycloak.sh start      bootstrap, create its database, start the server in the background; no wait
#   deploy/keycloak.sh up         start, wait until /health/ready answers, apply the realm files (sync)
#   deploy/keycloak.sh down       stop the server (SIGKILL if it does not stop in time), free its ports
#   deploy/keycloak.sh status     one line; exit 0 when it runs and is ready, 3 otherwise
#   deploy/keycloak.sh sync       apply deploy/keycloak/realm-*.json to the running server (idempotent)
#   deploy/keycloak.sh users      the sign-in address, the demo users with their passwords, the machine clients
#   deploy/keycloak.sh env        print `export` lines for KEYCLOAK_URL and KEYCLOAK_DIR
#   deploy/keycloak.sh reset      down, drop its database, delete its credentials (keeps the unpacked distribution)
#
# Environment (defaults in brackets):
#   KEYCLOAK_PORT [8080]  KEYCLOAK_MANAGEMENT_PORT [9000]  KEYCLOAK_START_TIMEOUT [180]
#   KEYCLOAK_HEAP_OPTS [-Xms128m -Xmx768m]  KEYCLOAK_DIR [$BERDAYA_DATA_DIR/keycloak]  KEYCLOAK_DB [keycloak]
#   KEYCLOAK_SEED [unset: a directory holding an already built keycloak-<version>/ to hard-link instead of building]
#   PG_PORT [5433]  PG_USER [berdaya]  PG_PASSWORD [berdaya]  BERDAYA_DATA_DIR [deploy/.data]  PYTHON [.venv/bin/python]
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$DEPLOY_DIR")
DATA_DIR=${BERDAYA_DATA_DIR:-$DEPLOY_DIR/.data}
HOST=127.0.0.1

KC_PORT=${KEYCLOAK_PORT:-8080}
KC_MGMT_PORT=${KEYCLOAK_MANAGEMENT_PORT:-9000}
KC_START_TIMEOUT=${KEYCLOAK_START_TIMEOUT:-180}
KC_HEAP_OPTS=${KEYCLOAK_HEAP_OPTS:--Xms128m -Xmx768m}
KC_DIR=${KEYCLOAK_DIR:-$DATA_DIR/keycloak}
KC_DB=${KEYCLOAK_DB:-keycloak}
KC_VERSION=$(sed -n 's|.*<keycloak.version>\(.*\)</keycloak.version>.*|\1|p' "$DEPLOY_DIR/keycloak/pom.xml")
KC_HOME=$KC_DIR/keycloak-$KC_VERSION
KC_PID_FILE=$KC_DIR/keycloak.pid           # the process group of kc.sh and its JVM
KC_OUT=$KC_DIR/keycloak.out                 # the server's console log
KC_ADMIN_FILE=$KC_DIR/admin.env             # bootstrap admin of the master realm (mode 600)
KC_DB_FILE=$KC_DIR/db.env                   # password of the database role (mode 600)
KC_URL=http://$HOST:$KC_PORT

PG_PORT=${PG_PORT:-5433}
PG_USER=${PG_USER:-berdaya}
PG_PASSWORD=${PG_PASSWORD:-berdaya}

# Build-time options: changing them (or the version) rebuilds once; the stamp in the distribution records them.
KC_BUILD_OPTS=(--db=postgres --health-enabled=true --metrics-enabled=true)

log() { printf '[keycloak %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[keycloak %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
wait_port_closed() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do port_open "$1" || return 0; sleep 0.1; done
    return 1
}

python_bin() {
    if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"
    elif [ -x "$REPO_ROOT/.venv/bin/python" ]; then echo "$REPO_ROOT/.venv/bin/python"
    else echo python3
    fi
}

# The realm sync talks to the admin REST API with httpx (pinned as in requirements.txt).
ensure_python() {
    local py
    py=$(python_bin)
    "$py" -c 'import httpx' 2>/dev/null && return 0
    log "installing httpx into $py"
    "$py" -m pip install -q 'httpx==0.28.1' || die "could not install httpx into $py"
}

# A random secret of $1 characters from [A-Za-z0-9].
random_secret() { (tr -dc 'A-Za-z0-9' </dev/urandom || true) | head -c "$1"; }

# ---------------------------------------------------------------------------------------------------------------
# Distribution
# ---------------------------------------------------------------------------------------------------------------
build_stamp() { printf '%s %s\n' "$KC_VERSION" "${KC_BUILD_OPTS[*]}"; }

is_built() { [ -f "$1/.berdaya-build" ] && [ "$(cat "$1/.berdaya-build")" = "$(build_stamp)" ]; }

cmd_bootstrap() {
    command -v java >/dev/null || die "no java: apt-get install openjdk-17-jre-headless (deploy/stack.sh bootstrap does)"
    is_built "$KC_HOME" && return 0
    mkdir -p "$KC_DIR"
    local seed=${KEYCLOAK_SEED:+$KEYCLOAK_SEED/keycloak-$KC_VERSION}
    if [ -n "$seed" ] && [ "$seed" != "$KC_HOME" ] && is_built "$seed"; then
        # Hard links: a second data directory (the tests' private stacks) costs no copy and no build.
        # The server writes only below its own data/, which is not shared.
        log "linking the built distribution from $seed"
        rm -rf "$KC_HOME"
        cp -al "$seed" "$KC_HOME" || die "could not link $seed into $KC_HOME"
        rm -rf "$KC_HOME/data"
        return 0
    fi
    if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
        command -v mvn >/dev/null || die "no mvn: apt-get install maven (deploy/stack.sh bootstrap does)"
        log "fetching Keycloak $KC_VERSION (Maven Central, cached in ~/.m2) into $KC_HOME"
        local t0=$SECONDS
        rm -rf "$KC_HOME" "$KC_DIR/.mvn-markers"
        mvn -q -B -Dstyle.color=never -f "$DEPLOY_DIR/keycloak/pom.xml" dependency:unpack \
            -Dkeycloak.unpack.dir="$KC_DIR" >"$KC_DIR/mvn.log" 2>&1 ||
            { tail -n 40 "$KC_DIR/mvn.log" >&2; die "mvn could not fetch Keycloak (log: $KC_DIR/mvn.log)"; }
        [ -x "$KC_HOME/bin/kc.sh" ] || die "the Keycloak zip did not unpack into $KC_HOME"
        log "Keycloak fetched and unpacked in $((SECONDS - t0)) s"
    fi
    log "kc.sh build ${KC_BUILD_OPTS[*]} (once per version and build options)"
    local t0=$SECONDS
    "$KC_HOME/bin/kc.sh" build "${KC_BUILD_OPTS[@]}" >"$KC_DIR/build.log" 2>&1 </dev/null 8>&- 9>&- ||
        { tail -n 40 "$KC_DIR/build.log" >&2; die "kc.sh build failed (log: $KC_DIR/build.log)"; }
    build_stamp >"$KC_HOME/.berdaya-build"
    log "Keycloak built in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------------------------------------------
# Credentials and database
# ---------------------------------------------------------------------------------------------------------------
# Generated once per data directory, mode 600, never committed (deploy/.data is gitignored).
ensure_credentials() {
    (
        umask 077
        mkdir -p "$KC_DIR"
        if [ ! -s "$KC_ADMIN_FILE" ]; then
            printf 'KC_BOOTSTRAP_ADMIN_USERNAME=berdaya-admin\nKC_BOOTSTRAP_ADMIN_PASSWORD=%s\n' "$(random_secret 32)" \
                >"$KC_ADMIN_FILE"
            log "admin credentials generated in $KC_ADMIN_FILE"
        fi
        [ -s "$KC_DB_FILE" ] || printf 'KC_DB_PASSWORD=%s\n' "$(random_secret 32)" >"$KC_DB_FILE"
    )
}

psql_bin() {
    local candidate
    for candidate in "${PG_BIN:+$PG_BIN/psql}" /usr/lib/postgresql/15/bin/psql \
        "$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n1)" "$(command -v psql || true)"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    return 1
}

psql_admin() {
    PGPASSWORD=$PG_PASSWORD "$(psql_bin)" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

# Its own role and database; the role's password is (re)set from db.env on every start, so a lost file heals.
ensure_database() {
    psql_bin >/dev/null || die "no psql found (deploy/stack.sh bootstrap installs PostgreSQL)"
    port_open "$PG_PORT" || die "PostgreSQL does not answer on $HOST:$PG_PORT: run deploy/stack.sh up"
    local password
    password=$(sed -n 's/^KC_DB_PASSWORD=//p' "$KC_DB_FILE")
    psql_admin -v role="$KC_DB" -v pw="$password" <<'EOF'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN PASSWORD :'pw';
EOF
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$KC_DB'")" != 1 ]; then
        psql_admin -c "CREATE DATABASE \"$KC_DB\" OWNER \"$KC_DB\"" && log "database $KC_DB created"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------------------------------
# The process group of our server, if it still runs from our distribution; else nothing.
kc_pid() {
    local pid
    [ -f "$KC_PID_FILE" ] || return 1
    pid=$(cat "$KC_PID_FILE")
    [ -n "$pid" ] || return 1
    # The wrapper (bin/kc.sh as we called it) or the JVM (kc.sh names its home by the resolved path).
    pgrep -g "$pid" -f "$KC_HOME/bin/kc.sh |kc.home.dir=$(readlink -f "$KC_HOME/bin")/.. " >/dev/null 2>&1 || return 1
    echo "$pid"
}

# The process group of a JVM running from our distribution when the pid file is gone (exact home, never a
# broad pattern).
kc_orphan() {
    local java
    [ -d "$KC_HOME/bin" ] || return 1
    java=$(pgrep -f "kc.home.dir=$(readlink -f "$KC_HOME/bin")/.. " | head -n1)
    [ -n "$java" ] && ps -o pgid= -p "$java" | tr -d ' '
}

# Readiness from the management port's /health/ready, over bash's /dev/tcp (no curl needed).
kc_ready() {
    local status
    status=$( (exec 3<>"/dev/tcp/$HOST/$KC_MGMT_PORT" &&
        printf 'GET /health/ready HTTP/1.0\r\nHost: %s\r\n\r\n' "$HOST" >&3 && timeout 2 head -n1 <&3) 2>/dev/null) ||
        return 1
    [[ $status == "HTTP/1."?" 200"* ]]
}

kc_log_tail() {
    echo "---- $KC_OUT (last 40 lines)" >&2
    tail -n 40 "$KC_OUT" >&2 2>/dev/null || true
}

cmd_start() {
    cmd_bootstrap
    ensure_credentials
    ensure_database
    local pid
    if pid=$(kc_pid); then log "keycloak already running (pid $pid), left alone"; return 0; fi
    for port in "$KC_PORT" "$KC_MGMT_PORT"; do
        port_open "$port" &&
            die "port $port is taken by another process (ss -ltnp 'sport = :$port'); set KEYCLOAK_PORT / KEYCLOAK_MANAGEMENT_PORT"
    done
    # Our login theme (Bahasa Indonesia); themes are read at start, so a copy per start keeps it current.
    rm -rf "$KC_HOME/themes/berdaya"
    cp -r "$DEPLOY_DIR/keycloak/themes/berdaya" "$KC_HOME/themes/berdaya"
    log "starting keycloak $KC_VERSION on $KC_URL (management $KC_MGMT_PORT)"
    # Production mode (`start`), not `start-dev`: start-dev ignores the built options, uses relaxed security
    # defaults and is not what a regency runs; the only concession to a laptop is plain HTTP on loopback.
    # --hostname pins the issuer (http://127.0.0.1:<port>/realms/<realm>) whatever Host a client sends;
    # a realm's own frontendUrl attribute overrides it (the tests' proxied realms use that).
    # --cache=local: one node, no cluster discovery. Secrets go through the environment, not the command line.
    local args=(
        start --optimized
        --http-enabled=true --http-host="$HOST" --http-port="$KC_PORT" --hostname="$KC_URL"
        --http-management-port="$KC_MGMT_PORT"
        --cache=local
        --db-url="jdbc:postgresql://$HOST:$PG_PORT/$KC_DB" --db-username="$KC_DB" --db-pool-max-size=20
    )
    # setsid: a session and process group of its own (kc.sh runs the JVM as its child), so a Ctrl-C in the
    # calling terminal does not reach it and `down` can signal both; fds 8 and 9 (the locks) are not inherited.
    (
        set -a
        # shellcheck disable=SC1090
        . "$KC_ADMIN_FILE"; . "$KC_DB_FILE"
        set +a
        export JAVA_OPTS_KC_HEAP=$KC_HEAP_OPTS
        cd "$KC_DIR" && exec setsid nohup "$KC_HOME/bin/kc.sh" "${args[@]}" >"$KC_OUT" 2>&1 </dev/null 8>&- 9>&-
    ) &
    echo $! >"$KC_PID_FILE"
}

kc_wait_ready() {
    local t0=$SECONDS pid
    pid=$(cat "$KC_PID_FILE")
    while ! kc_ready; do
        # The process we started (its exec into kc.sh may not have happened yet: kc_pid could miss it).
        kill -0 "$pid" 2>/dev/null || { kc_log_tail; die "keycloak exited during start-up (log: $KC_OUT)"; }
        if ((SECONDS - t0 >= KC_START_TIMEOUT)); then
            kc_log_tail
            die "keycloak not ready within ${KC_START_TIMEOUT} s (log: $KC_OUT)"
        fi
        sleep 0.5
    done
}

cmd_sync() {
    ensure_python
    (cd "$REPO_ROOT" && KEYCLOAK_URL=$KC_URL KEYCLOAK_DIR=$KC_DIR "$(python_bin)" -m deploy.keycloak.sync)
    sync_stamp >"$KC_DIR/.realm-synced"
}

# What the last sync applied, to which server process: the realm files, the sync's code and the server's pid.
sync_stamp() {
    { cat "$DEPLOY_DIR"/keycloak/realm-*.json "$DEPLOY_DIR"/keycloak/*.py; cat "$KC_PID_FILE"; } | sha256sum | cut -d' ' -f1
}

cmd_up() {
    local t0=$SECONDS
    cmd_start
    kc_wait_ready
    log "keycloak ready in $((SECONDS - t0)) s (pid $(cat "$KC_PID_FILE"), $(kc_rss_mb) MB resident)"
    # Every start gets the realm applied; a server that already got these very files is not asked again
    # (`make realm` always applies).
    if [ -f "$KC_DIR/.realm-synced" ] && [ "$(cat "$KC_DIR/.realm-synced")" = "$(sync_stamp)" ]; then
        log "realm files unchanged since this server's last sync"
    else
        cmd_sync
    fi
}

kc_rss_mb() {
    local pid total=0 rss
    pid=$(kc_pid) || { echo 0; return; }
    for rss in $(ps -o rss= -g "$pid" 2>/dev/null); do total=$((total + rss)); done
    echo $((total / 1024))
}

cmd_down() {
    local pid
    if ! pid=$(kc_pid || kc_orphan); then
        log "keycloak not running"
    else
        log "stopping keycloak (pid $pid)"
        kill -TERM -- "-$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 300; i++)); do pgrep -g "$pid" >/dev/null || break; sleep 0.1; done
        if pgrep -g "$pid" >/dev/null; then
            log "keycloak did not stop within 30 s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || true
            sleep 0.5
        fi
    fi
    rm -f "$KC_PID_FILE" "$KC_DIR/.realm-synced"
    wait_port_closed "$KC_PORT" 10 || log "WARNING: port $KC_PORT still open"
    wait_port_closed "$KC_MGMT_PORT" 10 || log "WARNING: port $KC_MGMT_PORT still open"
}

cmd_status() {
    local pid
    if pid=$(kc_pid) && kc_ready; then
        printf '%-9s running  pid %-7s %s:%s (management %s, %s MB)\n' keycloak "$pid" "$HOST" "$KC_PORT" \
            "$KC_MGMT_PORT" "$(kc_rss_mb)"
        return 0
    fi
    printf '%-9s stopped  %-11s %s:%s\n' keycloak "" "$HOST" "$KC_PORT"
    return 3
}

cmd_env() {
    echo "export KEYCLOAK_URL=$KC_URL"
    echo "export KEYCLOAK_DIR=$KC_DIR"
}

cmd_users() {
    (cd "$REPO_ROOT" && KEYCLOAK_URL=$KC_URL KEYCLOAK_DIR=$KC_DIR python3 -m deploy.keycloak.users)
}

cmd_reset() {
    cmd_down
    if psql_bin >/dev/null && port_open "$PG_PORT"; then
        psql_admin -c "DROP DATABASE IF EXISTS \"$KC_DB\" WITH (FORCE)" -c "DROP ROLE IF EXISTS \"$KC_DB\""
        log "database $KC_DB dropped"
    fi
    log "deleting the credentials and secrets in $KC_DIR (the distribution stays)"
    rm -f "$KC_ADMIN_FILE" "$KC_DB_FILE" "$KC_DIR"/realm-*.secrets.json "$KC_OUT"
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        bootstrap | start | up | down | status | sync | users | env | reset) ;;
        *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
    mkdir -p "$KC_DIR"
    # One command at a time per Keycloak directory (deploy/stack.sh holds its own lock on another file).
    if [ "$cmd" != status ] && [ "$cmd" != env ] && [ "$cmd" != users ]; then
        exec 8>"$KC_DIR/.keycloak.lock"
        flock -w 300 8 || die "another deploy/keycloak.sh is still running (lock $KC_DIR/.keycloak.lock)"
    fi
    "cmd_$cmd"
}

main "$@"
