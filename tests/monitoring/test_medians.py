"""The median of revenue change read from the maintained histograms equals percentile_cont(0.5) over the
definition, with odd and even counts (the two middle values averaged), ties, negative and zero changes, changes on
both sides of a histogram bucket's edge, many changes inside one coarse bucket (the walk's second step), a late
report that changes a business's first revenue, a merge and its undo, and any arrival order. Through the real inbox
consumer path."""

import random
import statistics
from datetime import date
from uuid import UUID, uuid4

import asyncpg
import pytest
from berdaya_contracts import Envelope, new_envelope
from berdaya_contracts import registry_v1 as r
from monitoring.adapters import LIVE_SCHEMA, prepare_database
from monitoring.projections import readmodel
from monitoring.service_layer import definitions, indicators
from monitoring.service_layer.indicators import Filters

from tests.monitoring.test_merges import events, feed, pool, reset  # noqa: F401 - the module's pool

NAME = "revenue_change_median"
KEC = ("64.02.06", "64.02.07")
GROUPS = (None, "kecamatan", "period", "kecamatan_period", "age_band", "field", "desa")
FILTERS = (Filters(), Filters(kecamatan=KEC[0]), Filters(period_from="2026-06", period_to="2026-06"),
           Filters(kecamatan=KEC[1], period_from="2026-05"), Filters(age_band="25-34"), Filters(field="kuliner"))


def woman(ref: UUID, kec: str, age_band: str) -> Envelope:
    return new_envelope(r.WomanRegistered(person_ref=ref, kecamatan_code=kec, desa_code=f"{kec}.2001",
                                          age_band=age_band, pekka_category="none", household_size=4,
                                          registered_by_opd="dp3a", registered_on=date(2026, 1, 5)))


def business(owner: UUID, kec: str, reports: dict[str, int], sector: str = "kuliner") -> tuple[UUID, list[Envelope]]:
    ref = uuid4()
    out = [new_envelope(r.BusinessRegistered(business_ref=ref, owner_person_ref=owner, sector=sector,
                                             kecamatan_code=kec, has_nib=True, has_pirt=False, has_halal=False,
                                             started_on=date(2026, 2, 1), registered_on=date(2026, 2, 1)))]
    return ref, out + [report(ref, owner, period, revenue) for period, revenue in reports.items()]


def report(ref: UUID, owner: UUID, period: str, revenue: int) -> Envelope:
    return new_envelope(r.BusinessReported(business_ref=ref, owner_person_ref=owner, period=period,
                                           monthly_revenue_idr=revenue, workers=1, has_nib=True, has_pirt=False,
                                           has_halal=False))


W = [uuid4() for _ in range(6)]
SURVIVOR, RETIRED = W[4], W[5]
BANDS = ("35-44", "25-34", "25-34", "35-44", "25-34", "45-54")  # the survivor 25-34, the retired record 45-54
WOMEN = [woman(w, KEC[i % 2], band) for i, (w, band) in enumerate(zip(W, BANDS, strict=True))]
# Revenue changes: +750,000 twice (a tie), -100,000, +100,000 and +99,999 (either side of a bucket's edge).
_, B1 = business(W[0], KEC[0], {"2026-03": 1_000_000, "2026-06": 1_750_000})
_, B2 = business(W[1], KEC[1], {"2026-03": 2_000_000, "2026-05": 2_100_000, "2026-06": 2_750_000})
B3_REF, B3 = business(W[2], KEC[0], {"2026-03": 500_000, "2026-05": 400_000})
_, B4 = business(W[3], KEC[1], {"2026-03": 999_999, "2026-06": 1_099_999}, sector="jasa")
_, B5 = business(RETIRED, KEC[0], {"2026-04": 1_000_000, "2026-06": 1_099_999})
ODD = [*WOMEN, *B1, *B2, *B3, *B4, *B5]  # five changes: the third, 100,000
_, B6 = business(SURVIVOR, KEC[1], {"2026-04": 0, "2026-05": 0})
EVEN = [*ODD, *B6]  # six: (99,999 + 100,000) / 2
LATE = [report(B3_REF, W[2], "2026-01", 300_000)]  # an earlier first report arrives last: -100,000 -> +100,000
MERGED = new_envelope(r.WomenMerged(merge_ref=(merge := uuid4()), surviving_ref=SURVIVOR, retired_ref=RETIRED,
                                    merged_on=date(2026, 10, 1)))
UNMERGED = new_envelope(r.WomenUnmerged(merge_ref=merge, surviving_ref=SURVIVOR, retired_ref=RETIRED,
                                        unmerged_on=date(2026, 10, 2)))


async def _regency_and_equal_to_definitions(p: asyncpg.Pool) -> float | None:
    async with indicators.snapshot(p) as conn:
        for group in GROUPS:
            for f in FILTERS:
                got = await indicators.compute(conn, NAME, f, group)
                assert got == await definitions.compute(conn, NAME, f, group), (group, f, got)
        return (await indicators.compute(conn, NAME, Filters(), None))[0]["value"]


