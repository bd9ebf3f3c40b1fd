"""Reliable messaging: outbox writer and relay on the producing side, inbox consumer on the consuming side."""

from . import outbox
from .consumer import InboxConsumer, subscribe
from .relay import OutboxRelay
from .settings import MessagingSettings, broker_security, kafka_client_kwargs

__all__ = ["InboxConsumer", "MessagingSettings", "OutboxRelay", "broker_security", "kafka_client_kwargs", "outbox",
           "subscribe"]
