"""The read models built in one pass from the whole history of the facts (``projections/readmodel.py`` keeps
them current batch by batch): by the rebuild before its swap, and once when a database's facts predate them.

Where the time goes and why it is done so (measured on the 1M-event replay, 123,856 women; ``docs/scaling.md``):
- the definitions of the business start-ups and of the poverty-exit cohort test each row with an EXISTS that the
  merged views' COALESCE keeps from any index: a scan of every business per trained woman (the start-ups alone
  ran more than six minutes before they were stopped). The build uses set-based forms of them (``STARTUP_BULK``,
  ``POVERTY_COHORT_BULK`` in readmodel.py: about a second each), held equal to the definitions by the tests;
- the fact tables are ANALYZEd first: right after a replay into the shadow schema they have no statistics;
- ``rm_contrib``'s indexes are dropped while its ~1.1M records are inserted and created again after (one sort
  each instead of a random-order insertion per record);
- its aggregations and index sorts get memory enough not to spill to disk (``WORK_MEM``);
- in the rebuild, the indicators' records are inserted by ``BUILD_WORKERS`` connections at once, then the cells
  and the desa cells with the indexes on two;
- the roll-ups are summed from the finer table (``rm_cells_kp`` from ``rm_cells``, the histograms from
  ``rm_hist``) instead of scanning every record again.
"""

import asyncio

import asyncpg

from .readmodel import _COLUMNS, BULK_SQL, CELL_TABLES, FACT_TABLES, FUNNEL, HIST_TABLES, _records, coarse

# Memory for the build's aggregations and index sorts (its transaction only): about the size of the records.
WORK_MEM = "256MB"
# Connections inserting the indicators' records at once in the rebuild (the records of an indicator are one
# statement; PostgreSQL runs each on one core).
BUILD_WORKERS = 2


def _cells_from(table: str, dims: str, source: str) -> str:
    sums = ("sum(n), sum(num), sum(amount)" if source != "rm_contrib" else
            "count(*), count(*) FILTER (WHERE num), COALESCE(sum(amount) FILTER (WHERE num), 0)")
    return (f"INSERT INTO {table} (indicator, {dims}, n, num, amount) SELECT indicator, {dims}, {sums}"
            f" FROM {source} GROUP BY indicator, {dims}")


async def _prepare(conn: asyncpg.Connection) -> list[str]:
    """Settings, statistics of the facts, empty read models, ``rm_contrib``'s indexes dropped (their definitions
    returned, to be created again after the records)."""
    await conn.execute(f"SET LOCAL work_mem = '{WORK_MEM}'; SET LOCAL maintenance_work_mem = '{WORK_MEM}'")
    await conn.execute(f"ANALYZE {', '.join(('merges', *FACT_TABLES))}")
    await conn.execute(f"TRUNCATE rm_contrib, rm_state, {', '.join(CELL_TABLES)}")
    found = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'rm_contrib'"
                             " AND schemaname = current_schema()")
    for r in found:
        await conn.execute(f"DROP INDEX {r['indexname']}")
    return [r["indexdef"] for r in found]


def _insert_records(name: str) -> str:
    return f"INSERT INTO rm_contrib ({_COLUMNS}) {_records(name, 'true', bulk=True)}"


def _cells_then_indexes(indexes: list[str]) -> tuple[list[str], list[str]]:
    """The statements after the records, in two independent sequences (the cells and their roll-up; the desa cells
    and the indexes): the rebuild runs them at once."""
    return ([_cells_from("rm_cells", CELL_TABLES["rm_cells"], "rm_contrib"),
             _cells_from("rm_cells_kp", CELL_TABLES["rm_cells_kp"], "rm_cells")],
            [_cells_from("rm_cells_desa", CELL_TABLES["rm_cells_desa"], "rm_contrib"), *indexes])


async def _mark_built(conn: asyncpg.Connection) -> None:
    await build_histograms(conn)
    await conn.execute("ANALYZE rm_contrib")
    await conn.execute("INSERT INTO rm_state VALUES (now())")


async def build(conn: asyncpg.Connection) -> None:
    """Every indicator's records, cells and median histograms from the whole history of the facts (the schema on
    ``search_path``, in the caller's transaction): what a sequence of ``maintain`` calls gives, computed at once."""
    indexes = await _prepare(conn)
    for name in BULK_SQL:
        await conn.execute(_insert_records(name))
    cells, rest = _cells_then_indexes(indexes)
    for sql in (*cells, *rest):
        await conn.execute(sql)
    await _mark_built(conn)


async def build_in_parallel(pool: asyncpg.Pool, schema: str, workers: int = BUILD_WORKERS) -> None:
    """``build`` of ``schema`` (the rebuild's shadow, which nobody reads until it is swapped in) with the
    indicators' records inserted by ``workers`` connections of ``pool`` at once, each statement in its own
    transaction; the preparation and the cells each in one transaction. A failure leaves the schema half built:
    the rebuild then fails, and the next one starts from a new shadow."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        indexes = await _prepare(conn)
    names = sorted(BULK_SQL, key=lambda n: n != FUNNEL)  # the longest first (one record per woman)
    settings = (f"SET LOCAL search_path TO {schema}, public; SET LOCAL work_mem = '{WORK_MEM}';"
                f" SET LOCAL maintenance_work_mem = '{WORK_MEM}'")

    async def insert_some() -> None:
        async with pool.acquire() as conn:
            while names:
                name = names.pop(0)
                async with conn.transaction():
                    await conn.execute(settings)
                    await conn.execute(_insert_records(name))

    async def run(statements: list[str]) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(settings)
            for sql in statements:
                await conn.execute(sql)

    await asyncio.gather(*(insert_some() for _ in range(workers)))
    await asyncio.gather(*(run(part) for part in _cells_then_indexes(indexes)))
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(settings)
        await _mark_built(conn)


async def build_histograms(conn: asyncpg.Connection) -> None:
    """The median indicators' value histograms from the stored records (``rm_contrib``): the fine one of every
    dimension from the records, each fine roll-up from it, each coarse histogram from the fine one of its level."""
    await conn.execute(f"TRUNCATE rm_hist_state, {', '.join(HIST_TABLES)}")
    for table, dims in HIST_TABLES.items():
        keys = f"indicator, {dims}" if dims else "indicator"
        if table == "rm_hist":
            value, count, source = "bucket", "count(*)", "rm_contrib WHERE num AND bucket IS NOT NULL"
        elif coarse(table):  # from the fine histogram of its level
            value, count, source = "bucket / 10", "sum(n)", table.removesuffix("_c")
        else:
            value, count, source = "bucket", "sum(n)", "rm_hist"
        await conn.execute(f"INSERT INTO {table} ({keys}, bucket, n) SELECT {keys}, {value}, {count} FROM {source}"
                           f" GROUP BY {keys}, {value}")
    await conn.execute("INSERT INTO rm_hist_state VALUES (now())")


async def ensure_built(conn: asyncpg.Connection) -> bool:
    """Build the read models once when the facts predate them (an upgrade), and the median histograms when the
    read models predate those; True when it built anything."""
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rm_state)"):
        await build(conn)
        return True
    # No histograms yet, or fine ones without the coarse ones (read models of an older version).
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rm_hist_state) AND (EXISTS (SELECT 1 FROM rm_hist_all_c)"
                               " OR NOT EXISTS (SELECT 1 FROM rm_hist_all))"):
        await build_histograms(conn)
        return True
    return False
