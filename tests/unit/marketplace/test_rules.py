"""The marketplace rules on their own: no broker, no database."""

from dataclasses import fields
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from berdaya_shared.errors import Conflict, Invalid
from marketplace.domain import events, sales
from marketplace.domain.model import Business, Fair, Holder, Listing, require_registered
from marketplace.service_layer import translator

START, END = date(2025, 8, 15), date(2025, 8, 17)


def fair(booths: int = 3, *, starts_on: date = START, ends_on: date = END, kecamatan_code: str | None = "64.02.06",
         taken: dict[int, UUID] | None = None) -> Fair:
    taken = taken or {}
    return Fair(uuid4(), "Pameran UMKM", kecamatan_code, None, starts_on, ends_on, booths, "disperindag",
                booth_of={b: n for n, b in taken.items()})


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


def test_every_domain_event_has_a_v1_contract_with_the_same_fields_and_booths_and_sales_a_v2_twin() -> None:
    ref = uuid4()
    samples = [
        events.TradeFairScheduled(ref, "Pameran UMKM", None, True, START, END, 4),
        events.BoothAssigned(ref, ref, ref, 1),
        events.ProductListed(ref, ref, ref, "digital", "amplang", 25_000, START),
        events.ProductDelisted(ref, ref, ref, "digital", END),
        events.SaleRecorded(ref, ref, ref, "trade_fair", ref, 50_000, 2, START, 1, "business"),
    ]
    for event in samples:
        contracts = translator.to_contracts(event)
        v1_fields = {f.name for f in fields(event)}
        if isinstance(event, events.SaleRecorded):
            v1_fields -= {"booth_no", "booth_holder_kind"}  # v2 only
        assert type(contracts[0]).__module__.endswith("marketplace_v1")
        assert set(contracts[0].model_dump()) == v1_fields
        if isinstance(event, events.BoothAssigned | events.SaleRecorded):
            assert [type(c).__module__.rsplit("_", 1)[1] for c in contracts] == ["v1", "v2"]
        else:
            assert len(contracts) == 1


def test_a_shared_booth_sells_several_businesses_products_each_sale_against_its_own_business() -> None:
    own = uuid4()
    f = fair(4, taken={1: own})
    a, b, owner_a, owner_b = uuid4(), uuid4(), uuid4(), uuid4()
    assigned = f.assign_shared(Holder("outlet", label=" Gerai PEKKA Tenggarong "), [(a, owner_a), (b, owner_b)],
                               None)
    assert assigned == events.SharedBoothAssigned(f.fair_ref, 2, "outlet", None, "Gerai PEKKA Tenggarong",
                                                  ((a, owner_a), (b, owner_b)))
    assert f.taken == {1, 2} and f.holds(a) and f.holds(b) and f.holder_kind(2) == "outlet"
    assert f.holder_kind(1) == "business"
    known = {x: Business(x, o, True) for x, o in ((a, owner_a), (b, owner_b), (own, uuid4()))}
    sold = sales.record_one(sale(b, fair_ref=f.fair_ref), known, {f.fair_ref: f})
    assert (sold.business_ref, sold.owner_person_ref, sold.booth_no, sold.booth_holder_kind) == (b, owner_b, 2,
                                                                                                 "outlet")
    v1_sale, v2_sale = translator.to_contracts(sold)
    assert v1_sale.business_ref == v2_sale.business_ref == b and v2_sale.booth_holder_kind == "outlet"
    twins = translator.to_contracts(assigned)
    assert [(c.business_ref, c.booth_no) for c in twins[:2]] == [(a, 2), (b, 2)]  # v1: one per business
    assert [x.business_ref for x in twins[2].businesses] == [a, b] and twins[2].holder_label == "Gerai PEKKA Tenggarong"
    with pytest.raises(Invalid) as wrong_booth:
        sales.record_one(sales.Sale(uuid4(), a, "trade_fair", f.fair_ref, 10_000, 1, START, booth_no=1), known,
                         {f.fair_ref: f})
    assert wrong_booth.value.field == "booth_no" and "stan 2" in wrong_booth.value.pesan
    added = f.add_to_shared(2, [(c := uuid4(), owner_c := uuid4())])
    assert added.businesses == ((c, owner_c),) and added.holder_label == "Gerai PEKKA Tenggarong" and f.holds(c)


@pytest.mark.parametrize(("holder", "businesses", "booth_no", "kind", "field"), [
    (Holder("opd"), 1, None, Invalid, "holder_opd"),
    (Holder("coop", label="  "), 1, None, Invalid, "holder_label"),
    (Holder("business"), 1, None, Invalid, "holder_kind"),
    (Holder("opd", opd="dp3a"), 0, None, Invalid, "business_refs"),
    (Holder("opd", opd="dp3a"), 1, 1, Conflict, "booth_no"),
    (Holder("opd", opd="dp3a"), 1, 9, Invalid, "booth_no"),
    (Holder("opd", opd="dp3a"), "own", None, Conflict, "business_refs"),
    (Holder("opd", opd="dp3a"), "twice", None, Invalid, "business_refs"),
])
def test_a_shared_booth_is_refused_naming_the_field(holder: Holder, businesses: object, booth_no: int | None,
                                                    kind: type, field: str) -> None:
    own = uuid4()
    f = fair(3, taken={1: own})
    x = uuid4()
    chosen = {0: [], 1: [(x, uuid4())], "own": [(own, uuid4())], "twice": [(x, uuid4()), (x, uuid4())]}[businesses]
    with pytest.raises(kind) as refused:
        f.assign_shared(holder, chosen, booth_no)
    assert refused.value.field == field and f.taken == {1} and f.shared == {}


def test_businesses_join_only_a_shared_booth() -> None:
    own = uuid4()
    f = fair(3, taken={1: own})
    with pytest.raises(Invalid) as refused:
        f.add_to_shared(1, [(uuid4(), uuid4())])
    assert refused.value.field == "booth_no"
