"""The yardstick of the command path: a bare FastAPI + asyncpg endpoint inserting the same women row,
without validation rules, encryption, idempotency or outbox. Served by uvicorn exactly like the registry.

Run: BENCH_DATABASE_URL=... BENCH_PORT=... python -m bench.bare_app
"""

import hashlib
import os
import uuid
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

DDL = """
CREATE TABLE IF NOT EXISTS women (
    person_ref uuid PRIMARY KEY, nik_hmac bytea UNIQUE, nik_cipher bytea, name_cipher bytea, phone_cipher bytea,
    birth_date date, dup_fingerprint bytea, age_band text NOT NULL, kecamatan_code text NOT NULL, desa_code text,
    household_size integer NOT NULL, pekka_category text NOT NULL, registered_by_opd text NOT NULL,
    registered_on date NOT NULL, import_ref uuid, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), erased_at timestamptz
);
CREATE INDEX IF NOT EXISTS women_area ON women (kecamatan_code, desa_code);
CREATE INDEX IF NOT EXISTS women_pekka ON women (pekka_category);
CREATE INDEX IF NOT EXISTS women_dup ON women (dup_fingerprint);
"""
INSERT = (
    "INSERT INTO women (person_ref, nik_hmac, nik_cipher, name_cipher, phone_cipher, birth_date, dup_fingerprint,"
    " age_band, kecamatan_code, desa_code, household_size, pekka_category, registered_by_opd, registered_on)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
)


class WomanIn(BaseModel):
    nik: str
    full_name: str
    birth_date: date
    phone: str | None = None
    kecamatan_code: str
    desa_code: str | None = None
    household_size: int
    pekka_category: str = "none"
    registered_by_opd: str = "dp3a"
    registered_on: date | None = None


def create_app(database_url: str) -> FastAPI:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        state["pool"] = await asyncpg.create_pool(database_url, min_size=2, max_size=10)
        async with state["pool"].acquire() as conn:
            await conn.execute(DDL)
        yield
        await state["pool"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/ready")
    async def ready() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/women", status_code=201)
    async def register(body: WomanIn) -> dict[str, Any]:
        ref = uuid.uuid4()
        nik = body.nik.encode()
        async with state["pool"].acquire() as conn:
            await conn.execute(INSERT, ref, hashlib.sha256(nik).digest(), nik, body.full_name.encode(),
                               (body.phone or "").encode(), body.birth_date, hashlib.sha256(nik + b"d").digest(),
                               "35-44", body.kecamatan_code, body.desa_code, body.household_size,
                               body.pekka_category, body.registered_by_opd, body.registered_on or date.today())
        return {"person_ref": str(ref), **body.model_dump(exclude={"nik", "full_name", "phone"})}

    return app


if __name__ == "__main__":
    uvicorn.run(create_app(os.environ["BENCH_DATABASE_URL"]), host="127.0.0.1", port=int(os.environ["BENCH_PORT"]),
                log_level="warning")
