#!/usr/bin/env bash
# The four Berdaya services as background processes on this machine (no Docker).
#
#   deploy/services.sh up [service...]      start every service that is not running (a crashed one is started
#                                           again); return when all answer /ready (database and Kafka producer
#                                           up: commands are served; the consumer may still be joining its group)
#   deploy/services.sh down [service...]    stop them (SIGTERM, then SIGKILL), leaving no process or port behind
#   deploy/services.sh status [service...]  one table: service, port, process, readiness (database, producer,
#                                           backlog, consumer state and lag)
#
# Logs: deploy/.data/logs/<service>.log; pid files: deploy/.data/run/<service>.pid ("<pid> <start time>").
# A pid file is trusted only if that pid is still the process it started: alive (not a zombie waiting to be
# reaped), the same start time (so not a recycled pid) and a command line running that service.
# Ports: REGISTRY_PORT [8001] TRAINING_PORT [8002] MARKETPLACE_PORT [8003] MONITORING_PORT [8004].
# Kafka: each service connects as its own principal (<TOPIC_NAMESPACE.>registry, ...) with the password, CA and
# SASL_SSL settings of the local installation (deploy/.data/kafka, made by deploy/stack.sh); a deployment that sets
# KAFKA_SECURITY_PROTOCOL itself gives each process its credentials its own way.
# Each consumer gets a static group membership id, <service>@<host>:<port> (CONSUMER_GROUP_INSTANCE_ID), so after
# a restart it gets its partitions back at once instead of waiting out the dead member's session.
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$DEPLOY_DIR")
DATA_DIR=${BERDAYA_DATA_DIR:-$DEPLOY_DIR/.data}
RUN_DIR=$DATA_DIR/run
LOG_DIR=$DATA_DIR/logs
PY=${PYTHON:-$REPO_ROOT/.venv/bin/python}
READY_TIMEOUT=${READY_TIMEOUT:-90}
SERVICES=(registry training marketplace monitoring)

# The stack the services talk to: the local one of deploy/stack.sh unless told otherwise.
export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}
for svc in "${SERVICES[@]}"; do
    var="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_DATABASE_URL"
    export "$var=${!var:-postgresql://${PG_USER:-berdaya}:${PG_PASSWORD:-berdaya}@127.0.0.1:${PG_PORT:-5433}/berdaya_$svc}"
done

log() { printf '[services %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[services %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

port_of() {
    local upper default
    upper=$(echo "$1" | tr '[:lower:]' '[:upper:]')
    case $1 in registry) default=8001 ;; training) default=8002 ;; marketplace) default=8003 ;; monitoring) default=8004 ;; esac
    local var="${upper}_PORT"
    echo "${!var:-$default}"
}

# "<state> <start time in clock ticks since boot>" of a process, from /proc/<pid>/stat (fields 3 and 22; the
# command name in field 2 may hold spaces, so fields are counted after its closing parenthesis).
proc_state() {
    local stat rest
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    rest=${stat##*) }
    # shellcheck disable=SC2086
    set -- $rest
    echo "$1 ${20}"
}

# A process that exists and has not exited (kill -0 also succeeds on a zombie not yet reaped).
alive() {
    local state
    read -r state _ <<<"$(proc_state "$1")" || return 1
    case $state in Z | X | x | "") return 1 ;; esac
}

