"""Each marketplace command handler on the in-memory unit of work: what it stores, answers, publishes and refuses.

Answers are checked against the API's response models, so the fakes cannot drift from what the routes promise."""

from datetime import date
from uuid import UUID, uuid4

import pytest
from berdaya_contracts import marketplace_v1 as v1
from berdaya_contracts import marketplace_v2 as v2
from berdaya_shared.errors import Conflict, Invalid, NotFound
from marketplace.domain import events
from marketplace.entrypoints import schemas_fairs, schemas_trade
from marketplace.service_layer import fairs, trade

from .fakes import FakeMarketplaceUnitOfWork

START, END = date(2025, 8, 15), date(2025, 8, 17)


def known_business(uow: FakeMarketplaceUnitOfWork) -> tuple[UUID, UUID]:
    business, owner = uuid4(), uuid4()
    uow.businesses.register(business, owner)
    return business, owner


async def scheduled(uow: FakeMarketplaceUnitOfWork, *, booths: int = 3, kecamatan_code: str | None = "64.02.06",
                    starts_on: date = START, ends_on: date = END) -> dict:
    return await fairs.schedule(uow, name="Pameran UMKM Perempuan Tenggarong", kecamatan_code=kecamatan_code,
                                location="Pulau Kumala", starts_on=starts_on, ends_on=ends_on, booths=booths,
                                recorded_by_opd="disperindag")


async def with_booth(uow: FakeMarketplaceUnitOfWork, fair: dict) -> tuple[UUID, UUID]:
    business, owner = known_business(uow)
    await fairs.assign_booth(uow, fair_ref=fair["fair_ref"], business_ref=business, booth_no=None)
    return business, owner


async def test_scheduling_stores_the_fair_and_publishes_trade_fair_scheduled() -> None:
    uow = FakeMarketplaceUnitOfWork()
    fair = await scheduled(uow, booths=40)
    schemas_fairs.FairRead.model_validate(fair)
    assert fair["booths_assigned"] == 0 and fair["sales_idr"] == 0 and fair["recorded_by_opd"] == "disperindag"
    assert uow.published == [events.TradeFairScheduled(fair["fair_ref"], "Pameran UMKM Perempuan Tenggarong",
                                                       "64.02.06", False, START, END, 40)]
    assert isinstance(uow.contracts[0], v1.TradeFairScheduled)
    outside = await scheduled(uow, kecamatan_code=None)
    assert outside["outside_kukar"] is True and uow.contracts[-1].outside_kukar is True
    assert (await fairs.get(uow, fair_ref=fair["fair_ref"])) == fair


@pytest.mark.parametrize(("ends_on", "detail"), [(date(2025, 8, 14), "before"), (date(2025, 12, 14), "120 days")])
async def test_a_fair_with_impossible_dates_is_refused_and_nothing_is_stored(ends_on: date, detail: str) -> None:
    uow = FakeMarketplaceUnitOfWork()
    with pytest.raises(Invalid, match=detail) as refused:
        await scheduled(uow, ends_on=ends_on)
    assert refused.value.field == "ends_on"
    assert uow.fairs.fairs == {} and uow.published == []


async def test_booths_go_one_per_business_up_to_the_fairs_number() -> None:
    uow = FakeMarketplaceUnitOfWork()
    fair = await scheduled(uow, booths=2)
    ref = fair["fair_ref"]
    a, owner_a = known_business(uow)
    b, _ = known_business(uow)
    c, _ = known_business(uow)
    first = await fairs.assign_booth(uow, fair_ref=ref, business_ref=a, booth_no=2)
    assert first == {"fair_ref": ref, "business_ref": a, "owner_person_ref": owner_a, "booth_no": 2}
    schemas_fairs.BoothRead.model_validate(first)
    assert uow.published[-1] == events.BoothAssigned(ref, a, owner_a, 2)
    assert isinstance(uow.contracts[-2], v1.BoothAssigned) and uow.contracts[-1] == v2.BoothAssigned(
        fair_ref=ref, booth_no=2, holder_kind="business", holder_business_ref=a,
        businesses=[v2.BoothBusiness(business_ref=a, owner_person_ref=owner_a)])
    with pytest.raises(Conflict, match="already has a booth"):
        await fairs.assign_booth(uow, fair_ref=ref, business_ref=a, booth_no=None)
    with pytest.raises(Conflict, match="already assigned") as taken:
        await fairs.assign_booth(uow, fair_ref=ref, business_ref=b, booth_no=2)
    assert taken.value.field == "booth_no"
    assert (await fairs.assign_booth(uow, fair_ref=ref, business_ref=b, booth_no=None))["booth_no"] == 1
    with pytest.raises(Conflict, match="all 2 booths"):
        await fairs.assign_booth(uow, fair_ref=ref, business_ref=c, booth_no=None)
    assert [x["booth_no"] for x in await fairs.booths(uow, fair_ref=ref)] == [1, 2]
    assert (await fairs.get(uow, fair_ref=ref))["booths_assigned"] == 2
    assert len(uow.published) == 3  # the fair and two booths; no refusal published anything


