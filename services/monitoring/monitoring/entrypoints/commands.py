"""The command line's monitoring parts: serving (the web stack imported only then) and the ``rebuild`` command.

A rebuild process starts without FastAPI and the app (about 1.5 s less, which the rebuild benchmark's whole-process
timing sees), so nothing here imports them at module level.
"""

import argparse
import asyncio
import logging
from typing import Any

from berdaya_shared import cli

from ..config import Settings

DESCRIPTION = "Pemantauan Berdaya: indikator program, dasbor, ekspor, siaran langsung dan putaran evaluasi."


def serve(settings: Settings) -> None:
    from ..bootstrap import create_app

    # Live-feed streams never end by themselves: bound the graceful shutdown so a stop does not hang.
    cli.serve_uvicorn(create_app(settings), host=settings.host, port=settings.port, timeout_graceful_shutdown=5)


async def _rebuild(settings: Settings) -> None:
    import asyncpg

    from ..adapters import prepare_database
    from ..service_layer.rebuild import RebuildProgress, rebuild

    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await prepare_database(conn)
        progress = RebuildProgress()
        await rebuild(pool, settings.messaging, progress)
        print(progress.as_dict())
    finally:
        await pool.close()


def _run_rebuild(_args: argparse.Namespace, settings: Any) -> int:
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_rebuild(settings))
    return 0


async def _release(settings: Settings, quiet_s: float) -> None:
    import json

    import asyncpg
    from berdaya_shared import clock

    from ..adapters import prepare_database
    from ..service_layer.release import make_release, wait_quiet

    conn = await asyncpg.connect(settings.database_url)
    try:
        await prepare_database(conn)
        if quiet_s > 0:
            await wait_quiet(conn, quiet_s)
        done = await make_release(conn, today=clock.today(), grace_days=settings.release_grace_days,
                                  start=settings.release_start)
        print(json.dumps(done))
    finally:
        await conn.close()


def _release_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="S",
                        help="first wait until no event has been applied for S seconds (after a bulk load)")


def _run_release(args: argparse.Namespace, settings: Any) -> int:
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_release(settings, args.wait_quiet))
    return 0


COMMANDS = {
    "rebuild": cli.Command("replay every event topic into fresh projections and swap them in",
                           lambda _parser: None, _run_rebuild),
    "release": cli.Command("publish the months closed by today: freeze, protect and store their public cells",
                           _release_args, _run_release),
}
