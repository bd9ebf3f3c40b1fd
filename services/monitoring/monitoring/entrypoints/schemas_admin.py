"""API schema of the rebuild's progress."""

from typing import Literal

from pydantic import BaseModel, Field


class RebuildRead(BaseModel):
    state: Literal["idle", "running", "swapping", "done", "failed"]
    events_applied: int
    target_events: int = Field(description="Jumlah peristiwa di topik saat pembangunan ulang dimulai")
    progress: float = Field(description="events_applied ÷ target_events, 0 sampai 1")
    consumer: str | None = Field(description="Grup konsumen khusus pembangunan ulang ini")
    error: str | None
    elapsed_s: float | None
