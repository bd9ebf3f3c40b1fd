#!/usr/bin/env bash
# The living demo: deploy/demo_data.py simulate in the background, stopped by `make down` or `make demo-stop`.
set -euo pipefail
DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$DEPLOY_DIR")
DATA_DIR=${BERDAYA_DATA_DIR:-$DEPLOY_DIR/.data}
PID_FILE=$DATA_DIR/run/demo.pid
PY=${PYTHON:-$REPO_ROOT/.venv/bin/python}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

case ${1:-} in
    start)
        if running; then echo "demo simulator already running (pid $(cat "$PID_FILE"))"; exit 0; fi
        mkdir -p "$DATA_DIR/run" "$DATA_DIR/logs"
        (cd "$REPO_ROOT" && exec nohup setsid "$PY" -m deploy.demo simulate >>"$DATA_DIR/logs/demo.log" 2>&1) &
        echo $! >"$PID_FILE"
        echo "demo simulator started (pid $!, log deploy/.data/logs/demo.log); make demo-stop or make down stops it"
        ;;
    stop)
        if running; then kill -TERM "$(cat "$PID_FILE")" 2>/dev/null || true; echo "demo simulator stopped"; fi
        rm -f "$PID_FILE"
        ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
