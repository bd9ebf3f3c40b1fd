"""docs/subscribing.md works as written: DP3A's command (`python -m deploy.kafka subscriber add`, what
`make subscriber` runs) makes an agency's principal and folder; every code block of the guide then runs, unchanged,
in that folder against the secured broker, and reads an indicator event published just before; `revoke` ends the
agency's access."""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from importlib.resources import files
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError
from berdaya_contracts.topics import MONITORING_INDICATORS
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs
from pydantic import SecretStr

from deploy.kafka.cluster import kafka_libs
from deploy.keycloak.subscribers import handout_path
from tests.support.infra import kafka_installation
from tests.support.kafka import client_kwargs
from tests.support.keycloak import decode_unverified

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "subscribing.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SESSION = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_CA_FILE",
           "KAFKA_BOOTSTRAP_SERVERS")


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(GUIDE.read_text())]


def deploy_kafka(*args: str, bootstrap: str) -> subprocess.CompletedProcess[str]:
    installation = kafka_installation()
    assert installation is not None, "no secured Kafka installation: run `make stack-up`"
    return subprocess.run([sys.executable, "-m", "deploy.kafka", "--data", str(installation.root), "--bootstrap",
                           bootstrap, "subscriber", *args], cwd=REPO, capture_output=True, text=True, timeout=120)


async def publish_indicator(bootstrap: str) -> str:
    """One IndicatorChanged (the golden sample with a fresh event id) on monitoring.indicators, which only outside
    subscribers read; returns its event id."""
    event = json.loads(files("berdaya_contracts").joinpath("samples/monitoring.IndicatorChanged.v1.json").read_text())
    event["event_id"] = str(uuid.uuid4())
    producer = AIOKafkaProducer(**client_kwargs(bootstrap), enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(MONITORING_INDICATORS, json.dumps(event).encode(), key=b"guide")
    finally:
        await producer.stop()
    return str(event["event_id"])


async def client_credentials(handout: dict[str, str]) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(handout["KEYCLOAK_TOKEN_URL"], data={
            "grant_type": "client_credentials", "client_id": handout["KEYCLOAK_CLIENT_ID"],
            "client_secret": handout["KEYCLOAK_CLIENT_SECRET"]})
        answer.raise_for_status()
        return str(answer.json()["access_token"])


def agency_shell(folder: Path) -> dict[str, str]:
    """An agency's machine: none of the session's Kafka settings, Kafka's jars at hand."""
    env = {k: v for k, v in os.environ.items() if k not in SESSION}
    return {**env, "KAFKA_LIBS": str(kafka_libs()), "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}


def run_until(command: list[str], folder: Path, needle: str, timeout_s: float) -> str:
    """Run a command that never ends by itself until ``needle`` appears in its output; returns the output."""
    log = folder / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=folder, env=agency_shell(folder), stdout=out,
                                   stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and needle not in log.read_text() and process.poll() is None:
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    return log.read_text()


async def test_every_code_block_of_the_subscriber_guide_runs_as_written(kafka_bootstrap: str) -> None:
    found = blocks()
    assert [kind for kind, _ in found] == ["bash", "python", "bash"], "the guide's blocks changed: update this test"
    (_, load_env), (_, python_consumer), (_, console_consumer) = found
    agency = f"guide-{uuid.uuid4().hex[:8]}"
    event_id = await publish_indicator(kafka_bootstrap)
    added = await asyncio.to_thread(deploy_kafka, "add", agency, bootstrap=kafka_bootstrap)
    assert added.returncode == 0, added.stdout + added.stderr
    installation = kafka_installation()
    assert installation is not None
    folder = installation.root / "subscribers" / f"ext.{agency}"
    try:
        assert sorted(p.name for p in folder.iterdir()) == ["ca.pem", "client.env", "client.properties"]
        assert folder.stat().st_mode & 0o077 == 0 and (folder / "client.env").stat().st_mode & 0o077 == 0

        loaded = await asyncio.to_thread(subprocess.run, ["bash", "-euo", "pipefail", "-c", load_env], cwd=folder,
                                         env=agency_shell(folder), capture_output=True, text=True, timeout=30)
        assert loaded.returncode == 0, loaded.stderr

        (folder / "subscriber.py").write_text(python_consumer)
        python = await asyncio.to_thread(run_until, ["bash", "-c", f"{load_env}\nexec python subscriber.py"],
                                         folder, event_id, 120)
        assert f"monitoring.IndicatorChanged {event_id}" in python, python[-3000:]

        java = await asyncio.to_thread(subprocess.run, ["bash", "-euo", "pipefail", "-c",
                                                        f"{load_env}\n{console_consumer}"],
                                       cwd=folder, env=agency_shell(folder), capture_output=True, text=True,
                                       timeout=300)
        assert event_id in java.stdout, (java.stdout + java.stderr)[-3000:]

        settings = dict(line.split("=", 1) for line in (folder / "client.env").read_text().splitlines())
        listed = await asyncio.to_thread(deploy_kafka, "list", bootstrap=kafka_bootstrap)
        assert f"ext.{agency}" in listed.stdout, listed.stdout

        # The same command made the agency's Keycloak client for the HTTP APIs: a 15-minute token that reads
        # public figures only (no OPD), and the listing shows it in /subscribers.
        assert f"Keycloak client: client_id ext-{agency}" in added.stdout, added.stdout
        assert f"Keycloak client of {agency}: client_id ext-{agency}, enabled true, groups /subscribers" in listed.stdout
        http = dict(line.split("=", 1) for line in handout_path(f"ext-{agency}").read_text().splitlines())
        assert handout_path(f"ext-{agency}").stat().st_mode & 0o077 == 0
        claims = decode_unverified(await client_credentials(http))
        assert claims["berdaya_scopes"] == ["public:read"] and "opd" not in claims
        assert claims["exp"] - claims["iat"] == 900
    finally:
        revoked = await asyncio.to_thread(deploy_kafka, "revoke", agency, bootstrap=kafka_bootstrap)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    assert not folder.exists()
    assert "Keycloak client: removed" in revoked.stdout and not handout_path(f"ext-{agency}").exists()
    with pytest.raises(httpx.HTTPStatusError):  # no more tokens for the revoked client
        await client_credentials(http)
    gone = MessagingSettings(
        kafka_bootstrap_servers=kafka_bootstrap, kafka_security_protocol="SASL_SSL",
        kafka_username=settings["KAFKA_USERNAME"], kafka_password=SecretStr(settings["KAFKA_PASSWORD"]),
        kafka_ca_file=installation.ca_file)
    admin = AIOKafkaAdminClient(**kafka_client_kwargs(gone), request_timeout_ms=5000)
    with pytest.raises(KafkaConnectionError):  # its credentials no longer exist
        await admin.start()
    await admin.close()
