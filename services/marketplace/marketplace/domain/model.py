"""The marketplace's rules, free of I/O: businesses known from the registry, fairs and their booths, listings.

Each rule takes the state the service layer loaded and returns the domain event to record, or raises a
``berdaya_shared.errors`` kind with an Indonesian ``pesan`` for staff and an English ``detail``. Sales are in
``sales.py``.
"""

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from berdaya_shared.errors import Conflict, Invalid

from . import events

# One sale above Rp 10 miliar, or a unit price above Rp 1 miliar, is a typing error, not a women's UKM trade.
MAX_SALE_IDR = 10_000_000_000
MAX_PRICE_IDR = 1_000_000_000
MAX_FAIR_DAYS = 120  # the service's limit on a fair's length (README); longer dates are taken as a typing error


@dataclass(frozen=True)
class Business:
    """What the marketplace knows of a business, from the registry's ``BusinessRegistered`` events."""

    business_ref: UUID
    owner_person_ref: UUID | None
    registered: bool


def require_registered(business: Business | None, business_ref: UUID, *, field: str = "business_ref") -> UUID:
    """The owner's person_ref of a business the replica knows. Raises ``Invalid`` (naming ``field``) otherwise:
    not registered, or the registry's events have not arrived yet (DESIGN.md §1)."""
    if business is None or not business.registered or business.owner_person_ref is None:
        raise Invalid(
            "Usaha ini tidak dikenal: belum terdaftar di registri, atau peristiwa pendaftarannya belum sampai ke "
            "layanan pasar. Daftarkan usahanya di registri (Diskop UKM) lalu coba lagi sebentar.",
            f"business {business_ref} is not in the marketplace's replica of registry.events",
            field=field,
        )
    return business.owner_person_ref


@dataclass
class Fair:
    """A trade fair (pameran) in a Kukar kecamatan or outside Kukar (``kecamatan_code`` None), with its booths:
    ``taken`` booth numbers and the ``businesses`` holding them."""

    fair_ref: UUID
    name: str
    kecamatan_code: str | None
    location: str | None
    starts_on: date
    ends_on: date
    booths: int
    recorded_by_opd: str
    taken: set[int] = field(default_factory=set)
    businesses: set[UUID] = field(default_factory=set)

    @property
    def outside_kukar(self) -> bool:
        return self.kecamatan_code is None

    def schedule(self) -> events.TradeFairScheduled:
        """Raises ``Invalid`` (field ``ends_on``) when the fair ends before it starts or lasts over 120 days."""
        if self.ends_on < self.starts_on:
            raise Invalid("Tanggal selesai pameran tidak boleh sebelum tanggal mulai", "ends_on is before starts_on",
                          field="ends_on")
        if (self.ends_on - self.starts_on).days > MAX_FAIR_DAYS:
            raise Invalid(f"Pameran paling lama {MAX_FAIR_DAYS} hari", f"a fair lasts at most {MAX_FAIR_DAYS} days",
                          field="ends_on")
        return events.TradeFairScheduled(self.fair_ref, self.name, self.kecamatan_code, self.outside_kukar,
                                         self.starts_on, self.ends_on, self.booths)

    def assign(self, business_ref: UUID, owner_person_ref: UUID, booth_no: int | None) -> events.BoothAssigned:
        """Give ``business_ref`` the booth asked for, or the lowest free one: one booth per business per fair,
        never more booths than the fair has. Raises ``Conflict`` (already has one, all taken, that one taken) or
        ``Invalid`` (no such booth number)."""
        if business_ref in self.businesses:
            raise Conflict("Usaha ini sudah mendapat stan di pameran ini (satu stan per usaha per pameran)",
                           "the business already has a booth at this fair", field="business_ref")
        if len(self.taken) >= self.booths:
            raise Conflict(f"Semua {self.booths} stan pameran ini sudah terisi",
                           f"all {self.booths} booths of the fair are assigned")
        if booth_no is None:
            booth_no = min(set(range(1, self.booths + 1)) - self.taken)
        elif booth_no > self.booths:
            raise Invalid(f"Nomor stan harus 1 sampai {self.booths}", "booth_no exceeds the fair's booths",
                          field="booth_no")
        elif booth_no in self.taken:
            raise Conflict(f"Stan nomor {booth_no} sudah dipakai usaha lain", "booth_no already assigned",
                           field="booth_no")
        self.taken.add(booth_no)
        self.businesses.add(business_ref)
        return events.BoothAssigned(self.fair_ref, business_ref, owner_person_ref, booth_no)

    def holds(self, business_ref: UUID) -> bool:
        """Whether the business has a booth at this fair."""
        return business_ref in self.businesses

    def covers(self, day: date) -> bool:
        """Whether a sale on ``day`` belongs to the fair: its dates, give or take a day (set-up, late entries)."""
        return self.starts_on.toordinal() - 1 <= day.toordinal() <= self.ends_on.toordinal() + 1


@dataclass
class Listing:
    """A product offered on one channel (trade_fair, modern_retail, digital): the facts it was listed with, and the
    day it came down (None while it is up)."""

    listed: events.ProductListed
    delisted_on: date | None = None

    def delist(self, on: date) -> events.ProductDelisted:
        """Take the product down on ``on``. Raises ``Conflict`` when it is already down, ``Invalid`` (field
        ``delisted_on``) for a date before it was listed."""
        if self.delisted_on is not None:
            raise Conflict("Produk ini sudah diturunkan dari etalase", "the product is already delisted")
        if on < self.listed.listed_on:
            raise Invalid("Tanggal penurunan tidak boleh sebelum tanggal tayang", "delisted_on before listed_on",
                          field="delisted_on")
        self.delisted_on = on
        x = self.listed
        return events.ProductDelisted(x.product_ref, x.business_ref, x.owner_person_ref, x.channel, on)
