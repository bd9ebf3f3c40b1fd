"""``python -m monitoring``: serve the API and dashboard, migrate, or rebuild the projections (``--help``)."""

import argparse
import asyncio
import logging
import sys
from typing import Any

from berdaya_shared import cli, migrate

from .adapters import MIGRATIONS
from .config import Settings

DESCRIPTION = "Pemantauan Berdaya: indikator program, dasbor, ekspor, siaran langsung dan putaran evaluasi."


async def _rebuild(settings: Settings) -> None:
    import asyncpg

    from .adapters import prepare_database
    from .service_layer.rebuild import RebuildProgress, rebuild

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


def _serve(settings: Settings) -> None:
    # The web stack is imported only to serve: a rebuild process starts without it (about 1.5 s less).
    import uvicorn

    from .bootstrap import create_app

    # Live-feed streams never end by themselves: bound the graceful shutdown so a stop does not hang.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, timeout_graceful_shutdown=5)


def main() -> int:
    return cli.main(
        service="monitoring", description=DESCRIPTION, settings=Settings, serve=_serve,
        migrations=lambda: migrate.load("monitoring", MIGRATIONS),
        commands={"rebuild": cli.Command("replay every event topic into fresh projections and swap them in",
                                         lambda _parser: None, _run_rebuild)},
    )


if __name__ == "__main__":
    sys.exit(main())
