"""SASL on beside SASL off: the raw consume (a) and the rebuild (c) stages on two private single-node brokers that
differ only in their security (deploy/kafka/cluster.py, the same jars and settings as the stack): one with the
stack's SASL_SSL/SCRAM-SHA-512 and StandardAuthorizer, read as the namespace's own monitoring principal (its ACLs
checked on every request), one on PLAINTEXT with no authorizer. Both get a copy of the run's history, partition by
partition with keys and headers, so both read exactly the same records; only one broker runs at a time.
"""

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts.topics import all_topics
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs

from deploy.kafka import acls, admin
from deploy.kafka.cluster import KafkaCluster

from . import consume
from .env import Run, settings_env


async def _create_topics(settings: MessagingSettings, run: Run) -> list[str]:
    client = AIOKafkaAdminClient(**kafka_client_kwargs(settings), request_timeout_ms=30000)
    await client.start()
    try:
        new = [NewTopic(run.topic(s.name), s.partitions, 1, topic_configs=dict(s.config)) for s in all_topics()]
        await client.create_topics(new)
        return [t.name for t in new]
    finally:
        await client.close()


async def copy_topics(source: MessagingSettings, target: MessagingSettings, topics: Sequence[str]) -> int:
    """Every record of ``topics`` from ``source`` to the same partition of ``target``; returns the count."""
    reader = AIOKafkaConsumer(**kafka_client_kwargs(source), group_id=None, enable_auto_commit=False,
                              max_poll_records=5000)
    writer = AIOKafkaProducer(**kafka_client_kwargs(target), linger_ms=20, max_batch_size=512 * 1024)
    await reader.start()
    await writer.start()
    copied = 0
    try:
        described = AIOKafkaAdminClient(**kafka_client_kwargs(source))
        await described.start()
        try:
            partitions = [TopicPartition(t["topic"], p["partition"]) for t in await described.describe_topics(topics)
                          for p in t["partitions"]]
        finally:
            await described.close()
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        end = await reader.end_offsets(partitions)
        remaining = {tp for tp in partitions if end[tp] > 0}
        while remaining:
            for tp, records in (await reader.getmany(timeout_ms=1000)).items():
                sends = [await writer.send(tp.topic, r.value, key=r.key, partition=tp.partition,
                                           headers=list(r.headers)) for r in records]
                await asyncio.gather(*sends)
                copied += len(records)
                if records and records[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
    finally:
        await reader.stop()
        await writer.stop()
    return copied


async def _one(secured: bool, run: Run, topics: Sequence[str], expected: int,
               rebuild: Callable[[Run, str, dict[str, str]], dict[str, Any]]) -> dict[str, Any]:
    cluster = KafkaCluster(1, secured=secured, heap="-Xmx512m")
    started = time.perf_counter()
    try:
        await cluster.start()
        await _create_topics(cluster.settings(), run)
        copied = await copy_topics(run.kafka, cluster.settings(), topics)
        reader = cluster.settings(namespace=run.namespace)
        if secured:  # the namespace's services as their own principals, with exactly their ACLs
            inst, client = cluster.installation, admin.client(cluster.settings())
            wanted = acls.namespace_acls(run.namespace)
            admin.upsert_scram(client, {p: inst.password(p) for p in wanted}, only_missing=False)
            admin.sync_acls(client, wanted)
            reader = cluster.settings(acls.service_principal("monitoring", run.namespace), run.namespace)
            await asyncio.sleep(1)  # credentials and ACLs reach the broker through its metadata log
        raw = await consume.raw(topics, expected, settings=reader)
        database = await run.create_database("rebuild_sasl" if secured else "rebuild_plain")
        rebuilt = await asyncio.to_thread(rebuild, run, database, settings_env(reader))
        rebuilt["events_per_s"] = round(expected / rebuilt["wall_s"])
        rebuilt.pop("peak_rss_mb", None)  # children's peak RSS now includes the broker JVMs: not the rebuild's
        return {"copied": copied, "raw": raw, "rebuild": rebuilt, "setup_s": round(time.perf_counter() - started, 1)}
    finally:
        cluster.stop()


async def measure(run: Run, topics: Sequence[str], expected: int,
                  rebuild: Callable[[Run, str, dict[str, str]], dict[str, Any]]) -> dict[str, Any]:
    """Raw consume and rebuild with SASL off, then on; the ratios on ÷ off."""
    off = await _one(False, run, topics, expected, rebuild)
    on = await _one(True, run, topics, expected, rebuild)

    def ratio(stage: str) -> float | None:
        a, b = on[stage].get("events_per_s"), off[stage].get("events_per_s")
        return round(a / b, 3) if a and b else None

    return {"plaintext": off, "sasl_ssl": on, "raw_on_over_off": ratio("raw"),
            "rebuild_on_over_off": ratio("rebuild")}
