"""Women: what makes a registration valid, how a correction is checked, when the public profile changes, what an
erasure publishes, and the key that flags possible duplicates. Pure: no I/O, no encryption (the adapters seal
personal data; the rules see it in clear).

Sources: the NIK rules in ``nik.py`` (Kemendagri); age bands from the contracts (``berdaya_contracts.common``);
phone numbers by Google's libphonenumber (``phonenumbers``), stored in E.164 (+62…).

Age at registration must be 10 to 105 years (``AGE_MIN``, ``AGE_MAX``): the program registers girls at risk of
child marriage (the legal minimum age of marriage is 19, UU 16/2019; prevention reaches girls from about 10) and
elderly women heads of household; outside those bounds a date is a typing slip. The span is under 100 years, so a
two-digit year ("17/08/88") has at most one plausible century.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

import phonenumbers
from berdaya_contracts.common import age_band
from berdaya_shared.errors import Conflict, Forbidden, Invalid, NotFound

from . import events, nik
from .dates import not_future

_NAME_PUNCTUATION = frozenset(" .,'’`-")  # titles as OPD lists write them: "R. Icha Andriani, S.E.I"
AGE_MIN, AGE_MAX = 10, 105
EARLIEST_REGISTRATION = date(2000, 1, 1)  # no program record predates it (as the kit's PlausibleDate)
BIRTH_DATE_DIFFERS = "birth_date_differs_from_nik"  # the verification flag of a confirmed KTP birth date


def clean_name(value: str) -> str:
    """A full name as written on a KTP or an OPD list: letters, spaces and title punctuation, 2-100 characters."""
    value = " ".join(value.split())
    if not 2 <= len(value) <= 100:
        raise Invalid("Nama lengkap harus 2 sampai 100 karakter", "full_name must be 2-100 characters",
                      field="full_name")
    if not value[0].isalpha() or any(not (ch.isalpha() or ch in _NAME_PUNCTUATION) for ch in value):
        raise Invalid("Nama lengkap hanya boleh berisi huruf, spasi, titik, koma, apostrof dan tanda hubung",
                      "full_name has characters other than letters and title punctuation", field="full_name")
    return value


_MOBILE = re.compile(r"^(?:\+62|62|0)?(8\d{7,11})$")  # 08…, 628…, +628…, 8…: Indonesian mobile numbers


def clean_phone(value: str | None) -> str | None:
    """A phone number as one form, E.164 (+6281234567890), from how Indonesians write it: 0812-3456-7890,
    62 812…, +62 812…, or 812… (a number cell loses its leading 0). Blank means none. A number whose length no
    number of its country has (libphonenumber's "possible" rule; 8 to 12 digits after the trunk 0) raises Invalid
    (field ``phone``); the stricter "valid" rule is not applied, because it refuses prefixes allocated after the
    library's metadata was published."""
    if value is None:
        return None
    text = re.sub(r"[\s\-.()/]", "", value)
    if not text:
        return None
    mobile = _MOBILE.match(text)
    if mobile:  # the common case, without libphonenumber's slow parser: the same E.164 it would give
        return "+62" + mobile[1]
    if text.isdigit() and text.startswith("8"):
        text = "0" + text  # a mobile number typed into a number cell
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number) or not 8 <= len(str(number.national_number)) <= 12:
        raise Invalid("Nomor telepon tidak valid (contoh: 081234567890 atau +6281234567890)",
                      "phone is not a valid phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_birth_date(value: date, *, today: date) -> date:
    """A birth date a living woman can have: not in the future, not before 1900."""
    if value > today:
        raise Invalid("Tanggal lahir tidak boleh di masa depan", "birth_date is in the future", field="birth_date")
    if value.year < 1900:
        raise Invalid("Tanggal lahir tidak masuk akal (sebelum 1900)", "birth_date before 1900", field="birth_date")
    return value


def check_domicile(kecamatan_code: str, desa_code: str | None) -> None:
    if desa_code is not None and not desa_code.startswith(kecamatan_code + "."):
        raise Invalid("Desa/kelurahan tidak berada di kecamatan yang dipilih",
                      "desa_code does not belong to kecamatan_code", field="desa_code")


def name_key(name: str) -> str:
    """Spelling-insensitive form for duplicate matching: case, accents, punctuation, spacing ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z ]", " ", text).split())


def duplicate_key(name: str, birth_date: date, kecamatan_code: str, desa_code: str | None) -> str:
    """Same name, birth date and desa (kecamatan when no desa): a possible duplicate when the NIKs differ.
    Stored only as a keyed HMAC."""
    return f"dup|{name_key(name)}|{birth_date.isoformat()}|{desa_code or kecamatan_code}"


@dataclass(frozen=True)
class NewWoman:
    """What a form or an import row says about a woman; the NIK is already parsed (once)."""

    nik: nik.Nik
    full_name: str
    birth_date: date
    phone: str | None
    kecamatan_code: str
    desa_code: str | None
    household_size: int
    pekka_category: str
    registered_by_opd: str
    registered_on: date | None = None
    birth_date_confirmed: bool = False  # the officer confirmed a birth date that differs from the NIK's (the KTP's)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def check_age(birth: date, registered_on: date) -> None:
    """Her age when registered must be AGE_MIN to AGE_MAX; raises Invalid (field ``birth_date``)."""
    if not AGE_MIN <= age_on(birth, registered_on) <= AGE_MAX:
        raise Invalid(f"Umur saat didaftarkan harus {AGE_MIN} sampai {AGE_MAX} tahun: periksa tahun lahir",
                      f"age at registration outside {AGE_MIN}-{AGE_MAX}", field="birth_date")


@dataclass(frozen=True)
class Woman:
    """A registered woman as the rules see her (personal data in clear)."""

    person_ref: UUID
    details: NewWoman  # registered_on always set
    profile: events.Profile
    verify: tuple[str, ...] = ()  # why the record needs verification (BIRTH_DATE_DIFFERS)

    @property
    def registered_on(self) -> date:
        assert self.details.registered_on is not None
        return self.details.registered_on

    @property
    def duplicate_key(self) -> str:
        d = self.details
        return duplicate_key(d.full_name, d.birth_date, d.kecamatan_code, d.desa_code)


def _checked(person_ref: UUID, details: NewWoman, *, today: date, age_on: date | None = None) -> Woman:
    """Every cross-field rule of a woman's record, in the order a form shows them; age band as of ``age_on``."""
    differs = nik.check_birth_date(details.nik, details.birth_date, confirmed=details.birth_date_confirmed)
    check_domicile(details.kecamatan_code, details.desa_code)
    registered_on = details.registered_on or today
    not_future(registered_on, today, "registered_on")
    if registered_on < EARLIEST_REGISTRATION:
        raise Invalid(f"Tanggal pendaftaran tidak boleh sebelum {EARLIEST_REGISTRATION:%d-%m-%Y}",
                      "registered_on before 2000-01-01", field="registered_on")
    if registered_on < details.birth_date:
        raise Invalid("Tanggal pendaftaran sebelum tanggal lahir", "registered_on before birth_date",
                      field="registered_on")
    check_age(details.birth_date, registered_on)
    profile = events.Profile(details.kecamatan_code, details.desa_code,
                             age_band(details.birth_date, age_on or registered_on), details.pekka_category,
                             details.household_size)
    return Woman(person_ref, replace(details, registered_on=registered_on), profile,
                 (BIRTH_DATE_DIFFERS,) if differs else ())


def register(details: NewWoman, *, person_ref: UUID, today: date) -> tuple[Woman, events.WomanRegistered]:
    """A new registration (registered today unless a past ``registered_on`` is given); age band as of that day."""
    woman = _checked(person_ref, details, today=today)
    return woman, events.WomanRegistered(person_ref, woman.profile, details.registered_by_opd, woman.registered_on)


def correct(current: Woman, changes: dict[str, Any], *,
            today: date) -> tuple[Woman, events.WomanProfileCorrected | None]:
    """The corrected record, re-checked like a registration, its age band as of today. Publishes the full
    public profile only when it changed: a name or phone fix is nobody else's business."""
    if "kecamatan_code" in changes and "desa_code" not in changes:
        changes = {**changes, "desa_code": None}  # a desa of the old kecamatan cannot stay
    woman = _checked(current.person_ref, replace(current.details, **changes), today=today, age_on=today)
    if woman.profile == current.profile:
        return woman, None
    return woman, events.WomanProfileCorrected(current.person_ref, woman.profile, today)


def erase(person_ref: UUID, *, already_erased: bool, today: date) -> events.PersonalDataErased | None:
    """Erasure (UU PDP) is idempotent: a second request changes nothing and publishes nothing."""
    return None if already_erased else events.PersonalDataErased(person_ref, today)


def not_found(person_ref: UUID) -> NotFound:
    return NotFound("Perempuan dengan referensi ini tidak terdaftar", f"person {person_ref} not found",
                    field="person_ref")


def require_living(person_ref: UUID, *, erased: bool) -> None:
    """New facts about a woman need a record whose personal data has not been erased."""
    if erased:
        raise Conflict("Data pribadi perempuan ini telah dihapus", f"person {person_ref} was erased",
                       field="person_ref")


def already_registered(person_ref: UUID) -> Conflict:
    return Conflict("NIK ini sudah terdaftar", "a woman with this NIK is already registered", field="nik",
                    person_ref=str(person_ref))


def no_open_flag() -> NotFound:
    return NotFound("Tidak ada tanda kemungkinan ganda antara kedua orang ini",
                    "no open possible-duplicate flag for this pair", field="other_ref")


def within_area(kecamatan_code: str, area: frozenset[str] | None) -> None:
    """A caller limited to some kecamatan (a field officer's ``kecamatan`` claim) reads only women living there.

    Raises Forbidden for a woman of another kecamatan; ``area`` None means no limit."""
    if area is not None and kecamatan_code not in area:
        raise Forbidden("Data perempuan ini berada di luar wilayah kerja Anda (kecamatan)",
                        "the woman lives outside the kecamatan the caller is limited to", field="kecamatan_code")
