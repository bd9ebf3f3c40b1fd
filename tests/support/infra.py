"""Where the tests find a real Kafka broker and a real PostgreSQL server.

Order: the environment (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL), then testcontainers when a Docker
engine answers, else the tests fail and say which command starts the local stack. Never a skip.

The local stack's broker is secured: ``install_kafka_env`` gives the test session the stack's admin principal
(from deploy/.data/kafka, or $BERDAYA_DATA_DIR/kafka) unless the environment already names credentials
(KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME, ...). Service processes the tests start get principals of their own
(tests/support/platform.py).
"""

import os
import uuid
from contextlib import ExitStack
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.kafka.acls import ADMIN
from deploy.kafka.credentials import Installation
from tests.support.kafka import client_kwargs

REPO = Path(__file__).resolve().parents[2]


def kafka_installation() -> Installation | None:
    """The local stack's secured Kafka installation (deploy/.data/kafka, or $BERDAYA_DATA_DIR/kafka), if any."""
    installation = Installation(Path(os.environ.get("BERDAYA_DATA_DIR") or REPO / "deploy" / ".data") / "kafka")
    return installation if installation.credentials_file.exists() else None


def install_kafka_env() -> None:
    """The session connects as the stack's admin principal (SASL_SSL), unless told otherwise."""
    if os.environ.get("KAFKA_SECURITY_PROTOCOL"):
        return
    installation = kafka_installation()
    if installation is None:
        return  # an unsecured broker (Docker, or one the environment names): PLAINTEXT
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"
    os.environ.update(installation.env(ADMIN, bootstrap))

START_HINT = "no Kafka/PostgreSQL for the tests: run `make stack-up` (or export KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL)"


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001
        return False


def resolve(stack: ExitStack) -> tuple[str, str]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database = os.environ.get("DATABASE_URL")
    if kafka and database:
        return kafka, database
    if docker_answers():
        from testcontainers.kafka import KafkaContainer
        from testcontainers.postgres import PostgresContainer

        if not kafka:
            container = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft())
            kafka = container.get_bootstrap_server()
        if not database:
            pg = stack.enter_context(PostgresContainer("postgres:15", driver=None))
            database = pg.get_connection_url()
        return kafka, database
    pytest.fail(START_HINT, pytrace=False)


async def create_database(server_url: str, prefix: str = "t") -> str:
    """Create an empty database on the server of ``server_url`` and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def with_database(url: str, name: str) -> str:
    base, _, rest = url.rpartition("/")
    query = rest.split("?", 1)[1] if "?" in rest else ""
    return f"{base}/{name}" + (f"?{query}" if query else "")


async def create_topics(bootstrap: str, *names: str, partitions: int = 3) -> None:
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, partitions, 1) for n in names])
    finally:
        await admin.close()
