"""The UI kit every service's staff pages are built from: one layout, one navigation bar, one look.

``setup_ui(app, service=..., templates=...)`` (called by ``service.build_app``) gives the app:

- a Jinja environment (jinja2-fragments' ``Jinja2Blocks``) that looks in the service's own ``templates/`` first, then
  the kit's (``ui/base.html``, ``ui/macros/*.html``, ``ui/pages/*.html``), autoescaping everything;
- the kit's assets at ``/static/ui/`` (berdaya.css, htmx 2.0.11, app.js, offline.js, names.js, enrol.js), addressed
  with a content hash (``asset('app.js')`` → ``/static/ui/app.js?v=…``) so browsers cache them for a year and fetch
  a changed one at once;
- the service worker at ``/sw.js`` (scope: the whole service) for sheets that work offline;
- an HTML error page for refusals on staff pages (a JSON body stays the answer everywhere else).

Pages render with ``await render(request, "training/course.html", {...}, block="sheet")``: a full page, or only the
named block for an htmx request (``HX-Request``; a history restore gets the full page), with ``Vary: HX-Request``.
"""

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.types import Scope

from .. import errors
from ..auth import PageRoute, SessionRoute
from ..http import status_of
from . import formats
from .config import UiSettings
from .forms import new_form_key
from .nav import links, opd_label
from .places import kecamatan_name

STATIC = files("berdaya_shared.ui").joinpath("static")
YEAR = "public, max-age=31536000, immutable"


class AssetFiles(StaticFiles):
    """Static files cached for a year when addressed with their content hash (``?v=``), revalidated otherwise."""

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = YEAR if b"v=" in scope.get("query_string", b"") else "no-cache"
        return response


def wants_page(request: Request) -> bool:
    """A top-level navigation (a link, a form posted by the browser) rather than htmx or a script's fetch: it gets
    an HTML page (or a redirect); the others get the JSON error body or a 401."""
    if "HX-Request" in request.headers:
        return False
    mode = request.headers.get("sec-fetch-mode")
    if mode is not None:
        return mode == "navigate"
    return "text/html" in request.headers.get("accept", "")


def field_id(name: str) -> str:
    """The HTML id of a form field: ``records.0.present`` → ``f-records-0-present``."""
    return "f-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


@dataclass
class Ui:
    service: str
    settings: UiSettings
    templates: Jinja2Blocks
    versions: dict[str, str]

    def asset(self, name: str) -> str:
        version = self.versions.get(name)
        return f"/static/ui/{name}?v={version}" if version else f"/static/ui/{name}"

    async def context(self, request: Request) -> dict[str, Any]:
        route = request.scope.get("route")
        user = getattr(request.state, "principal", None) if isinstance(route, SessionRoute) else None
        flashes: list[str] = []
        store = getattr(request.app.state, "web_sessions", None)
        session = getattr(request.state, "web_session", None)
        if store is not None and session is not None and user is not None and "HX-Request" not in request.headers:
            flashes = await store.take_flashes(session)
        return {
            "user": user, "nav": links(user, self.service, self.settings) if user else [], "flashes": flashes,
            "home_url": "/beranda", "signout_url": "/auth/logout", "purpose_url": "/auth/purpose",
            "login_url": "/auth/login", "service": self.service,
            "purpose": session.get("purpose") if session else None,
        }

    async def render(self, request: Request, name: str, context: dict[str, Any] | None = None, *,
                     block: str | None = None, status_code: int = 200, offline: bool = False,
                     headers: dict[str, str] | None = None) -> HTMLResponse:
        """The page ``name`` (or its ``block`` for an htmx request) with the kit's context and ``context``.

        ``offline``: a sheet the service worker keeps for use without signal (``X-Berdaya-Offline: 1``)."""
        values = {**await self.context(request), **(context or {})}
        partial = block if "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers \
            else None
        extra = {"Vary": "HX-Request"}
        if isinstance(request.scope.get("route"), SessionRoute):
            extra["Cache-Control"] = "no-store"  # personal data stays out of shared caches and the back button
        if offline:
            extra["X-Berdaya-Offline"] = "1"
        response = self.templates.TemplateResponse(request, name, values, status_code=status_code,
                                                   headers={**extra, **(headers or {})},
                                                   **({"block_name": partial} if partial else {}))
        assert isinstance(response, HTMLResponse)
        return response


def _versions() -> dict[str, str]:
    return {entry.name: hashlib.sha256(entry.read_bytes()).hexdigest()[:12]
            for entry in STATIC.iterdir() if entry.is_file()}


def environment(templates: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates:
        loaders.append(jinja2.PackageLoader(templates, "templates"))
    loaders.append(jinja2.PackageLoader("berdaya_shared.ui", "templates"))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True, trim_blocks=False)
    for name in ("tanggal", "tanggal_waktu", "rupiah", "angka", "desimal", "persen", "bulan_tahun"):
        env.filters[name] = env.globals[name] = getattr(formats, name)
    env.globals.update(field_id=field_id, opd_label=opd_label, new_form_key=new_form_key, kecamatan_name=kecamatan_name)
    return env


def setup_ui(app: FastAPI, *, service: str, settings: UiSettings | None = None, templates: str | None = None) -> Ui:
    """Install the kit's templates, assets, service worker and HTML error pages on ``app`` (see the module doc)."""
    settings = settings or UiSettings()
    blocks = Jinja2Blocks(env=environment(templates))
    ui = Ui(service, settings, blocks, _versions())
    blocks.env.globals["asset"] = ui.asset
    blocks.env.globals["offline_days"] = settings.offline_days
    app.state.ui = ui
    app.mount("/static/ui", AssetFiles(directory=str(STATIC)), name="ui-static")

    @app.get("/sw.js", include_in_schema=False)
    async def service_worker() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("sw.js")), media_type="text/javascript",
                            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})

    json_refused = app.exception_handlers.get(errors.Refusal)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.Refusal)
        if isinstance(request.scope.get("route"), PageRoute) and wants_page(request):
            return await error_page(request, status_of(exc), "Tidak dapat dilanjutkan", exc.pesan)
        if json_refused is not None:
            return await json_refused(request, exc)  # type: ignore[no-any-return, misc]
        return JSONResponse(exc.body(), status_code=status_of(exc))

    app.add_exception_handler(errors.Refusal, refused)
    return ui


async def render(request: Request, name: str, context: dict[str, Any] | None = None, **kwargs: Any) -> HTMLResponse:
    """``Ui.render`` of the request's app."""
    ui: Ui = request.app.state.ui
    return await ui.render(request, name, context, **kwargs)


async def error_page(request: Request, status_code: int, heading: str, message: str, *,
                     action_url: str | None = None, action_text: str | None = None) -> HTMLResponse:
    """The kit's error page (Indonesian texts given by the caller)."""
    request.scope["berdaya_kit_page"] = True
    return await render(request, "ui/pages/error.html", {
        "heading": heading, "message": message, "action_url": action_url, "action_text": action_text,
        "title": heading}, status_code=status_code)
