#!/usr/bin/env bash
# Local real-infrastructure stack without Docker: Apache Kafka 4 in KRaft mode (official jars from Maven Central,
# run on Java 17), PostgreSQL (Debian's package) and Keycloak (deploy/keycloak.sh: the Maven Central distribution,
# its database on this PostgreSQL), each with its data under deploy/.data/ (gitignored).
# Kafka is secured (deploy/kafka/README.md): SASL/SCRAM-SHA-512 over TLS for clients, SCRAM between brokers, PLAIN
# over TLS for the KRaft controller, StandardAuthorizer denying by default, ACLs from deploy/kafka/acls.py.
#
#   deploy/stack.sh bootstrap         install what is missing: Java/Maven/PostgreSQL (apt), Kafka jars and Keycloak (mvn)
#   deploy/stack.sh up [COMPONENT]    bootstrap, start PostgreSQL, Kafka and Keycloak; databases, principals, ACLs, topics, realm
#   deploy/stack.sh down [COMPONENT]  stop Keycloak, Kafka and PostgreSQL (SIGKILL if they do not stop in time), free ports
#   deploy/stack.sh status            one line per component; exit 0 when everything runs, 3 otherwise
#   deploy/stack.sh topics            (re)create missing Kafka topics (of $TOPIC_NAMESPACE) from berdaya_contracts.topics
#   deploy/stack.sh env               print `export` lines: Kafka with the admin principal's credentials, DATABASE_URL, KEYCLOAK_URL
#   deploy/stack.sh reset [COMPONENT] down, then delete its data (Kafka: topics, credentials, CA; keeps jars and distribution)
#
# COMPONENT is postgres, kafka or keycloak (default all three, or $STACK_COMPONENTS): `up kafka` leaves a running
# PostgreSQL alone (Keycloak needs this stack's PostgreSQL).
# Every command is idempotent: what already runs is left running, what is already installed is not fetched again.
# Environment (defaults in brackets):
#   KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]  KAFKA_INTERNAL_PORT [9094]  KAFKA_HEAP_OPTS [-Xms256m -Xmx512m]
#   KAFKA_START_TIMEOUT [90]  TOPIC_NAMESPACE [] (topics and service principals of a namespaced copy)
#   PG_PORT [5433]  PG_USER [berdaya]  PG_PASSWORD [berdaya]  PG_DATA [deploy/.data/pg]  PG_BIN [newest of
#   /usr/lib/postgresql/*/bin, 15 preferred]  BERDAYA_DATA_DIR [deploy/.data]  PYTHON [.venv/bin/python]
#   Keycloak's own (KEYCLOAK_PORT [8080], KEYCLOAK_MANAGEMENT_PORT [9000], ...): see deploy/keycloak.sh.
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$DEPLOY_DIR")
DATA_DIR=${BERDAYA_DATA_DIR:-$DEPLOY_DIR/.data}

# Everything binds to loopback only.
STACK_HOST=127.0.0.1

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_INTERNAL_PORT=${KAFKA_INTERNAL_PORT:-9094}   # the inter-broker listener
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
KAFKA_LIBS=${KAFKA_LIBS:-$DATA_DIR/kafka-libs}          # jars copied by mvn from deploy/kafka/pom.xml
KAFKA_DIR=$DATA_DIR/kafka                # server.properties, pid file, stdout, logs/, data/ (log.dirs)
KAFKA_PID_FILE=$KAFKA_DIR/kafka.pid
KAFKA_ADMIN=berdaya-admin                # the principal of the stack's own tooling (deploy/kafka/acls.py)

PG_PORT=${PG_PORT:-5433}
PG_USER=${PG_USER:-berdaya}
PG_PASSWORD=${PG_PASSWORD:-berdaya}
PG_DATABASES=(berdaya_registry berdaya_training berdaya_marketplace berdaya_monitoring berdaya_test)

# Keycloak has a script of its own; it takes the same environment (PG_PORT, BERDAYA_DATA_DIR, PYTHON, ...).
keycloak() { bash "$DEPLOY_DIR/keycloak.sh" "$@"; }

log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[stack %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/$STACK_HOST/$1") 2>/dev/null; }

# Wait up to $2 seconds for port $1 to be closed.
wait_port_closed() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do port_open "$1" || return 0; sleep 0.1; done
    return 1
}

