"""Finding women by name, NIK, desa or kecamatan over HTTP (POST /women/search) on the real database: the blind
name index written with each registration and correction, backfilled at start, and every read logged."""

import random

import asyncpg
import httpx
from registry.adapters.repository import names
from registry.bootstrap import create_app
from registry.config import Settings

from tests.registry.helpers import woman_body

rng = random.Random()


async def test_she_is_found_by_parts_of_her_name_nik_and_place_and_the_read_is_logged(
        registry: tuple[httpx.AsyncClient, str]) -> None:
    client, url = registry
    tag = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(9)).capitalize()
    body = woman_body(rng, full_name=f"Siti {tag} Aminah")
    woman = (await client.post("/women", json=body)).json()
    other = (await client.post("/women", json=woman_body(rng, full_name=f"Rahmawati {tag}",
                                                         kecamatan_code="64.02.07", desa_code=None))).json()

    found = await client.post("/women/search", json={"name": f"aminah {tag.upper()}"})
    assert found.status_code == 200, found.text
    assert [w["person_ref"] for w in found.json()["items"]] == [woman["person_ref"]]
    assert found.json()["items"][0]["full_name"] == f"Siti {tag} Aminah"
    both = (await client.post("/women/search", json={"name": tag})).json()
    assert {w["person_ref"] for w in both["items"]} == {woman["person_ref"], other["person_ref"]}
    place = (await client.post("/women/search", json={"name": tag, "kecamatan_code": "64.02.07"})).json()
    assert [w["person_ref"] for w in place["items"]] == [other["person_ref"]]
    by_nik = (await client.post("/women/search", json={"nik": body["nik"]})).json()
    assert [w["person_ref"] for w in by_nik["items"]] == [woman["person_ref"]]

    empty = await client.post("/women/search", json={})
    assert empty.status_code == 422 and empty.json()["kesalahan"][0]["field"] == "name"
    assert (await client.post("/women/search", json={"nik": "6402"})).status_code == 422
    unlogged = await client.post("/women/search", json={"name": tag}, headers={"X-Purpose": ""})
    assert unlogged.status_code == 400

    conn = await asyncpg.connect(url)
    try:
        logged = await conn.fetch("SELECT purpose FROM pii_access_log WHERE person_ref = $1 AND what = $2",
                                  woman["person_ref"], "POST /women/search")
        assert len(logged) == 3 and {r["purpose"] for r in logged} == {"pengujian otomatis"}
        tokens = await conn.fetch("SELECT token FROM women_name_tokens WHERE person_ref = $1", woman["person_ref"])
        assert len(tokens) == 3 and all(tag.lower().encode() not in bytes(t["token"]) for t in tokens)
    finally:
        await conn.close()

    await client.patch(f"/women/{woman['person_ref']}", json={"full_name": f"Siti {tag} Aisyah"})
    assert (await client.post("/women/search", json={"name": f"aminah {tag}"})).json()["total"] == 0
    assert (await client.post("/women/search", json={"name": f"aisyah {tag}"})).json()["total"] == 1


async def test_women_stored_before_the_index_are_indexed_when_the_service_starts(
        registry: tuple[httpx.AsyncClient, str]) -> None:
    client, url = registry
    tag = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(9)).capitalize()
    woman = (await client.post("/women", json=woman_body(rng, full_name=f"Nurul {tag}"))).json()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM women_name_tokens WHERE person_ref = $1", woman["person_ref"])  # as before 0005
        assert (await client.post("/women/search", json={"name": tag})).json()["total"] == 0
        app = create_app(Settings(database_url=url))
        assert await names.index_missing(conn, app.state.cipher) == 1  # what the start runs (bootstrap's prepare)
        assert await names.index_missing(conn, app.state.cipher) == 0
    finally:
        await conn.close()
    assert (await client.post("/women/search", json={"name": tag})).json()["total"] == 1