# The pid of a running service: the pid file names a live process (not a zombie), started when the file says,
# running `python -m <service>`. Anything else is a stale pid file.
pid_of() {
    local f=$RUN_DIR/$1.pid pid started state now
    [ -f "$f" ] || return 1
    read -r pid started <"$f" || true
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    alive "$pid" || return 1
    read -r state now <<<"$(proc_state "$pid")" || return 1
    [ -n "$started" ] && [ "$now" != "$started" ] && return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE -- "-m $1( |$)" || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

who_listens() { ss -ltnpH "sport = :$1" 2>/dev/null | sed -E 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/' | head -n1; }

ready() { curl -fsS -m 3 "http://127.0.0.1:$(port_of "$1")/ready" >/dev/null 2>&1; }

# KEY=VALUE lines of the service's Kafka principal (none when the environment already says how to connect).
kafka_env() {
    [ -n "${KAFKA_SECURITY_PROTOCOL:-}" ] && return 0
    [ -f "$DATA_DIR/kafka/credentials.json" ] || return 0
    (cd "$REPO_ROOT" && "$PY" -m deploy.kafka --data "$DATA_DIR/kafka" --bootstrap "$KAFKA_BOOTSTRAP_SERVERS" \
        env --service "$1") || die "no Kafka credentials for $1: run 'TOPIC_NAMESPACE=${TOPIC_NAMESPACE:-} make stack-up'"
}

start_one() {
    local svc=$1 port
    port=$(port_of "$svc")
    if pid_of "$svc" >/dev/null; then
        log "$svc already running (pid $(pid_of "$svc")) on :$port"
        return 0
    fi
    if [ -f "$RUN_DIR/$svc.pid" ]; then
        log "$svc is not running (pid file $(cut -d' ' -f1 "$RUN_DIR/$svc.pid") is stale): starting it again"
        rm -f "$RUN_DIR/$svc.pid"
    fi
    if port_open "$port"; then
        die "port $port for $svc is in use by $(who_listens "$port"). Stop that process, or choose another port:" \
            "$(echo "$svc" | tr '[:lower:]' '[:upper:]')_PORT=<free port> make up"
    fi
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    local kenv
    kenv=$(kafka_env "$svc") || exit 1
    mapfile -t kenv <<<"$kenv"
    [ -n "${kenv[0]}" ] || kenv=()
    log "starting $svc on :$port (log: ${LOG_DIR#"$REPO_ROOT"/}/$svc.log)"
    local instance=${CONSUMER_GROUP_INSTANCE_ID:-$svc@$(hostname):$port}
    (cd "$REPO_ROOT" && CONSUMER_GROUP_INSTANCE_ID=$instance exec env "${kenv[@]}" nohup setsid "$PY" -m "$svc" \
        >>"$LOG_DIR/$svc.log" 2>&1) &
    local pid=$! state started i
    read -r state started <<<"$(proc_state "$pid")" || true
    echo "$pid ${started:-}" >"$RUN_DIR/$svc.pid"
    # Until the subshell has exec'd the service, its command line is still this script's.
    for ((i = 0; i < 100; i++)); do pid_of "$svc" >/dev/null && break; alive "$pid" || break; sleep 0.02; done
}

wait_ready() {
    local svc=$1 i
    for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
        ready "$svc" && { log "$svc ready"; return 0; }
        pid_of "$svc" >/dev/null || { tail -n 30 "$LOG_DIR/$svc.log" >&2; die "$svc exited during start (log above)"; }
        sleep 0.5
    done
    tail -n 30 "$LOG_DIR/$svc.log" >&2
    die "$svc not ready after ${READY_TIMEOUT}s (log above)"
}

stop_one() {
    local svc=$1 pid i
    if pid=$(pid_of "$svc"); then
        log "stopping $svc (pid $pid)"
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.1; done
        if alive "$pid"; then
            log "$svc did not stop in 10 s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$RUN_DIR/$svc.pid"
}

# One row of the status table from a /ready body: database, Kafka, outbox backlog, consumer lag and counters.
row() {
    "$PY" -c 'import json, sys
d = json.loads(sys.argv[1]); c = d.get("consumer") or {}
print("{:<7} {:<6} {:<8} {:<8} {:<9} {}".format("ready" if d.get("ok") else "NOT", d.get("database"), d.get("producer"),
      d.get("outbox_backlog", "-"), c.get("lag", "-"),
      "{state}: applied {applied}, duplicates {duplicates}, dead-lettered {dead_lettered}".format(**c) if c else "-"))' "$1"
}

status() {
    local svc port pid body all_ok=0
    printf '%-12s %-6s %-8s %-7s %-6s %-8s %-8s %-9s %s\n' SERVICE PORT PID STATE DB PRODUCER BACKLOG LAG CONSUMER
    for svc in "${CHOSEN[@]}"; do
        port=$(port_of "$svc")
        pid=$(pid_of "$svc" || echo -)
        if body=$(curl -sS -m 8 "http://127.0.0.1:$port/ready" 2>/dev/null); then
            printf '%-12s %-6s %-8s %s\n' "$svc" "$port" "$pid" "$(row "$body")"
            echo "$body" | grep -q '"ok":true' || all_ok=3
        else
            printf '%-12s %-6s %-8s %s\n' "$svc" "$port" "$pid" "not answering"
            all_ok=3
        fi
    done
    return $all_ok
}

usage() { echo "usage: $0 up|down|status [${SERVICES[*]}]" >&2; exit 2; }

action=${1:-}
shift || true
CHOSEN=("$@")
[ ${#CHOSEN[@]} -gt 0 ] || CHOSEN=("${SERVICES[@]}")
for svc in "${CHOSEN[@]}"; do
    [[ " ${SERVICES[*]} " == *" $svc "* ]] || { echo "unknown service: $svc" >&2; usage; }
done

case $action in
    up)
        for svc in "${CHOSEN[@]}"; do start_one "$svc"; done
        for svc in "${CHOSEN[@]}"; do wait_ready "$svc"; done
        ;;
    down)
        for svc in "${CHOSEN[@]}"; do stop_one "$svc"; done
        ;;
    status) status ;;
    *) usage ;;
esac
