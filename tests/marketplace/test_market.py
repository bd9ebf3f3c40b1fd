"""Disperindag's fairs, listings and sales against the real database and broker."""

import asyncio
from collections import Counter
from uuid import uuid4

from berdaya_contracts.marketplace_v1 import SaleRecorded

from tests.marketplace.conftest import Market
from tests.support.kafka import wait_for


async def of_type(market: Market, event_type: str, version: int = 1, **match: str) -> list[dict]:
    """Events of a type and version (v1 by default: what a v1 consumer sees)."""
    return [e for e in await market.events() if e["event_type"] == event_type and e["event_version"] == version
            and all(str(e["payload"].get(k)) == v for k, v in match.items())]


async def settled(market: Market, expected: int, event_type: str, version: int = 1, **match: str) -> list[dict]:
    """The events of a type once `expected` of them are on Kafka and a short pause brought no more."""
    await wait_for(lambda: _at_least(market, expected, event_type, version, **match))
    await asyncio.sleep(0.5)
    return await of_type(market, event_type, version, **match)


async def _at_least(market: Market, expected: int, event_type: str, version: int, **match: str) -> bool:
    return len(await of_type(market, event_type, version, **match)) >= expected


async def test_booths_are_limited_to_the_fair_and_one_per_business(market: Market) -> None:
    fair = await market.fair(booths=2)
    a, _ = await market.known_business()
    b, _ = await market.known_business()
    c, _ = await market.known_business()
    url = f"/fairs/{fair['fair_ref']}/booths"
    first = await market.client.post(url, json={"business_ref": str(a)})
    assert first.status_code == 201 and first.json()["booth_no"] == 1
    again = await market.client.post(url, json={"business_ref": str(a)})
    assert again.status_code == 409 and "satu stan per usaha" in again.json()["pesan"]
    taken = await market.client.post(url, json={"business_ref": str(b), "booth_no": 1})
    assert taken.status_code == 409 and taken.json()["kesalahan"][0]["field"] == "booth_no"
    assert (await market.client.post(url, json={"business_ref": str(b)})).json()["booth_no"] == 2
    full = await market.client.post(url, json={"business_ref": str(c)})
    assert full.status_code == 409 and "sudah terisi" in full.json()["pesan"]
    assert (await market.client.get(f"/fairs/{fair['fair_ref']}")).json()["booths_assigned"] == 2
    booths = await settled(market, 2, "marketplace.BoothAssigned", fair_ref=fair["fair_ref"])
    assert sorted(e["payload"]["booth_no"] for e in booths) == [1, 2]


async def test_concurrent_requests_cannot_overfill_a_fair(market: Market) -> None:
    fair = await market.fair(booths=3)
    businesses = [ref for ref, _ in [await market.known_business() for _ in range(6)]]
    answers = await asyncio.gather(*(
        market.client.post(f"/fairs/{fair['fair_ref']}/booths", json={"business_ref": str(b)}) for b in businesses
    ))
    assert Counter(a.status_code for a in answers) == {201: 3, 409: 3}
    assert sorted(a.json()["booth_no"] for a in answers if a.status_code == 201) == [1, 2, 3]


async def test_unknown_business_is_refused_with_the_reason(market: Market) -> None:
    stranger = uuid4()
    fair = await market.fair()
    for path, body in [
        (f"/fairs/{fair['fair_ref']}/booths", {"business_ref": str(stranger)}),
        ("/listings", {"business_ref": str(stranger), "channel": "digital", "category": "amplang", "price_idr": 25000}),
        ("/sales", {"business_ref": str(stranger), "channel": "digital", "amount_idr": 50000, "quantity": 2,
                    "sold_on": "2025-09-01"}),
    ]:
        answer = await market.client.post(path, json=body)
        assert answer.status_code == 422, (path, answer.text)
        assert "belum terdaftar di registri" in answer.json()["pesan"]
        assert answer.json()["kesalahan"][0]["field"] == "business_ref"


async def test_listing_and_sale_events_appear_once_with_the_owner(market: Market) -> None:
    business, owner = await market.known_business()
    key = {"Idempotency-Key": f"list-{uuid4()}"}
    listing = await market.client.post("/listings", headers=key, json={
        "business_ref": str(business), "channel": "modern_retail", "category": "kerupuk ikan", "price_idr": 15000,
        "listed_on": "2025-07-01"})
    assert listing.status_code == 201
    retry = await market.client.post("/listings", headers=key, json={
        "business_ref": str(business), "channel": "modern_retail", "category": "kerupuk ikan", "price_idr": 15000,
        "listed_on": "2025-07-01"})
    assert retry.json() == listing.json() and retry.headers["Idempotent-Replayed"] == "true"
    product = listing.json()["product_ref"]
    sale_key = {"Idempotency-Key": f"sale-{uuid4()}"}
    body = {"business_ref": str(business), "channel": "modern_retail", "amount_idr": 450000, "quantity": 30,
            "sold_on": "2025-09-12"}
    sale = await market.client.post("/sales", json=body, headers=sale_key)
    assert sale.status_code == 201 and sale.json()["owner_person_ref"] == str(owner)
    assert (await market.client.post("/sales", json=body, headers=sale_key)).json() == sale.json()
    delisted = await market.client.post(f"/listings/{product}/delist", json={"delisted_on": "2025-12-01"})
    assert delisted.status_code == 200 and delisted.json()["delisted_on"] == "2025-12-01"
    assert (await market.client.post(f"/listings/{product}/delist", json={})).status_code == 409

    await wait_for(lambda: of_type(market, "marketplace.ProductDelisted", product_ref=product))
    listed = await of_type(market, "marketplace.ProductListed", product_ref=product)
    sold = await of_type(market, "marketplace.SaleRecorded", sale_ref=sale.json()["sale_ref"])
    assert len(listed) == 1 and len(sold) == 1
    assert listed[0]["payload"]["owner_person_ref"] == sold[0]["payload"]["owner_person_ref"] == str(owner)
    assert SaleRecorded.model_validate(sold[0]["payload"]).amount_idr == 450000
    assert listed[0]["aggregate_id"] == product


