"""Bulk import: a CSV of women through the registry's ``POST /women/imports`` beside a raw COPY of the same rows.

The registry reads the file whole (encoding, header, every row's structure), answers 202 with the job, then in the
background reads every row in its worker processes (the registration rules, Kemendagri places, phone numbers,
AES-GCM sealing, the event's envelope) and commits chunk by chunk: the women by COPY, one WomanRegistered per row
into the outbox by COPY, possible duplicates flagged (its outbox relay publishes meanwhile, in the same process).
The import is timed from the upload until the job reports done — every row registered with its event in the
outbox. The yardstick is PostgreSQL's COPY of exactly the rows the import wrote (already encrypted, read back
beforehand) into ``CREATE TABLE ... (LIKE women INCLUDING ALL)`` — the same columns, defaults, constraints and
indexes — in the same database: the cost of storing the rows and nothing else. The COPY needs the import's rows, so
it runs after the import, three times into fresh tables; the fastest run is the yardstick (the most favourable to
COPY).
"""

import asyncio
import csv
import io
import random
import time
from typing import Any

import asyncpg
import httpx
from registry.domain.places import DESA

from . import auth
from .commands import bodies
from .env import Run, served

HEADER = ["nik", "nama", "tanggal_lahir", "telepon", "kecamatan", "kode_desa", "jumlah_anggota_keluarga",
          "kategori_pekka"]


def make_csv(rows: int, *, seed: int = 23) -> bytes:
    """A CSV an OPD could upload: Indonesian headers, one valid, distinct woman per row, in a real desa (from the
    Kemendagri list) of her kecamatan."""
    rng = random.Random(seed)
    desa: dict[str, list[str]] = {}
    for d in DESA.values():
        desa.setdefault(d.kecamatan_code, []).append(d.code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for b in bodies(rows, seed=seed):
        writer.writerow([b["nik"], b["full_name"], b["birth_date"], b["phone"], b["kecamatan_code"],
                         rng.choice(desa[b["kecamatan_code"]]), b["household_size"], b["pekka_category"]])
    return out.getvalue().encode()


async def _until_done(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    while True:
        summary = (await client.get(url, headers=auth.headers("dp3a"))).json()
        if summary["status"] != "running":
            return summary
        await asyncio.sleep(0.05)


async def _copy(conn: asyncpg.Connection, records: list[asyncpg.Record], columns: list[str], table: str) -> float:
    await conn.execute(f"DROP TABLE IF EXISTS {table}")
    await conn.execute(f"CREATE TABLE {table} (LIKE women INCLUDING ALL)")
    started = time.perf_counter()
    await conn.copy_records_to_table(table, records=records, columns=columns)
    return time.perf_counter() - started


async def measure(run: Run, rows: int = 100_000) -> dict[str, Any]:
    data = make_csv(rows)
    database = await run.create_database("import")
    out: dict[str, Any] = {"rows": rows, "csv_mb": round(len(data) / 1e6, 1)}
    async with served("import-registry", ["bench.serve", "registry"],
                      {"REGISTRY_DATABASE_URL": database, "TOPIC_NAMESPACE": run.namespace}) as registry:
        conn = await asyncpg.connect(database)
        try:
            columns = [r["column_name"] for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'women'"
                " AND table_schema = 'public' ORDER BY ordinal_position")]
            async with httpx.AsyncClient(timeout=httpx.Timeout(1800.0)) as client:
                started = time.perf_counter()
                response = await client.post(
                    registry.url + "/women/imports", headers=auth.headers("dp3a"),
                    files={"file": ("perempuan.csv", data, "text/csv")}, data={"registered_by_opd": "dp3a"})
                accepted_s = time.perf_counter() - started
                if response.status_code != 202:
                    raise RuntimeError(f"import answered {response.status_code}: {response.text[:300]}")
                summary = await _until_done(client, registry.url + response.headers["Location"])
                import_s = time.perf_counter() - started
            if summary["status"] != "done":
                raise RuntimeError(f"import ended {summary['status']}: {summary}")
            records = await conn.fetch(f"SELECT {', '.join(columns)} FROM women")
            copies = []
            for i in range(3):
                copies.append(await _copy(conn, records, columns, f"women_copy_{i}"))
                await conn.execute(f"DROP TABLE women_copy_{i}")
            outbox_rows = await conn.fetchval("SELECT count(*) FROM outbox")
        finally:
            await conn.close()
    copy_s = min(copies)
    registered = int(summary["registered"])
    out.update({
        "registered": registered, "rejected": summary["rejected"], "already_registered": summary["already_registered"],
        "possible_duplicates": summary["possible_duplicates"], "outbox_rows": outbox_rows,
        "accepted_s": round(accepted_s, 2), "import_s": round(import_s, 2),
        "import_rows_per_s": round(registered / import_s),
        "copy_runs_s": [round(c, 2) for c in copies], "copy_s": round(copy_s, 2),
        "copy_rows_per_s": round(len(records) / copy_s),
    })
    out["ratio"] = round(out["import_rows_per_s"] / out["copy_rows_per_s"], 3)
    return out
