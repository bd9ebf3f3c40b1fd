"""Settings of the messaging runtime, from environment variables (pydantic-settings), and the one place that turns
them into connection arguments: ``kafka_client_kwargs`` for any aiokafka client (admin clients, raw consumers and
producers, the rebuild, the bench, the tests) and ``broker_security`` for FastStream's ``KafkaBroker``.

Security (deploy/kafka/README.md): the local broker and production listen with SASL/SCRAM-SHA-512 over TLS
(``KAFKA_SECURITY_PROTOCOL=SASL_SSL``); each service connects as its own principal (``KAFKA_USERNAME``,
``KAFKA_PASSWORD``) and verifies the broker's certificate with ``KAFKA_CA_FILE`` (the system's CAs when unset).
"""

import ssl
from functools import cache
from pathlib import Path
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from berdaya_contracts.topics import physical
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


class MessagingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", description="Comma-separated host:port list")
    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", description="SASL_SSL on the local stack and in production; PLAINTEXT only for an unsecured "
                                 "development broker (deploy/compose.yaml)")
    kafka_sasl_mechanism: SaslMechanism = Field("SCRAM-SHA-512", description="SASL mechanism of the client listener")
    kafka_username: str | None = Field(None, description="The Kafka principal this process connects as")
    kafka_password: SecretStr | None = Field(None, description="That principal's SCRAM password")
    kafka_ca_file: Path | None = Field(
        None, description="PEM file of the CA that signed the broker's certificate; the system's CAs when unset")
    topic_namespace: str = Field(
        "", pattern=r"^[a-z0-9-]*$", description="Prefix of every topic name; empty in production"
    )
    relay_batch_size: int = Field(500, ge=1, le=10_000)
    relay_poll_interval_s: float = Field(1.0, gt=0, description="Fallback poll when no NOTIFY arrives")
    consumer_max_records: int = Field(1000, ge=1)
    consumer_batch_timeout_ms: int = Field(200, ge=1)
    consumer_fetch_min_bytes: int = Field(
        1, ge=1, le=52_428_800,
        description="The broker holds a fetch until this many bytes are ready (or consumer_fetch_max_wait_ms has "
                    "passed): above 1, a consumer whose cost is per batch gets fewer, larger batches when events "
                    "trickle in. 1 (Kafka's default): answer at once")
    consumer_fetch_max_wait_ms: int = Field(
        500, ge=0, le=10_000,
        description="The longest the broker holds a fetch for consumer_fetch_min_bytes, i.e. the delay a lone event "
                    "can get (Kafka's default; it only matters when the minimum is above 1)")
    retry_max_backoff_s: float = Field(30.0, gt=0)
    consumer_session_timeout_ms: int = Field(
        6000, ge=6000, le=300_000,
        description="How long the group coordinator waits for a silent consumer before giving its partitions away "
                    "(heartbeats every third of it). 6 s is the broker's default minimum "
                    "(group.min.session.timeout.ms); aiokafka's own default is 10 s")
    consumer_group_instance_id: str | None = Field(
        None, min_length=1, max_length=249,
        description="Static group membership (KIP-345): a restarted consumer with the same id gets its partitions "
                    "back at once instead of waiting out the session timeout. Must be unique among the running "
                    "members of the group and stable across restarts (deploy/services.sh sets "
                    "<service>@<host>:<port>); unset: dynamic membership")

    def bootstrap_list(self) -> list[str]:
        return [s.strip() for s in self.kafka_bootstrap_servers.split(",") if s.strip()]

    def group(self, name: str) -> str:
        """A consumer group's name on the cluster: like topics, it carries the namespace, so a staging copy never
        joins (and rebalances) production's groups, and its principal's group prefix (deploy/kafka/acls.py) fits."""
        return physical(name, self.topic_namespace)


@cache
def _ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """One TLS context per CA file (hostname verified): clients share it instead of reading the file each time."""
    return create_ssl_context(cafile=ca_file)


def _credentials(settings: MessagingSettings) -> tuple[str, str]:
    if not settings.kafka_username or settings.kafka_password is None:
        raise ValueError(f"KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol} needs KAFKA_USERNAME and "
                         "KAFKA_PASSWORD (the principal's SCRAM credentials)")
    return settings.kafka_username, settings.kafka_password.get_secret_value()


def kafka_ssl_context(settings: MessagingSettings) -> ssl.SSLContext | None:
    """The TLS context of a SASL_SSL connection (verifying with ``kafka_ca_file``), else None."""
    if settings.kafka_security_protocol != "SASL_SSL":
        return None
    return _ssl_context(str(settings.kafka_ca_file) if settings.kafka_ca_file else None)


def kafka_client_kwargs(settings: MessagingSettings) -> dict[str, Any]:
    """Keyword arguments that connect any aiokafka client (``AIOKafkaConsumer``, ``AIOKafkaProducer``,
    ``AIOKafkaAdminClient``) as configured: ``bootstrap_servers``, ``security_protocol`` and, for SASL,
    ``sasl_mechanism``, ``sasl_plain_username``, ``sasl_plain_password`` and (SASL_SSL) ``ssl_context``.

    Raises ValueError when a SASL protocol is configured without username or password."""
    kwargs: dict[str, Any] = {"bootstrap_servers": settings.bootstrap_list(),
                              "security_protocol": settings.kafka_security_protocol}
    if settings.kafka_security_protocol == "PLAINTEXT":
        return kwargs
    username, password = _credentials(settings)
    kwargs.update(sasl_mechanism=settings.kafka_sasl_mechanism, sasl_plain_username=username,
                  sasl_plain_password=password)
    if settings.kafka_security_protocol == "SASL_SSL":
        kwargs["ssl_context"] = kafka_ssl_context(settings)
    return kwargs


_FASTSTREAM_SASL: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}


def broker_security(settings: MessagingSettings) -> BaseSecurity | None:
    """FastStream's own security object for ``KafkaBroker(security=...)`` (``faststream.security.SASLScram512``
    with the TLS context, for the default mechanism), or None for PLAINTEXT.

    Raises ValueError when a SASL protocol is configured without username or password."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    username, password = _credentials(settings)
    sasl = _FASTSTREAM_SASL[settings.kafka_sasl_mechanism]
    if settings.kafka_security_protocol == "SASL_SSL":
        return sasl(username, password, ssl_context=kafka_ssl_context(settings))
    return sasl(username, password, use_ssl=False)
