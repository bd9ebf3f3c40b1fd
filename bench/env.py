"""The benchmark's surroundings: broker and database addresses, a topic namespace and databases of its own,
service processes on free ports, the machine's description, peak memory of a process."""

import asyncio
import contextlib
import os
import platform
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts.topics import all_topics, physical
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs

from deploy.kafka.acls import ADMIN
from deploy.kafka.credentials import Installation

from . import auth

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench-results"
LOGS = RESULTS / "logs"


def kafka_bootstrap() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


def install_kafka_env() -> None:
    """The benchmark is the stack's own tooling: it connects as the admin principal of the local installation
    ($BERDAYA_DATA_DIR/kafka) unless the environment already says how to connect (KAFKA_SECURITY_PROTOCOL...).
    Processes it starts inherit these settings."""
    if os.environ.get("KAFKA_SECURITY_PROTOCOL"):
        return
    installation = Installation(Path(os.environ.get("BERDAYA_DATA_DIR") or REPO / "deploy" / ".data") / "kafka")
    if installation.credentials_file.exists():
        os.environ.update(installation.env(ADMIN, kafka_bootstrap()))


def kafka_settings() -> MessagingSettings:
    """The benchmark's own connection (the environment's, see ``install_kafka_env``)."""
    return MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap())


def settings_env(settings: MessagingSettings) -> dict[str, str]:
    """The environment variables a Berdaya process reads to connect as ``settings`` do."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
           "KAFKA_SECURITY_PROTOCOL": settings.kafka_security_protocol,
           "KAFKA_SASL_MECHANISM": settings.kafka_sasl_mechanism}
    if settings.kafka_username and settings.kafka_password is not None:
        env.update(KAFKA_USERNAME=settings.kafka_username, KAFKA_PASSWORD=settings.kafka_password.get_secret_value())
    if settings.kafka_ca_file:
        env["KAFKA_CA_FILE"] = str(settings.kafka_ca_file)
    return env


def server_url() -> str:
    """A URL of the PostgreSQL server (any database on it); benchmark databases are created beside it."""
    return os.environ.get("DATABASE_URL", "postgresql://berdaya:berdaya@127.0.0.1:5433/berdaya_test")


def with_database(url: str, name: str) -> str:
    base, _, rest = url.rpartition("/")
    query = rest.split("?", 1)[1] if "?" in rest else ""
    return f"{base}/{name}" + (f"?{query}" if query else "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Run:
    """One benchmark run: its namespace, the topics and databases it created (removed at the end)."""

    namespace: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:8]}")
    topics: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)
    kafka: MessagingSettings = field(default_factory=kafka_settings)  # where its topics live, as the admin

    def topic(self, name: str) -> str:
        return physical(name, self.namespace)

    async def create_topics(self) -> None:
        """Every platform topic under the namespace, with the contract's partitions and configuration."""
        admin = AIOKafkaAdminClient(**kafka_client_kwargs(self.kafka), request_timeout_ms=30000)
        await admin.start()
        try:
            new = [NewTopic(self.topic(s.name), s.partitions, 1, topic_configs=dict(s.config)) for s in all_topics()]
            await admin.create_topics(new)
            self.topics += [t.name for t in new]
            # Metadata settles asynchronously after CreateTopics: wait until every partition has a leader.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                described = await admin.describe_topics(self.topics)
                if all(t["error_code"] == 0 and t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"])
                       for t in described):
                    return
                await asyncio.sleep(0.2)
        finally:
            await admin.close()

    async def delete_topics(self) -> None:
        if not self.topics:
            return
        admin = AIOKafkaAdminClient(**kafka_client_kwargs(self.kafka))
        await admin.start()
        try:
            await admin.delete_topics(self.topics)
            self.topics.clear()
        finally:
            await admin.close()

    async def create_database(self, label: str) -> str:
        name = f"bench_{self.namespace.split('-', 1)[1]}_{label}"
        conn = await asyncpg.connect(server_url())
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.databases.append(name)
        return with_database(server_url(), name)

    async def drop_databases(self) -> None:
        conn = await asyncpg.connect(server_url())
        try:
            for name in self.databases:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.databases.clear()
        finally:
            await conn.close()


@dataclass
class Process:
    """A server the benchmark started (uvicorn on a free port), stopped by its own pid only."""

    name: str
    port: int
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mb(self) -> float | None:
        return peak_rss_mb(self.popen.pid)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (the peak resident set) of a live process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (its own threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def serve(name: str, module_args: list[str], env: dict[str, str], *, ready_path: str = "/ready",
                timeout_s: float = 90.0) -> Process:
    """Start ``python -m <module_args>`` with a free port in ``env['PORT_VAR']`` and wait until it answers."""
    LOGS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = LOGS / f"{name}-{port}.log"
    full_env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap(), **auth.env(), **env,
                "BENCH_PORT": str(port)}
    with log.open("wb") as out:
        popen = subprocess.Popen([sys.executable, "-m", *module_args], cwd=REPO, env=full_env, stdout=out,  # noqa: ASYNC220 (a quick fork; the server runs on its own)
                                 stderr=subprocess.STDOUT, start_new_session=True)
    proc = Process(name, port, popen, log)
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=3.0) as client:
        while time.monotonic() < deadline:
            if popen.poll() is not None:
                raise RuntimeError(f"{name} exited during start: {log.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(proc.url + ready_path)).status_code == 200:
                    return proc
            await asyncio.sleep(0.2)
    proc.stop()
    raise RuntimeError(f"{name} not ready after {timeout_s}s: {log.read_text(errors='replace')[-2000:]}")


@contextlib.asynccontextmanager
async def served(name: str, module_args: list[str], env: dict[str, str]) -> AsyncIterator[Process]:
    proc = await serve(name, module_args, env)
    try:
        yield proc
    finally:
        proc.stop()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, object]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "load_average_at_start": load_average(),
    }


async def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("aiokafka", "faststream", "asyncpg", "fastapi", "uvicorn", "httpx", "pydantic", "uvloop", "httptools"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    with contextlib.suppress(Exception):
        conn = await asyncpg.connect(server_url())
        try:
            out["postgresql"] = str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()
    with contextlib.suppress(Exception):
        jars = list((REPO / "deploy" / ".data").rglob("kafka_2.13-*.jar"))
        if jars:
            out["kafka"] = jars[0].name.removeprefix("kafka_2.13-").removesuffix(".jar")
    with contextlib.suppress(Exception):
        out["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,  # noqa: ASYNC221
                                           text=True, timeout=5).stdout.strip()
    return out