async def test_a_booth_needs_a_known_fair_and_a_registered_business() -> None:
    uow = FakeMarketplaceUnitOfWork()
    fair = await scheduled(uow)
    business, _ = known_business(uow)
    with pytest.raises(NotFound):
        await fairs.assign_booth(uow, fair_ref=uuid4(), business_ref=business, booth_no=None)
    with pytest.raises(Invalid, match="not in the marketplace's replica") as stranger:
        await fairs.assign_booth(uow, fair_ref=fair["fair_ref"], business_ref=uuid4(), booth_no=None)
    assert "belum terdaftar di registri" in stranger.value.pesan and stranger.value.field == "business_ref"
    with pytest.raises(Invalid, match="exceeds") as beyond:
        await fairs.assign_booth(uow, fair_ref=fair["fair_ref"], business_ref=business, booth_no=4)
    assert beyond.value.field == "booth_no"
    with pytest.raises(NotFound):
        await fairs.booths(uow, fair_ref=uuid4())
    assert uow.fairs.booth_rows == [] and len(uow.published) == 1


async def test_listing_a_product_stores_it_with_its_owner_and_publishes_product_listed() -> None:
    uow = FakeMarketplaceUnitOfWork()
    business, owner = known_business(uow)
    listed = await trade.list_product(uow, business_ref=business, channel="digital", category="amplang",
                                      price_idr=25_000, listed_on=date(2025, 7, 1))
    schemas_trade.ListingRead.model_validate(listed)
    assert listed["owner_person_ref"] == owner and listed["delisted_on"] is None
    assert uow.published == [events.ProductListed(listed["product_ref"], business, owner, "digital", "amplang",
                                                  25_000, date(2025, 7, 1))]
    assert isinstance(uow.contracts[0], v1.ProductListed)
    with pytest.raises(Invalid) as stranger:
        await trade.list_product(uow, business_ref=uuid4(), channel="digital", category="amplang", price_idr=1,
                                 listed_on=date(2025, 7, 1))
    assert stranger.value.field == "business_ref" and len(uow.listings.listings) == 1
    page = await trade.listings(uow, business_ref=business, active=True)
    assert page["total"] == 1 and page["items"] == [listed]


async def test_delisting_takes_the_product_down_once_and_not_before_it_was_listed() -> None:
    uow = FakeMarketplaceUnitOfWork()
    business, owner = known_business(uow)
    listed = await trade.list_product(uow, business_ref=business, channel="modern_retail", category="kerupuk ikan",
                                      price_idr=15_000, listed_on=date(2025, 7, 1))
    product = listed["product_ref"]
    with pytest.raises(Invalid) as early:
        await trade.delist(uow, product_ref=product, delisted_on=date(2025, 6, 30))
    assert early.value.field == "delisted_on" and uow.listings.listings[product].delisted_on is None
    down = await trade.delist(uow, product_ref=product, delisted_on=date(2025, 12, 1))
    assert down == {**listed, "delisted_on": date(2025, 12, 1)}
    assert uow.published[-1] == events.ProductDelisted(product, business, owner, "modern_retail", date(2025, 12, 1))
    assert isinstance(uow.contracts[-1], v1.ProductDelisted)
    with pytest.raises(Conflict, match="already delisted"):
        await trade.delist(uow, product_ref=product, delisted_on=date(2025, 12, 2))
    with pytest.raises(NotFound):
        await trade.delist(uow, product_ref=uuid4(), delisted_on=date(2025, 12, 2))
    assert (await trade.listings(uow, active=True))["total"] == 0
    assert (await trade.listings(uow, active=False))["items"][0]["delisted_on"] == date(2025, 12, 1)


