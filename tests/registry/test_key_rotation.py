"""NIK key rotation against the real database, while the registry serves: women registered under the old keys (one
of them still in the ciphertext format from before key ids), the registry restarted with the new keys and the old
ones as previous, ``rotate-keys`` stopped after two batches and resumed while new women register and others are
corrected; afterwards a registry holding only the new keys finds every woman by her NIK and reads every name and
case note, and one holding only the old keys finds nobody."""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import random
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from berdaya_shared.messaging import MessagingSettings
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from registry.adapters import crypto, key_rotation
from registry.bootstrap import create_app
from registry.config import DEV_ENCRYPTION_KEY, DEV_HMAC_KEY, Settings

from tests.registry.helpers import woman_body
from tests.support import infra
from tests.support.auth import AllScopes
from tests.support.kafka import unique

NEW_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
NEW_HMAC = secrets.token_urlsafe(40)
ROTATING = {"nik_encryption_key": NEW_KEY, "nik_hmac_key": NEW_HMAC,
            "nik_previous_encryption_key": DEV_ENCRYPTION_KEY, "nik_previous_hmac_key": DEV_HMAC_KEY}
REPO = Path(__file__).resolve().parents[2]
rng = random.Random(20261130)


def settings(url: str, bootstrap: str, **keys: str) -> Settings:
    return Settings(database_url=url, messaging=MessagingSettings(kafka_bootstrap_servers=bootstrap,
                                                                  relay_poll_interval_s=0.2), **keys)


@contextlib.asynccontextmanager
async def serving(config: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(config, group_id=unique("g"))
    async with app.state.runtime.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=120,
                                     auth=AllScopes(), headers={"X-Purpose": "uji rotasi kunci"}) as client:
            yield client


async def register(client: httpx.AsyncClient) -> dict[str, str]:
    body = woman_body(rng)
    answer = await client.post("/women", json=body)
    assert answer.status_code == 201, answer.text
    return {**body, "person_ref": answer.json()["person_ref"]}


async def found(client: httpx.AsyncClient, woman: dict[str, str]) -> str | None:
    """Her name as the registry decrypts it after finding her by NIK; None when the NIK finds nobody."""
    answer = await client.post("/women/lookup", json={"nik": woman["nik"]})
    assert answer.status_code in (200, 404), answer.text
    return answer.json()["full_name"] if answer.status_code == 200 else None


