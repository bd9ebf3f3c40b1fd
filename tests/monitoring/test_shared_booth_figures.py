"""Monitoring counts shared-booth sales and the market access of the businesses selling at a shared booth, from
the marketplace's own translation of its events (v1 and v2 twins), through the real inbox consumer and database:
each sale counted once whether a consumer sees v1, v2 or both."""

from datetime import date
from uuid import uuid4

import asyncpg
from berdaya_contracts import Event, decode, new_envelope
from berdaya_contracts import registry_v1 as r
from marketplace.domain import events as m
from marketplace.service_layer.translator import to_contracts
from monitoring.service_layer import indicators
from monitoring.service_layer.indicators import Filters

from tests.monitoring.test_projection_properties import feed, pool, reset  # noqa: F401 (fixture)

FAIR, DAY = uuid4(), date(2025, 8, 16)
OWN, A, B = uuid4(), uuid4(), uuid4()
OWNERS = {x: uuid4() for x in (OWN, A, B)}
INDICATORS = ["market_trade_fair", "sales_trade_fair_idr", "sales_total_idr", "women_first_market"]


def as_events(*domain_events: object, version: int | None = None) -> list[Event]:
    """The marketplace's contracts of ``domain_events`` (only ``version`` when given), as a consumer decodes them."""
    return [decode(new_envelope(p).to_bytes()) for e in domain_events for p in to_contracts(e)
            if version is None or type(p).__module__.endswith(f"_v{version}")]


def registry() -> list[Event]:
    return [decode(new_envelope(r.BusinessRegistered(
        business_ref=b, owner_person_ref=o, sector="kuliner", kecamatan_code="64.02.06", has_nib=True,
        has_pirt=False, has_halal=False, started_on=date(2025, 3, 1), registered_on=date(2025, 3, 2))).to_bytes())
        for b, o in OWNERS.items()]


MARKET = (
    m.TradeFairScheduled(FAIR, "Pameran UMKM Perempuan Tenggarong", "64.02.06", False, date(2025, 8, 15), date(2025, 8, 17), 4),
    m.BoothAssigned(FAIR, OWN, OWNERS[OWN], 1),
    m.SharedBoothAssigned(FAIR, 2, "outlet", None, "Gerai PEKKA Tenggarong", ((A, OWNERS[A]), (B, OWNERS[B]))),
    m.SaleRecorded(uuid4(), A, OWNERS[A], "trade_fair", FAIR, 150_000, 3, DAY, 2, "outlet"),
    m.SaleRecorded(uuid4(), B, OWNERS[B], "trade_fair", FAIR, 80_000, 2, DAY, 2, "outlet"),
    m.SaleRecorded(uuid4(), OWN, OWNERS[OWN], "trade_fair", FAIR, 60_000, 1, DAY, 1, "business"),
)


async def figures(pool: asyncpg.Pool) -> dict[str, int]:  # noqa: F811
    async with indicators.snapshot(pool) as conn:
        report = await indicators.report(conn, INDICATORS, Filters(), None)
    return {i["indicator"]: i["cells"][0]["value"] for i in report}


async def test_shared_booth_sales_and_market_access_are_counted_once_from_either_version(
        pool: asyncpg.Pool) -> None:  # noqa: F811
    seen = {}
    for label, version in (("v1", 1), ("v2", 2), ("both", None)):
        await reset(pool)
        await feed(pool, [*registry(), *as_events(*MARKET, version=version)], [3])
        seen[label] = await figures(pool)
    assert seen["both"] == {"market_trade_fair": 3, "sales_trade_fair_idr": 290_000, "sales_total_idr": 290_000,
                            "women_first_market": 3}
    assert seen["v1"] == seen["v2"] == seen["both"]