apt_install() {
    is_root || die "need root to apt-get install $*; install it yourself or rerun as root"
    log "apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    # Package lists may be missing on a fresh machine (and are stale anywhere else): update once per run.
    if [ -z "${_APT_UPDATED:-}" ]; then apt-get update -qq; _APT_UPDATED=1; fi
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---------------------------------------------------------------------------------------------------------------
# Python (for the Kafka admin scripts)
# ---------------------------------------------------------------------------------------------------------------
python_bin() {
    if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"
    elif [ -x "$REPO_ROOT/.venv/bin/python" ]; then echo "$REPO_ROOT/.venv/bin/python"
    else echo python3
    fi
}

# The Kafka tooling (deploy/kafka, create_topics.py, kafka_wait.py) runs on the project's pinned packages and kit.
ensure_python() {
    local py
    py=$(python_bin)
    if "$py" -c 'import aiokafka, confluent_kafka, cryptography, berdaya_shared.messaging' 2>/dev/null; then return 0; fi
    if [ -z "${PYTHON:-}" ] && [ ! -x "$REPO_ROOT/.venv/bin/python" ]; then
        log "creating $REPO_ROOT/.venv"
        python3 -m venv "$REPO_ROOT/.venv" || die "python3 -m venv failed (apt-get install python3-venv?)"
        py=$REPO_ROOT/.venv/bin/python
    fi
    log "installing the pinned packages and the shared kit into $py"
    "$py" -m pip install -q -r "$REPO_ROOT/requirements.txt" -e "$REPO_ROOT/shared/contracts" -e "$REPO_ROOT/shared/kit"
}

# The secured installation's tooling: kafka_tool COMMAND ARGS... (python -m deploy.kafka, see its --help).
kafka_tool() {
    (cd "$REPO_ROOT" && "$(python_bin)" -m deploy.kafka --data "$KAFKA_DIR" --bootstrap "$STACK_HOST:$KAFKA_PORT" "$@")
}

# Run a command with the admin principal's connection settings in its environment (never printed).
as_kafka_admin() {
    local lines
    mapfile -t lines < <(kafka_tool env --principal "$KAFKA_ADMIN") || die "no admin credentials in $KAFKA_DIR"
    env "${lines[@]}" "$@"
}

# ---------------------------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------------------------
kafka_java_opts() {
    # shellcheck disable=SC2206  # KAFKA_HEAP_OPTS is deliberately split into words
    local heap=($KAFKA_HEAP_OPTS)
    printf '%s\n' "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
        -Djava.awt.headless=true \
        "-Dlog4j2.configurationFile=$DEPLOY_DIR/kafka/log4j2.properties" "-Dkafka.logs.dir=$KAFKA_DIR/logs"
}

# Run a Kafka main class on the fetched jars: kafka_java CLASS ARGS...
kafka_java() {
    local opts
    mapfile -t opts < <(kafka_java_opts)
    java "${opts[@]}" -cp "$KAFKA_LIBS/*" "$@"
}

ensure_kafka_jars() {
    command -v java >/dev/null || apt_install openjdk-17-jre-headless
    # A stamp holding the pom's checksum: editing the pom (e.g. a new Kafka version) fetches again.
    local stamp=$KAFKA_LIBS/.pom.sha256 want
    want=$(sha256sum "$DEPLOY_DIR/kafka/pom.xml" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
    command -v mvn >/dev/null || apt_install maven
    log "fetching Kafka jars from Maven Central (deploy/kafka/pom.xml) into $KAFKA_LIBS"
    local t0=$SECONDS
    rm -rf "$KAFKA_LIBS"
    mkdir -p "$DATA_DIR"
    mvn -q -B -Dstyle.color=never -f "$DEPLOY_DIR/kafka/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$DATA_DIR/mvn.log" 2>&1 ||
        { tail -n 40 "$DATA_DIR/mvn.log" >&2; die "mvn could not fetch the Kafka jars (log: $DATA_DIR/mvn.log)"; }
    echo "$want" >"$stamp"
    log "Kafka jars fetched in $((SECONDS - t0)) s ($(ls "$KAFKA_LIBS" | wc -l) jars)"
}

kafka_pid() {
    # The pid from our pid file, if that process is still our broker; else nothing.
    local pid
    [ -f "$KAFKA_PID_FILE" ] || return 1
    pid=$(cat "$KAFKA_PID_FILE")
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "kafka.Kafka $KAFKA_DIR/server.properties" || return 1
    echo "$pid"
}

# Passwords, the CA and the broker's certificate on first start; then the node's configuration (mode 600).
write_server_properties() {
    mkdir -p "$KAFKA_DIR/logs" "$KAFKA_DIR/data"
    kafka_tool prepare --host "$STACK_HOST" --port "$KAFKA_PORT" --internal-port "$KAFKA_INTERNAL_PORT" \
        --controller-port "$KAFKA_CONTROLLER_PORT" --log-dir "$KAFKA_DIR/data" --out "$KAFKA_DIR/server.properties" ||
        die "could not prepare the Kafka installation in $KAFKA_DIR"
}

format_kafka_storage() {
    # KRaft storage is formatted once; meta.properties marks a formatted log dir.
    if [ -f "$KAFKA_DIR/data/meta.properties" ]; then
        # Storage formatted before the broker was secured holds no SCRAM credentials: nobody could log in.
        [ -f "$KAFKA_DIR/secured" ] || die "Kafka storage in $KAFKA_DIR/data was formatted without authentication;" \
            "run '$0 reset kafka' once (deletes its topics; PostgreSQL and the outboxes are kept)"
        # The controller's address is written into the quorum's bootstrap checkpoint at format time.
        local formatted_with
        formatted_with=$(cat "$KAFKA_DIR/controller-port" 2>/dev/null || echo "$KAFKA_CONTROLLER_PORT")
        [ "$formatted_with" = "$KAFKA_CONTROLLER_PORT" ] ||
            die "Kafka storage was formatted for controller port $formatted_with; run '$0 reset' to change it"
        return 0
    fi
    local cluster_id
    if [ -s "$KAFKA_DIR/cluster-id" ]; then
        cluster_id=$(cat "$KAFKA_DIR/cluster-id")
    else
        cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid | tail -n1)
        echo "$cluster_id" >"$KAFKA_DIR/cluster-id"
    fi
    log "formatting KRaft storage (cluster id $cluster_id, standalone controller, broker and admin SCRAM credentials)"
    local scram
    read -ra scram < <(kafka_tool format-args) || die "no SCRAM credentials to format with"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" --standalone \
        "${scram[@]}" >"$KAFKA_DIR/format.out" 2>&1 || { cat "$KAFKA_DIR/format.out" >&2; die "Kafka storage format failed"; }
    echo "$KAFKA_CONTROLLER_PORT" >"$KAFKA_DIR/controller-port"
    date -u +%FT%TZ >"$KAFKA_DIR/secured"
}

kafka_log_tail() {
    echo "---- $KAFKA_DIR/kafka.out (last 20 lines)" >&2
    tail -n 20 "$KAFKA_DIR/kafka.out" >&2 2>/dev/null || true
    echo "---- $KAFKA_DIR/logs/server.log (last 40 lines)" >&2
    tail -n 40 "$KAFKA_DIR/logs/server.log" >&2 2>/dev/null || true
}

kafka_wait_ready() {
    as_kafka_admin "$(python_bin)" "$DEPLOY_DIR/kafka_wait.py" --bootstrap "$STACK_HOST:$KAFKA_PORT" --timeout "$1"
}

# Principals and ACLs as code (deploy/kafka/acls.py) for every namespace and subscriber kept in the installation.
sync_kafka_acls() {
    local out line
    out=$(kafka_tool sync) || die "applying Kafka principals and ACLs failed"
    while IFS= read -r line; do [ -n "$line" ] && log "kafka: $line"; done <<<"$out"
    log "kafka principals and ACLs in sync (namespaces: $(kafka_namespaces))"
}

kafka_namespaces() {
    "$(python_bin)" -c 'import json, sys; print(" ".join(repr(n) for n in json.load(open(sys.argv[1]))["namespaces"]))' \
        "$KAFKA_DIR/credentials.json" 2>/dev/null || echo "''"
}

start_kafka() {
    local pid t0=$SECONDS
    if pid=$(kafka_pid); then
        log "kafka already running (pid $pid), left alone"
        kafka_wait_ready "$KAFKA_START_TIMEOUT" || { kafka_log_tail; die "running Kafka does not answer"; }
        return 0
    fi
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_INTERNAL_PORT"; do
        port_open "$port" && die "port $port is taken by another process (ss -ltnp 'sport = :$port'); set KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_INTERNAL_PORT"
    done
    write_server_properties
    format_kafka_storage
    log "starting kafka on $STACK_HOST:$KAFKA_PORT (SASL_SSL; inter-broker $KAFKA_INTERNAL_PORT, controller $KAFKA_CONTROLLER_PORT)"
    local opts
    mapfile -t opts < <(kafka_java_opts)
    # setsid: its own session, so a Ctrl-C in the calling terminal or make does not reach the broker.
    # A background job of a non-interactive shell is no group leader, so setsid execs java in place and $! is
    # the JVM's pid. fd 9 (the stack lock) is closed so that the broker does not hold the lock.
    (cd "$KAFKA_DIR" && exec setsid nohup java "${opts[@]}" -cp "$KAFKA_LIBS/*" \
        kafka.Kafka "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/kafka.out" 2>&1 </dev/null 9>&-) &
    echo $! >"$KAFKA_PID_FILE"
    if ! kafka_wait_ready "$KAFKA_START_TIMEOUT"; then
        kafka_log_tail
        die "Kafka did not answer metadata requests within ${KAFKA_START_TIMEOUT} s"
    fi
    log "kafka ready in $((SECONDS - t0)) s (pid $(cat "$KAFKA_PID_FILE"))"
}

stop_kafka() {
    local pid
    # Fall back to the exact command line of our broker if the pid file is gone (never a broad pattern).
    pid=$(kafka_pid || pgrep -f "kafka.Kafka $KAFKA_DIR/server.properties" | head -n1 || true)
    if [ -z "$pid" ]; then
        log "kafka not running"
    else
        log "stopping kafka (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            log "kafka did not stop within 30 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
        fi
    fi
    rm -f "$KAFKA_PID_FILE"
    wait_port_closed "$KAFKA_PORT" 10 || log "WARNING: port $KAFKA_PORT still open"
    wait_port_closed "$KAFKA_CONTROLLER_PORT" 10 || log "WARNING: port $KAFKA_CONTROLLER_PORT still open"
    wait_port_closed "$KAFKA_INTERNAL_PORT" 10 || log "WARNING: port $KAFKA_INTERNAL_PORT still open"
}

# Topics of $TOPIC_NAMESPACE (empty: production's names), created as the admin principal.
create_topics() {
    as_kafka_admin "$(python_bin)" "$DEPLOY_DIR/create_topics.py" --bootstrap "$STACK_HOST:$KAFKA_PORT"
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------------------
pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
    if [ -x /usr/lib/postgresql/15/bin/postgres ]; then echo /usr/lib/postgresql/15/bin; return; fi
    # Another Debian release ships another major version; take the newest installed.
    local newest
    newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -n "$newest" ] && echo "$newest"
}

