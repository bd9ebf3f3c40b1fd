"""The four services as real processes, in a topic namespace and databases of their own.

Used by the end-to-end tests: each run sees only its own events, whatever else the cluster holds. On a secured
broker each service connects as its own namespaced principal (``<namespace>.registry``...) with exactly the ACLs
of deploy/kafka/acls.py, created for the run and removed after it: the scenario proves those ACLs suffice.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts.topics import all_topics, physical

from deploy.demo.driver import Endpoints
from deploy.kafka import acls
from tests.support import infra
from tests.support.kafka import add_principals, client_kwargs, principal_env, remove_principals, secured

SERVICES = ("registry", "training", "marketplace", "monitoring")
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Platform:
    namespace: str
    endpoints: Endpoints
    databases: dict[str, str]
    logs: dict[str, Path]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    kafka_env: dict[str, dict[str, str]] = field(default_factory=dict)  # service → its principal's settings

    def url(self, service: str) -> str:
        return getattr(self.endpoints, service)

    def log_tail(self, service: str, lines: int = 40) -> str:
        text = self.logs[service].read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


async def _create_namespaced_topics(bootstrap: str, namespace: str, replication_factor: int = 1) -> list[str]:
    names = []
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        topics = []
        for spec in all_topics(replication_factor):
            name = physical(spec.name, namespace)
            names.append(name)
            topics.append(NewTopic(name, spec.partitions, replication_factor, topic_configs=spec.config))
        await admin.create_topics(topics)
    finally:
        await admin.close()
    return names


async def _delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        await admin.delete_topics(names)
    except Exception:  # noqa: BLE001 (cleanup only)
        pass
    finally:
        await admin.close()


async def _wait_ready(platform: Platform, service: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=3.0) as client:
        while time.monotonic() < deadline:
            proc = platform.processes[service]
            if proc.poll() is not None:
                raise AssertionError(f"{service} exited with {proc.returncode}:\n{platform.log_tail(service)}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(platform.url(service) + "/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.3)
    raise AssertionError(f"{service} not ready in {timeout_s}s:\n{platform.log_tail(service)}")


def start_service(platform: Platform, service: str, bootstrap: str, extra_env: dict[str, str] | None = None) -> None:
    upper = service.upper()
    port = platform.url(service).rsplit(":", 1)[1]
    env = {
        **os.environ,
        f"{upper}_DATABASE_URL": platform.databases[service],
        f"{upper}_PORT": port,
        f"{upper}_HOST": "127.0.0.1",
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        **platform.kafka_env.get(service, {}),
        "TOPIC_NAMESPACE": platform.namespace,
        # The navigation bar and the origins a page may call (the trainer's browser asks the registry for names).
        "BERDAYA_SERVICE_URLS": json.dumps({s: platform.url(s) for s in SERVICES}),
        **(extra_env or {}),
    }
    log = platform.logs[service].open("ab")
    platform.processes[service] = subprocess.Popen(
        [sys.executable, "-m", service], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_service(platform: Platform, service: str, sig: int = signal.SIGTERM) -> None:
    proc = platform.processes.get(service)
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@contextlib.asynccontextmanager
async def running_platform(
    bootstrap: str, server_url: str, *, log_dir: Path, extra_env: dict[str, str] | None = None,
    replication_factor: int = 1,
) -> AsyncIterator[Platform]:
    namespace = f"e2e-{uuid.uuid4().hex[:10]}"
    ports = {s: free_port() for s in SERVICES}
    log_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (once, before any process starts)
    platform = Platform(
        namespace=namespace,
        endpoints=Endpoints(**{s: f"http://127.0.0.1:{p}" for s, p in ports.items()}),
        databases={s: await infra.create_database(server_url, prefix=f"e2e_{s}") for s in SERVICES},
        logs={s: log_dir / f"{s}.log" for s in SERVICES},
    )
    for path in platform.logs.values():  # this run's lines only (a restart within the run appends)
        path.write_bytes(b"")  # noqa: ASYNC240
    topics = await _create_namespaced_topics(bootstrap, namespace, replication_factor)
    principals: list[str] = []
    try:
        if secured(bootstrap):
            rules = acls.namespace_acls(namespace)
            principals = list(rules)
            passwords = await add_principals(bootstrap, rules)
            for service in SERVICES:
                principal = acls.service_principal(service, namespace)
                platform.kafka_env[service] = principal_env(bootstrap, principal, passwords[principal])
        for service in SERVICES:
            start_service(platform, service, bootstrap, extra_env)
        await asyncio.gather(*(_wait_ready(platform, s) for s in SERVICES))
        yield platform
    finally:
        for service in SERVICES:
            stop_service(platform, service)
        for url in platform.databases.values():
            await infra.drop_database(server_url, url)
        await _delete_topics(bootstrap, topics)
        if principals:
            await remove_principals(bootstrap, principals)