async def test_medians_odd_even_ties_late_events_and_merges_equal_the_definition(pool: asyncpg.Pool) -> None:  # noqa: F811
    await reset(pool)
    await feed(pool, events(ODD))
    assert await _regency_and_equal_to_definitions(pool) == 100_000.0
    await feed(pool, events(B6))
    assert await _regency_and_equal_to_definitions(pool) == 99_999.5
    await feed(pool, events(LATE))  # 0, 99,999, 100,000, 100,000, 750,000, 750,000: a tie in the middle
    assert await _regency_and_equal_to_definitions(pool) == 100_000.0
    await feed(pool, events([MERGED]))  # the retired owner's business counts under the survivor's bands
    assert await _regency_and_equal_to_definitions(pool) == 100_000.0
    async with indicators.snapshot(pool) as conn:
        by_age = {c["key"]: c["value"] for c in await indicators.compute(conn, NAME, Filters(), "age_band")}
    assert by_age == {"25-34": 99_999.5, "35-44": 425_000.0}  # her +99,999 moved into the survivor's band
    await feed(pool, events([UNMERGED]))
    assert await _regency_and_equal_to_definitions(pool) == 100_000.0
    async with indicators.snapshot(pool) as conn:
        by_age = {c["key"]: c["value"] for c in await indicators.compute(conn, NAME, Filters(), "age_band")}
    assert by_age == {"25-34": 100_000.0, "35-44": 425_000.0, "45-54": 99_999.0}

    # Any order, in batches of any size, gives the same figures.
    done = [*EVEN, *LATE, MERGED]
    for seed in (1, 2):
        order = list(done)
        random.Random(seed).shuffle(order)
        await reset(pool)
        for i in range(0, len(order), 3):
            await feed(pool, events(order[i:i + 3]))
        assert await _regency_and_equal_to_definitions(pool) == 100_000.0


async def test_a_median_of_nothing_is_empty_and_a_removed_record_leaves_no_trace(pool: asyncpg.Pool) -> None:  # noqa: F811
    await reset(pool)
    await feed(pool, events(WOMEN))
    async with indicators.snapshot(pool) as conn:
        assert await indicators.compute(conn, NAME, Filters(), None) == await definitions.compute(
            conn, NAME, Filters(), None)
        assert (await indicators.compute(conn, NAME, Filters(), None))[0]["value"] is None
    await feed(pool, events(B1))  # one change
    assert await _regency_and_equal_to_definitions(pool) == 750_000.0


async def test_medians_inside_one_coarse_bucket_walk_its_fine_buckets(pool: asyncpg.Pool) -> None:  # noqa: F811
    """Changes spread over the fine buckets of one coarse bucket (100,000-199,999 Rupiah: one significant digit),
    with others around it: the middle ranks fall inside it, and the fine bucket holding each is found by walking
    only that coarse bucket's fine ones."""
    await reset(pool)
    changes = [101_000, 112_000, 118_500, 118_500, 123_000, 131_000, 145_000, 150_000, 157_000, 166_000, 199_999,
               250_000, -50_000, 90_000, 0]
    sales = []
    for i, change in enumerate(changes):
        _, b = business(W[i % 4], KEC[i % 2], {"2026-03": 1_000_000, "2026-06": 1_000_000 + change},
                        sector=("kuliner", "jasa")[i % 2])
        sales += b
    await feed(pool, events([*WOMEN[:4], *sales]))
    assert await _regency_and_equal_to_definitions(pool) == statistics.median(changes) == 123_000
    _, extra = business(W[0], KEC[0], {"2026-03": 1_000_000, "2026-06": 1_145_500})  # even: (123,000 + 131,000) / 2
    await feed(pool, events(extra))
    assert await _regency_and_equal_to_definitions(pool) == statistics.median([*changes, 145_500]) == 127_000


# Read models of older versions: before the histograms (none of them, no ``rm_hist_state``), and before the coarse
# histograms (the fine ones and ``rm_hist_state`` present, the coarse ones empty).
BEFORE_HISTOGRAMS = (*readmodel.HIST_TABLES, "rm_hist_state")
BEFORE_COARSE = tuple(t for t in readmodel.HIST_TABLES if readmodel.coarse(t))


@pytest.mark.parametrize("emptied", [BEFORE_HISTOGRAMS, BEFORE_COARSE], ids=["no histograms", "fine only"])
async def test_read_models_of_an_older_version_get_their_histograms_on_start(
        pool: asyncpg.Pool, emptied: tuple[str, ...]) -> None:  # noqa: F811
    """A database whose read models predate the histograms, or have the fine ones only, gets them from its stored
    records when the service prepares it, and its medians are right again."""
    await reset(pool)
    await feed(pool, events([*EVEN, *LATE]))
    async with pool.acquire() as conn:
        await conn.execute(f"TRUNCATE {', '.join(f'{LIVE_SCHEMA}.{t}' for t in emptied)}")
        async with indicators.snapshot(pool) as reader:
            assert (await indicators.compute(reader, NAME, Filters(), None))[0]["value"] is None  # nothing to walk
        await prepare_database(conn)
    assert await _regency_and_equal_to_definitions(pool) == 100_000.0
