"""The possible-duplicates queue as staff pages (DP3A, the roles the merge API allows: women:write, ``policy.POLICY``):
the open pairs oldest first with their count; one pair side by side with what differs marked; merging it (the
reviewer chooses the surviving record and whose NIK she keeps), dismissing it ("bukan orang yang sama"); the latest
merges, each with a page to undo it.

Every page shows personal data (names, masked NIKs): the purpose declared for the session is logged with each read.
A field officer limited to kecamatan sees only pairs of her kecamatan. Each form carries one Idempotency-Key drawn
when it is rendered and runs the API's service-layer handler (``merges.merge``, ``merges.undo``,
``women.dismiss_duplicate``) through ``entrypoints.command``: a double submission records once, a refusal (409, 422)
is shown beside the field it concerns, a success is flashed with what was recorded."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared import errors
from berdaya_shared import scopes as s
from berdaya_shared.auth import Principal, SessionRoute
from berdaya_shared.entrypoints import Today
from berdaya_shared.signin import CurrentUser, flash
from berdaya_shared.signin import Purpose as SessionPurpose
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import tanggal
from berdaya_shared.ui.nav import opd_label
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..service_layer import merges, women
from .deps import Opd, Uow, log_reads
from .pages_common import PEKKA_LABELS, place, read, submit
from .schemas_merges import MergeRead
from .schemas_women import WomanRead

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)

PAGE_SIZE = 50
MERGE_FIELDS = ("surviving", "nik_from")
UNDO_FIELDS = ("reason", "merge_ref")
FACT_LABELS = {"welfare_assessments": "asesmen kesejahteraan", "aid_records": "bantuan", "businesses": "UKM",
               "coop_memberships": "keanggotaan koperasi", "capital_disbursements": "penyaluran modal"}
ROWS = (("full_name", "Nama"), ("nik_masked", "NIK"), ("birth_date", "Tanggal lahir"), ("phone", "Nomor HP"),
        ("place", "Tempat tinggal"), ("household_size", "Anggota rumah tangga"), ("pekka_category", "Kategori PEKKA"),
        ("registered_on", "Terdaftar"), ("facts", "Data yang dimiliki"))
# which compared fields (service_layer.merges.COMPARED) each shown row stands for
ROW_FIELDS = {"place": ("kecamatan_code", "desa_code"), "registered_on": ("registered_on", "registered_by_opd")}


def _reviewer(user: Principal) -> None:
    if not user.has(s.PERSONAL_DATA_READ):
        raise errors.Forbidden("Antrean kemungkinan ganda memuat data pribadi: perlu izin membaca data pribadi",
                               "personal_data:read required", required_scope=s.PERSONAL_DATA_READ)


def _facts(facts: dict[str, int]) -> str:
    held = [f"{n} {FACT_LABELS.get(k, k)}" for k, n in facts.items() if n]
    return ", ".join(held) if held else "belum ada"


def _cell(record: dict[str, Any], key: str) -> str:
    if key == "place":
        return place(record["kecamatan_code"], record["desa_code"])
    if key in ("birth_date", "registered_on"):
        when = tanggal(record[key]) if record[key] else "—"
        return f"{when} oleh {opd_label(record['registered_by_opd'])}" if key == "registered_on" else when
    if key == "pekka_category":
        return PEKKA_LABELS.get(record[key], record[key])
    if key == "household_size":
        return f"{record[key]} orang"
    if key == "facts":
        return _facts(record["facts"])
    return record[key] or "—"


def side_by_side(pair: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the comparison table: label, the older record's value, the flagged one's, and whether they
    differ (``differences`` of the queue, or the facts each holds)."""
    older, newer = pair["records"]
    rows = []
    for key, label in ROWS:
        fields = ROW_FIELDS.get(key, (key,))
        differs = (older["facts"] != newer["facts"]) if key == "facts" else any(
            f in pair["differences"] for f in fields)
        rows.append({"label": label, "cells": [_cell(older, key), _cell(newer, key)], "differs": differs})
    return rows


def _in_area(user: Principal, pair: dict[str, Any]) -> None:
    if user.kecamatan and any(r["kecamatan_code"] not in user.kecamatan for r in pair["records"]):
        raise errors.Forbidden("Pasangan ini di luar kecamatan wilayah tugas Anda",
                               "a record of the pair is outside the caller's kecamatan", field="other_ref")


# -- the queue -------------------------------------------------------------------------------------------------------

