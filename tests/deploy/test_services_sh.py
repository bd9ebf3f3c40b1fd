"""deploy/services.sh after a crash: ``up`` right after a service was killed starts it again, and a pid file that
names a zombie or another program is not taken for the service.

The services run as real processes on the shared Kafka and PostgreSQL, with their own ports, databases, topic
namespace and data directory, so nothing here touches a running ``make up``.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.support import infra
from tests.support.auth import bearer
from tests.support.platform import REPO, _create_namespaced_topics, _delete_topics, free_port

SERVICE = "training"  # it consumes Kafka: the service whose restart used to wait for its consumer group


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def env(kafka_bootstrap: str, database_server_url: str,
              tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, str]]:
    namespace = f"svcsh-{uuid.uuid4().hex[:8]}"
    topics = await _create_namespaced_topics(kafka_bootstrap, namespace)
    database = await infra.create_database(database_server_url, prefix="svcsh")
    values = {**os.environ, "BERDAYA_DATA_DIR": str(tmp_path_factory.mktemp("services-data")),
              "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_NAMESPACE": namespace, "PYTHON": sys.executable,
              "TRAINING_DATABASE_URL": database, "TRAINING_PORT": str(free_port()), "READY_TIMEOUT": "60"}
    try:
        yield values
    finally:
        await asyncio.to_thread(services_sh, values, "down", SERVICE)
        await infra.drop_database(database_server_url, database)
        await _delete_topics(kafka_bootstrap, topics)


def services_sh(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "deploy/services.sh", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def pid_file(env: dict[str, str]) -> Path:
    return Path(env["BERDAYA_DATA_DIR"]) / "run" / f"{SERVICE}.pid"


def recorded_pid(env: dict[str, str]) -> int:
    return int(pid_file(env).read_text().split()[0])


def state_and_start(pid: int) -> tuple[str, str]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return fields[0], fields[19]


async def answers_a_command(env: dict[str, str]) -> int:
    """The status of a real command (schedule a course) sent to the service."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{env['TRAINING_PORT']}", timeout=10) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 200 and ready.json()["ok"] is True, ready.text
        course = await client.post("/courses", headers={**bearer("distransnaker"),
                                                        "Idempotency-Key": str(uuid.uuid4())}, json={
            "organizer_opd": "distransnaker", "field": "kuliner", "kecamatan_code": "64.02.03",
            "title": "Pelatihan Olahan Ikan", "starts_on": "2025-02-01", "ends_on": "2025-03-01",
            "sessions": 4, "capacity": 20})
        return course.status_code


@contextlib.contextmanager
def zombie_looking_like_the_service() -> Iterator[subprocess.Popen[bytes]]:
    """A killed child of this test process, not reaped: still in the process table, ``kill -0`` succeeds on it."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "-m", SERVICE])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def another_program() -> subprocess.Popen[bytes]:
    return subprocess.Popen(["sleep", "600"])


async def test_up_right_after_a_kill_starts_the_service_again_and_it_answers(env: dict[str, str]) -> None:
    first = await asyncio.to_thread(services_sh, env, "up", SERVICE)
    assert first.returncode == 0, first.stdout + first.stderr
    killed = recorded_pid(env)
    assert await answers_a_command(env) == 201

    os.kill(killed, signal.SIGKILL)
    started = time.monotonic()
    again = await asyncio.to_thread(services_sh, env, "up", SERVICE)
    took = time.monotonic() - started
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already running" not in again.stdout and f"starting {SERVICE}" in again.stdout, again.stdout
    assert recorded_pid(env) != killed
    assert await answers_a_command(env) == 201
    print(f"\nkill -9 {SERVICE} -> services.sh up returned ready after {took:.1f} s")

    status = await asyncio.to_thread(services_sh, env, "status", SERVICE)
    assert status.returncode == 0 and f" {recorded_pid(env)} " in status.stdout, status.stdout


async def test_a_pid_file_naming_a_zombie_or_another_program_is_not_taken_for_the_service(
        env: dict[str, str]) -> None:
    await asyncio.to_thread(services_sh, env, "down", SERVICE)
    with zombie_looking_like_the_service() as zombie:
        start = state_and_start(zombie.pid)[1]
        zombie.send_signal(signal.SIGKILL)
        for _ in range(100):
            if state_and_start(zombie.pid)[0] == "Z":
                break
            await asyncio.sleep(0.02)
        assert state_and_start(zombie.pid)[0] == "Z"
        pid_file(env).parent.mkdir(parents=True, exist_ok=True)
        pid_file(env).write_text(f"{zombie.pid} {start}\n")
        up = await asyncio.to_thread(services_sh, env, "up", SERVICE)
        assert up.returncode == 0, up.stdout + up.stderr
        assert "is stale" in up.stdout and f"starting {SERVICE}" in up.stdout, up.stdout
        assert await answers_a_command(env) == 201
    await asyncio.to_thread(services_sh, env, "down", SERVICE)

    # A recycled pid: a live program that is not the service (a pid file of the old format has no start time).
    other = another_program()
    try:
        pid_file(env).write_text(f"{other.pid}\n")
        status = await asyncio.to_thread(services_sh, env, "status", SERVICE)
        assert f" {other.pid} " not in status.stdout and "not answering" in status.stdout, status.stdout
        down = await asyncio.to_thread(services_sh, env, "down", SERVICE)
        assert down.returncode == 0 and other.poll() is None, "down must not kill a program that is not the service"
        assert not pid_file(env).exists()
    finally:
        other.kill()
        other.wait()
