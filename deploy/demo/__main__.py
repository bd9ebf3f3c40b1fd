"""python -m deploy.demo load [--women N] | simulate [--interval S]

load      loads the Kukar demo scenario through the public APIs (idempotent: a second run adds nothing)
simulate  keeps adding a trickle of realistic activity until stopped (make demo / make down)
"""

import argparse
import asyncio
import os
import random
import signal
import time

from ..keycloak.tokens import local as keycloak_tokens
from .driver import Driver, Endpoints, load
from .scenario import generate


def endpoints() -> Endpoints:
    def url(name: str, port: int) -> str:
        return f"http://127.0.0.1:{os.environ.get(f'{name.upper()}_PORT', port)}"

    return Endpoints(url("registry", 8001), url("training", 8002), url("marketplace", 8003), url("monitoring", 8004))


async def run_load(women: int) -> None:
    tokens = await keycloak_tokens().prefetch()  # the realm's machine clients, client-credentials grant
    driver = Driver(endpoints(), namespace="demo-v1", headers=tokens)
    started = time.monotonic()
    print(f"loading demo data: {women} women and their program activity through the APIs")
    try:
        result = await load(driver, generate(women, seed=2025))
    finally:
        await driver.close()
    print(f"demo data loaded: {result['commands']} commands in {time.monotonic() - started:.0f} s")


async def run_simulate(interval: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    round_no = 0
    tokens = await keycloak_tokens().prefetch()  # renewed as they near expiry, however long the demo runs
    while not stop.is_set():
        round_no += 1
        seed = random.randrange(1_000_000_000)
        driver = Driver(endpoints(), namespace=f"sim-{seed}", concurrency=4, headers=tokens)
        try:
            await load(driver, generate(8, seed=seed), progress=lambda line: None)
            print(f"round {round_no}: {driver.sent} commands", flush=True)
        except Exception as exc:  # noqa: BLE001 (a demo keeps going when a service restarts)
            print(f"round {round_no} failed: {exc}", flush=True)
        finally:
            await driver.close()
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except TimeoutError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("load").add_argument("--women", type=int, default=int(os.environ.get("DEMO_WOMEN", "600")))
    sub.add_parser("simulate").add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    if args.command == "load":
        asyncio.run(run_load(args.women))
    else:
        asyncio.run(run_simulate(args.interval))


if __name__ == "__main__":
    main()
