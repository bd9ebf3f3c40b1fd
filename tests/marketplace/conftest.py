"""One started marketplace service per test module: own database, own topic namespace, the real broker."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from berdaya_contracts.common import Payload
from berdaya_contracts.topics import EVENT_TOPIC_PARTITIONS, MARKETPLACE_EVENTS, REGISTRY_EVENTS, dlq_topic, physical
from berdaya_shared.messaging import MessagingSettings
from fastapi import FastAPI
from marketplace.bootstrap import create_app
from marketplace.config import Settings

from tests.support import infra
from tests.support.auth import AllScopes
from tests.support.kafka import client_kwargs, read_all, unique, wait_for


class Registry:
    """Publishes registry events as the registry would, keyed by aggregate_id, on the namespaced topic."""

    def __init__(self, bootstrap: str, namespace: str) -> None:
        self.topic = physical(REGISTRY_EVENTS, namespace)
        self.producer = AIOKafkaProducer(**client_kwargs(bootstrap), enable_idempotence=True)

    async def publish(self, payload: Payload, *, occurred_at: datetime | None = None) -> None:
        envelope = new_envelope(payload, occurred_at=occurred_at)
        await self.producer.send_and_wait(self.topic, envelope.to_bytes(), key=envelope.aggregate_id.encode())

    async def business(self, *, owner: UUID | None = None, sector: str = "kuliner") -> tuple[UUID, UUID]:
        ref, owner = uuid4(), owner or uuid4()
        await self.publish(r.BusinessRegistered(
            business_ref=ref, owner_person_ref=owner, sector=sector, kecamatan_code="64.02.06", has_nib=True,
            has_pirt=False, has_halal=False, started_on=date(2025, 3, 1), registered_on=date(2025, 3, 2),
        ))
        return ref, owner


@dataclass
class Market:
    client: httpx.AsyncClient
    app: FastAPI
    registry: Registry
    bootstrap: str
    namespace: str
    database_url: str

    async def events(self) -> list[dict[str, Any]]:
        records = await read_all(self.bootstrap, physical(MARKETPLACE_EVENTS, self.namespace), idle_s=0.3)
        return [json.loads(x.value) for x in records]

    async def known_business(self, **kw: Any) -> tuple[UUID, UUID]:
        """A business registered in the registry whose event has reached the marketplace's replica."""
        ref, owner = await self.registry.business(**kw)

        async def arrived() -> bool:
            async with self.app.state.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT registered FROM businesses_replica WHERE business_ref = $1",
                                                ref))
        await wait_for(arrived, timeout_s=30)
        return ref, owner

    async def fair(self, booths: int = 3, **kw: Any) -> dict[str, Any]:
        body = {"name": "Pameran UMKM Perempuan Tenggarong", "kecamatan_code": "64.02.06",
                "starts_on": "2025-08-15", "ends_on": "2025-08-17", "booths": booths, **kw}
        response = await self.client.post("/fairs", json=body, headers={"X-OPD": "disperindag"})
        assert response.status_code == 201, response.text
        return response.json()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def market(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Market]:
    namespace = unique("mkt").lower()
    admin = AIOKafkaAdminClient(**client_kwargs(kafka_bootstrap))
    await admin.start()
    try:
        await admin.create_topics([
            NewTopic(physical(REGISTRY_EVENTS, namespace), EVENT_TOPIC_PARTITIONS, 1),
            NewTopic(physical(MARKETPLACE_EVENTS, namespace), EVENT_TOPIC_PARTITIONS, 1),
            NewTopic(physical(dlq_topic("marketplace"), namespace), 1, 1),
        ])
    finally:
        await admin.close()
    url = await infra.create_database(database_server_url, prefix="mkt")
    settings = Settings(database_url=url, messaging=MessagingSettings(
        kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace, relay_poll_interval_s=0.2,
        consumer_batch_timeout_ms=50))
    app = create_app(settings, group_id=unique("g"))
    registry = Registry(kafka_bootstrap, namespace)
    await registry.producer.start()
    try:
        async with app.state.runtime.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60,
                                         auth=AllScopes("disperindag")) as client:
                yield Market(client, app, registry, kafka_bootstrap, namespace, url)
    finally:
        await registry.producer.stop()
        await infra.drop_database(database_server_url, url)
