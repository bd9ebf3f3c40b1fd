"""A three-broker Kafka cluster (replication factor 3, min.insync.replicas 2): one broker killed with SIGKILL while
the load runs, and restarted later. With acks=all and two replicas still in sync, nothing acknowledged may be lost
and nothing applied twice; the services keep publishing and consuming through the leader changes."""

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient
from berdaya_contracts.topics import REGISTRY_EVENTS, physical

from tests.faults.infra import KafkaCluster
from tests.faults.stage import Stage, staged
from tests.support.kafka import client_kwargs


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stage(database_server_url: str) -> AsyncIterator[Stage]:
    kafka = KafkaCluster(3)
    try:
        await kafka.start()
        async with staged(kafka, None, database_server_url, name="cluster", seed=303) as stage:
            yield stage
    finally:
        kafka.stop()


async def leaders(stage: Stage) -> set[int]:
    admin = AIOKafkaAdminClient(**client_kwargs(stage.kafka.bootstrap))
    await admin.start()
    try:
        [topic] = await admin.describe_topics([physical(REGISTRY_EVENTS, stage.platform.namespace)])
        assert all(len(p["replicas"]) == 3 for p in topic["partitions"]), topic
        return {p["leader"] for p in topic["partitions"]}
    finally:
        await admin.close()


async def test_one_of_three_brokers_killed_mid_run_loses_nothing(stage: Stage) -> None:
    # The broker leading the most partitions of the registry's topic: its death forces leader elections.
    led = await leaders(stage)
    victim = next(n for n in stage.kafka.nodes if n.node_id in led)

    async def fault() -> None:
        stage.kafka.kill(victim)
        await asyncio.sleep(15)  # the load keeps going on two brokers (min.insync.replicas = 2 still met)
        assert victim.node_id not in await leaders(stage), "the dead broker must have lost its leaderships"
        await stage.kafka.restart(victim)

    await stage.run(f"3-broker cluster, kill -9 broker {victim.node_id}", fault)
