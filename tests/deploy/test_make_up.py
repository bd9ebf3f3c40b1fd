"""`make up` → healthy with demo figures → `make up` again (harmless) → `make down` leaves nothing behind.

Runs a complete private platform (its own Kafka, PostgreSQL and four services on free ports, its own data
directory) so the shared test stack is never touched.
"""

import asyncio
import os
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from deploy.keycloak.spec import Secrets, keycloak_dir, secrets_path
from deploy.keycloak.tokens import ClientCredentials
from tests.support.kafka import wait_for
from tests.support.platform import free_port

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "training", "marketplace", "monitoring")
DEMO_WOMEN = 30
KAFKA_SESSION = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_CA_FILE",
                 "STACK_COMPONENTS")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def make(target: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", target], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def private_env(tmp_path: Path) -> dict[str, str]:
    ports = {name: free_port() for name in ("KAFKA", "KAFKA_CONTROLLER", "KAFKA_INTERNAL", "PG", "KEYCLOAK",
                                            "KEYCLOAK_MANAGEMENT", *[s.upper() for s in SERVICES])}
    # Nothing of the session's own connections or components (nor its static token key): the private stack makes
    # its own.
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_DATABASE_URL") and k not in ("KEYCLOAK_URL", "KEYCLOAK_DIR", *KAFKA_SESSION)
           and not k.startswith("AUTH_")}
    env.update({f"{name}_PORT": str(port) for name, port in ports.items()})
    env.update({
        "BERDAYA_DATA_DIR": str(tmp_path / "data"),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{ports['KAFKA']}",
        "DATABASE_URL": f"postgresql://berdaya:berdaya@127.0.0.1:{ports['PG']}/berdaya_test",
        "DEMO_WOMEN": str(DEMO_WOMEN),
        "TOPIC_NAMESPACE": "",
    })
    shared_jars = REPO / "deploy" / ".data" / "kafka-libs"
    if shared_jars.is_dir():
        env["KAFKA_LIBS"] = str(shared_jars)  # the jars are the same; no need to copy them again
    env["KEYCLOAK_SEED"] = str(keycloak_dir())  # hard-links the stack's built Keycloak instead of building again
    return env


def evaluation_team(env: dict[str, str]) -> dict[str, str]:
    """A token of the private stack's own Keycloak for DP3A's evaluation team (machine client, its generated secret)."""
    directory = Path(env["BERDAYA_DATA_DIR"]) / "keycloak"
    secrets = Secrets.read(secrets_path(directory, "berdaya")).clients
    token_url = f"http://127.0.0.1:{env['KEYCLOAK_PORT']}/realms/berdaya/protocol/openid-connect/token"
    return ClientCredentials(token_url, secrets)["dp3a_evaluation"]


async def women_registered(base: str, env: dict[str, str]) -> float | None:
    """The exact count (the evaluation team's face; the public's is the release, protected)."""
    headers = await asyncio.to_thread(evaluation_team, env)
    async with httpx.AsyncClient(base_url=base, timeout=10, headers=headers) as client:
        body = (await client.get("/api/indicators", params={"indicator": "women_registered"})).json()
    return body["indicators"][0]["cells"][0]["value"]


async def test_make_up_then_down_leaves_nothing_behind(private_env: dict[str, str]) -> None:
    ports = [int(v) for k, v in private_env.items() if k.endswith("_PORT")]
    monitoring = f"http://127.0.0.1:{private_env['MONITORING_PORT']}"
    try:
        up = await asyncio.to_thread(make, "up", private_env)
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        assert f"dashboard     {monitoring}/" in up.stdout
        assert f"sign in       http://127.0.0.1:{private_env['KEYCLOAK_PORT']}/realms/berdaya/account/" in up.stdout
        assert "make subscriber NAME=" in up.stdout, "make up says how a subscribing agency gets credentials"
        async with httpx.AsyncClient(timeout=10) as client:
            for service in SERVICES:
                port = private_env[f"{service.upper()}_PORT"]
                ready = await client.get(f"http://127.0.0.1:{port}/ready")
                assert ready.status_code == 200 and ready.json()["ok"] is True, (service, ready.text)
            page = await client.get(monitoring + "/")
            assert page.status_code == 200 and "Berdaya" in page.text
        await wait_for(lambda: _equals(women_registered(monitoring, private_env), DEMO_WOMEN), timeout_s=60)
        async with httpx.AsyncClient(timeout=10) as client:  # make up released the closed months for the public
            assert (await client.get(monitoring + "/api/periods")).json()["default"] == "2025"
        users = await asyncio.to_thread(make, "users", private_env)
        assert users.returncode == 0 and "dp3a.petugas" in users.stdout, users.stdout + users.stderr
        assert "(not created yet)" not in users.stdout, users.stdout

        again = await asyncio.to_thread(make, "up", private_env)
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert "already running" in again.stdout
        await asyncio.sleep(2)
        assert await women_registered(monitoring, private_env) == DEMO_WOMEN, "a second make up must register nobody twice"

        status = await asyncio.to_thread(make, "status", private_env)
        assert status.returncode == 0 and status.stdout.count(" ready ") == len(SERVICES), status.stdout
    finally:
        down = await asyncio.to_thread(make, "down", private_env)
    assert down.returncode == 0, down.stdout[-3000:] + down.stderr[-3000:]
    assert [p for p in ports if port_open(p)] == []
    leftovers = await asyncio.to_thread(subprocess.run, ["pgrep", "-f", private_env["BERDAYA_DATA_DIR"]],
                                        capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", f"processes left behind: {leftovers.stdout}"
    await asyncio.to_thread(subprocess.run, ["bash", "deploy/stack.sh", "reset"], cwd=REPO, env=private_env,
                            capture_output=True, timeout=120)


async def _equals(value: object, want: float) -> bool:
    return await value == want  # type: ignore[misc]
