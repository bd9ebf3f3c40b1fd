"""A tiny service built with the kit's ``build_app`` and UI kit, to test the kit as a user meets it: sign-in, the
layout and navigation, a form with field errors and Indonesian formats, a table, a page needing a scope, a page
needing a declared purpose, and an attendance-like sheet that works offline (applied once per sheet version)."""

import json
from typing import Annotated, Any

from berdaya_shared import errors
from berdaya_shared.auth import AuthSettings, Policy, Rule, SessionRoute
from berdaya_shared.entrypoints import command
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.service import ServiceSpec, build_app
from berdaya_shared.signin import CurrentUser, Purpose, flash
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.config import UiSettings
from berdaya_shared.ui.formats import angka, parse_rupiah, parse_tanggal, rupiah, tanggal
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)

PARTICIPANTS = [("P-01", "Siti Aminah"), ("P-02", "Rahmawati"), ("P-03", "Nur <script>alert(1)</script> Hasanah")]
FIELDS = ("nama", "modal", "tanggal")


@pages.get("/demo/formulir")
async def form_page(request: Request, user: CurrentUser) -> Response:
    return await render(request, "demo/form.html", {"title": "Formulir uji", "values": {}, "errors": {}})


@pages.post("/demo/formulir")
async def form_save(request: Request, user: CurrentUser) -> Response:
    form = await request.form()
    values = forms.values(form, FIELDS)
    problems: dict[str, str] = {}
    if not values["nama"].strip():
        problems["nama"] = "Nama wajib diisi"
    parsed: dict[str, Any] = {}
    for name, parse in (("modal", parse_rupiah), ("tanggal", parse_tanggal)):
        try:
            parsed[name] = parse(values[name], field=name)
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    if problems:
        return await render(request, "demo/form.html", {"title": "Formulir uji", "values": values,
                                                        "errors": forms.merge(problems)}, status_code=422)
    await flash(request, f"Tercatat: {values['nama']}, modal {rupiah(parsed['modal'])}, "
                         f"tanggal {tanggal(parsed['tanggal'])}")
    return RedirectResponse("/demo/formulir", status_code=303)


@pages.get("/demo/tabel")
async def table_page(request: Request, user: CurrentUser, page: int = 1) -> Response:
    note = "Kunjungan lapangan berikutnya menunggu jadwal bersama pendamping desa"
    rows = [[f"Kecamatan {i:02d}", angka(i * 1234), rupiah(i * 1_500_000), note, note, note] for i in range(1, 41)]
    pages_total = 4
    return await render(request, "demo/table.html", {
        "title": "Tabel uji", "rows": rows[(page - 1) * 10: page * 10], "page": page, "pages": pages_total},
        block="table")


@pages.get("/demo/rahasia")
async def secret_page(request: Request, user: CurrentUser) -> Response:
    return await render(request, "demo/secret.html", {"title": "Jejak audit"})


@pages.get("/demo/data-pribadi")
async def personal_page(request: Request, user: CurrentUser, purpose: Purpose) -> Response:
    return await render(request, "demo/personal.html", {"title": "Data pribadi", "purpose_shown": purpose,
                                                        "participants": PARTICIPANTS})


@pages.get("/demo/lembar/{session_no}")
async def sheet_page(request: Request, user: CurrentUser, session_no: int) -> Response:
    return await render(request, "demo/sheet.html", {"title": f"Absensi sesi {session_no}", "session_no": session_no,
                                                     "participants": PARTICIPANTS}, offline=True)


@pages.post("/demo/lembar/{session_no}")
async def sheet_save(request: Request, user: CurrentUser, session_no: int,
                     present: Annotated[list[str] | None, Form()] = None) -> Response:
    body = {"session_no": session_no, "present": sorted(present or [])}
    if session_no > 10:
        raise errors.Invalid("Pelatihan ini hanya punya 10 sesi", f"no session {session_no}", field="session_no")

    async def apply(conn: Any) -> dict[str, Any]:
        await conn.execute("INSERT INTO demo_sheets (sheet, body) VALUES ($1, $2::jsonb)",
                           f"sesi-{session_no}", json.dumps(body))
        return {"recorded": len(body["present"]), "session_no": session_no}

    answer = await command(request, apply, model=dict[str, Any], status=201)
    if "application/json" in request.headers.get("accept", ""):
        return answer
    await flash(request, f"Absensi sesi {session_no} tercatat")
    return RedirectResponse(f"/demo/lembar/{session_no}", status_code=303)


POLICY = Policy({
    ("POST", "/demo/formulir"): Rule("women:write"),
    ("POST", "/demo/lembar/{session_no}"): Rule("courses:write"),
    ("GET", "/demo/rahasia"): Rule("audit:read"),
})

SPEC = ServiceSpec(name="demo", title="Uji kit", description="Layanan uji kit antarmuka", policy=POLICY,
                   routers=lambda: [pages], migrations="tests.ui.demo.migrations", templates="tests.ui.demo")


def create_app(*, database_url: str, messaging: MessagingSettings, auth: AuthSettings, ui: UiSettings) -> FastAPI:
    return build_app(SPEC, database_url=database_url, messaging=messaging, auth=auth, ui=ui)