async def test_rotation_re_keys_everything_while_serving_and_resumes(kafka_bootstrap: str,
                                                                     database_server_url: str) -> None:
    url = await infra.create_database(database_server_url, prefix="rot")
    try:
        async with serving(settings(url, kafka_bootstrap)) as old:  # the development keys play the old ones
            women = [await register(old) for _ in range(24)]
            aid = await old.post(f"/women/{women[0]['person_ref']}/aid", json={
                "kind": "legal_assistance", "provided_on": "2025-03-10", "case_note": "Rujukan UPTD PPA"})
            assert aid.status_code == 201, aid.text
            aid_ref = aid.json()["aid_ref"]
        conn = await asyncpg.connect(url)
        try:  # one name as stored before ciphertexts named their key: nonce + AES-GCM
            nonce = os.urandom(12)
            legacy = nonce + AESGCM(base64.b64decode(DEV_ENCRYPTION_KEY)).encrypt(
                nonce, women[1]["full_name"].encode(), crypto.NAME)
            await conn.execute("UPDATE women SET name_cipher = $2 WHERE person_ref = $1",
                               women[1]["person_ref"], legacy)

            cipher = settings(url, kafka_bootstrap, **ROTATING).cipher()
            assert cipher.rotating and (await key_rotation.left(conn, cipher))["women"] == 24
            async with serving(settings(url, kafka_bootstrap, **ROTATING)) as serving_both:
                first = await key_rotation.rotate(url, cipher, batch_size=5, max_batches=2)  # then "stopped"
                assert first.rotated["women"] == 10 and not first.done
                assert (await key_rotation.left(conn, cipher))["women"] == 14

                # Half done: every woman is still found, a registered NIK is still refused, corrections work.
                assert [await found(serving_both, w) for w in women] == [w["full_name"] for w in women]
                stale = [w for w in women if w["person_ref"] in {r["ref"] for r in await conn.fetch(
                    "SELECT person_ref::text AS ref FROM women WHERE substring(nik_cipher from 1 for 9) <> $1",
                    cipher.prefix)}]
                copy = {k: v for k, v in stale[0].items() if k != "person_ref"} | {"full_name": "Nama Lain Sekali"}
                again = await serving_both.post("/women", json=copy)  # her NIK, still under the old HMAC
                assert again.status_code == 409 and again.json()["person_ref"] == stale[0]["person_ref"], again.text
                upload = await serving_both.post("/women/imports", files={"file": ("daftar.csv", b"nik\n1\n", "text/csv")})
                assert upload.status_code == 503 and "rotasi kunci" in upload.json()["pesan"]  # imports wait
                corrected = await serving_both.patch(f"/women/{stale[1]['person_ref']}", json={"phone": "081234567890"})
                assert corrected.status_code == 200, corrected.text

                async def keep_registering() -> list[dict[str, str]]:
                    return [await register(serving_both) for _ in range(8)]

                report, newcomers = await asyncio.gather(
                    key_rotation.rotate(url, cipher, batch_size=3, pause_s=0.01), keep_registering())
                assert report.done and report.left == {"women": 0, "aid_case_notes": 0, "import_held_rows": 0}
                assert report.rotated["women"] + first.rotated["women"] <= 24  # newcomers come under the new keys
                assert report.rotated["aid_case_notes"] == 1
            women += newcomers

            stored = await conn.fetch("SELECT person_ref::text, nik_hmac, nik_cipher FROM women")
            by_ref = {w["person_ref"]: w for w in women}
            for row in stored:
                want = hmac.new(NEW_HMAC.encode(), f"nik|{by_ref[row['person_ref']]['nik']}".encode(),
                                hashlib.sha256).digest()
                assert bytes(row["nik_hmac"]) == want and bytes(row["nik_cipher"]).startswith(cipher.prefix)
        finally:
            await conn.close()

        async with serving(settings(url, kafka_bootstrap, nik_encryption_key=NEW_KEY, nik_hmac_key=NEW_HMAC)) as new:
            assert [await found(new, w) for w in women] == [w["full_name"] for w in women]
            for w in women:  # her blind name index was re-keyed with her row: the new keys find her by name too
                hits = (await new.post("/women/search", json={"name": w["full_name"]})).json()["items"]
                assert w["full_name"] in [h.get("full_name") for h in hits], (w["full_name"], hits)
            notes = await new.get(f"/aid/{aid_ref}/case-notes")
            assert notes.status_code == 200 and notes.json()[0]["note"] == "Rujukan UPTD PPA"
            phone = (await new.get(f"/women/{stale[1]['person_ref']}")).json()["phone"]
            assert phone in ("081234567890", "+6281234567890")
        async with serving(settings(url, kafka_bootstrap)) as stale:  # the old keys alone find nobody any more
            assert [await found(stale, w) for w in women[:5]] == [None] * 5

        env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_NIK_ENCRYPTION_KEY": NEW_KEY,
               "REGISTRY_NIK_HMAC_KEY": NEW_HMAC, "REGISTRY_NIK_PREVIOUS_ENCRYPTION_KEY": DEV_ENCRYPTION_KEY,
               "REGISTRY_NIK_PREVIOUS_HMAC_KEY": DEV_HMAC_KEY}
        run = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "registry", "rotate-keys"], env=env,
                                      cwd=REPO, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        outcome = json.loads(run.stdout.strip().splitlines()[-1])
        assert outcome["done"] and outcome["rotated"] == {"women": 0, "aid_case_notes": 0, "import_held_rows": 0}
    finally:
        await infra.drop_database(database_server_url, url)


def test_a_wrong_previous_key_opens_nothing_and_the_current_key_is_named_in_each_ciphertext() -> None:
    old = crypto.PiiCipher(DEV_ENCRYPTION_KEY, DEV_HMAC_KEY)
    blob = old.encrypt("Siti Aminah", context=crypto.NAME)
    assert blob is not None and blob.startswith(old.prefix)
    rotating = crypto.PiiCipher(NEW_KEY, NEW_HMAC, previous_encryption_key_b64=DEV_ENCRYPTION_KEY,
                                previous_hmac_key=DEV_HMAC_KEY)
    assert rotating.decrypt(blob, context=crypto.NAME) == "Siti Aminah"
    assert rotating.nik_macs("6402064107910001") == [rotating.nik_mac("6402064107910001"),
                                                      old.nik_mac("6402064107910001")]
    with pytest.raises(InvalidTag):
        crypto.PiiCipher(NEW_KEY, NEW_HMAC).decrypt(blob, context=crypto.NAME)
