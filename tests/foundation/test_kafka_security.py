"""The broker lets in only who belongs (deploy/kafka/acls.py): every refusal is the broker's answer — an
authentication or authorization error within seconds — not a timeout, seen by aiokafka and by Kafka's own Java
client. Principals here live in fresh namespaces of their own, created and removed by each test module."""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from berdaya_contracts.catalog import CATALOG
from berdaya_contracts.topics import (
    MONITORING_INDICATORS,
    REGISTRY_EVENTS,
    TRAINING_EVENTS,
    all_topics,
    physical,
)
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs
from berdaya_shared.runtime import ServiceRuntime
from pydantic import SecretStr

from deploy.kafka import acls
from tests.support.kafka import add_principals, admin_settings, principal_settings, remove_principals, secured, wait_for
from tests.support.kafka_tools import console_consume, console_produce
from tests.support.namespaces import create_namespace, delete_namespace

AGENCY = "audit"
REFUSED_WITHIN_S = 10.0  # a refusal is an answer; a timeout would take request_timeout_ms (40 s by default)


class Copy:
    """A namespace with its topics and the principals of its services and of one subscribing agency."""

    def __init__(self, bootstrap: str, namespace: str, passwords: dict[str, str]) -> None:
        self.bootstrap, self.namespace, self.passwords = bootstrap, namespace, passwords

    def settings(self, principal: str) -> MessagingSettings:
        return principal_settings(self.bootstrap, principal, self.passwords[principal], self.namespace)

    def service(self, name: str) -> MessagingSettings:
        return self.settings(acls.service_principal(name, self.namespace))

    @property
    def subscriber(self) -> MessagingSettings:
        return self.settings(acls.subscriber_principal(AGENCY, self.namespace))

    def topic(self, name: str) -> str:
        return physical(name, self.namespace)


async def open_copy(bootstrap: str, prefix: str) -> Copy:
    assert secured(bootstrap), "these tests need the secured broker of `make stack-up` (SASL_SSL)"
    namespace = await create_namespace(bootstrap, prefix)
    rules = {**acls.namespace_acls(namespace),
             acls.subscriber_principal(AGENCY, namespace): acls.subscriber_acls(AGENCY, namespace)}
    return Copy(bootstrap, namespace, await add_principals(bootstrap, rules))


async def close_copy(copy: Copy) -> None:
    await remove_principals(copy.bootstrap, copy.passwords)
    await delete_namespace(copy.bootstrap, copy.namespace)


@pytest_asyncio.fixture(scope="module")
async def copy(kafka_bootstrap: str) -> AsyncIterator[Copy]:
    opened = await open_copy(kafka_bootstrap, "sec")
    yield opened
    await close_copy(opened)


async def refused(action: Coroutine[Any, Any, Any], error: type[Exception]) -> Exception:
    """Run ``action``; it must fail with ``error`` quickly (the broker's answer, not a timeout)."""
    started = time.monotonic()
    with pytest.raises(error) as caught:
        await asyncio.wait_for(action, 60)
    assert time.monotonic() - started < REFUSED_WITHIN_S, f"{error.__name__} only after a timeout"
    return caught.value


