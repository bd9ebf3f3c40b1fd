"""API schema of the rebuild's progress."""

from typing import Literal

from pydantic import BaseModel, Field


class RebuildRead(BaseModel):
    state: Literal["idle", "running", "swapping", "done", "failed"]
    events_applied: int
    target_events: int = Field(description="Events on the topics when the rebuild started")
    progress: float = Field(description="events_applied ÷ target_events, 0 to 1")
    consumer: str | None = Field(description="The rebuild's own consumer group")
    error: str | None
    elapsed_s: float | None
