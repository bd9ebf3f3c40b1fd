"""The one JSON envelope every message on Kafka travels in."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from uuid6 import uuid7


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: UUID = Field(description="Unique per event (UUIDv7, time-ordered); consumers deduplicate on it")
    event_type: str = Field(pattern=r"^[a-z]+\.[A-Z][A-Za-z]+$", examples=["training.TrainingCompleted"])
    event_version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(description="UTC time of the business fact")
    producer: str = Field(min_length=1)
    aggregate_type: str = Field(min_length=1)
    aggregate_id: str = Field(min_length=1, description="The Kafka key: one entity's events stay in order")
    correlation_id: str | None = None
    causation_id: str | None = None
    payload: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


def new_event_id() -> UUID:
    return uuid7()


def utcnow() -> datetime:
    return datetime.now(UTC)