async def _queue(request: Request, user: Principal, why: str, uow: Uow, page: int) -> dict[str, Any]:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        if user.kecamatan:  # her kecamatan only, oldest first across them
            found = [await merges.queue(work, status="open", kecamatan_code=k, limit=PAGE_SIZE * page, offset=0)
                     for k in sorted(user.kecamatan)]
            items = sorted({(p["person_ref"], p["other_ref"]): p for f in found for p in f["items"]}.values(),
                           key=lambda p: (p["flagged_at"], str(p["person_ref"])))
            total = sum(f["total"] for f in found)
            shown = items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
            recent = [m for m in await merges.recent(work, limit=50)
                      if set(m["kecamatan_codes"]) <= user.kecamatan][:10]
        else:
            got = await merges.queue(work, status="open", kecamatan_code=None, limit=PAGE_SIZE,
                                     offset=(page - 1) * PAGE_SIZE)
            shown, total = got["items"], got["total"]
            recent = await merges.recent(work)
        refs = {r["person_ref"] for p in shown for r in p["records"]}
        refs |= {m[k] for m in recent for k in ("surviving_ref", "retired_ref")}
        await log_reads(conn, request, sorted(refs, key=str), why=why)
        return {"pairs": shown, "total": total, "recent": recent}

    return await read(request, handle)


