"""The blind index of women's names (table ``women_name_tokens``, migration 0005): one keyed HMAC per normalised
name part (``domain.women.name_parts``, ``crypto.PiiCipher.name_tokens``), so staff can find a woman by name while
names stay encrypted. The tokens are written with the row (registration, correction, import) and deleted at
erasure; women stored before the index existed are indexed when the service starts (``index_missing``)."""

from collections.abc import Iterable, Sequence
from uuid import UUID

import asyncpg

from ...domain.women import name_parts
from .. import crypto

_INSERT = ("INSERT INTO women_name_tokens (token, person_ref) SELECT * FROM unnest($1::bytea[], $2::uuid[])"
           " ON CONFLICT DO NOTHING")
MATCHING = ("w.person_ref IN (SELECT person_ref FROM women_name_tokens WHERE token = ANY(${n}::bytea[])"
            " GROUP BY person_ref HAVING count(*) = cardinality(${n}::bytea[]))")
"""SQL: women whose name has every one of the tokens in parameter ``n`` (``MATCHING.format(n=…)``)."""


async def write(conn: asyncpg.Connection, rows: Iterable[tuple[UUID, Sequence[bytes]]]) -> None:
    """Index these (person_ref, tokens) pairs."""
    tokens: list[bytes] = []
    refs: list[UUID] = []
    for ref, row_tokens in rows:
        tokens.extend(row_tokens)
        refs.extend([ref] * len(row_tokens))
    if tokens:
        await conn.execute(_INSERT, tokens, refs)


async def forget(conn: asyncpg.Connection, ref: UUID) -> None:
    await conn.execute("DELETE FROM women_name_tokens WHERE person_ref = $1", ref)


async def index_missing(conn: asyncpg.Connection, cipher: crypto.PiiCipher, *, batch: int = 5000) -> int:
    """Index every living woman with a name and no token yet (those stored before migration 0005); returns how
    many. On an indexed database this is one anti-join that finds nothing."""
    done, after = 0, UUID(int=0)
    while True:
        rows = await conn.fetch(
            "SELECT person_ref, name_cipher FROM women w WHERE name_cipher IS NOT NULL AND person_ref > $2"
            " AND NOT EXISTS (SELECT 1 FROM women_name_tokens t WHERE t.person_ref = w.person_ref)"
            " ORDER BY person_ref LIMIT $1", batch, after)
        pairs = [(r["person_ref"], cipher.name_tokens(name_parts(cipher.decrypt(r["name_cipher"],
                                                                                context=crypto.NAME) or "")))
                 for r in rows]
        await write(conn, [(ref, tokens) for ref, tokens in pairs if tokens])
        done += sum(1 for _, tokens in pairs if tokens)
        if len(rows) < batch:
            return done
        after = rows[-1]["person_ref"]


async def candidates(conn: asyncpg.Connection, tokens: Sequence[bytes], *, desa_codes: Sequence[str] | None,
                     birth_year: int | None, limit: int) -> list[asyncpg.Record]:
    """Living, unmerged women whose name has every one of ``tokens`` (and who live in one of ``desa_codes``, born in
    ``birth_year``, when given): at most ``limit`` rows of person_ref, name_cipher, desa_code, kecamatan_code and
    birth_date, nothing else."""
    return await conn.fetch(
        "SELECT w.person_ref, w.name_cipher, w.desa_code, w.kecamatan_code, w.birth_date FROM women w"
        " WHERE w.erased_at IS NULL AND w.merged_into IS NULL AND w.name_cipher IS NOT NULL AND "
        + MATCHING.format(n=1)
        + " AND ($2::text[] IS NULL OR w.desa_code = ANY($2::text[]))"
        " AND ($3::int IS NULL OR extract(year FROM w.birth_date)::int = $3)"
        " ORDER BY w.person_ref LIMIT $4", list(tokens), list(desa_codes) if desa_codes else None, birth_year, limit)
