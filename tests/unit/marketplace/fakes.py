"""In-memory stand-ins for the marketplace unit of work: the same methods as the SQL repositories, dicts inside."""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from datetime import date
from typing import Any
from uuid import UUID

from berdaya_shared.unit_of_work import RecordingUnitOfWork
from marketplace.domain.events import SaleRecorded
from marketplace.domain.model import Business, Fair, Holder, Listing
from marketplace.service_layer import translator
from marketplace.service_layer.fairs import fair_view
from marketplace.service_layer.trade import listing_view


def _page(rows: list[dict[str, Any]], order: str, ref: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Latest ``order`` first, then by ref, as the SQL repositories sort."""
    rows = sorted(sorted(rows, key=lambda r: r[ref]), key=lambda r: r[order], reverse=True)
    return rows[offset:offset + limit], len(rows)


class FakeSales:
    def __init__(self) -> None:
        self.rows: dict[UUID, dict[str, Any]] = {}

    async def add(self, sales: Sequence[SaleRecorded]) -> None:
        for sale in sales:
            self.rows[sale.sale_ref] = asdict(sale)

    async def page(self, *, business_ref: UUID | None, fair_ref: UUID | None, channel: str | None, limit: int,
                   offset: int) -> tuple[list[dict[str, Any]], int]:
        found = [r for r in self.rows.values() if business_ref in (None, r["business_ref"])
                 and fair_ref in (None, r["fair_ref"]) and channel in (None, r["channel"])]
        return _page(found, "sold_on", "sale_ref", limit, offset)


class FakeFairs:
    def __init__(self, sales: FakeSales) -> None:
        self.fairs: dict[UUID, Fair] = {}
        self.booth_rows: list[dict[str, Any]] = []
        self.shared_rows: dict[tuple[UUID, int], Holder] = {}
        self._sales = sales

    async def add(self, fair: Fair) -> None:
        self.fairs[fair.fair_ref] = replace(fair, booth_of={}, shared={})

    async def get(self, fair_ref: UUID, *, for_update: bool = False) -> Fair | None:
        fair = self.fairs.get(fair_ref)
        if fair is None:
            return None
        mine = [b for b in self.booth_rows if b["fair_ref"] == fair_ref]
        return replace(fair, booth_of={b["business_ref"]: b["booth_no"] for b in mine},
                       shared={n: h for (f, n), h in self.shared_rows.items() if f == fair_ref})

    def _row(self, fair_ref: UUID, business_ref: UUID, owner_person_ref: UUID, booth_no: int) -> None:
        if any(b["fair_ref"] == fair_ref and business_ref == b["business_ref"] for b in self.booth_rows):
            raise AssertionError("the booths table's primary key (fair_ref, business_ref) would refuse this")
        self.booth_rows.append({"fair_ref": fair_ref, "business_ref": business_ref,
                                "owner_person_ref": owner_person_ref, "booth_no": booth_no})

    async def add_booth(self, *, fair_ref: UUID, business_ref: UUID, owner_person_ref: UUID, booth_no: int) -> None:
        if any(b["fair_ref"] == fair_ref and booth_no == b["booth_no"] for b in self.booth_rows):
            raise AssertionError("an own booth's number is free: the rules checked it")
        self._row(fair_ref, business_ref, owner_person_ref, booth_no)

    async def add_shared_booth(self, *, fair_ref: UUID, booth_no: int, holder: Holder | None,
                               businesses: Sequence[tuple[UUID, UUID]]) -> None:
        if holder is not None:
            assert (fair_ref, booth_no) not in self.shared_rows, "shared_booths' primary key would refuse this"
            self.shared_rows[(fair_ref, booth_no)] = holder
        for business_ref, owner in businesses:
            self._row(fair_ref, business_ref, owner, booth_no)

    async def summary(self, fair_ref: UUID) -> dict[str, Any] | None:
        fair = self.fairs.get(fair_ref)
        if fair is None:
            return None
        return fair_view(fair, booths_assigned=len({b["booth_no"] for b in self.booth_rows if b["fair_ref"] == fair_ref}),
                         sales_idr=sum(s["amount_idr"] for s in self._sales.rows.values() if s["fair_ref"] == fair_ref))

    async def summaries(self, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        rows = [await self.summary(ref) for ref in self.fairs]
        return _page([r for r in rows if r], "starts_on", "fair_ref", limit, offset)

    async def booths(self, fair_ref: UUID) -> list[dict[str, Any]]:
        rows = []
        for b in sorted((b for b in self.booth_rows if b["fair_ref"] == fair_ref), key=lambda b: b["booth_no"]):
            holder = self.shared_rows.get((fair_ref, b["booth_no"]))
            rows.append({**b, "holder_kind": holder.kind if holder else "business",
                         "holder_opd": holder.opd if holder else None, "holder_label": holder.label if holder else None})
        return rows


class FakeListings:
    def __init__(self) -> None:
        self.listings: dict[UUID, Listing] = {}

    async def add(self, listing: Listing) -> None:
        self.listings[listing.listed.product_ref] = replace(listing)

    async def get(self, product_ref: UUID, *, for_update: bool = False) -> Listing | None:
        found = self.listings.get(product_ref)
        return replace(found) if found else None

    async def save_delisting(self, product_ref: UUID, delisted_on: date) -> None:
        self.listings[product_ref].delisted_on = delisted_on

    async def page(self, *, business_ref: UUID | None, channel: str | None, active: bool | None, limit: int,
                   offset: int) -> tuple[list[dict[str, Any]], int]:
        found = [listing_view(x) for x in self.listings.values() if business_ref in (None, x.listed.business_ref)
                 and channel in (None, x.listed.channel) and active in (None, x.delisted_on is None)]
        return _page(found, "listed_on", "product_ref", limit, offset)


class FakeBusinesses:
    def __init__(self) -> None:
        self.businesses: dict[UUID, Business] = {}

    def register(self, business_ref: UUID, owner_person_ref: UUID) -> None:
        self.businesses[business_ref] = Business(business_ref, owner_person_ref, True)

    async def get_many(self, refs: list[UUID]) -> dict[UUID, Business]:
        return {r: self.businesses[r] for r in refs if r in self.businesses}

    async def get(self, business_ref: UUID) -> Business | None:
        return self.businesses.get(business_ref)


class FakeMarketplaceUnitOfWork(RecordingUnitOfWork):
    """``contracts`` holds every contract published, v1 and v2 twins included (``translator.to_contracts``)."""

    def __init__(self) -> None:
        super().__init__()
        self.sales = FakeSales()
        self.fairs = FakeFairs(self.sales)
        self.listings = FakeListings()
        self.businesses = FakeBusinesses()

    async def publish(self, events: Iterable[Any]) -> None:
        for event in events:
            self.published.append(event)
            self.contracts.extend(translator.to_contracts(event))