async def test_fair_sales_sheet_is_all_or_nothing_and_one_event_per_sale(market: Market) -> None:
    fair = await market.fair(booths=5)
    with_booth = [ref for ref, _ in [await market.known_business() for _ in range(3)]]
    without_booth, _ = await market.known_business()
    for b in with_booth:
        assert (await market.client.post(f"/fairs/{fair['fair_ref']}/booths", json={"business_ref": str(b)})
                ).status_code == 201
    rows = [{"business_ref": str(b), "amount_idr": 100000 * (i + 1), "quantity": i + 1, "sold_on": "2025-08-16"}
            for i, b in enumerate(with_booth)]
    url = f"/fairs/{fair['fair_ref']}/sales-sheet"

    bad_types = await market.client.post(url, json={"rows": [*rows, {**rows[0], "amount_idr": 1.5}]})
    assert bad_types.status_code == 422
    assert [e["field"] for e in bad_types.json()["kesalahan"]] == ["rows.3.amount_idr"]
    bad_rules = await market.client.post(url, json={"rows": [
        *rows, {**rows[0], "business_ref": str(without_booth)}, {**rows[1], "sold_on": "2025-10-01"}]})
    assert bad_rules.status_code == 422
    assert [(e["row"], e["field"]) for e in bad_rules.json()["kesalahan"]] == [
        (3, "rows.3.business_ref"), (4, "rows.4.sold_on")]
    assert (await market.client.get("/sales", params={"fair_ref": fair["fair_ref"]})).json()["total"] == 0

    good = await market.client.post(url, json={"rows": rows})
    assert good.status_code == 201 and good.json()["recorded"] == 3 and good.json()["amount_idr"] == 600000
    events = await settled(market, 3, "marketplace.SaleRecorded", fair_ref=fair["fair_ref"])
    assert sorted(e["payload"]["amount_idr"] for e in events) == [100000, 200000, 300000]
    assert all(e["payload"]["channel"] == "trade_fair" and e["payload"]["owner_person_ref"] for e in events)


async def test_amounts_must_be_whole_positive_sane_rupiah(market: Market) -> None:
    business, _ = await market.known_business()
    base = {"business_ref": str(business), "channel": "digital", "quantity": 1, "sold_on": "2025-09-01"}
    for amount in (0, -5, 1.5, "1.5e3", "150000", True, 10_000_000_001):
        answer = await market.client.post("/sales", json={**base, "amount_idr": amount})
        assert answer.status_code == 422, amount
        assert answer.json()["kesalahan"][0]["field"] == "amount_idr"
    assert (await market.client.post("/sales", json={**base, "amount_idr": 10_000_000_000})).status_code == 201


async def test_a_fair_sale_needs_its_fair_and_a_booth(market: Market) -> None:
    business, _ = await market.known_business()
    fair = await market.fair()
    base = {"business_ref": str(business), "amount_idr": 90000, "quantity": 3, "sold_on": "2025-08-16"}
    no_fair = await market.client.post("/sales", json={**base, "channel": "trade_fair"})
    assert no_fair.status_code == 422 and no_fair.json()["kesalahan"][0]["field"] == "fair_ref"
    no_booth = await market.client.post("/sales", json={**base, "channel": "trade_fair", "fair_ref": fair["fair_ref"]})
    assert no_booth.status_code == 422 and "tidak punya stan" in no_booth.json()["pesan"]
    stray = await market.client.post("/sales", json={**base, "channel": "digital", "fair_ref": fair["fair_ref"]})
    assert stray.status_code == 422


async def test_fair_place_and_dates_are_validated(market: Market) -> None:
    post = market.client.post
    both = await post("/fairs", json={"name": "Pameran", "kecamatan_code": "64.02.06", "outside_kukar": True,
                                      "starts_on": "2025-08-15", "ends_on": "2025-08-17", "booths": 4})
    assert both.status_code == 422
    backwards = await post("/fairs", json={"name": "Pameran Samarinda", "outside_kukar": True, "location": "Samarinda",
                                           "starts_on": "2025-08-15", "ends_on": "2025-08-10", "booths": 4})
    assert backwards.status_code == 422 and backwards.json()["kesalahan"][0]["field"] == "ends_on"
    outside = await post("/fairs", json={"name": "Inacraft Jakarta", "outside_kukar": True, "location": "JCC Jakarta",
                                         "starts_on": "2025-10-01", "ends_on": "2025-10-05", "booths": 4})
    assert outside.status_code == 201 and outside.json()["kecamatan_code"] is None
    event = await wait_for(lambda: of_type(market, "marketplace.TradeFairScheduled", fair_ref=outside.json()["fair_ref"]))
    assert event[0]["payload"]["outside_kukar"] is True
