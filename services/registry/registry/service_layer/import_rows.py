"""One row of an import, from its cells to what is stored — pure CPU work, run in worker processes for large files.

A row becomes one ``Outcome``:
- **ready**: a valid woman (her sealed row, her WomanRegistered in outbox form, and when the list has an income
  column her baseline WelfareAssessed), with warnings about optional cells that could not be read (a phone, a desa
  name): those are left empty, never guessed;
- **held**: valid but for what only an officer can confirm — a birth date that differs from the NIK's (the KTP's
  can lawfully differ), an implausibly low income (a thousands slip?) — kept sealed in the job until confirmed;
- **refused**: each problem with the column as the sheet names it and the fix.

Every rule is the registration's own (``domain.nik``, ``domain.women``, ``domain.places``, ``domain.welfare``), so a
row is accepted exactly when ``POST /women`` (and the assessment) would accept the same values.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from berdaya_contracts import lookup, new_envelope
from berdaya_shared.errors import Refusal

from ..adapters import crypto
from ..adapters import spreadsheets_cells as cells
from ..adapters.repository.women import WomanRow, seal
from ..domain import events, nik, places, welfare
from ..domain import women as rules
from .translator import to_contract

CONFIRMABLE = (nik.CONFIRM_BIRTH_DATE, welfare.CONFIRM_LOW_INCOME)
PEKKA = {"none": "Bukan PEKKA", "productive": "Produktif", "child_marriage_risk": "Rawan perkawinan anak",
         "elderly": "Lansia"}
_PEKKA_WORDS = {
    "": "none", "-": "none", "tidak": "none", "bukan": "none", "bukan pekka": "none", "non pekka": "none",
    "produktif": "productive", "pekka produktif": "productive", "rawan perkawinan anak": "child_marriage_risk",
    "perkawinan anak": "child_marriage_risk", "pekka rawan perkawinan anak": "child_marriage_risk",
    "rawan pernikahan anak": "child_marriage_risk", "lansia": "elderly", "pekka lansia": "elderly",
    **{k: k for k in PEKKA}, "child marriage risk": "child_marriage_risk",
}
OutboxRow = tuple[UUID, str, str, str, bytes]  # event_id, topic, key, event_type, envelope (the outbox's columns)
Problem = tuple[str, str, str]  # field, problem, fix


@dataclass
class Context:
    """What every row of one import shares."""

    opd: str
    today: date
    import_ref: UUID
    lines: Sequence[events.PovertyLine] = ()
    correlation_id: str | None = None


@dataclass
class Outcome:
    row_no: int
    status: str  # ready | held | refused
    problems: list[Problem] = field(default_factory=list)  # refused: why; held: what to confirm
    warnings: list[Problem] = field(default_factory=list)
    woman: WomanRow | None = None
    outbox: list[OutboxRow] = field(default_factory=list)
    assessment: tuple[Any, ...] | None = None  # the welfare_assessments row
    verify: tuple[str, ...] = ()
    identity: tuple[str, date] | None = None  # name key and birth date: is an already registered NIK the same woman?
    nik_hmac: bytes | None = None
    sealed: bytes | None = None  # held: the row's cells, encrypted, to register once confirmed


def outbox_row(event: Any, correlation_id: str | None) -> OutboxRow:
    envelope = new_envelope(to_contract(event), correlation_id=correlation_id)
    return (envelope.event_id, lookup(envelope.event_type, envelope.event_version).topic, envelope.aggregate_id,
            envelope.event_type, envelope.to_bytes())


def _pekka(value: Any) -> str:
    written = " ".join((cells.text(value) or "").replace("_", " ").replace("-", " ").casefold().split())
    found = _PEKKA_WORDS.get(written if written else "")
    if found is None:
        raise cells.CellProblem(f"Kategori PEKKA '{cells.text(value)}' tidak dikenal",
                                "Pilih salah satu: " + ", ".join(PEKKA.values()))
    return found


def _household(value: Any) -> int | None:
    size = cells.whole_number(value)
    if size is not None and not 1 <= size <= 30:
        raise cells.CellProblem("Jumlah anggota rumah tangga harus 1 sampai 30 orang", "Periksa angkanya")
    return size


def _resolve_birth(reading: cells.DateReading, the_nik: nik.Nik | None, registered_on: date) -> date:
    """The birth date the cell means: with a two-digit year the century whose age is plausible (AGE_MIN–AGE_MAX at
    registration); the other day/month order only where the NIK agrees."""
    agrees = [d for d in reading.alternate if the_nik and not nik.birth_date_differs(the_nik, d)]
    options = list(reading.candidates) + agrees
    if len(options) == 1:
        return options[0]
    plausible = [d for d in options if rules.AGE_MIN <= rules.age_on(d, registered_on) <= rules.AGE_MAX]
    if len(plausible) == 1:
        return plausible[0]
    if not options:
        raise cells.CellProblem("Tanggal ini tidak ada di kalender", cells.DATE_FIX)
    raise cells.CellProblem(f"Umur saat didaftarkan harus {rules.AGE_MIN} sampai {rules.AGE_MAX} tahun",
                            "Periksa tahun lahir; tulis tahun dengan 4 angka")


def _one_date(reading: cells.DateReading, today: date) -> date:
    """A date other than a birth date (registration, assessment): two-digit years are the latest not in the
    future."""
    options = sorted(d for d in reading.candidates if d <= today) or sorted(reading.candidates)
    if not options:
        raise cells.CellProblem("Tanggal ini tidak ada di kalender", cells.DATE_FIX)
    return options[-1]


def read_row(row_no: int, values: Mapping[str, Any], ctx: Context, cipher: crypto.PiiCipher,
             confirmed: frozenset[str] = frozenset()) -> Outcome:
    """The outcome of one row (``values``: field -> cell as read)."""
    out = Outcome(row_no, "refused")
    got: dict[str, Any] = {}

    def take(name: str, reader: Callable[[Any], Any]) -> None:
        try:
            got[name] = reader(values.get(name))
        except cells.CellProblem as problem:
            out.problems.append((name, problem.problem, problem.fix))
        except Refusal as refusal:
            out.problems.append((name, refusal.pesan, ""))

    take("nik", lambda v: None if (t := cells.nik_text(v)) is None else nik.parse(t, today=ctx.today))
    take("full_name", lambda v: None if (t := cells.text(v)) is None else rules.clean_name(t))
    take("birth_date", cells.date_reading)
    take("kecamatan_code", lambda v: None if (t := cells.text(v)) is None else _place(places.kecamatan(t)))
    take("household_size", _household)
    take("pekka_category", _pekka)
    take("registered_on", lambda v: None if (r := cells.date_reading(v)) is None else _one_date(r, ctx.today))
    take("monthly_household_income_idr", cells.rupiah)
    take("assessed_on", lambda v: None if (r := cells.date_reading(v)) is None else _one_date(r, ctx.today))
    for name in ("nik", "full_name", "birth_date", "kecamatan_code", "household_size"):
        if got.get(name) is None and not any(p[0] == name for p in out.problems):
            out.problems.append((name, "Wajib diisi", ""))
    phone, desa = _optional(values, got.get("kecamatan_code"), out)
    if out.problems:
        return out
    registered_on = got["registered_on"] or ctx.today
    try:
        birth = _resolve_birth(got["birth_date"], got["nik"], registered_on)
    except cells.CellProblem as problem:
        out.problems.append(("birth_date", problem.problem, problem.fix))
        return out
    income = got["monthly_household_income_idr"]
    held = _to_confirm(got["nik"], birth, income, got["household_size"], confirmed)
    details = rules.NewWoman(
        nik=got["nik"], full_name=got["full_name"], birth_date=birth, phone=phone,
        kecamatan_code=got["kecamatan_code"], desa_code=desa, household_size=got["household_size"],
        pekka_category=got["pekka_category"], registered_by_opd=ctx.opd, registered_on=registered_on,
        birth_date_confirmed=True)  # a differing birth date is held above until an officer confirms it
    try:
        woman, registered = rules.register(details, person_ref=uuid4(), today=ctx.today)
        assessed = _assessment(woman, income, got["assessed_on"], ctx) if income is not None else None
    except Refusal as refusal:
        out.problems.append((str(refusal.field), refusal.pesan, ""))
        return out
    out.identity = (rules.name_key(details.full_name), birth)
    if held:
        out.status, out.problems = "held", held
        out.nik_hmac = cipher.nik_mac(details.nik.value)
        out.sealed = seal_cells(cipher, values)
        return out
    out.status = "ready"
    out.woman = seal(cipher, woman, import_ref=ctx.import_ref)
    out.nik_hmac = out.woman.nik_hmac
    out.verify = woman.verify
    out.outbox.append(outbox_row(registered, ctx.correlation_id))
    if assessed is not None:
        out.assessment = _assessment_row(assessed)
        out.outbox.append(outbox_row(assessed, ctx.correlation_id))
    return out


def _place(place: places.Place) -> str:
    if place.code is None:
        raise cells.CellProblem(place.problem or "", place.fix)
    return place.code


def _optional(values: Mapping[str, Any], kecamatan: str | None, out: Outcome) -> tuple[str | None, str | None]:
    """Phone and desa: unreadable, they are left empty with a warning (the woman is still registered); a desa of
    another kecamatan contradicts the row and refuses it."""
    phone = desa = None
    try:
        written = cells.phone_text(values.get("phone"))
        phone = rules.clean_phone(written)
    except cells.CellProblem as problem:
        out.warnings.append(("phone", problem.problem + "; tidak disimpan", problem.fix))
    except Refusal as refusal:
        out.warnings.append(("phone", refusal.pesan + "; tidak disimpan",
                             "Tulis nomor lengkap, mis. 081234567890; bisa dilengkapi nanti lewat koreksi data"))
    text = cells.text(values.get("desa_code"))
    if text is not None and kecamatan is not None:
        place = places.desa(text, kecamatan)
        if place.code is not None:
            desa = place.code
        elif "berada di kecamatan" in (place.problem or ""):
            out.problems.append(("desa_code", place.problem or "", "Periksa kecamatan dan desanya"))
        else:
            out.warnings.append(("desa_code", f"{place.problem}; desa tidak disimpan",
                                 place.fix or "Tulis nama resmi atau kode Kemendagri desa/kelurahan"))
    return phone, desa


def _to_confirm(the_nik: nik.Nik, birth: date, income: int | None, household: int,
                confirmed: frozenset[str]) -> list[Problem]:
    held: list[Problem] = []
    if nik.birth_date_differs(the_nik, birth) and nik.CONFIRM_BIRTH_DATE not in confirmed:
        held.append(("birth_date", "Tanggal lahir berbeda dengan tanggal lahir yang tertulis di NIK",
                     "Bila tanggal ini sesuai KTP (NIK tidak pernah diubah Dukcapil), konfirmasi di ruang kerja: "
                     "data didaftarkan dan ditandai untuk verifikasi"))
    if income is not None and welfare.CONFIRM_LOW_INCOME not in confirmed:
        problem = welfare.implausible_income(income, household)
        if problem is not None:
            held.append(("monthly_household_income_idr", problem,
                         "Konfirmasi di ruang kerja, atau perbaiki jumlahnya di berkas dan unggah lagi"))
    return held


def _assessment(woman: rules.Woman, income: int, assessed_on: date | None, ctx: Context) -> events.WelfareAssessed:
    return welfare.assess(
        assessment_ref=uuid4(), person_ref=woman.person_ref, assessed_on=assessed_on or woman.registered_on,
        household_size=woman.details.household_size, monthly_income_idr=income, lines=ctx.lines, is_baseline=True,
        today=ctx.today, confirmed_low_income=True)  # an implausible amount was held above


def _assessment_row(a: events.WelfareAssessed) -> tuple[Any, ...]:
    return (a.assessment_ref, a.person_ref, a.assessed_on, a.household_size, a.monthly_household_income_idr,
            a.per_capita_income_idr, a.poverty_line.idr, a.poverty_line.valid_from, a.below_poverty_line,
            a.is_baseline)


HELD_ROW = b"imports.held_row"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return {"date": value.isoformat()}
    return value


def seal_cells(cipher: crypto.PiiCipher, values: Mapping[str, Any]) -> bytes:
    """A held row's cells, encrypted (they hold a NIK and a name) for its confirmation."""
    text = json.dumps({k: _jsonable(v) for k, v in values.items()})
    return cipher.encrypt(text, context=HELD_ROW)  # type: ignore[return-value]


def open_cells(cipher: crypto.PiiCipher, sealed: bytes) -> dict[str, Any]:
    def restore(value: Any) -> Any:
        if isinstance(value, dict) and "date" in value:
            return date.fromisoformat(value["date"][:10])
        return value

    return {k: restore(v) for k, v in json.loads(cipher.decrypt(sealed, context=HELD_ROW) or "{}").items()}
