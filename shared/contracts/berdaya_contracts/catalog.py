"""The explicit registry of event types: (event_type, version) -> payload model, topic and aggregate.

Type strings are written out here, never derived from class names, so renaming a class cannot
change the contract.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from . import marketplace_v1 as m
from . import marketplace_v2 as m2
from . import monitoring_v1 as mon
from . import registry_v1 as r
from . import topics
from . import training_v1 as t
from .common import Payload
from .envelope import Envelope, new_event_id, utcnow


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    version: int
    model: type[Payload]
    topic: str
    aggregate_type: str
    aggregate_id: Callable[[Any], Any]

    @property
    def producer(self) -> str:
        return self.event_type.split(".", 1)[0]


def _by(field: str) -> Callable[[Any], Any]:
    return lambda p: getattr(p, field)


def _spec(event_type: str, model: type[Payload], aggregate_type: str, key: str | Callable[[Any], Any], *,
          version: int = 1) -> EventSpec:
    producer = event_type.split(".", 1)[0]
    topic = {
        "registry": topics.REGISTRY_EVENTS,
        "training": topics.TRAINING_EVENTS,
        "marketplace": topics.MARKETPLACE_EVENTS,
        "monitoring": topics.MONITORING_INDICATORS,
    }[producer]
    return EventSpec(event_type, version, model, topic, aggregate_type, _by(key) if isinstance(key, str) else key)


CATALOG: tuple[EventSpec, ...] = (
    _spec("registry.WomanRegistered", r.WomanRegistered, "person", "person_ref"),
    _spec("registry.WomanProfileCorrected", r.WomanProfileCorrected, "person", "person_ref"),
    _spec("registry.WelfareAssessed", r.WelfareAssessed, "person", "person_ref"),
    _spec("registry.AidProvided", r.AidProvided, "person", "person_ref"),
    _spec("registry.BusinessRegistered", r.BusinessRegistered, "business", "business_ref"),
    _spec("registry.BusinessReported", r.BusinessReported, "business", "business_ref"),
    _spec("registry.CoopFormed", r.CoopFormed, "coop", "coop_ref"),
    _spec("registry.CoopMemberJoined", r.CoopMemberJoined, "coop", "coop_ref"),
    _spec("registry.CoopMemberLeft", r.CoopMemberLeft, "coop", "coop_ref"),
    _spec("registry.CoopAnnualMeetingHeld", r.CoopAnnualMeetingHeld, "coop", "coop_ref"),
    _spec("registry.CapitalDisbursed", r.CapitalDisbursed, "capital_recipient", "recipient_ref"),
    _spec("registry.PersonalDataErased", r.PersonalDataErased, "person", "person_ref"),
    _spec("registry.WomenMerged", r.WomenMerged, "person", "retired_ref"),
    _spec("registry.WomenUnmerged", r.WomenUnmerged, "person", "retired_ref"),
    _spec("training.CourseScheduled", t.CourseScheduled, "course", "course_ref"),
    _spec("training.CourseRescheduled", t.CourseRescheduled, "course", "course_ref"),
    _spec("training.ParticipantEnrolled", t.ParticipantEnrolled, "course", "course_ref"),
    _spec("training.AttendanceRecorded", t.AttendanceRecorded, "course", "course_ref"),
    _spec("training.TrainingCompleted", t.TrainingCompleted, "course", "course_ref"),
    _spec("training.ParticipantDropped", t.ParticipantDropped, "course", "course_ref"),
    _spec("training.JobPlaced", t.JobPlaced, "person", "person_ref"),
    _spec("marketplace.TradeFairScheduled", m.TradeFairScheduled, "fair", "fair_ref"),
    _spec("marketplace.BoothAssigned", m.BoothAssigned, "fair", "fair_ref"),
    _spec("marketplace.ProductListed", m.ProductListed, "product", "product_ref"),
    _spec("marketplace.ProductDelisted", m.ProductDelisted, "product", "product_ref"),
    _spec("marketplace.SaleRecorded", m.SaleRecorded, "business", "business_ref"),
    # v2 beside v1 (shared booths, marketplace_v2.py): the marketplace publishes both for every booth and sale.
    _spec("marketplace.BoothAssigned", m2.BoothAssigned, "fair", "fair_ref", version=2),
    _spec("marketplace.SaleRecorded", m2.SaleRecorded, "business", "business_ref", version=2),
    _spec(
        "monitoring.IndicatorChanged",
        mon.IndicatorChanged,
        "indicator",
        lambda p: f"{p.indicator}|{p.kecamatan_code or 'kukar'}|{p.period}",
    ),
    _spec("monitoring.EvaluationRoundApproved", mon.EvaluationRoundApproved, "round", "round_ref"),
)

BY_KEY: dict[tuple[str, int], EventSpec] = {(s.event_type, s.version): s for s in CATALOG}
BY_MODEL: dict[type[Payload], EventSpec] = {s.model: s for s in CATALOG}
assert len(BY_KEY) == len(CATALOG) == len(BY_MODEL), "duplicate event type or model in the catalog"


@dataclass(frozen=True)
class Event:
    """A decoded message: its envelope and its typed payload."""

    envelope: Envelope
    payload: Payload

    @property
    def event_id(self) -> UUID:
        return self.envelope.event_id

    @property
    def event_type(self) -> str:
        return self.envelope.event_type


class PoisonMessage(Exception):
    """A message no retry can fix: it goes to the consumer's dead-letter topic."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def new_envelope(
    payload: Payload,
    *,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Envelope:
    """Wrap a payload for publishing. The payload class decides type, version, topic and key."""
    spec = BY_MODEL[type(payload)]
    return Envelope(
        event_id=new_event_id(),
        event_type=spec.event_type,
        event_version=spec.version,
        occurred_at=occurred_at or utcnow(),
        producer=spec.producer,
        aggregate_type=spec.aggregate_type,
        aggregate_id=str(spec.aggregate_id(payload)),
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload.model_dump(mode="json"),
    )


def lookup(event_type: str, version: int) -> EventSpec:
    spec = BY_KEY.get((event_type, version))
    if spec is None:
        known = any(t == event_type for t, _ in BY_KEY)
        raise PoisonMessage(
            "unknown_event_version" if known else "unknown_event_type", f"{event_type} v{version}"
        )
    return spec


def decode(raw: bytes | None) -> Event:
    """Parse a message value tolerantly (unknown fields ignored). Raises PoisonMessage."""
    if not raw:
        raise PoisonMessage("invalid_json", "empty message")
    try:
        envelope = Envelope.model_validate_json(raw)
    except ValidationError as exc:
        reason = "invalid_json" if any(e["type"] == "json_invalid" for e in exc.errors()) else "invalid_envelope"
        raise PoisonMessage(reason, _short(exc)) from None
    spec = lookup(envelope.event_type, envelope.event_version)
    try:
        payload = spec.model.model_validate(envelope.payload, extra="ignore")
    except ValidationError as exc:
        raise PoisonMessage("invalid_payload", _short(exc)) from None
    return Event(envelope, payload)


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5])[:500]
