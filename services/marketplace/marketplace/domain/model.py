"""The marketplace's rules, free of I/O: fairs and their booths, listings, sales.

Refusals are ``berdaya_shared.errors`` kinds with an Indonesian message for staff and an English detail.
"""

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from berdaya_shared import errors

MAX_SALE_IDR = 10_000_000_000  # one sale above Rp 10 miliar is a typing error, not a women's UKM sale
MAX_PRICE_IDR = 1_000_000_000


@dataclass(frozen=True)
class Business:
    """What the marketplace knows of a business, from the registry's events."""

    business_ref: UUID
    owner_person_ref: UUID | None
    registered: bool


def require_registered(business: Business | None, business_ref: UUID, *, field: str = "business_ref") -> Business:
    if business is None or not business.registered or business.owner_person_ref is None:
        raise errors.Invalid(
            "Usaha ini tidak dikenal: belum terdaftar di registri, atau peristiwa pendaftarannya belum sampai ke "
            "layanan pasar. Daftarkan usahanya di registri (Diskop UKM) lalu coba lagi sebentar.",
            f"business {business_ref} is not in the marketplace's replica of registry.events",
            field=field,
        )
    return business


def check_fair_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise errors.Invalid("Tanggal selesai pameran tidak boleh sebelum tanggal mulai",
                             "ends_on is before starts_on", field="ends_on")
    if (ends_on - starts_on).days > 120:
        raise errors.Invalid("Pameran paling lama 120 hari", "a fair lasts at most 120 days", field="ends_on")


@dataclass
class Fair:
    fair_ref: UUID
    booths: int
    starts_on: date
    ends_on: date
    taken: set[int] = field(default_factory=set)
    businesses: set[UUID] = field(default_factory=set)

    def assign(self, business_ref: UUID, booth_no: int | None) -> int:
        """The booth number for ``business_ref``: the one asked for, or the lowest free one."""
        if business_ref in self.businesses:
            raise errors.Conflict("Usaha ini sudah mendapat stan di pameran ini (satu stan per usaha per pameran)",
                                  "the business already has a booth at this fair", field="business_ref")
        if len(self.taken) >= self.booths:
            raise errors.Conflict(f"Semua {self.booths} stan pameran ini sudah terisi",
                                  f"all {self.booths} booths of the fair are assigned")
        if booth_no is None:
            booth_no = min(set(range(1, self.booths + 1)) - self.taken)
        elif booth_no > self.booths:
            raise errors.Invalid(f"Nomor stan harus 1 sampai {self.booths}", "booth_no exceeds the fair's booths",
                                 field="booth_no")
        elif booth_no in self.taken:
            raise errors.Conflict(f"Stan nomor {booth_no} sudah dipakai usaha lain", "booth_no already assigned",
                                  field="booth_no")
        self.taken.add(booth_no)
        self.businesses.add(business_ref)
        return booth_no


def check_sale_place(channel: str, fair: Fair | None, fair_ref: UUID | None, business_ref: UUID, sold_on: date,
                     *, prefix: str = "") -> None:
    """A fair sale names its fair, made by a business with a booth there, during the fair (give or take a day)."""
    if channel == "trade_fair":
        if fair_ref is None:
            raise errors.Invalid("Penjualan di pameran harus menyebut pamerannya (fair_ref)",
                                 "trade_fair sales need a fair_ref", field=f"{prefix}fair_ref")
        if fair is None:
            raise errors.Invalid("Pameran tidak dikenal", f"unknown fair {fair_ref}", field=f"{prefix}fair_ref")
        if business_ref not in fair.businesses:
            raise errors.Invalid("Usaha ini tidak punya stan di pameran tersebut",
                                 "the business has no booth at that fair", field=f"{prefix}business_ref")
        if not (fair.starts_on.toordinal() - 1 <= sold_on.toordinal() <= fair.ends_on.toordinal() + 1):
            raise errors.Invalid("Tanggal penjualan di luar tanggal pameran", "sold_on is outside the fair's dates",
                                 field=f"{prefix}sold_on")
    elif fair_ref is not None:
        raise errors.Invalid("fair_ref hanya untuk penjualan di pameran (channel trade_fair)",
                             "fair_ref is only for trade_fair sales", field=f"{prefix}fair_ref")