async def produce(settings: MessagingSettings, topic: str, value: bytes = b"{}", *, idempotent: bool = False) -> None:
    producer = AIOKafkaProducer(**kafka_client_kwargs(settings), enable_idempotence=idempotent)
    try:
        await producer.start()
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def consume_one(settings: MessagingSettings, topic: str, group: str) -> bytes:
    consumer = AIOKafkaConsumer(topic, **kafka_client_kwargs(settings), group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        await consumer.start()
        record = await consumer.getone()
        return bytes(record.value or b"")
    finally:
        await consumer.stop()


async def test_a_client_without_valid_credentials_is_refused(copy: Copy, caplog: pytest.LogCaptureFixture) -> None:
    plaintext = MessagingSettings(kafka_bootstrap_servers=copy.bootstrap, kafka_security_protocol="PLAINTEXT")
    wrong = copy.subscriber.model_copy(update={"kafka_password": SecretStr("not-the-password")})
    for settings in (plaintext, wrong):
        admin = AIOKafkaAdminClient(**kafka_client_kwargs(settings), request_timeout_ms=5000)
        with caplog.at_level(logging.ERROR, logger="aiokafka"):
            await refused(admin.start(), KafkaConnectionError)
        await admin.close()
    assert any("SaslAuthenticationFailed" in r.getMessage() or "Authentication failed" in r.getMessage()
               for r in caplog.records), "aiokafka should log the broker's authentication failure"
    # Kafka's own client names the refusal, and gives up instead of retrying.
    java = await asyncio.to_thread(console_consume, wrong, copy.topic(MONITORING_INDICATORS), f"ext.{AGENCY}.java")
    assert "SaslAuthenticationException" in java.output and "invalid credentials" in java.output, java.output[-2000:]
    # The same principal with its real password gets in: the refusals above were about the credentials.
    admin = AIOKafkaAdminClient(**kafka_client_kwargs(copy.subscriber))
    await admin.start()
    await admin.close()


async def test_a_subscriber_cannot_write_any_topic(copy: Copy) -> None:
    for spec in all_topics():
        error = await refused(produce(copy.subscriber, copy.topic(spec.name)), TopicAuthorizationFailedError)
        assert copy.topic(spec.name) in str(error)
    # An idempotent producer (Kafka's default) is refused even its producer id: it may write no topic at all.
    await refused(produce(copy.subscriber, copy.topic(REGISTRY_EVENTS), idempotent=True),
                  ClusterAuthorizationFailedError)
    java = await asyncio.to_thread(console_produce, copy.subscriber, copy.topic(REGISTRY_EVENTS), ['{"forged": 1}'])
    assert "ClusterAuthorizationException" in java.output, java.output[-2000:]  # Java's producer is idempotent


async def test_a_subscriber_reads_event_topics_but_no_dead_letters(copy: Copy) -> None:
    admin = admin_settings(copy.bootstrap, copy.namespace)
    group = acls.subscriber_group_prefix(AGENCY, copy.namespace) + "reader"
    for topic in acls.SUBSCRIBER_TOPICS:
        marker = f'{{"marker": "{uuid.uuid4()}"}}'.encode()
        await produce(admin, copy.topic(topic), marker)
        assert marker in await asyncio.wait_for(consume_one(copy.subscriber, copy.topic(topic), group + topic), 30)
    for spec in all_topics():
        if spec.name.startswith("dlq."):
            await refused(consume_one(copy.subscriber, copy.topic(spec.name), group), TopicAuthorizationFailedError)


async def test_a_subscriber_uses_no_group_outside_its_prefix(copy: Copy) -> None:
    topic = copy.topic(MONITORING_INDICATORS)
    prefix = acls.subscriber_group_prefix(AGENCY, copy.namespace)
    for group in (copy.namespace + ".monitoring", prefix.rstrip(".") + "x.dashboard",
                  acls.subscriber_group_prefix("other", copy.namespace) + "dashboard", f"ext.{AGENCY}.dashboard"):
        await refused(consume_one(copy.subscriber, topic, group), GroupAuthorizationFailedError)
    java = await asyncio.to_thread(console_consume, copy.subscriber, topic, copy.namespace + ".monitoring")
    assert "GroupAuthorizationException" in java.output, java.output[-2000:]


async def test_a_service_writes_only_its_own_topics(copy: Copy) -> None:
    registry = copy.service("registry")
    await refused(produce(registry, copy.topic(TRAINING_EVENTS)), TopicAuthorizationFailedError)
    await refused(produce(registry, copy.topic("dlq.training")), TopicAuthorizationFailedError)
    await produce(registry, copy.topic(REGISTRY_EVENTS), idempotent=True)  # its own topic, as its relay does
    java = await asyncio.to_thread(console_produce, registry, copy.topic(TRAINING_EVENTS),
                                   ['{"event_type": "training.TrainingCompleted"}'])
    assert "TopicAuthorizationException" in java.output, java.output[-2000:]


async def test_a_namespaced_principal_cannot_touch_another_copys_topics(copy: Copy) -> None:
    other = await open_copy(copy.bootstrap, "stg")
    try:
        await refused(produce(other.service("registry"), copy.topic(REGISTRY_EVENTS)), TopicAuthorizationFailedError)
        group = acls.subscriber_group_prefix(AGENCY, other.namespace) + "x"
        await refused(consume_one(other.subscriber, copy.topic(REGISTRY_EVENTS), group), TopicAuthorizationFailedError)
        await refused(consume_one(other.service("monitoring"), copy.topic(REGISTRY_EVENTS), other.namespace +
                                  ".monitoring"), TopicAuthorizationFailedError)
    finally:
        await close_copy(other)


def test_the_acl_table_is_what_each_service_does() -> None:
    from marketplace.bootstrap import SPEC as marketplace
    from monitoring.bootstrap import SPEC as monitoring
    from registry.bootstrap import SPEC as registry
    from training.bootstrap import SPEC as training

    for spec in (registry, training, marketplace, monitoring):
        publishes = {e.topic for e in CATALOG if e.event_type.startswith(spec.name + ".")}
        dead_letters = {f"dlq.{spec.name}"} if spec.consume_topics else set()
        assert set(acls.WRITES[spec.name]) == publishes | dead_letters, spec.name
        assert set(acls.READS[spec.name]) == set(spec.consume_topics), spec.name


class Rebalances(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.assigned: list[set[Any]] = []
        self.revoked: list[set[Any]] = []

    async def on_partitions_revoked(self, revoked: Any) -> None:
        self.revoked.append(set(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.assigned.append(set(assigned))


async def _noop(*_: Any) -> None:
    return None


async def test_a_namespaced_copy_never_rebalances_the_running_group(copy: Copy, fresh_database: str) -> None:
    """Production's training consumer runs; a staging copy of training starts, consumes and stops beside it in a
    namespace of its own: the running group is never rebalanced. The same copy started in production's namespace
    does rebalance it, which shows that the listener would have seen it."""
    running = copy.service("training")
    listener = Rebalances()
    consumer = AIOKafkaConsumer(**kafka_client_kwargs(running), group_id=running.group("training"),
                                auto_offset_reset="earliest", enable_auto_commit=False)
    consumer.subscribe([copy.topic(REGISTRY_EVENTS)], listener=listener)
    await consumer.start()
    polling = asyncio.create_task(_poll(consumer))
    staging = await open_copy(copy.bootstrap, "stg")
    try:
        await wait_for(lambda: listener.assigned, timeout_s=30)

        async def run_copy(settings: MessagingSettings, *, check_consumes: bool) -> None:
            service = ServiceRuntime(name="training", database_url=fresh_database, migrations=[], settings=settings,
                                     consume_topics=(REGISTRY_EVENTS,), apply=_noop, run_relay=False)
            await service.start()
            try:
                if check_consumes:  # it really consumes: an event published in its namespace reaches its consumer
                    await produce(admin_settings(copy.bootstrap), physical(REGISTRY_EVENTS, settings.topic_namespace),
                                  _envelope())
                    assert service.consumer is not None
                    stats = service.consumer.stats
                    await wait_for(lambda: stats["applied"] + stats["dead_lettered"], timeout_s=45)
                else:
                    await wait_for(lambda: any(listener.revoked), timeout_s=30)
            finally:
                await service.stop()

        await run_copy(staging.service("training"), check_consumes=True)
        await asyncio.sleep(8)  # beyond a heartbeat round: a rebalance would have reached the running member
        assert len(listener.assigned) == 1 and not any(listener.revoked), (listener.assigned, listener.revoked)

        await run_copy(running, check_consumes=False)  # control: the same copy in the running group's namespace
        assert any(listener.revoked)
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await consumer.stop()
        await close_copy(staging)


async def _poll(consumer: AIOKafkaConsumer) -> None:
    while True:
        await consumer.getmany(timeout_ms=200)


def _envelope() -> bytes:
    from berdaya_contracts import new_envelope
    from berdaya_contracts.registry_v1 import PersonalDataErased

    return new_envelope(PersonalDataErased(person_ref=uuid.uuid4(), erased_on="2025-01-02")).to_bytes()



async def test_the_lag_clients_count_what_the_group_has_not_consumed(copy: Copy, fresh_database: str) -> None:
    """/ready's consumer lag, read with the service's own principal: events on its topics its group has not
    committed."""
    service = ServiceRuntime(name="training", database_url=fresh_database, migrations=[],
                             settings=copy.service("training"), consume_topics=(REGISTRY_EVENTS,), apply=_noop,
                             run_relay=False)
    try:
        before = await service.consumer_lag()
        for _ in range(3):
            await produce(admin_settings(copy.bootstrap), copy.topic(REGISTRY_EVENTS), _envelope())
        assert await service.consumer_lag() == before + 3
    finally:
        await service.stop()


@pytest.mark.parametrize("namespace", ["ext", "monitoring", "training-staging", "Staging", "a.b"])
def test_reserved_or_malformed_namespaces_get_no_principals(namespace: str) -> None:
    with pytest.raises(ValueError):
        acls.namespace_acls(namespace)