async def test_a_sale_is_recorded_with_its_owner_and_published_once() -> None:
    uow = FakeMarketplaceUnitOfWork()
    business, owner = known_business(uow)
    sale = await trade.record_sale(uow, business_ref=business, channel="modern_retail", fair_ref=None,
                                   amount_idr=450_000, quantity=30, sold_on=date(2025, 9, 12))
    schemas_trade.SaleRead.model_validate(sale)
    assert sale["owner_person_ref"] == owner and sale["fair_ref"] is None
    assert uow.published == [events.SaleRecorded(sale["sale_ref"], business, owner, "modern_retail", None, 450_000,
                                                 30, date(2025, 9, 12))]
    v1_facts = {k: v for k, v in sale.items() if k not in ("booth_no", "booth_holder_kind")}
    assert uow.contracts == [v1.SaleRecorded(**v1_facts), v2.SaleRecorded(**sale)]
    assert (await trade.sales(uow, business_ref=business))["items"] == [sale]


async def test_a_fair_sale_needs_its_fair_a_booth_there_and_the_fairs_dates() -> None:
    uow = FakeMarketplaceUnitOfWork()
    fair = await scheduled(uow)
    holder, _ = await with_booth(uow, fair)
    outsider, _ = known_business(uow)
    ref = fair["fair_ref"]

    async def sale(business: UUID, channel: str = "trade_fair", fair_ref: UUID | None = ref,
                   sold_on: date = START) -> dict:
        return await trade.record_sale(uow, business_ref=business, channel=channel, fair_ref=fair_ref,
                                       amount_idr=90_000, quantity=3, sold_on=sold_on)

    for refused_sale, field in [
        (sale(holder, fair_ref=None), "fair_ref"), (sale(holder, fair_ref=uuid4()), "fair_ref"),
        (sale(outsider), "business_ref"), (sale(holder, sold_on=date(2025, 8, 19)), "sold_on"),
        (sale(holder, channel="digital"), "fair_ref"), (sale(uuid4()), "business_ref"),
    ]:
        with pytest.raises(Invalid) as refused:
            await refused_sale
        assert refused.value.field == field
    assert uow.sales.rows == {}
    on_the_eve = await sale(holder, sold_on=date(2025, 8, 14))  # set-up day counts
    assert on_the_eve["fair_ref"] == ref and (await fairs.get(uow, fair_ref=ref))["sales_idr"] == 90_000


async def test_a_sales_sheet_is_all_or_nothing_and_names_every_bad_row() -> None:
    uow = FakeMarketplaceUnitOfWork()
    fair = await scheduled(uow, booths=5)
    holders = [(await with_booth(uow, fair))[0] for _ in range(3)]
    outsider, _ = known_business(uow)
    ref = fair["fair_ref"]
    rows = [{"business_ref": b, "amount_idr": 100_000 * (i + 1), "quantity": i + 1, "sold_on": date(2025, 8, 16)}
            for i, b in enumerate(holders)]
    published_before = len(uow.published)
    with pytest.raises(Invalid) as refused:
        await trade.record_sheet(uow, fair_ref=ref, rows=[*rows, {**rows[0], "business_ref": outsider},
                                                          {**rows[1], "sold_on": date(2025, 10, 1)}])
    body = refused.value.body()
    assert body["pesan"].startswith("2 baris tidak valid")
    assert [(e["row"], e["field"]) for e in body["kesalahan"]] == [(3, "rows.3.business_ref"), (4, "rows.4.sold_on")]
    assert uow.sales.rows == {} and len(uow.published) == published_before

    sheet = await trade.record_sheet(uow, fair_ref=ref, rows=rows)
    schemas_trade.SalesSheetRead.model_validate(sheet)
    assert sheet["recorded"] == 3 and sheet["amount_idr"] == 600_000
    new = uow.published[published_before:]
    assert [e.amount_idr for e in new] == [100_000, 200_000, 300_000]
    assert all(isinstance(e, events.SaleRecorded) and e.channel == "trade_fair" and e.fair_ref == ref for e in new)
    assert (await fairs.get(uow, fair_ref=ref))["sales_idr"] == 600_000
    assert (await trade.sales(uow, fair_ref=ref))["total"] == 3
    with pytest.raises(NotFound):
        await trade.record_sheet(uow, fair_ref=uuid4(), rows=rows)


