"""The attack suite: for generated program histories, an outsider takes everything the public channels publish over
two successive releases (the whole public grid of every indicator, rates with their denominators, the CSV exports,
the live headline, a round and its late data) and solves it as a linear program for every withheld cell. No
withheld cell may be pinned to one value; no withheld sensitive cell may be bounded away from 0.

``ATTACK_EXAMPLES`` sets how many histories (``make test``: a few; ``make faults``: many).
"""

import os
from datetime import date

import asyncpg
from berdaya_contracts import decode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from monitoring.adapters import LIVE_SCHEMA
from monitoring.projections import apply_live
from monitoring.service_layer.release import make_release

from tests.disclosure import adversary
from tests.disclosure.history import events, histories
from tests.monitoring.conftest import Monitoring, monitoring, started  # noqa: F401 - the service under attack
from tests.monitoring.test_projection_properties import TABLES

EXAMPLES = int(os.environ.get("ATTACK_EXAMPLES", "4"))
FIRST, SECOND = date(2025, 7, 20), date(2026, 1, 20)  # two release days: June closed, then December


async def reset(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(f"TRUNCATE {', '.join(f'{LIVE_SCHEMA}.{t}' for t in TABLES)};"
                           " TRUNCATE pub_cells, pub_basis, pub_months, pub_releases, eval_action_reviews,"
                           " eval_actions, eval_obstacles, eval_round_notes, eval_rounds CASCADE")


async def apply(pool: asyncpg.Pool, envelopes: list) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply_live(conn, [decode(e.to_bytes()) for e in envelopes])


async def release(pool: asyncpg.Pool, today: date) -> None:
    async with pool.acquire() as conn:
        await make_release(conn, today=today, grace_days=10, start="2025-01")


async def attack_history(m: Monitoring, women: list[dict], seed: int) -> adversary.Publication:
    pool = m.app.state.runtime.pool
    await reset(pool)
    await apply(pool, events(women, seed, months=range(1, 7)))
    await release(pool, FIRST)
    pub = await adversary.gather(m.public)
    adversary.see_headline(pub, (await m.public.get("/api/headline")).json())
    # A meeting's round of the first quarter, then late records of the first half and the second half's records.
    opened = await m.client.post("/api/rounds", json={"period_kind": "quarter", "period": "2025-Q1"},
                                 headers={"X-OPD": "dp3a"})
    assert opened.status_code == 201, opened.text
    await apply(pool, events([{**w, "month": w["month"] % 6 + 1} for w in women[::3]], seed + 1, months=range(1, 7)))
    await apply(pool, events(women, seed, months=range(7, 13)))
    await release(pool, SECOND)
    pub = await adversary.gather(m.public, pub)
    adversary.see_headline(pub, (await m.public.get("/api/headline")).json())
    ref = opened.json()["round_ref"]
    adversary.see_round(pub, (await m.public.get(f"/api/rounds/{ref}")).json(), "2025-Q1")
    late = (await m.public.get(f"/api/rounds/{ref}/late-data")).json()
    assert late["changed_cells"] == 0  # a released cell is never revised: no difference to read
    return pub


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(women=histories, seed=st.integers(1, 2**31))
async def test_no_withheld_cell_can_be_derived_from_everything_published(
        monitoring: Monitoring, women: list[dict], seed: int) -> None:  # noqa: F811 - the fixture above
    pub = await attack_history(monitoring, women, seed)
    assert pub.conflicts == [], "a cell read differently on two channels or in two releases"
    # The cohort of the first half (released by the second release, after its follow-up window) is attacked too.
    assert {k[1] for k in pub.cells if k[0] == "cohort_trained"} >= {"2025-Q1", "2025-Q2"}
    assert adversary.findings(pub) == []