ensure_postgres() {
    local bin
    bin=$(pg_bin || true)
    if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
        apt_install postgresql
        bin=$(pg_bin) || die "postgresql installed but no /usr/lib/postgresql/*/bin found"
    fi
    PG_BIN=$bin
}

# The data dir. As root, PostgreSQL runs as the `postgres` OS user (it refuses to run as root), which must be
# able to reach the directory; a clone under a private home (e.g. /root, mode 700) cannot be reached, so then
# the data goes under /var/lib/postgresql instead, keyed by the data directory's path.
resolve_pg_data() {
    if [ -n "${PG_DATA:-}" ]; then return; fi
    PG_DATA=$DATA_DIR/pg
    if is_root && id postgres >/dev/null 2>&1; then
        mkdir -p "$DATA_DIR"
        if ! runuser -u postgres -- test -x "$DATA_DIR"; then
            PG_DATA=/var/lib/postgresql/berdaya-$(echo "$DATA_DIR" | cksum | cut -d' ' -f1)/pg
            log "postgres cannot reach $DATA_DIR; using PG_DATA=$PG_DATA"
        fi
    fi
}

# Run a PostgreSQL server program as the user that owns the cluster (from / so that cwd is always readable).
# fd 9 (the stack lock) is closed so that a server started here does not hold the lock for its lifetime.
as_pg() {
    if is_root; then (cd / && runuser -u postgres -- "$@" 9>&-); else "$@" 9>&-; fi
}

