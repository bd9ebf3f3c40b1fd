"""Handlers for women: register, read, search, correct, erase personal data."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_contracts.common import age_band
from berdaya_shared import errors
from berdaya_shared.messaging import outbox

from ..adapters import crypto
from ..adapters import women_repo as repo
from ..adapters.crypto import PiiCipher
from ..clock import today
from ..domain import model, nik
from . import translator


@dataclass(frozen=True)
class NewWoman:
    nik: str
    full_name: str
    birth_date: date
    phone: str | None
    kecamatan_code: str
    desa_code: str | None
    household_size: int
    pekka_category: str
    registered_by_opd: str
    registered_on: date | None = None


def rule_error(err: nik.NikError | model.RuleBroken) -> errors.Refusal:
    return errors.Invalid(err.pesan, err.detail, field=err.field)


def prepare(cipher: PiiCipher, woman: NewWoman, *, on: date, import_ref: UUID | None = None) -> repo.WomanRow:
    """Check the cross-field rules and encrypt: raises NikError / RuleBroken naming the field."""
    parsed = nik.parse(woman.nik, today=on)
    nik.check_birth_date(parsed, woman.birth_date)
    model.check_domicile(woman.kecamatan_code, woman.desa_code)
    registered_on = woman.registered_on or on
    model.check_not_future(registered_on, on, "registered_on")
    if registered_on < woman.birth_date:
        raise model.RuleBroken("Tanggal pendaftaran sebelum tanggal lahir", "registered_on before birth_date",
                               "registered_on")
    fingerprint = model.duplicate_fingerprint_source(
        woman.full_name, woman.birth_date, woman.kecamatan_code, woman.desa_code
    )
    return repo.WomanRow(
        person_ref=uuid4(),
        nik_hmac=cipher.nik_mac(parsed.value),
        nik_cipher=cipher.encrypt(parsed.value, context=crypto.NIK),  # type: ignore[arg-type]
        name_cipher=cipher.encrypt(woman.full_name, context=crypto.NAME),  # type: ignore[arg-type]
        phone_cipher=cipher.encrypt(woman.phone, context=crypto.PHONE),
        birth_date=woman.birth_date,
        dup_fingerprint=cipher.mac(fingerprint),
        age_band=age_band(woman.birth_date, registered_on),
        kecamatan_code=woman.kecamatan_code,
        desa_code=woman.desa_code,
        household_size=woman.household_size,
        pekka_category=woman.pekka_category,
        registered_by_opd=woman.registered_by_opd,
        registered_on=registered_on,
        import_ref=import_ref,
    )


def already_registered(ref: UUID) -> errors.Refusal:
    return errors.Conflict(
        "NIK ini sudah terdaftar",
        "a woman with this NIK is already registered",
        field="nik",
        person_ref=str(ref),
    )


async def create(
    conn: asyncpg.Connection, *, cipher: PiiCipher, woman: NewWoman, correlation_id: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register a woman: (the answer, the row as stored). Three statements: the row with its duplicate flags,
    the event with the relay's wake-up, and (by the caller) the audit row."""
    try:
        row = prepare(cipher, woman, on=today())
    except (nik.NikError, model.RuleBroken) as err:
        raise rule_error(err) from None
    written = await repo.insert_one(conn, row)
    if written is None:
        existing = await repo.refs_by_nik(conn, [row.nik_hmac])
        raise already_registered(existing[row.nik_hmac])
    stored, duplicates = written
    await outbox.add(conn, translator.envelope(translator.woman_registered(row), correlation_id))
    return read(cipher, stored, duplicates), stored


def read(cipher: PiiCipher, row: Mapping[str, Any], duplicates: list[UUID]) -> dict[str, Any]:
    nik_value = cipher.decrypt(row["nik_cipher"], context=crypto.NIK)
    return {
        "person_ref": row["person_ref"],
        "nik_masked": nik_value[:4] + "*" * 8 + nik_value[-4:] if nik_value else None,
        "full_name": cipher.decrypt(row["name_cipher"], context=crypto.NAME),
        "birth_date": row["birth_date"],
        "phone": cipher.decrypt(row["phone_cipher"], context=crypto.PHONE),
        "age_band": row["age_band"],
        "kecamatan_code": row["kecamatan_code"],
        "desa_code": row["desa_code"],
        "household_size": row["household_size"],
        "pekka_category": row["pekka_category"],
        "registered_by_opd": row["registered_by_opd"],
        "registered_on": row["registered_on"],
        "possible_duplicate_of": duplicates,
        "erased": row["erased_at"] is not None,
        "erased_at": row["erased_at"],
    }


def not_found(ref: UUID) -> errors.Refusal:
    return errors.NotFound("Perempuan dengan referensi ini tidak terdaftar", f"person {ref} not found",
                           field="person_ref")


async def get(conn: asyncpg.Connection, *, cipher: PiiCipher, ref: UUID) -> dict[str, Any]:
    row = await repo.get(conn, ref)
    if row is None:
        raise not_found(ref)
    return read(cipher, row, await repo.duplicates_of(conn, ref))


