"""A release of the public figures: freeze the months that closed, protect the new cells, store them.

Releases run at a fixed cadence (``MONITORING_RELEASE_AT``, daily; a month is frozen once, ``grace_days`` after it
ends, or later for tables with a follow-up window), from the command line (``python -m monitoring release``) or by
``POST /api/admin/releases``. Everything runs in one repeatable-read transaction under an advisory lock, so the
basis is one consistent state of the projection and two releases never interleave.
"""

import time
from datetime import date
from typing import Any

import asyncpg

from ..adapters import LIVE_SCHEMA
from ..adapters import publication as pub
from ..domain.disclosure import cells, release
from ..domain.disclosure.protect import protect_group
from ..domain.disclosure.tables import AT_MOST, COHORT, FAMILIES, FAMILY, RATIOS, SAME_TOTAL, linked
from ..domain.indicators import BY_NAME
from .live import RELEASED, notify, release_events
from .unit_of_work import MonitoringUnitOfWork

_LOCK = 0x6D6F6E70  # pg_advisory_xact_lock key of releases ("monp")


async def make_release(conn: asyncpg.Connection, *, today: date, grace_days: int, start: str) -> dict[str, Any]:
    """Freeze every month due on ``today`` (WITA) and publish its cells; answers what the release did
    (``release_id`` None when nothing was due)."""
    began = time.monotonic()
    async with conn.transaction(isolation="repeatable_read"):
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
        await conn.execute(f"SET LOCAL search_path TO {LIVE_SCHEMA}, public; SET LOCAL jit = off")
        frozen = await pub.frozen_months(conn)
        plan = {f.name: release.due(f, start, today, grace_days, frozen.get(f.name, ())) for f in FAMILIES}
        plan = {k: v for k, v in plan.items() if v}
        if not plan:
            return {"release_id": None, "frozen": {}, "cells": 0, "withheld": 0, "secondary": 0, "seconds": 0.0}
        release_id = await pub.new_release(conn, today)
        for family, months in plan.items():
            await pub.freeze(conn, family, months, release_id)
            frozen.setdefault(family, set()).update(months)
        work = {(linked(f), m[:4]) for f, months in plan.items() for m in months}
        shown: dict[str, int] = {"published": 0, "primary": 0, "secondary": 0}
        for group, year in sorted(work):
            for c in await _publish(conn, group, year, frozen, release_id):
                if (c[0] in BY_NAME or c[0] in COHORT) and c[7] in shown:  # the public's cells (not complements)
                    shown[c[7]] += 1
        stored, withheld = sum(shown.values()), shown["primary"] + shown["secondary"]
        await MonitoringUnitOfWork(conn).publish(await release_events(conn, release_id))  # the outbox, here
        await notify(conn, RELEASED)  # every instance's public stream, on commit
        seconds = round(time.monotonic() - began, 2)
        await pub.finish_release(conn, release_id, plan, stored, withheld, seconds)
    return {"release_id": release_id, "frozen": plan, "cells": stored, "withheld": withheld,
            "secondary": shown["secondary"], "seconds": seconds}


async def _publish(conn: asyncpg.Connection, group: tuple[str, ...], year: str, frozen: dict[str, set[str]],
                   release_id: int) -> list[tuple]:
    """Protect and store the cells of ``group``'s families for ``year`` that no release stored yet."""
    spaces, rows_of, out = [], {}, []
    months = {f: sorted(m for m in frozen.get(f, ()) if m.startswith(year)) for f in group}
    tables = [t.name for f in group for t in FAMILY[f].tables]
    old = await pub.statuses(conn, tables + _derived(group), year)
    for name in group:
        fam = FAMILY[name]
        rows_of[name] = await pub.basis(conn, name, year)
        space = cells.build(fam, year, months[name], rows_of[name])
        if fam.unit == "median":
            out += release.median_cells(fam, space, rows_of[name], months[name], old)
        else:
            spaces.append(space)
    status = protect_group(spaces, old, AT_MOST, same_total=SAME_TOTAL) if spaces else {}
    for space in spaces:
        out += release.new_cells(space, status, old)
        out += release.ratio_cells(space, status, old)
    await pub.store(conn, out, release_id)
    return out


def _derived(group: tuple[str, ...]) -> list[str]:
    names = {t.name for f in group for t in FAMILY[f].tables}
    return [r.name for r in RATIOS if r.den in names]


async def scheduled(pool: asyncpg.Pool, settings: Any, on_release: Any) -> None:
    """Make the release every day at ``settings.release_at`` (WITA), for ever."""
    import asyncio
    from datetime import datetime, timedelta

    from berdaya_shared import clock

    hour, minute = (int(x) for x in settings.release_at.split(":"))
    while True:
        now = clock.now()
        at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        at = at if at > now else at + timedelta(days=1)
        await asyncio.sleep(max(1.0, (at - now).total_seconds()))
        try:
            async with pool.acquire() as conn:
                done = await make_release(conn, today=clock.today(), grace_days=settings.release_grace_days,
                                          start=settings.release_start)
            if done["release_id"] is not None:
                on_release()
        except Exception:  # noqa: BLE001 - tomorrow's release must still run
            import logging

            logging.getLogger(__name__).exception("scheduled release failed at %s", datetime.isoformat(now))


async def wait_quiet(conn: asyncpg.Connection, quiet_s: float, timeout_s: float = 600.0) -> None:
    """Wait until the projection has taken events and then none for ``quiet_s`` seconds (the inbox count stands
    still above 0): after a bulk load, the consumer may not even have joined its group yet. Gives up after
    ``timeout_s``."""
    import asyncio

    began, last, still = time.monotonic(), None, time.monotonic()
    while time.monotonic() - began < timeout_s:
        count = await conn.fetchval("SELECT count(*) FROM public.inbox")
        if count != last:
            last, still = count, time.monotonic()
        elif count and time.monotonic() - still >= quiet_s:
            return
        await asyncio.sleep(min(1.0, quiet_s / 4))
