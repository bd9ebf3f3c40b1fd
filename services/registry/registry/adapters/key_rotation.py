"""NIK key rotation: every encrypted value re-encrypted, every keyed HMAC recomputed, under the current keys, in
small transactions while the service keeps serving (``python -m registry rotate-keys``; docs/operations.md).

The service and this command both run with the new keys as REGISTRY_NIK_ENCRYPTION_KEY / REGISTRY_NIK_HMAC_KEY
and the old ones as REGISTRY_NIK_PREVIOUS_ENCRYPTION_KEY / REGISTRY_NIK_PREVIOUS_HMAC_KEY. A row still to do is
one whose ciphertext does not start with the current key's id (``crypto.PiiCipher.prefix``), so the work left is
a query, and a rotation stopped anywhere (a crash, Ctrl-C, a deploy) resumes where it stopped when run again.
Each batch locks its rows (``FOR UPDATE``): a correction the service makes meanwhile waits for the batch, or the
batch waits for it, and a row the service already rewrote under the new keys no longer matches and is skipped.

Rotated: ``women`` (NIK, name, phone ciphertexts; the NIK HMAC; her blind name index in ``women_name_tokens``,
whose HMACs are rewritten with her row: until her batch, a search by name finds her under the old key only),
``aid_case_notes`` (case notes), ``import_held_rows`` (held rows' sealed cells). Possible duplicates need nothing:
matching compares decrypted names within a block of birth date and kecamatan, whatever the key. The audit trail
holds only keyed fingerprints: an entry written before the rotation no longer matches a new one, nothing else.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from ..domain.women import name_parts
from ..service_layer.import_rows import HELD_ROW
from . import crypto
from .repository import names

PREFIX_LEN = len(crypto.VERSION) + crypto.KEY_ID_BYTES


def _stale(column: str) -> str:
    return f"({column} IS NOT NULL AND substring({column} from 1 for {PREFIX_LEN}) <> $1)"


_WOMEN = (f"SELECT person_ref, nik_cipher, name_cipher, phone_cipher, birth_date, kecamatan_code, desa_code "
          f"FROM women WHERE {_stale('nik_cipher')} OR {_stale('name_cipher')} OR {_stale('phone_cipher')} "
          f"ORDER BY person_ref LIMIT $2 FOR UPDATE")
_WOMEN_UPDATE = ("UPDATE women SET nik_hmac = $2, nik_cipher = $3, name_cipher = $4, phone_cipher = $5 "
                 "WHERE person_ref = $1")
_NOTES = (f"SELECT note_id, note_cipher FROM aid_case_notes WHERE {_stale('note_cipher')} "
          f"ORDER BY note_id LIMIT $2 FOR UPDATE")
_NOTES_UPDATE = "UPDATE aid_case_notes SET note_cipher = $2 WHERE note_id = $1"
_HELD = (f"SELECT import_ref, row_no, cells FROM import_held_rows WHERE {_stale('cells')} "
         f"ORDER BY import_ref, row_no LIMIT $2 FOR UPDATE")
_HELD_UPDATE = "UPDATE import_held_rows SET cells = $3 WHERE import_ref = $1 AND row_no = $2"
_LEFT = {
    "women": f"SELECT count(*) FROM women WHERE {_stale('nik_cipher')} OR {_stale('name_cipher')} "
             f"OR {_stale('phone_cipher')}",
    "aid_case_notes": f"SELECT count(*) FROM aid_case_notes WHERE {_stale('note_cipher')}",
    "import_held_rows": f"SELECT count(*) FROM import_held_rows WHERE {_stale('cells')}",
}
@dataclass
class Report:
    rotated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_LEFT, 0))
    batches: int = 0
    left: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def done(self) -> bool:
        return bool(self.left) and not any(self.left.values())


async def left(conn: asyncpg.Connection, cipher: crypto.PiiCipher) -> dict[str, int]:
    """Rows per table still under another key."""
    return {table: await conn.fetchval(sql, cipher.prefix) for table, sql in _LEFT.items()}


def _woman(cipher: crypto.PiiCipher, row: asyncpg.Record) -> tuple[Any, ...]:
    nik = cipher.decrypt(row["nik_cipher"], context=crypto.NIK)
    name = cipher.decrypt(row["name_cipher"], context=crypto.NAME)
    phone = cipher.decrypt(row["phone_cipher"], context=crypto.PHONE)
    return (row["person_ref"], cipher.nik_mac(nik) if nik is not None else None,
            cipher.encrypt(nik, context=crypto.NIK), cipher.encrypt(name, context=crypto.NAME),
            cipher.encrypt(phone, context=crypto.PHONE))


def _tokens(cipher: crypto.PiiCipher, row: asyncpg.Record) -> tuple[Any, tuple[bytes, ...]]:
    name = cipher.decrypt(row["name_cipher"], context=crypto.NAME)
    return row["person_ref"], cipher.name_tokens(name_parts(name)) if name is not None else ()


async def _batch(conn: asyncpg.Connection, cipher: crypto.PiiCipher, table: str, size: int) -> int:
    """One transaction: up to ``size`` rows of ``table`` re-keyed; returns how many."""
    async with conn.transaction():
        if table == "women":
            rows = await conn.fetch(_WOMEN, cipher.prefix, size)
            await conn.executemany(_WOMEN_UPDATE, [_woman(cipher, r) for r in rows])
            await conn.execute("DELETE FROM women_name_tokens WHERE person_ref = ANY($1::uuid[])",
                               [r["person_ref"] for r in rows])
            await names.write(conn, [_tokens(cipher, r) for r in rows])
        elif table == "aid_case_notes":
            rows = await conn.fetch(_NOTES, cipher.prefix, size)
            await conn.executemany(_NOTES_UPDATE, [
                (r["note_id"], cipher.encrypt(cipher.decrypt(r["note_cipher"], context=crypto.CASE_NOTE),
                                              context=crypto.CASE_NOTE)) for r in rows])
        else:
            rows = await conn.fetch(_HELD, cipher.prefix, size)
            await conn.executemany(_HELD_UPDATE, [
                (r["import_ref"], r["row_no"], cipher.encrypt(cipher.decrypt(r["cells"], context=HELD_ROW),
                                                              context=HELD_ROW)) for r in rows])
    return len(rows)


async def rotate(database_url: str, cipher: crypto.PiiCipher, *, batch_size: int = 500, pause_s: float = 0.0,
                 max_batches: int | None = None, progress: Callable[[str, int, int], None] | None = None) -> Report:
    """Re-key every row still under another key, ``batch_size`` rows per transaction, ``pause_s`` between batches
    (to leave the database to the service). ``max_batches`` stops early (the rest stays for the next run).
    ``progress(table, rotated so far, batch)`` after each batch. Raises ``cryptography.exceptions.InvalidTag``
    when a value opens under none of the configured keys (a wrong previous key: that batch is left unchanged)."""
    report = Report()
    started = time.monotonic()
    conn = await asyncpg.connect(database_url)
    try:
        for table in _LEFT:
            while max_batches is None or report.batches < max_batches:
                done = await _batch(conn, cipher, table, batch_size)
                if not done:
                    break
                report.batches += 1
                report.rotated[table] += done
                if progress is not None:
                    progress(table, report.rotated[table], done)
                if pause_s:
                    await asyncio.sleep(pause_s)
        report.left = await left(conn, cipher)
    finally:
        await conn.close()
    report.seconds = round(time.monotonic() - started, 2)
    return report