async def get_by_nik(conn: asyncpg.Connection, *, cipher: PiiCipher, nik_value: str) -> dict[str, Any]:
    found = await repo.refs_by_nik(conn, [cipher.nik_mac(nik_value)])
    if not found:
        raise errors.NotFound("NIK ini belum terdaftar", "no woman with this NIK", field="nik")
    return await get(conn, cipher=cipher, ref=next(iter(found.values())))


async def search(
    conn: asyncpg.Connection, *, cipher: PiiCipher, filters: dict[str, Any], possible_duplicate: bool | None,
    limit: int, offset: int,
) -> dict[str, Any]:
    rows, total = await repo.search(conn, filters, possible_duplicate=possible_duplicate, limit=limit, offset=offset)
    duplicates = await repo.duplicates_of_many(conn, [r["person_ref"] for r in rows])
    items = [read(cipher, r, duplicates[r["person_ref"]]) for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def require_active(conn: asyncpg.Connection, ref: UUID, *, for_update: bool = False) -> asyncpg.Record:
    """A registered woman whose personal data has not been erased (new facts need a living record)."""
    row = await repo.get(conn, ref, for_update=for_update)
    if row is None:
        raise not_found(ref)
    if row["erased_at"] is not None:
        raise errors.Conflict("Data pribadi perempuan ini telah dihapus", f"person {ref} was erased",
                              field="person_ref")
    return row


_PUBLIC = ("kecamatan_code", "desa_code", "age_band", "pekka_category", "household_size")


async def correct(
    conn: asyncpg.Connection, *, cipher: PiiCipher, ref: UUID, changes: dict[str, Any], correlation_id: str | None
) -> dict[str, Any]:
    row = await require_active(conn, ref, for_update=True)
    current = read(cipher, row, [])
    stored_nik = cipher.decrypt(row["nik_cipher"], context=crypto.NIK)
    merged = NewWoman(
        nik=stored_nik or "", full_name=current["full_name"], birth_date=row["birth_date"], phone=current["phone"],
        kecamatan_code=row["kecamatan_code"], desa_code=row["desa_code"], household_size=row["household_size"],
        pekka_category=row["pekka_category"], registered_by_opd=row["registered_by_opd"],
        registered_on=row["registered_on"],
    )
    if "kecamatan_code" in changes and "desa_code" not in changes:
        changes = {**changes, "desa_code": None}  # a desa of the old kecamatan cannot stay
    merged = replace(merged, **changes)
    on = today()
    try:
        new = prepare(cipher, merged, on=on)
    except (nik.NikError, model.RuleBroken) as err:
        raise rule_error(err) from None
    new = replace(new, age_band=age_band(merged.birth_date, on))
    if new.nik_hmac != row["nik_hmac"]:
        clash = await repo.refs_by_nik(conn, [new.nik_hmac])
        if clash:
            raise already_registered(next(iter(clash.values())))
    await conn.execute(
        "UPDATE women SET nik_hmac = $2, nik_cipher = $3, name_cipher = $4, phone_cipher = $5, birth_date = $6,"
        " dup_fingerprint = $7, age_band = $8, kecamatan_code = $9, desa_code = $10, household_size = $11,"
        " pekka_category = $12, updated_at = now() WHERE person_ref = $1",
        ref, new.nik_hmac, new.nik_cipher, new.name_cipher, new.phone_cipher, new.birth_date, new.dup_fingerprint,
        new.age_band, new.kecamatan_code, new.desa_code, new.household_size, new.pekka_category,
    )
    if new.dup_fingerprint != row["dup_fingerprint"]:
        await conn.execute("DELETE FROM possible_duplicates WHERE person_ref = $1 OR other_ref = $1", ref)
        await repo.flag_duplicates(conn, [ref])
    profile = {"person_ref": ref, **{k: getattr(new, k) for k in _PUBLIC}}
    if any(profile[k] != row[k] for k in _PUBLIC):
        await outbox.add(conn, translator.envelope(translator.profile_corrected(profile, on), correlation_id))
    return await get(conn, cipher=cipher, ref=ref)


async def erase(
    conn: asyncpg.Connection, *, ref: UUID, correlation_id: str | None, cipher: PiiCipher
) -> dict[str, Any]:
    row = await repo.get(conn, ref, for_update=True)
    if row is None:
        raise not_found(ref)
    if row["erased_at"] is None:
        await repo.erase(conn, ref)
        await outbox.add(conn, translator.envelope(translator.personal_data_erased(ref, today()), correlation_id))
    return await get(conn, cipher=cipher, ref=ref)


async def dismiss_duplicate(conn: asyncpg.Connection, *, cipher: PiiCipher, ref: UUID, other_ref: UUID) -> dict[str, Any]:
    """A reviewer found the two records to be different women: the flag is closed (no event: nothing public)."""
    await require_active(conn, ref)
    done = await conn.execute(
        "UPDATE possible_duplicates SET status = 'dismissed' WHERE status = 'open'"
        " AND ((person_ref = $1 AND other_ref = $2) OR (person_ref = $2 AND other_ref = $1))",
        ref, other_ref,
    )
    if done == "UPDATE 0":
        raise errors.NotFound("Tidak ada tanda kemungkinan ganda antara kedua orang ini",
                              "no open possible-duplicate flag for this pair", field="other_ref")
    return await get(conn, cipher=cipher, ref=ref)