pg_running() { [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

init_postgres() {
    [ -f "$PG_DATA/PG_VERSION" ] && return 0
    log "initdb $PG_DATA (superuser $PG_USER)"
    mkdir -p "$PG_DATA"
    # The fallback parent under /var/lib/postgresql is created by root: hand it to postgres.
    if is_root && [[ $PG_DATA == /var/lib/postgresql/* ]]; then chown postgres:postgres "$(dirname "$PG_DATA")"; fi
    chmod 700 "$PG_DATA"
    local pwfile
    # Next to the data dir, where the postgres user can read it (it may not reach $DATA_DIR, see resolve_pg_data).
    pwfile=$(mktemp "$(dirname "$PG_DATA")/.pgpw.XXXXXX")
    echo "$PG_PASSWORD" >"$pwfile"
    if is_root; then chown postgres:postgres "$PG_DATA" "$pwfile"; fi
    # Host connections (all we allow: no Unix socket) authenticate with SCRAM passwords.
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$DATA_DIR/initdb.log" 2>&1 ||
        { rm -f "$pwfile"; cat "$DATA_DIR/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pwfile"
    # Port and listen address are given at start (-o) so PG_PORT can change without re-initialising.
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<'EOF'

# ---- Berdaya local stack (deploy/stack.sh) ----
max_connections = 200
shared_buffers = 256MB
# A real database: durable commits.
fsync = on
synchronous_commit = on
full_page_writes = on
# TCP on 127.0.0.1 only; no Unix socket (its default directory is not ours to write to when not root).
unix_socket_directories = ''
password_encryption = scram-sha-256
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

start_postgres() {
    local t0=$SECONDS
    ensure_postgres
    resolve_pg_data
    if is_root && ! id postgres >/dev/null 2>&1; then die "no 'postgres' OS user (apt-get install postgresql)"; fi
    if pg_running; then
        log "postgres already running ($PG_DATA), left alone"
    else
        port_open "$PG_PORT" && die "port $PG_PORT is taken by another process (ss -ltnp 'sport = :$PG_PORT'); set PG_PORT"
        init_postgres
        if is_root; then chown -R postgres:postgres "$PG_DATA"; fi
        log "starting postgres ($(basename "$(dirname "$PG_BIN")")) on $STACK_HOST:$PG_PORT"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
            -o "-p $PG_PORT -c listen_addresses=$STACK_HOST" start >/dev/null ||
            { tail -n 30 "$PG_DATA/server.log" >&2; die "postgres did not start"; }
    fi
    local i
    for ((i = 0; i < 600; i++)); do
        "$PG_BIN/pg_isready" -q -h "$STACK_HOST" -p "$PG_PORT" && break
        sleep 0.1
    done
    "$PG_BIN/pg_isready" -q -h "$STACK_HOST" -p "$PG_PORT" || die "pg_isready: no answer on $STACK_HOST:$PG_PORT"
    create_databases
    log "postgres ready in $((SECONDS - t0)) s"
}

create_databases() {
    local db
    for db in "${PG_DATABASES[@]}"; do
        if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
            psql_admin -qc "CREATE DATABASE $db" && log "database $db created"
        fi
    done
}

psql_admin() {
    PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -X -v ON_ERROR_STOP=1 -h "$STACK_HOST" -p "$PG_PORT" -U "$PG_USER" \
        -d postgres "$@"
}

stop_postgres() {
    PG_BIN=$(pg_bin || true)
    resolve_pg_data
    if [ -z "$PG_BIN" ] || [ ! -f "$PG_DATA/PG_VERSION" ]; then log "postgres not initialised"; return 0; fi
    local pid=""
    [ -f "$PG_DATA/postmaster.pid" ] && pid=$(head -n1 "$PG_DATA/postmaster.pid")
    if pg_running; then
        log "stopping postgres"
        if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null; then
            log "postgres did not stop within 30 s: SIGKILL"
            # pg_ctl starts the postmaster in a session of its own: kill its whole process group.
            [ -n "$pid" ] && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
            sleep 0.5
        fi
    else
        log "postgres not running"
    fi
    wait_port_closed "$PG_PORT" 10 || log "WARNING: port $PG_PORT still open"
}

# ---------------------------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------------------------
cmd_bootstrap() {
    mkdir -p "$DATA_DIR"
    if wants postgres; then ensure_postgres; fi
    if wants kafka; then ensure_kafka_jars; fi
    ensure_python
    if wants keycloak; then keycloak bootstrap; fi
}

# The components a command acts on: its argument, else $STACK_COMPONENTS, else both.
COMPONENTS=()
wants() { local c; for c in "${COMPONENTS[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }

cmd_up() {
    local t0=$SECONDS
    cmd_bootstrap
    if wants postgres; then start_postgres; fi
    # Keycloak needs only PostgreSQL: it starts in the background while Kafka starts, then `up` waits for it.
    if wants keycloak; then keycloak start; fi
    if wants kafka; then
        start_kafka
        sync_kafka_acls
        create_topics
    fi
    if wants keycloak; then keycloak up; fi
    log "stack up in $((SECONDS - t0)) s (connection settings: deploy/stack.sh env)"
}

cmd_down() {
    if wants keycloak; then keycloak down; fi
    if wants kafka; then stop_kafka; fi
    if wants postgres; then stop_postgres; fi
}

cmd_status() {
    local ok=0 pid
    if pid=$(kafka_pid) && port_open "$KAFKA_PORT"; then
        printf '%-9s running  pid %-7s %s:%s SASL_SSL (inter-broker %s, controller %s)\n' kafka "$pid" "$STACK_HOST" \
            "$KAFKA_PORT" "$KAFKA_INTERNAL_PORT" "$KAFKA_CONTROLLER_PORT"
    else
        printf '%-9s stopped  %-11s %s:%s\n' kafka "" "$STACK_HOST" "$KAFKA_PORT"; ok=3
    fi
    PG_BIN=$(pg_bin || true)
    resolve_pg_data
    if [ -n "$PG_BIN" ] && pg_running && "$PG_BIN/pg_isready" -q -h "$STACK_HOST" -p "$PG_PORT"; then
        pid=$(head -n1 "$PG_DATA/postmaster.pid")
        printf '%-9s running  pid %-7s %s:%s (%s)\n' postgres "$pid" "$STACK_HOST" "$PG_PORT" "$PG_DATA"
    else
        printf '%-9s stopped  %-11s %s:%s\n' postgres "" "$STACK_HOST" "$PG_PORT"; ok=3
    fi
    if wants keycloak; then keycloak status || ok=3; fi
    return $ok
}

# The admin principal's settings (the stack's own tooling and the tests' setup; services get their own principals).
cmd_env() {
    local line
    if [ -f "$KAFKA_DIR/credentials.json" ]; then
        while IFS= read -r line; do echo "export $line"; done < <(kafka_tool env --principal "$KAFKA_ADMIN")
    else
        echo "export KAFKA_BOOTSTRAP_SERVERS=$STACK_HOST:$KAFKA_PORT"
    fi
    echo "export DATABASE_URL=postgresql://$PG_USER:$PG_PASSWORD@$STACK_HOST:$PG_PORT/berdaya_test"
    if wants keycloak; then keycloak env; fi
}

cmd_reset() {
    if wants keycloak; then keycloak reset; fi   # while PostgreSQL still runs, so that its database and role go too
    cmd_down
    if wants kafka; then log "deleting $KAFKA_DIR"; rm -rf "$KAFKA_DIR"; fi
    if wants postgres; then resolve_pg_data; log "deleting $PG_DATA"; rm -rf "$PG_DATA"; fi
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        bootstrap | up | down | status | env | reset) ;;
        topics) cmd=create_topics ;;
        *) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
    shift || true
    # shellcheck disable=SC2206  # STACK_COMPONENTS is a word list
    COMPONENTS=(${@:-${STACK_COMPONENTS:-postgres kafka keycloak}})
    local c
    for c in "${COMPONENTS[@]}"; do
        case "$c" in postgres | kafka | keycloak) ;; *) die "unknown component '$c' (postgres, kafka or keycloak)" ;; esac
    done
    mkdir -p "$DATA_DIR"
    # One stack command at a time per data dir (two `make up` in parallel must not start two brokers).
    # status and env only read, so they do not wait for the lock.
    if [ "$cmd" != status ] && [ "$cmd" != env ]; then
        exec 9>"$DATA_DIR/.stack.lock"
        flock -w 300 9 || die "another deploy/stack.sh is still running (lock $DATA_DIR/.stack.lock)"
    fi
    case "$cmd" in
        create_topics) create_topics ;;
        *) "cmd_$cmd" ;;
    esac
}

main "$@"
