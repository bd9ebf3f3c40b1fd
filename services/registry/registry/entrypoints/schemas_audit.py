"""API schemas of the audit trail (UU PDP): personal-data reads and the change trail."""

from datetime import datetime
from typing import Any
from uuid import UUID

from berdaya_shared.schemas import Page
from pydantic import BaseModel, Field


class PiiAccessRead(BaseModel):
    at: datetime
    client_id: str = Field(description="klien OAuth2 yang membaca")
    opd: str | None
    person_ref: UUID | None
    what: str = Field(description="apa yang dibaca, mis. 'GET /women/{person_ref}'")
    purpose: str = Field(description="tujuan yang dinyatakan (X-Purpose)")


class PiiAccessList(Page):
    items: list[PiiAccessRead]


class ChangeRead(BaseModel):
    id: int
    at: datetime
    client_id: str | None = Field(description="klien OAuth2 yang mengubah")
    opd: str | None
    method: str
    path: str = Field(description="jalur rute, mis. '/women/{person_ref}'")
    status: int
    entity_ref: str | None = Field(description="'person_ref=<uuid>' dan sejenisnya")
    before: dict[str, Any] | None = Field(description="keadaan tersimpan sebelum perubahan (data pribadi hanya "
                                                      "sebagai sidik jari)")
    after: dict[str, Any] | None = Field(description="keadaan tersimpan sesudah perubahan")
