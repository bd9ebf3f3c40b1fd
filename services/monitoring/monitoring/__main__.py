"""`python -m monitoring` serves the API and dashboard; `python -m monitoring rebuild` recomputes projections."""

import asyncio
import logging
import sys

from .config import Settings


async def _rebuild(settings: Settings) -> None:
    import asyncpg
    from berdaya_shared.messaging import outbox

    from .adapters import LIVE_SCHEMA, projection_ddl, service_ddl
    from .service_layer.rebuild import RebuildProgress, rebuild

    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await outbox.install(conn)
            await conn.execute(service_ddl())
            await conn.execute(projection_ddl(LIVE_SCHEMA))
        progress = RebuildProgress()
        await rebuild(pool, settings.messaging, progress)
        print(progress.as_dict())
    finally:
        await pool.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    if sys.argv[1:2] == ["rebuild"]:
        asyncio.run(_rebuild(settings))
        return
    # The web stack is imported only to serve: a rebuild process starts without it (about 1.5 s less).
    import uvicorn

    from .bootstrap import create_app

    # Live-feed streams never end by themselves: bound the graceful shutdown so a stop does not hang.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
