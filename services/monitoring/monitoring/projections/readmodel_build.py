"""The read models built in one pass from the whole history of the facts (``projections/readmodel.py`` keeps
them current batch by batch): by the rebuild before its swap, and once when a database's facts predate them.

Where the time goes and why it is done so (measured on the 1M-event replay, 123,856 women; ``docs/scaling.md``):
- the fact tables are ANALYZEd first. Right after a replay into the shadow schema they have no statistics, and the
  planner, taking them for empty, ran the business start-up indicator as a probe of every business per trained
  woman (more than six minutes before it was stopped; under a second with statistics);
- ``rm_contrib``'s indexes are dropped while its ~1.1M records are inserted and created again after (one sort
  each instead of a random-order insertion per record);
- its aggregations and index sorts get memory enough not to spill to disk (``WORK_MEM``);
- the roll-ups are summed from the finer table (``rm_cells_kp`` from ``rm_cells``, the histograms from
  ``rm_hist``) instead of scanning every record again.
"""

import asyncpg

from .readmodel import _COLUMNS, BULK_SQL, CELL_TABLES, FACT_TABLES, HIST_TABLES, _records

# Memory for the build's aggregations and index sorts (its transaction only): about the size of the records.
WORK_MEM = "256MB"


def _cells_from(table: str, dims: str, source: str) -> str:
    sums = ("sum(n), sum(num), sum(amount)" if source != "rm_contrib" else
            "count(*), count(*) FILTER (WHERE num), COALESCE(sum(amount) FILTER (WHERE num), 0)")
    return (f"INSERT INTO {table} (indicator, {dims}, n, num, amount) SELECT indicator, {dims}, {sums}"
            f" FROM {source} GROUP BY indicator, {dims}")


async def build(conn: asyncpg.Connection) -> None:
    """Every indicator's records, cells and median histograms from the whole history of the facts (the schema on
    ``search_path``, in the caller's transaction): what a sequence of ``maintain`` calls gives, computed at once."""
    # Aggregating ~1.1M records into cells spilled to disk sorts with the default work_mem (31 s of the build).
    await conn.execute(f"SET LOCAL work_mem = '{WORK_MEM}'; SET LOCAL maintenance_work_mem = '{WORK_MEM}'")
    await conn.execute(f"ANALYZE {', '.join(('merges', *FACT_TABLES))}")
    await conn.execute(f"TRUNCATE rm_contrib, rm_state, {', '.join(CELL_TABLES)}")
    indexes = [r["indexdef"] for r in await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'rm_contrib'"
        " AND schemaname = current_schema()")]
    for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'rm_contrib'"
                              " AND schemaname = current_schema()"):
        await conn.execute(f"DROP INDEX {r['indexname']}")
    for name in BULK_SQL:
        await conn.execute(f"INSERT INTO rm_contrib ({_COLUMNS}) {_records(name, 'true', bulk=True)}")
    await conn.execute(_cells_from("rm_cells", CELL_TABLES["rm_cells"], "rm_contrib"))
    await conn.execute(_cells_from("rm_cells_kp", CELL_TABLES["rm_cells_kp"], "rm_cells"))
    await conn.execute(_cells_from("rm_cells_desa", CELL_TABLES["rm_cells_desa"], "rm_contrib"))
    for sql in indexes:
        await conn.execute(sql)
    await build_histograms(conn)
    await conn.execute("ANALYZE rm_contrib")
    await conn.execute("INSERT INTO rm_state VALUES (now())")


async def build_histograms(conn: asyncpg.Connection) -> None:
    """The median indicators' value histograms from the stored records (``rm_contrib``): the one of every
    dimension from the records, each roll-up from it."""
    await conn.execute(f"TRUNCATE rm_hist_state, {', '.join(HIST_TABLES)}")
    for table, dims in HIST_TABLES.items():
        cols = f"indicator, {dims}, bucket" if dims else "indicator, bucket"
        source = "rm_contrib WHERE num AND bucket IS NOT NULL" if table == "rm_hist" else "rm_hist"
        await conn.execute(f"INSERT INTO {table} ({cols}, n) SELECT {cols}, {'count(*)' if table == 'rm_hist' else 'sum(n)'}"
                           f" FROM {source} GROUP BY {cols}")
    await conn.execute("INSERT INTO rm_hist_state VALUES (now())")


async def ensure_built(conn: asyncpg.Connection) -> bool:
    """Build the read models once when the facts predate them (an upgrade), and the median histograms when the
    read models predate those; True when it built anything."""
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rm_state)"):
        await build(conn)
        return True
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rm_hist_state)"):
        await build_histograms(conn)
        return True
    return False
