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


HOLDER_KINDS = ("opd", "coop", "outlet")  # who may hold a shared booth; "business" is a business's own booth


@dataclass(frozen=True)
class Holder:
    """Who holds a shared booth: an OPD (``opd``), or a cooperative or outlet named by ``label`` (an organisation,
    e.g. "Gerai PEKKA Tenggarong", never a person)."""

    kind: str  # opd | coop | outlet
    opd: str | None = None
    label: str | None = None

    def check(self) -> "Holder":
        """Raises ``Invalid`` (field ``holder_kind``, ``holder_opd`` or ``holder_label``) when the holder is not
        one of HOLDER_KINDS with its field filled."""
        if self.kind not in HOLDER_KINDS:
            raise Invalid("Pemegang stan bersama harus OPD, koperasi atau gerai", f"holder_kind {self.kind!r}",
                          field="holder_kind")
        if self.kind == "opd" and not self.opd:
            raise Invalid("Pilih OPD yang memegang stan", "holder_opd is required for an OPD's booth",
                          field="holder_opd")
        if self.kind != "opd" and not (self.label or "").strip():
            raise Invalid("Tulis nama koperasi atau gerai yang memegang stan",
                          "holder_label is required for a cooperative's or outlet's booth", field="holder_label")
        return Holder(self.kind, self.opd if self.kind == "opd" else None,
                      None if self.kind == "opd" else (self.label or "").strip())


@dataclass
class Fair:
    """A trade fair (pameran) in a Kukar kecamatan or outside Kukar (``kecamatan_code`` None), with its booths:
    ``booth_of`` maps each business selling there to its booth number, ``shared`` the shared booths to their
    holders (a business's own booth is in ``booth_of`` only)."""

    fair_ref: UUID
    name: str
    kecamatan_code: str | None
    location: str | None
    starts_on: date
    ends_on: date
    booths: int
    recorded_by_opd: str
    booth_of: dict[UUID, int] = field(default_factory=dict)
    shared: dict[int, Holder] = field(default_factory=dict)

    @property
    def outside_kukar(self) -> bool:
        return self.kecamatan_code is None

    @property
    def taken(self) -> set[int]:
        """Booth numbers given out (own or shared)."""
        return set(self.booth_of.values()) | set(self.shared)

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

    def _free_booth(self, booth_no: int | None) -> int:
        """The booth asked for, or the lowest free one. Raises ``Conflict`` (all taken, that one taken) or
        ``Invalid`` (no such booth number)."""
        taken = self.taken
        if len(taken) >= self.booths:
            raise Conflict(f"Semua {self.booths} stan pameran ini sudah terisi",
                           f"all {self.booths} booths of the fair are assigned")
        if booth_no is None:
            return min(set(range(1, self.booths + 1)) - taken)
        if booth_no > self.booths:
            raise Invalid(f"Nomor stan harus 1 sampai {self.booths}", "booth_no exceeds the fair's booths",
                          field="booth_no")
        if booth_no in taken:
            raise Conflict(f"Stan nomor {booth_no} sudah dipakai", "booth_no already assigned", field="booth_no")
        return booth_no

    def _not_yet_selling(self, business_refs: list[UUID], field: str) -> None:
        """Raises ``Conflict`` (naming ``field``) for a business already selling at a booth of this fair: a business
        sells at one booth per fair, its own or a shared one."""
        for ref in business_refs:
            if ref in self.booth_of:
                raise Conflict(f"Usaha ini sudah berjualan di stan {self.booth_of[ref]} pameran ini (satu stan per "
                               "usaha per pameran, sendiri atau bersama)",
                               f"the business already has a booth at this fair ({ref} at booth {self.booth_of[ref]})",
                               field=field)

    def assign(self, business_ref: UUID, owner_person_ref: UUID, booth_no: int | None) -> events.BoothAssigned:
        """Give ``business_ref`` a booth of its own (the one asked for, or the lowest free one): one booth per
        business per fair, never more booths than the fair has. Raises ``Conflict`` (already selling here, all
        taken, that one taken) or ``Invalid`` (no such booth number)."""
        self._not_yet_selling([business_ref], "business_ref")
        booth_no = self._free_booth(booth_no)
        self.booth_of[business_ref] = booth_no
        return events.BoothAssigned(self.fair_ref, business_ref, owner_person_ref, booth_no)

    def assign_shared(self, holder: Holder, businesses: list[tuple[UUID, UUID]],
                      booth_no: int | None) -> events.SharedBoothAssigned:
        """Give ``holder`` (an OPD, a cooperative, an outlet) a booth selling the products of ``businesses``
        ((business_ref, owner_person_ref), at least one, each not yet selling at this fair). Raises ``Invalid``
        (holder, no business, a business twice, no such booth number) or ``Conflict`` (see ``_free_booth``,
        ``_not_yet_selling``)."""
        holder = holder.check()
        refs = self._new_businesses(businesses)
        booth_no = self._free_booth(booth_no)
        self.shared[booth_no] = holder
        self.booth_of.update(dict.fromkeys(refs, booth_no))
        return events.SharedBoothAssigned(self.fair_ref, booth_no, holder.kind, holder.opd, holder.label,
                                          tuple(businesses))

    def add_to_shared(self, booth_no: int, businesses: list[tuple[UUID, UUID]]) -> events.SharedBoothAssigned:
        """Add ``businesses`` to the shared booth ``booth_no``. Raises ``Invalid`` (field ``booth_no``) when that
        booth is not a shared booth of this fair, and as ``assign_shared`` for the businesses."""
        holder = self.shared.get(booth_no)
        if holder is None:
            raise Invalid(f"Stan nomor {booth_no} bukan stan bersama pameran ini", f"booth {booth_no} is not shared",
                          field="booth_no")
        refs = self._new_businesses(businesses)
        self.booth_of.update(dict.fromkeys(refs, booth_no))
        return events.SharedBoothAssigned(self.fair_ref, booth_no, holder.kind, holder.opd, holder.label,
                                          tuple(businesses))

    def _new_businesses(self, businesses: list[tuple[UUID, UUID]]) -> list[UUID]:
        refs = [ref for ref, _ in businesses]
        if not refs:
            raise Invalid("Pilih paling sedikit satu usaha yang produknya dijual di stan ini", "no business",
                          field="business_refs")
        if len(set(refs)) != len(refs):
            raise Invalid("Satu usaha disebut dua kali", "a business_ref is repeated", field="business_refs")
        self._not_yet_selling(refs, "business_refs")
        return refs

    def holds(self, business_ref: UUID) -> bool:
        """Whether the business sells at a booth of this fair (its own or a shared one)."""
        return business_ref in self.booth_of

    def holder_kind(self, booth_no: int) -> str:
        """``business`` for a business's own booth, else the shared booth's holder kind."""
        holder = self.shared.get(booth_no)
        return holder.kind if holder else "business"

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
