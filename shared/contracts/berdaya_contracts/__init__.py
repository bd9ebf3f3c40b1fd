"""Event contracts: the envelope, the v1 payloads and the explicit type registry."""

from .catalog import BY_KEY, BY_MODEL, CATALOG, Event, EventSpec, PoisonMessage, decode, lookup, new_envelope
from .envelope import Envelope, new_event_id

__all__ = [
    "BY_KEY",
    "BY_MODEL",
    "CATALOG",
    "Envelope",
    "Event",
    "EventSpec",
    "PoisonMessage",
    "decode",
    "lookup",
    "new_envelope",
    "new_event_id",
]
