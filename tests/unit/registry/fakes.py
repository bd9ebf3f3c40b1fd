"""In-memory stand-ins for the registry unit of work: the same methods as the SQL repositories, dicts inside.

The PII cipher is the real one (pure computation), so what the fakes store is sealed exactly as the database
would hold it."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from berdaya_shared.unit_of_work import RecordingUnitOfWork
from registry.adapters.crypto import PiiCipher
from registry.adapters.repository import WomanRow
from registry.adapters.repository.imports import COUNTS
from registry.config import DEV_ENCRYPTION_KEY, DEV_HMAC_KEY
from registry.domain.businesses import Business
from registry.domain.coops import Coop
from registry.domain.events import (
    AidProvided,
    BusinessReported,
    CapitalDisbursed,
    CoopAnnualMeetingHeld,
    Membership,
    PovertyLine,
    WelfareAssessed,
)
from registry.service_layer import businesses, translator


def page(rows: list[dict[str, Any]], limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    return rows[offset:offset + limit], len(rows)


class FakeWomen:
    def __init__(self) -> None:
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.flags: dict[tuple[UUID, UUID], str] = {}  # (person_ref, other_ref) -> open | dismissed
        self.inserted: dict[UUID, dict[str, Any]] = {}

    def _store(self, row: WomanRow) -> None:
        self.rows[row.person_ref] = {**asdict(row), "created_at": datetime.now(UTC), "erased_at": None}

    async def add(self, row: WomanRow) -> list[UUID] | None:
        if (await self.refs_by_nik([row.nik_hmac])):
            return None
        self._store(row)
        self.inserted[row.person_ref] = self.rows[row.person_ref]
        await self.flag_duplicates([row.person_ref])
        return sorted((o for (p, o) in self.flags if p == row.person_ref), key=str)

    async def add_many(self, rows: Sequence[WomanRow]) -> set[UUID]:
        done = set()
        for row in rows:
            if not await self.refs_by_nik([row.nik_hmac]):
                self._store(row)
                done.add(row.person_ref)
        return done

    async def flag_duplicates(self, refs: Sequence[UUID]) -> set[UUID]:
        flagged = set()
        for ref in refs:
            mine = self.rows[ref]["dup_fingerprint"]
            for other, row in self.rows.items():
                key = (ref, other)
                if other != ref and row["erased_at"] is None and row["dup_fingerprint"] == mine and key not in self.flags:
                    self.flags[key] = "open"
                    flagged.add(ref)
        return flagged

    async def refs_by_nik(self, macs: Sequence[bytes]) -> dict[bytes, UUID]:
        return {r["nik_hmac"]: ref for ref, r in self.rows.items() if r["nik_hmac"] in macs}

    async def get(self, ref: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        row = self.rows.get(ref)
        return dict(row) if row else None

    async def living(self, refs: Sequence[UUID]) -> set[UUID]:
        return {ref for ref in refs if ref in self.rows and self.rows[ref]["erased_at"] is None}

    async def duplicates_of(self, refs: Sequence[UUID]) -> dict[UUID, list[UUID]]:
        return {ref: sorted(({o for (p, o), s in self.flags.items() if p == ref and s == "open"}
                             | {p for (p, o), s in self.flags.items() if o == ref and s == "open"}), key=str)
                for ref in refs}

    async def search(self, filters: dict[str, Any], *, possible_duplicate: bool | None, limit: int,
                     offset: int, areas: list[str] | None = None) -> tuple[list[dict[str, Any]], int]:
        flagged = {ref for pair, s in self.flags.items() if s == "open" for ref in pair}
        rows = [r for ref, r in self.rows.items()
                if all(v is None or r[k] == v for k, v in filters.items())
                and possible_duplicate in (None, ref in flagged) and (areas is None or r["kecamatan_code"] in areas)]
        return page(rows, limit, offset)

    async def update(self, row: WomanRow, *, reflag: bool) -> None:
        self.rows[row.person_ref].update({k: v for k, v in asdict(row).items()
                                          if k not in ("registered_by_opd", "registered_on", "import_ref")})
        if reflag:
            self.flags = {pair: s for pair, s in self.flags.items() if row.person_ref not in pair}
            await self.flag_duplicates([row.person_ref])

    async def erase(self, ref: UUID) -> None:
        self.rows[ref].update(nik_hmac=None, nik_cipher=None, name_cipher=None, phone_cipher=None, birth_date=None,
                              dup_fingerprint=None, erased_at=datetime.now(UTC))
        self.flags = {pair: s for pair, s in self.flags.items() if ref not in pair}

    async def dismiss_duplicate(self, ref: UUID, other_ref: UUID) -> bool:
        for pair in ((ref, other_ref), (other_ref, ref)):
            if self.flags.get(pair) == "open":
                self.flags[pair] = "dismissed"
                return True
        return False


class FakeWelfare:
    def __init__(self) -> None:
        self.lines_: dict[Any, dict[str, Any]] = {}
        self.rows: list[WelfareAssessed] = []

    async def poverty_lines(self) -> list[dict[str, Any]]:
        return [self.lines_[k] for k in sorted(self.lines_)]

    async def lines(self) -> list[PovertyLine]:
        return [PovertyLine(r["valid_from"], r["idr"]) for r in await self.poverty_lines()]

    async def set_poverty_line(self, *, valid_from: Any, idr: int, source: str) -> None:
        self.lines_[valid_from] = {"valid_from": valid_from, "idr": idr, "source": source}

    async def assessed_before(self, person_ref: UUID) -> bool:
        return any(a.person_ref == person_ref for a in self.rows)

    async def add_assessment(self, a: WelfareAssessed) -> None:
        self.rows.append(a)

    async def assessments(self, person_ref: UUID) -> list[dict[str, Any]]:
        out = []
        for a in sorted((a for a in self.rows if a.person_ref == person_ref), key=lambda a: a.assessed_on):
            row = asdict(a)
            line = row.pop("poverty_line")
            out.append({**row, "poverty_line_idr": line["idr"], "poverty_line_valid_from": line["valid_from"]})
        return out


class FakeAid:
    def __init__(self) -> None:
        self.records: dict[UUID, AidProvided] = {}
        self.notes_: list[dict[str, Any]] = []

    async def add(self, aid: AidProvided) -> None:
        self.records[aid.aid_ref] = aid

    async def owner(self, aid_ref: UUID) -> UUID | None:
        aid = self.records.get(aid_ref)
        return aid.person_ref if aid else None

    async def of_person(self, person_ref: UUID) -> list[dict[str, Any]]:
        return [{**asdict(a), "case_notes": sum(n["aid_ref"] == a.aid_ref for n in self.notes_)}
                for a in self.records.values() if a.person_ref == person_ref]

    async def add_note(self, *, aid_ref: UUID, note_cipher: bytes, written_by_opd: str) -> dict[str, Any]:
        note = {"note_id": len(self.notes_) + 1, "aid_ref": aid_ref, "note_cipher": note_cipher,
                "written_by_opd": written_by_opd, "created_at": datetime.now(UTC)}
        self.notes_.append(note)
        return {"note_id": note["note_id"], "created_at": note["created_at"]}

    async def notes(self, aid_ref: UUID) -> list[dict[str, Any]]:
        return [n for n in self.notes_ if n["aid_ref"] == aid_ref]


class FakeBusinesses:
    def __init__(self) -> None:
        self.rows: dict[UUID, Business] = {}
        self.reports_: dict[tuple[UUID, str], BusinessReported] = {}

    async def add(self, business: Business) -> None:
        self.rows[business.business_ref] = business

    async def get(self, business_ref: UUID, *, for_update: bool = False) -> Business | None:
        return self.rows.get(business_ref)

    async def search(self, *, owner_person_ref: UUID | None, kecamatan_code: str | None, sector: str | None,
                     limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        found = [businesses.view(b) for b in self.rows.values()
                 if owner_person_ref in (None, b.owner_person_ref) and kecamatan_code in (None, b.kecamatan_code)
                 and sector in (None, b.sector)]
        return page(found, limit, offset)

    async def reported(self, business_ref: UUID, period: str) -> bool:
        return (business_ref, period) in self.reports_

    async def add_report(self, report: BusinessReported, *, nib: str | None) -> None:
        self.reports_[(report.business_ref, report.period)] = report
        held = self.rows[report.business_ref]
        self.rows[report.business_ref] = replace(held, legality=report.legality, nib=nib or held.nib)

    async def reports(self, business_ref: UUID) -> list[dict[str, Any]]:
        return [{k: v for k, v in businesses.view(r).items() if k != "owner_person_ref"}
                for (ref, _), r in sorted(self.reports_.items(), key=lambda kv: kv[0][1]) if ref == business_ref]


class FakeCoops:
    def __init__(self) -> None:
        self.rows: dict[UUID, Coop] = {}
        self.memberships: list[dict[str, Any]] = []
        self.meetings_: dict[tuple[UUID, int], CoopAnnualMeetingHeld] = {}

    async def add(self, coop: Coop, founding_member_refs: Sequence[UUID]) -> None:
        self.rows[coop.coop_ref] = coop
        self.memberships += [{"coop_ref": coop.coop_ref, "person_ref": ref, "joined_on": coop.formed_on,
                              "left_on": None, "founding": True} for ref in founding_member_refs]

    async def get(self, coop_ref: UUID, *, for_update: bool = False) -> Coop | None:
        return self.rows.get(coop_ref)

    async def members(self, coop_ref: UUID) -> list[dict[str, Any]]:
        return [{k: v for k, v in m.items() if k != "coop_ref"} for m in self.memberships if m["coop_ref"] == coop_ref]

    async def meetings(self, coop_ref: UUID) -> list[dict[str, Any]]:
        return [{"fiscal_year": m.fiscal_year, "held_on": m.held_on}
                for (ref, _), m in sorted(self.meetings_.items()) if ref == coop_ref]

    def _active(self, coop_ref: UUID, person_ref: UUID) -> dict[str, Any] | None:
        return next((m for m in self.memberships if (m["coop_ref"], m["person_ref"]) == (coop_ref, person_ref)
                     and m["left_on"] is None), None)

    async def active_membership(self, coop_ref: UUID, person_ref: UUID) -> Membership | None:
        found = self._active(coop_ref, person_ref)
        return Membership(coop_ref, person_ref, found["joined_on"]) if found else None

    async def add_member(self, membership: Membership) -> None:
        self.memberships.append({**asdict(membership), "left_on": None, "founding": False})

    async def end_membership(self, membership: Membership, left_on: Any) -> None:
        active = self._active(membership.coop_ref, membership.person_ref)
        assert active is not None
        active["left_on"] = left_on

    async def meeting_held(self, coop_ref: UUID, fiscal_year: int) -> bool:
        return (coop_ref, fiscal_year) in self.meetings_

    async def add_meeting(self, meeting: CoopAnnualMeetingHeld) -> None:
        self.meetings_[(meeting.coop_ref, meeting.fiscal_year)] = meeting


class FakeCapital:
    def __init__(self, women: FakeWomen, businesses: FakeBusinesses, coops: FakeCoops) -> None:
        self.known = {"woman": women.rows, "business": businesses.rows, "coop": coops.rows}
        self.rows: list[CapitalDisbursed] = []

    async def recipient_known(self, recipient_type: str, recipient_ref: UUID) -> bool:
        found = self.known[recipient_type].get(recipient_ref)
        return found is not None and (recipient_type != "woman" or found["erased_at"] is None)  # type: ignore[index]

    async def add(self, disbursement: CapitalDisbursed) -> None:
        self.rows.append(disbursement)


class FakeImports:
    """The import job's record, report, held rows and bulk writes, in dicts; the women it stores go into
    ``FakeWomen`` and its outbox rows into ``events`` (envelope bytes, as the outbox holds them)."""

    def __init__(self, women: FakeWomen, welfare: "FakeWelfare") -> None:
        self.women = women
        self.welfare = welfare
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.report_: dict[UUID, list[tuple[int, str, str, str, str]]] = {}
        self.held_: dict[tuple[UUID, int], dict[str, Any]] = {}
        self.assessments: list[tuple[Any, ...]] = []
        self.events: list[tuple[UUID, str, str, str, bytes]] = []

    async def start(self, *, import_ref: UUID, filename: str, registered_by_opd: str, rows_total: int,
                    sheet_name: str | None, header_row: int, encoding: str | None, columns: dict[str, str]) -> None:
        self.rows[import_ref] = {
            "import_ref": import_ref, "filename": filename, "registered_by_opd": registered_by_opd,
            "status": "running", **dict.fromkeys(COUNTS, 0), "rows_total": rows_total, "sheet_name": sheet_name,
            "header_row": header_row, "encoding": encoding, "columns": columns, "created_at": datetime.now(UTC),
            "finished_at": None, "stale": False}

    async def progress(self, import_ref: UUID, counts: dict[str, int], *, status: str | None = None,
                       failure: str | None = None) -> None:
        self.rows[import_ref].update(counts)
        if status is not None:
            self.rows[import_ref].update(status=status, failure=failure, finished_at=datetime.now(UTC))

    async def add_report(self, import_ref: UUID, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        self.report_.setdefault(import_ref, []).extend(rows)

    async def get(self, import_ref: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        return self.rows.get(import_ref)

    async def report(self, import_ref: UUID) -> list[tuple[int, str, str, str, str]]:
        return sorted(self.report_.get(import_ref, []))

    async def hold(self, import_ref: UUID, rows: Sequence[tuple[int, list[str], bytes]]) -> None:
        for row_no, reasons, cells in rows:
            self.held_[(import_ref, row_no)] = {"import_ref": import_ref, "row_no": row_no, "reasons": reasons,
                                                "cells": cells, "status": "held", "person_ref": None}

    async def held(self, import_ref: UUID) -> list[dict[str, Any]]:
        return [dict(r) for (ref, _), r in sorted(self.held_.items()) if ref == import_ref]

    async def held_row(self, import_ref: UUID, row_no: int) -> dict[str, Any] | None:
        row = self.held_.get((import_ref, row_no))
        return dict(row) if row else None

    async def resolve(self, import_ref: UUID, row_no: int, *, status: str, person_ref: UUID | None) -> None:
        self.held_[(import_ref, row_no)].update(status=status, person_ref=person_ref, cells=None)

    async def count(self, import_ref: UUID, **changes: int) -> None:
        for name, change in changes.items():
            self.rows[import_ref][name] += change

    async def known(self, macs: Sequence[bytes]) -> dict[bytes, tuple[UUID, Any, bytes | None]]:
        return {r["nik_hmac"]: (ref, r["birth_date"], r["name_cipher"]) for ref, r in self.women.rows.items()
                if r["nik_hmac"] in macs}

    async def add_women(self, rows: Sequence[WomanRow]) -> set[UUID]:
        return await self.women.add_many(rows)

    async def add_assessments(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.assessments.extend(rows)

    async def stage_events(self, rows: Sequence[tuple[UUID, str, str, str, bytes]]) -> None:
        self.events.extend(rows)


class FakeVerification:
    def __init__(self) -> None:
        self.flags: dict[tuple[UUID, str], str] = {}

    async def flag(self, flags: Sequence[tuple[UUID, str]]) -> None:
        for key in flags:
            self.flags.setdefault(key, "open")

    async def open_of(self, refs: Sequence[UUID]) -> dict[UUID, list[str]]:
        return {ref: sorted(why for (r, why), status in self.flags.items() if r == ref and status == "open")
                for ref in refs}


class FakeRegistryUnitOfWork(RecordingUnitOfWork):
    def __init__(self) -> None:
        super().__init__(translator.to_contract)
        self.cipher = PiiCipher(DEV_ENCRYPTION_KEY, DEV_HMAC_KEY)
        self.women = FakeWomen()
        self.welfare = FakeWelfare()
        self.aid = FakeAid()
        self.businesses = FakeBusinesses()
        self.coops = FakeCoops()
        self.capital = FakeCapital(self.women, self.businesses, self.coops)
        self.imports = FakeImports(self.women, self.welfare)
        self.verification = FakeVerification()
        self.transactions = 0

    @asynccontextmanager
    async def begin(self) -> AsyncIterator["FakeRegistryUnitOfWork"]:
        """The bulk import's transaction factory: every chunk gets this same unit of work (counted)."""
        self.transactions += 1
        yield self
