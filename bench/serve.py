"""python -m bench.serve <service>: a service's own create_app on BENCH_PORT, with a consumer group of its own
(so a benchmark never joins the real service's group)."""

import importlib
import os
import sys
import uuid

import uvicorn

if __name__ == "__main__":
    name = sys.argv[1]
    bootstrap = importlib.import_module(f"{name}.bootstrap")
    config = importlib.import_module(f"{name}.config")
    app = bootstrap.create_app(config.Settings(), group_id=f"bench-{name}-{uuid.uuid4().hex[:8]}")
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BENCH_PORT"]), log_level="warning")
