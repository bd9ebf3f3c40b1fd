"""Kafka in tests: how the tests' own clients connect (the session's admin principal, or a private cluster's),
namespaced principals for service processes, and reading topics back as a subscribing agency would see them."""

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs
from pydantic import SecretStr

from deploy.kafka import admin
from deploy.kafka.acls import Acl

_CLUSTERS: dict[str, MessagingSettings] = {}


def register_cluster(bootstrap: str, settings: MessagingSettings) -> None:
    """A private cluster (the fault suite's) and its own admin connection."""
    _CLUSTERS[bootstrap] = settings


def admin_settings(bootstrap: str, namespace: str = "") -> MessagingSettings:
    """How the tests' setup connects to ``bootstrap``: a registered private cluster's admin, else the session's
    settings from the environment (tests/support/infra.py puts the stack's admin principal there)."""
    base = _CLUSTERS.get(bootstrap) or MessagingSettings(kafka_bootstrap_servers=bootstrap)
    return base.model_copy(update={"topic_namespace": namespace})


def client_kwargs(bootstrap: str) -> dict[str, Any]:
    """aiokafka keyword arguments (bootstrap servers included) for a test's own admin, producer or consumer."""
    return kafka_client_kwargs(admin_settings(bootstrap))


def secured(bootstrap: str) -> bool:
    return admin_settings(bootstrap).kafka_security_protocol != "PLAINTEXT"


def principal_env(bootstrap: str, principal: str, password: str) -> dict[str, str]:
    """The environment a service process reads to connect to ``bootstrap`` as ``principal``."""
    base = admin_settings(bootstrap)
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_SECURITY_PROTOCOL": base.kafka_security_protocol,
           "KAFKA_SASL_MECHANISM": base.kafka_sasl_mechanism, "KAFKA_USERNAME": principal,
           "KAFKA_PASSWORD": password}
    if base.kafka_ca_file:
        env["KAFKA_CA_FILE"] = str(base.kafka_ca_file)
    return env


def principal_settings(bootstrap: str, principal: str, password: str, namespace: str = "") -> MessagingSettings:
    return admin_settings(bootstrap, namespace).model_copy(
        update={"kafka_username": principal, "kafka_password": SecretStr(password)})


async def add_principals(bootstrap: str, rules: Mapping[str, Iterable[Acl]], timeout_s: float = 30.0) -> dict[str, str]:
    """SCRAM credentials (fresh random passwords) and exactly ``rules`` for each principal; returns the
    passwords once every principal can log in and the broker enforces all its ACLs (both reach the brokers
    through the metadata log, a moment after the controller accepted them)."""
    passwords = {principal: secrets.token_urlsafe(24) for principal in rules}
    wanted = {p: list(r) for p, r in rules.items()}
    client = admin.client(admin_settings(bootstrap))

    def apply() -> None:
        admin.upsert_scram(client, passwords, only_missing=False)
        admin.sync_acls(client, wanted)

    def enforced() -> bool:
        return all(len(admin.acls_of(client, p)) == len(r) for p, r in wanted.items())

    async def logs_in(principal: str) -> bool:
        probe = AIOKafkaAdminClient(**kafka_client_kwargs(principal_settings(bootstrap, principal,
                                                                             passwords[principal])))
        try:
            await probe.start()
            return True
        except KafkaError:
            return False
        finally:
            await probe.close()

    await asyncio.to_thread(apply)
    await wait_for(lambda: asyncio.to_thread(enforced), timeout_s=timeout_s)
    for principal in passwords:
        await wait_for(lambda p=principal: logs_in(p), timeout_s=timeout_s, interval_s=0.1)
    return passwords


async def remove_principals(bootstrap: str, principals: Iterable[str]) -> None:
    def remove() -> None:
        client = admin.client(admin_settings(bootstrap))
        for principal in principals:
            admin.remove_principal(client, principal)

    await asyncio.to_thread(remove)


async def read_all(
    bootstrap: str, topic: str, *, idle_s: float = 1.0, timeout_s: float = 30.0
) -> list[ConsumerRecord[Any, Any]]:
    """Every record of ``topic`` from the beginning, read until the end offsets are reached."""
    consumer = AIOKafkaConsumer(
        topic, **client_kwargs(bootstrap), group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = consumer.assignment()
        while not partitions:
            await asyncio.sleep(0.05)
            partitions = consumer.assignment()
        end = await consumer.end_offsets(list(partitions))
        records: list[ConsumerRecord[Any, Any]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            positions = {tp: await consumer.position(tp) for tp in end}
            if all(positions[tp] >= off for tp, off in end.items()):
                break
            batch = await consumer.getmany(timeout_ms=int(idle_s * 1000))
            for recs in batch.values():
                records.extend(recs)
        return records
    finally:
        await consumer.stop()


async def envelopes(bootstrap: str, topic: str, **kw: Any) -> list[dict[str, Any]]:
    out = []
    for record in await read_all(bootstrap, topic, **kw):
        try:
            out.append(json.loads(record.value))
        except (TypeError, ValueError):
            continue
    return out


async def wait_for(predicate: Any, *, timeout_s: float = 30.0, interval_s: float = 0.2) -> Any:
    """Poll an async or sync predicate until it returns something truthy; fail with a clear message."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
