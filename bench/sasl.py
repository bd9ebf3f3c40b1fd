"""SASL on beside SASL off: the raw consume (a) and the rebuild (c) stages on two private single-node brokers that
differ only in their security (deploy/kafka/cluster.py, the same jars and settings as the stack): one with the
stack's SASL_SSL/SCRAM-SHA-512 and StandardAuthorizer, read as the namespace's own monitoring principal (its ACLs
checked on every request), one on PLAINTEXT with no authorizer. Both get a copy of the run's history, partition by
partition with keys and headers, so both read exactly the same records. Measurements alternate between the two
brokers; the one not being measured is idle.
"""

import asyncio
import os
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


def _grant(cluster: KafkaCluster, namespace: str) -> MessagingSettings:
    """The namespace's services as their own principals with exactly their ACLs; returns how monitoring reads."""
    client = admin.client(cluster.settings())
    wanted = acls.namespace_acls(namespace)
    admin.upsert_scram(client, {p: cluster.installation.password(p) for p in wanted}, only_missing=False)
    admin.sync_acls(client, wanted)
    return cluster.settings(acls.service_principal("monitoring", namespace), namespace)


async def _prepare(cluster: KafkaCluster, run: Run, topics: Sequence[str]) -> tuple[MessagingSettings, int]:
    await cluster.start()
    await _create_topics(cluster.settings(), run)
    copied = await copy_topics(run.kafka, cluster.settings(), topics)
    if not cluster.secured:
        return cluster.settings(namespace=run.namespace), copied
    reader = _grant(cluster, run.namespace)
    await asyncio.sleep(1)  # credentials and ACLs reach the broker through its metadata log
    return reader, copied


async def measure(run: Run, topics: Sequence[str], expected: int,
                  rebuild: Callable[[Run, str, dict[str, str]], dict[str, Any]]) -> dict[str, Any]:
    """Raw consume and rebuild on each broker, alternating off and on for BENCH_SASL_ROUNDS rounds (default 2);
    the best round of each counts. Both brokers run throughout; the one not measured is idle."""
    rounds = int(os.environ.get("BENCH_SASL_ROUNDS", "2"))
    clusters = {"plaintext": KafkaCluster(1, secured=False, heap="-Xmx512m"),
                "sasl_ssl": KafkaCluster(1, secured=True, heap="-Xmx512m")}
    out: dict[str, Any] = {name: {"raw": [], "rebuild": []} for name in clusters}
    try:
        readers = {}
        for name, cluster in clusters.items():
            readers[name], out[name]["copied"] = await _prepare(cluster, run, topics)
        for round_no in range(rounds):
            for name in clusters:
                out[name]["raw"].append(await consume.raw(topics, expected, settings=readers[name]))
                database = await run.create_database(f"reb_{name.split('_')[0]}_{round_no}")
                rebuilt = await asyncio.to_thread(rebuild, run, database, settings_env(readers[name]))
                rebuilt["events_per_s"] = round(expected / rebuilt["wall_s"])
                rebuilt.pop("peak_rss_mb", None)  # children's peak RSS includes the broker JVMs: not the rebuild's
                out[name]["rebuild"].append(rebuilt)
    finally:
        for cluster in clusters.values():
            cluster.stop()

    def best(name: str, stage: str) -> int:
        return max(r.get("events_per_s") or 0 for r in out[name][stage])

    for name in clusters:
        out[name]["best"] = {"raw_events_per_s": best(name, "raw"), "rebuild_events_per_s": best(name, "rebuild")}
    return {**out, "rounds": rounds,
            "raw_on_over_off": round(best("sasl_ssl", "raw") / best("plaintext", "raw"), 3),
            "rebuild_on_over_off": round(best("sasl_ssl", "rebuild") / best("plaintext", "rebuild"), 3)}
