"""The API documentation pages of every service, served from vendored assets, with "Authorize" against the IdP.

- The document tells the truth (``truth``): the error body every refusal answers, the refusals each operation can
  answer, field titles in Bahasa Indonesia.
- The OpenAPI document declares the identity provider as an ``openIdConnect`` security scheme (its discovery URL)
  and marks every operation that needs a token, naming the scope the route requires (from the service's Policy).
- ``/docs`` (Swagger UI 5.35.0) and ``/redoc`` (ReDoc 2.5.4) load only this service's files (npm ``swagger-ui-dist``
  and ``redoc``, pinned, with their licences, in ``apidocs/static``; VENDORED.md lists versions and checksums). No
  CDN: the pages work on a network that reaches nothing else.
- "Authorize" signs in with the authorization code flow and PKCE through the public client ``berdaya-docs``
  (redirect ``/docs/oauth2-redirect``); the token then goes with every "Try it out" request.
- The pages carry the kit's security headers; their CSP lets scripts call the identity provider (discovery and the
  token endpoint) and nothing else, and allows no inline script (Swagger UI's initialiser is ``docs-init.js``).
"""

import hashlib
from html import escape
from importlib.resources import files
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRouter

from ..auth import AuthSettings, PageRoute, Policy
from ..ui import AssetFiles
from ..ui.security import content_security_policy
from .truth import tell_the_truth

STATIC = files("berdaya_shared.apidocs").joinpath("static")
SCHEME = "keycloak"
DOCS_CLIENT = "berdaya-docs"


def _version(name: str) -> str:
    return hashlib.sha256(STATIC.joinpath(name).read_bytes()).hexdigest()[:12]


def secure_openapi(app: FastAPI, auth: AuthSettings) -> None:
    """Make ``app.openapi()`` declare the identity provider and, per operation, the token and scope it needs."""

    def openapi() -> dict[str, object]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                             tags=app.openapi_tags)
        schema.setdefault("components", {})["securitySchemes"] = {SCHEME: {
            "type": "openIdConnect", "openIdConnectUrl": auth.discovery(),
            "description": "Masuk melalui layanan masuk Berdaya (Keycloak): staf dengan akun OPD, aplikasi dengan "
                           "client credentials. Token akses dikirim sebagai `Authorization: Bearer <token>`."}}
        policy: Policy = app.state.auth_policy
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                rule = policy.rule_for(method.upper(), path)
                if rule is not None and rule.public:
                    continue
                operation["security"] = [{SCHEME: []}]
                if rule is not None and rule.scope:
                    note = f"Izin yang diperlukan: `{rule.scope}`."
                    operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
        app.openapi_schema = tell_the_truth(schema, policy)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _page(title: str, head: str, body: str) -> str:
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f'{head}</head><body>{body}</body></html>')


def install_docs(app: FastAPI, auth: AuthSettings) -> None:
    """``/docs``, ``/docs/oauth2-redirect``, ``/redoc`` and the secured OpenAPI document (see the module docstring)."""
    secure_openapi(app, auth)
    app.mount("/static/docs", AssetFiles(directory=str(STATIC)), name="docs-static")
    issuer = urlsplit(auth.issuer)
    issuer_origin = f"{issuer.scheme}://{issuer.netloc}"
    csp = content_security_policy(connect=[issuer_origin], form_action=[issuer_origin])
    # ReDoc renders with styled-components, which writes <style> elements: its page alone allows inline styles.
    redoc_csp = content_security_policy(extra={"style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"})
    headers = {"Content-Security-Policy": csp, "Cache-Control": "no-cache"}
    asset = {name: f"/static/docs/{name}?v={_version(name)}" for name in (
        "swagger-ui.css", "swagger-ui-bundle.js", "docs-init.js", "oauth2-redirect.js", "redoc.standalone.js")}
    router = APIRouter(route_class=PageRoute, include_in_schema=False)

    @router.get("/docs")
    async def swagger() -> HTMLResponse:
        head = f'<link rel="stylesheet" href="{asset["swagger-ui.css"]}">'
        body = (f'<div id="swagger-ui" data-openapi="{app.openapi_url}" data-client-id="{DOCS_CLIENT}" '
                f'data-redirect="/docs/oauth2-redirect"></div>'
                f'<script src="{asset["swagger-ui-bundle.js"]}"></script><script src="{asset["docs-init.js"]}"></script>')
        return HTMLResponse(_page(f"{app.title} · API", head, body), headers=headers)

    @router.get("/docs/oauth2-redirect")
    async def swagger_redirect() -> HTMLResponse:
        body = f'<script src="{asset["oauth2-redirect.js"]}"></script>'
        return HTMLResponse(_page("Masuk", "", body), headers=headers)

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        body = (f'<redoc spec-url="{app.openapi_url}" hide-download-button></redoc>'
                f'<script src="{asset["redoc.standalone.js"]}"></script>')
        return HTMLResponse(_page(f"{app.title} · API", "", body),
                            headers={**headers, "Content-Security-Policy": redoc_csp})

    app.include_router(router)