async def test_fair_pages_come_latest_first() -> None:
    uow = FakeMarketplaceUnitOfWork()
    early = await scheduled(uow, starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 2))
    late = await scheduled(uow)
    page = await fairs.list_(uow, limit=1, offset=0)
    schemas_fairs.FairList.model_validate(page)
    assert page["total"] == 2 and [f["fair_ref"] for f in page["items"]] == [late["fair_ref"]]
    assert (await fairs.list_(uow, limit=1, offset=1))["items"] == [early]


async def test_a_shared_booth_is_stored_published_in_both_versions_and_its_sales_go_to_each_business() -> None:
    uow = FakeMarketplaceUnitOfWork()
    fair = await scheduled(uow, booths=3)
    ref = fair["fair_ref"]
    own, _ = await with_booth(uow, fair)
    a, owner_a = known_business(uow)
    b, owner_b = known_business(uow)
    before = len(uow.contracts)
    booth = await fairs.assign_shared_booth(uow, fair_ref=ref, holder_kind="opd", holder_opd="dp3a",
                                            holder_label=None, booth_no=None, business_refs=[a, b])
    schemas_fairs.SharedBoothRead.model_validate(booth)
    assert booth["booth_no"] == 2 and booth["holder_kind"] == "opd" and booth["holder_opd"] == "dp3a"
    published = uow.contracts[before:]
    assert [type(c) for c in published] == [v1.BoothAssigned, v1.BoothAssigned, v2.BoothAssigned]
    assert [(c.business_ref, c.owner_person_ref, c.booth_no) for c in published[:2]] == [(a, owner_a, 2),
                                                                                        (b, owner_b, 2)]
    rows = await fairs.booths(uow, fair_ref=ref)
    for row in rows:
        schemas_fairs.BoothRead.model_validate(row)
    assert [(r["booth_no"], r["holder_kind"]) for r in rows] == [(1, "business"), (2, "opd"), (2, "opd")]
    assert (await fairs.get(uow, fair_ref=ref))["booths_assigned"] == 2

    sheet = await trade.record_sheet(uow, fair_ref=ref, rows=[
        {"business_ref": a, "amount_idr": 150_000, "quantity": 3, "sold_on": START, "booth_no": 2},
        {"business_ref": b, "amount_idr": 80_000, "quantity": 2, "sold_on": START},
        {"business_ref": own, "amount_idr": 60_000, "quantity": 1, "sold_on": END}])
    schemas_trade.SalesSheetRead.model_validate(sheet)
    assert [(s["business_ref"], s["owner_person_ref"], s["booth_no"], s["booth_holder_kind"])
            for s in sheet["sales"]] == [(a, owner_a, 2, "opd"), (b, owner_b, 2, "opd"), (own, _owner(uow, own), 1,
                                                                                          "business")]
    sales_v2 = [c for c in uow.contracts if isinstance(c, v2.SaleRecorded)]
    assert [c.booth_holder_kind for c in sales_v2] == ["opd", "opd", "business"]

    c, _ = known_business(uow)
    added = await fairs.add_to_shared_booth(uow, fair_ref=ref, booth_no=2, business_refs=[c])
    assert [x["business_ref"] for x in added["businesses"]] == [c]
    with pytest.raises(Conflict) as again:
        await fairs.assign_shared_booth(uow, fair_ref=ref, holder_kind="outlet", holder_opd=None,
                                        holder_label="Gerai PEKKA", booth_no=None, business_refs=[c])
    assert again.value.field == "business_refs"
    with pytest.raises(Invalid) as unknown:
        await fairs.assign_shared_booth(uow, fair_ref=ref, holder_kind="outlet", holder_opd=None,
                                        holder_label="Gerai PEKKA", booth_no=None, business_refs=[uuid4()])
    assert unknown.value.field == "business_refs.0"


def _owner(uow: FakeMarketplaceUnitOfWork, business: UUID) -> UUID:
    found = uow.businesses.businesses[business].owner_person_ref
    assert found is not None
    return found
