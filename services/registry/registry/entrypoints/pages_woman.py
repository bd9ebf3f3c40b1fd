"""A woman's page (DP3A, Diskop UKM): her profile, welfare assessments with the per-capita income against the
poverty line, aid (case notes only for readers with aid_notes:read, each such read logged), businesses with their
monthly reports, cooperative memberships, capital, and her journey across OPDs (``journey_lines``: courses,
placement, booths, listings, sales, from the events the registry reads). A personal-data read: the purpose declared
for the session is logged with it; limited to the user's kecamatan like the API."""

from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared import scopes as s
from berdaya_shared.auth import Principal, SessionRoute
from berdaya_shared.signin import CurrentUser
from berdaya_shared.signin import Purpose as SessionPurpose
from berdaya_shared.ui import render
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..service_layer import journey
from ..service_layer.overview import overview
from . import journey_lines
from .deps import Uow, log_reads
from .pages_common import KECAMATAN_CHOICES, PEKKA_LABELS, place, read

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)

AID_KINDS = {"legal_assistance": "Pendampingan hukum", "social_aid": "Bantuan sosial", "counselling": "Konseling",
             "shelter": "Rumah aman"}
COOP_KINDS = {"simpan_pinjam": "Simpan pinjam", "produsen": "Produsen", "konsumen": "Konsumen",
              "pemasaran": "Pemasaran", "jasa": "Jasa", "serba_usaha": "Serba usaha"}
SECTORS = (("kuliner", "Kuliner"), ("kerajinan", "Kerajinan"), ("fesyen", "Fesyen"), ("pertanian", "Pertanian"),
           ("perikanan", "Perikanan"), ("perdagangan", "Perdagangan"), ("jasa", "Jasa"),
           ("industri_kreatif", "Industri kreatif"), ("lainnya", "Lainnya"))
SOURCES = (("kur", "KUR"), ("coop_loan", "Pinjaman koperasi"), ("dp3a_grant", "Hibah DP3A"),
           ("diskop_grant", "Hibah Diskop UKM"), ("other", "Lainnya"))
RECIPIENTS = {"woman": "Dirinya", "business": "Usahanya", "coop": "Koperasinya"}
VERIFY = {"birth_date_differs_from_nik": "Tanggal lahir di KTP berbeda dengan tanggal pada NIK (sudah dikonfirmasi "
                                         "petugas; perlu diverifikasi)"}


async def show_woman(request: Request, user: Principal, why: str, uow: Uow, person_ref: UUID, *,
                     form_name: str | None = None, values: dict[str, str] | None = None,
                     problems: dict[str, str] | None = None) -> Response:
    """Her page; ``form_name`` names the form on it refused with ``problems`` (422), shown with ``values``."""
    notes = user.has(s.AID_NOTES_READ)

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        found = await overview(uow(conn), person_ref=person_ref, area=user.kecamatan, case_notes=notes)
        found["journey"] = await journey.timeline(uow(conn), person_ref=person_ref)
        await log_reads(conn, request, [person_ref], why=why)
        return found

    found = await read(request, handle)
    woman = found["woman"]
    businesses = {b["business_ref"]: b["name"] for b in found["businesses"]}
    steps = journey_lines.lines(found.pop("journey"), {str(ref): name for ref, name in businesses.items()})
    return await render(request, "registry/woman.html", {
        "title": woman["full_name"] or "Data pribadi dihapus", **found, "case_notes": notes,
        "place": place(woman["kecamatan_code"], woman["desa_code"]),
        "pekka": PEKKA_LABELS.get(woman["pekka_category"], woman["pekka_category"]),
        "verify": [VERIFY.get(v, v) for v in woman["needs_verification"]],
        "aid_kinds": AID_KINDS, "coop_kinds": COOP_KINDS, "recipients": RECIPIENTS, "business_names": businesses,
        "journey": steps,
        "place_of": place, "kecamatan": KECAMATAN_CHOICES, "sectors": SECTORS, "sources": SOURCES,
        "form_name": form_name, "values": values or {}, "errors": problems or {},
        "form_keys": {"usaha": str(uuid4()), "modal": str(uuid4())}}, status_code=422 if problems else 200)


@pages.get("/perempuan/{person_ref}")
async def woman_page(person_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose,
                     uow: Uow) -> Response:
    return await show_woman(request, user, why, uow, person_ref)