@pages.get("/kemungkinan-ganda")
async def queue_page(request: Request, user: CurrentUser, why: SessionPurpose, uow: Uow, halaman: int = 1) -> Response:
    _reviewer(user)
    page = max(halaman, 1)
    found = await _queue(request, user, why, uow, page)
    return await render(request, "registry/duplicates.html", {
        "title": "Kemungkinan data ganda", **found, "page": page,
        "pages": max(-(-found["total"] // PAGE_SIZE), 1), "place_of": place, "facts_of": _facts})


# -- one pair: merge or dismiss --------------------------------------------------------------------------------------

async def _show_pair(request: Request, user: Principal, why: str, uow: Uow, person_ref: UUID, other_ref: UUID, *,
                     values: dict[str, str] | None = None, problems: dict[str, str] | None = None,
                     form_name: str | None = None) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        found = await merges.pair(uow(conn), person_ref=person_ref, other_ref=other_ref)
        _in_area(user, found)
        await log_reads(conn, request, [r["person_ref"] for r in found["records"]], why=why)
        return found

    pair = await read(request, handle)
    older, newer = pair["records"]
    return await render(request, "registry/duplicate_pair.html", {
        "title": f"Tinjau: {older['full_name'] or '—'} dan {newer['full_name'] or '—'}", "pair": pair,
        "rows": side_by_side(pair), "older": older, "newer": newer, "facts_of": _facts,
        "values": values or {}, "errors": problems or {}, "form_name": form_name,
        "form_keys": {"gabung": str(uuid4()), "bukan": str(uuid4())}}, status_code=422 if problems else 200)


@pages.get("/kemungkinan-ganda/{person_ref}/{other_ref}")
async def pair_page(person_ref: UUID, other_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose,
                    uow: Uow) -> Response:
    _reviewer(user)
    return await _show_pair(request, user, why, uow, person_ref, other_ref)


def _known_pair(pair: dict[str, Any], person_ref: UUID, other_ref: UUID) -> None:
    if {str(r["person_ref"]) for r in pair["records"]} != {str(person_ref), str(other_ref)}:
        raise errors.NotFound("Pasangan tidak ditemukan", "pair mismatch", field="other_ref")


@pages.post("/kemungkinan-ganda/{person_ref}/{other_ref}/gabung")
async def merge_pair(person_ref: UUID, other_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose,
                     opd: Opd, today: Today, uow: Uow) -> Response:
    _reviewer(user)
    form = await request.form()
    values = forms.values(form, MERGE_FIELDS)
    problems: dict[str, str] = {}
    refs = {str(person_ref): person_ref, str(other_ref): other_ref}
    surviving = refs.get(values["surviving"])
    if surviving is None:
        problems["surviving"] = "Pilih catatan yang dipertahankan"
    if values["nik_from"] not in ("surviving", "retired"):
        problems["nik_from"] = "Pilih NIK yang dipakai"
    if problems:
        return await _show_pair(request, user, why, uow, person_ref, other_ref, values=values, problems=problems,
                                form_name="gabung")
    retired = other_ref if surviving == person_ref else person_ref

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        _in_area(user, await merges.pair(work, person_ref=person_ref, other_ref=other_ref))
        return await merges.merge(work, surviving_ref=surviving, retired_ref=retired,  # type: ignore[arg-type]
                                  nik_from=values["nik_from"], opd=opd or "dp3a", today=today)  # type: ignore[arg-type]

    answer, problems = await submit(request, str(form.get("idempotency_key", "")), handle, model=MergeRead,
                                    known=("surviving_ref", "retired_ref", "nik_from"), status=201)
    if problems:
        shown = {("surviving" if k in ("surviving_ref", "retired_ref") else k): v for k, v in problems.items()}
        return await _show_pair(request, user, why, uow, person_ref, other_ref, values=values, problems=shown,
                                form_name="gabung")
    moved = _facts(answer["moved"]).replace("belum ada", "tidak ada data")
    await flash(request, f"Digabung pada {tanggal(date.fromisoformat(answer['merged_on']))}: catatan yang "
                         f"dipertahankan kini memuat riwayat catatan lainnya (dipindahkan: {moved}); NIK dari catatan "
                         f"{'yang dipertahankan' if answer['nik_from'] == 'surviving' else 'yang digabung'}. "
                         "Penggabungan ini dapat dibatalkan dari daftar penggabungan terbaru.")
    return RedirectResponse(f"/penggabungan/{answer['merge_ref']}", status_code=303)


@pages.post("/kemungkinan-ganda/{person_ref}/{other_ref}/bukan-ganda")
async def dismiss_pair(person_ref: UUID, other_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose,
                       opd: Opd, uow: Uow) -> Response:
    _reviewer(user)
    form = await request.form()

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        found = await merges.pair(work, person_ref=person_ref, other_ref=other_ref)
        _in_area(user, found)
        return await women.dismiss_duplicate(work, person_ref=person_ref, other_ref=other_ref, opd=opd)

    answer, problems = await submit(request, str(form.get("idempotency_key", "")), handle, model=WomanRead,
                                    known=("other_ref",), status=200)
    if problems:
        shown = {("bukan" if k == "other_ref" else k): v for k, v in problems.items()}
        return await _show_pair(request, user, why, uow, person_ref, other_ref, problems=shown, form_name="bukan")
    await flash(request, "Dicatat: kedua catatan adalah dua orang berbeda (bukan orang yang sama); pasangan ini "
                         "tidak akan diusulkan lagi. Tidak ada data yang dipindahkan.")
    return RedirectResponse("/kemungkinan-ganda", status_code=303)


# -- a merge and its undo --------------------------------------------------------------------------------------------

async def _show_merge(request: Request, user: Principal, why: str, uow: Uow, merge_ref: UUID, *,
                      values: dict[str, str] | None = None, problems: dict[str, str] | None = None) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        merge = await merges.get(work, merge_ref=merge_ref)
        people = {}
        for side in ("surviving", "retired"):
            people[side] = await women.get(work, person_ref=merge[f"{side}_ref"], area=user.kecamatan)
        await log_reads(conn, request, [merge["surviving_ref"], merge["retired_ref"]], why=why)
        return {"merge": merge, **people}

    found = await read(request, handle)
    return await render(request, "registry/merge.html", {
        "title": "Penggabungan catatan", **found, "facts_of": _facts, "values": values or {},
        "errors": problems or {}, "form_key": str(uuid4())}, status_code=422 if problems else 200)


@pages.get("/penggabungan/{merge_ref}")
async def merge_page(merge_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, uow: Uow) -> Response:
    _reviewer(user)
    return await _show_merge(request, user, why, uow, merge_ref)


@pages.post("/penggabungan/{merge_ref}/batal")
async def undo_merge(merge_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, opd: Opd,
                     today: Today, uow: Uow) -> Response:
    _reviewer(user)
    form = await request.form()
    values = forms.values(form, ("reason",))
    reason = " ".join(values["reason"].split())
    if not 3 <= len(reason) <= 500:
        return await _show_merge(request, user, why, uow, merge_ref, values=values, problems={
            "reason": "Tuliskan alasannya (3 sampai 500 huruf), misalnya: ternyata ibu dan anak dengan nama sama"})

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        merge = await merges.get(work, merge_ref=merge_ref)
        for side in ("surviving_ref", "retired_ref"):
            await women.get(work, person_ref=merge[side], area=user.kecamatan)
        return await merges.undo(work, merge_ref=merge_ref, reason=reason, opd=opd or "dp3a", today=today)

    answer, problems = await submit(request, str(form.get("idempotency_key", "")), handle, model=MergeRead,
                                    known=UNDO_FIELDS, status=200)
    if problems:
        return await _show_merge(request, user, why, uow, merge_ref, values=values, problems=problems)
    await flash(request, f"Penggabungan dibatalkan pada {tanggal(date.fromisoformat(answer['unmerged_on']))} "
                         f"dengan alasan: {answer['unmerge_reason']}. Kedua catatan berdiri sendiri lagi dengan NIK "
                         "dan riwayatnya masing-masing, dan dicatat sebagai dua orang berbeda.")
    return RedirectResponse("/kemungkinan-ganda", status_code=303)
