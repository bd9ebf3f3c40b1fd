"""The marketplace rules on their own: no broker, no database."""

from dataclasses import fields
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from berdaya_shared.errors import Conflict, Invalid
from marketplace.domain import events, sales
from marketplace.domain.model import Business, Fair, Listing, require_registered
from marketplace.service_layer import translator

START, END = date(2025, 8, 15), date(2025, 8, 17)


def fair(booths: int = 3, *, starts_on: date = START, ends_on: date = END, kecamatan_code: str | None = "64.02.06",
         taken: dict[int, UUID] | None = None) -> Fair:
    taken = taken or {}
    return Fair(uuid4(), "Pameran UMKM", kecamatan_code, None, starts_on, ends_on, booths, "disperindag",
                taken=set(taken), businesses=set(taken.values()))


@pytest.mark.parametrize(("days", "allowed"), [(0, True), (2, True), (120, True), (121, False), (-1, False)])
def test_a_fair_lasts_from_one_day_to_120_days(days: int, allowed: bool) -> None:
    f = fair(ends_on=START + timedelta(days=days))
    if allowed:
        assert f.schedule().ends_on == f.ends_on
    else:
        with pytest.raises(Invalid) as refused:
            f.schedule()
        assert refused.value.field == "ends_on"


def test_a_fair_is_in_a_kukar_kecamatan_or_outside_kukar() -> None:
    assert fair().schedule().outside_kukar is False
    outside = fair(kecamatan_code=None).schedule()
    assert outside.outside_kukar is True and outside.kecamatan_code is None


def test_the_lowest_free_booth_fills_gaps() -> None:
    f = fair(4, taken={1: uuid4(), 3: uuid4()})
    business, owner = uuid4(), uuid4()
    assert f.assign(business, owner, None) == events.BoothAssigned(f.fair_ref, business, owner, 2)
    assert f.taken == {1, 2, 3} and f.holds(business)
    assert f.assign(uuid4(), owner, None).booth_no == 4


@pytest.mark.parametrize(("booth_no", "kind", "field"), [(3, Conflict, "booth_no"), (5, Invalid, "booth_no")])
def test_a_booth_asked_for_must_exist_and_be_free(booth_no: int, kind: type[Exception], field: str) -> None:
    f = fair(4, taken={3: uuid4()})
    with pytest.raises(kind) as refused:
        f.assign(uuid4(), uuid4(), booth_no)
    assert refused.value.field == field and f.taken == {3}


def test_one_booth_per_business_and_none_beyond_the_fairs_number() -> None:
    holder = uuid4()
    with pytest.raises(Conflict, match="already has a booth"):
        fair(2, taken={1: holder}).assign(holder, uuid4(), None)
    with pytest.raises(Conflict, match="all 2 booths"):
        fair(2, taken={1: uuid4(), 2: uuid4()}).assign(uuid4(), uuid4(), None)


@pytest.mark.parametrize(("day", "inside"), [
    (START - timedelta(days=2), False), (START - timedelta(days=1), True), (START, True), (END, True),
    (END + timedelta(days=1), True), (END + timedelta(days=2), False),
])
def test_a_fair_sale_is_dated_within_the_fair_give_or_take_a_day(day: date, inside: bool) -> None:
    assert fair().covers(day) is inside


@pytest.mark.parametrize("business", [
    None, Business(uuid4(), uuid4(), registered=False), Business(uuid4(), None, registered=True)])
def test_only_a_registered_business_with_an_owner_may_trade(business: Business | None) -> None:
    with pytest.raises(Invalid) as refused:
        require_registered(business, uuid4(), field="rows.2.business_ref")
    assert refused.value.field == "rows.2.business_ref" and "Diskop UKM" in refused.value.pesan


def test_a_listing_comes_down_once_and_not_before_it_went_up() -> None:
    listing = Listing(events.ProductListed(uuid4(), uuid4(), uuid4(), "digital", "amplang", 25_000, date(2025, 7, 1)))
    with pytest.raises(Invalid):
        listing.delist(date(2025, 6, 30))
    assert listing.delisted_on is None
    down = listing.delist(date(2025, 7, 1))
    assert down == events.ProductDelisted(listing.listed.product_ref, listing.listed.business_ref,
                                          listing.listed.owner_person_ref, "digital", date(2025, 7, 1))
    with pytest.raises(Conflict):
        listing.delist(date(2025, 7, 2))


def sale(business: UUID, channel: str = "trade_fair", fair_ref: UUID | None = None, sold_on: date = START
         ) -> sales.Sale:
    return sales.Sale(uuid4(), business, channel, fair_ref, 50_000, 2, sold_on)


def test_a_single_sale_is_refused_on_its_first_problem_with_the_plain_field_name() -> None:
    owner, business = uuid4(), uuid4()
    known = {business: Business(business, owner, True)}
    with pytest.raises(Invalid) as refused:
        sales.record_one(sale(business), known, {})
    assert refused.value.field == "fair_ref" and "kesalahan" in refused.value.body()
    recorded = sales.record_one(sale(business, "digital"), known, {})
    assert recorded.owner_person_ref == owner and recorded.fair_ref is None


def test_a_sheet_lists_every_bad_row_with_its_number_and_records_nothing() -> None:
    f = fair(taken={1: (holder := uuid4())})
    outsider = uuid4()
    known = {b: Business(b, uuid4(), True) for b in (holder, outsider)}
    rows = [sale(holder, fair_ref=f.fair_ref), sale(outsider, fair_ref=f.fair_ref), sale(uuid4(), fair_ref=f.fair_ref),
            sale(holder, fair_ref=f.fair_ref, sold_on=END + timedelta(days=5))]
    with pytest.raises(Invalid) as refused:
        sales.record_sheet(rows, known, {f.fair_ref: f})
    assert [(e["row"], e["field"]) for e in refused.value.body()["kesalahan"]] == [
        (1, "rows.1.business_ref"), (2, "rows.2.business_ref"), (3, "rows.3.sold_on")]
    assert refused.value.pesan.startswith("3 baris tidak valid")
    recorded = sales.record_sheet(rows[:1], known, {f.fair_ref: f})
    assert [r.sale_ref for r in recorded] == [rows[0].sale_ref]


def test_every_domain_event_has_a_v1_contract_with_the_same_fields() -> None:
    ref = uuid4()
    samples = [
        events.TradeFairScheduled(ref, "Pameran UMKM", None, True, START, END, 4),
        events.BoothAssigned(ref, ref, ref, 1),
        events.ProductListed(ref, ref, ref, "digital", "amplang", 25_000, START),
        events.ProductDelisted(ref, ref, ref, "digital", END),
        events.SaleRecorded(ref, ref, ref, "trade_fair", ref, 50_000, 2, START),
    ]
    for event in samples:
        contract = translator.to_contract(event)
        assert set(contract.model_dump()) == {f.name for f in fields(event)}
