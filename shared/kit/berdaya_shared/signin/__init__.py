"""Staff sign-in for every service's pages: OIDC authorization code with PKCE (S256), server-side sessions.

``install_signin`` (called by ``service.build_app``) registers the service's confidential client at the configured
issuer with authlib's Starlette client (discovery, state, nonce, PKCE) and adds ``/auth/login``, ``/auth/callback``,
``/auth/logout`` (ends the provider's session too: ``end_session_endpoint`` with ``id_token_hint`` and
``post_logout_redirect_uri``), ``/auth/signed-out`` (which wipes the offline store), ``/auth/frontchannel-logout``
and ``/auth/purpose`` (the purpose of personal-data reads, asked once per session).

The session lives in ``web_sessions`` (``sessions.SessionStore``); the browser keeps only a random id in an
HttpOnly, SameSite=Lax cookie (Secure, with the ``__Host-`` prefix, behind TLS), plus authlib's short-lived login
state in a signed cookie. Each page request finds the session, refreshes its tokens when the access token expires,
and verifies the access token exactly as an API bearer token (``auth.Verifier``): the page's Principal is the
token's. Without a session a page navigation is redirected to sign-in (303); an htmx or fetch request gets 401
(htmx with ``HX-Redirect``), never Keycloak's HTML.
"""

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from authlib.integrations.starlette_client import OAuth
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import errors
from ..auth import AuthError, AuthSettings, Principal, Verifier
from ..ui import wants_page
from ..ui.config import UiSettings
from .sessions import SessionStore

log = logging.getLogger(__name__)


class SignInRequired(errors.Unauthenticated):
    """No live session: the user must sign in (again) to see ``next``."""

    def __init__(self, next_url: str, target: str = "/auth/login") -> None:
        super().__init__("Sesi Anda sudah berakhir atau belum masuk; silakan masuk", "sign-in required")
        self.location = f"{target}?next={quote(next_url, safe='')}"


class PurposeRequired(SignInRequired):
    """A personal-data page before the user declared her purpose for this session."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url, "/auth/purpose")
        self.pesan = "Nyatakan dahulu tujuan Anda membuka data pribadi"
        self.detail = "purpose required"


def safe_next(value: str | None) -> str:
    """A local path to return to after sign-in ("/beranda" when absent or pointing elsewhere)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/beranda"
    return value


def client_secret(settings: AuthSettings, client_id: str) -> str | None:
    if settings.client_secret is not None:
        return settings.client_secret.get_secret_value()
    if settings.client_secrets_file:
        try:
            with open(settings.client_secrets_file, encoding="utf-8") as f:
                return json.load(f).get("clients", {}).get(client_id)  # type: ignore[no-any-return]
        except (OSError, ValueError) as exc:
            log.warning("sign-in disabled: cannot read AUTH_CLIENT_SECRETS_FILE: %s", exc)
    return None


class SignIn:
    """One service's sign-in: the OAuth client, the session store and the cookie."""

    def __init__(self, app: FastAPI, *, service: str, auth: AuthSettings, ui: UiSettings, verifier: Verifier) -> None:
        self.service = service
        self.ui = ui
        self.verifier = verifier
        self.client_id = auth.client_id or f"berdaya-{service}"
        self.secret = client_secret(auth, self.client_id)
        self.cookie = f"__Host-berdaya-{service}" if ui.secure_cookies else f"berdaya_session_{service}"
        self.store = SessionStore(lambda: app.state.runtime.pool, idle_s=ui.session_idle_s, max_s=ui.session_max_s)
        self.oauth = OAuth()
        self.client: Any = None
        if self.secret is not None:
            self.client = self.oauth.register(
                name=service, client_id=self.client_id, client_secret=self.secret,
                server_metadata_url=auth.discovery(),
                client_kwargs={"scope": "openid", "code_challenge_method": "S256", "timeout": 10})

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def base_url(self, request: Request) -> str:
        return (self.ui.public_url or str(request.base_url)).rstrip("/")

    async def principal(self, request: Request) -> Principal:
        """The signed-in user of a page request (``enforce`` calls this for every ``SessionRoute``)."""
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        cookie = request.cookies.get(self.cookie)
        session = await self.store.touch(cookie) if cookie else None
        if session is None:
            raise SignInRequired(here)
        if session["access_expires_at"] <= datetime.now(UTC) + timedelta(seconds=20):
            session = await self.store.refresh(session, self.refresh_tokens)
            if session is None:
                raise SignInRequired(here)
        try:
            principal = await self.verifier.verify(session["access_token"])
        except AuthError:
            raise SignInRequired(here) from None
        request.state.web_session = session
        return principal

    async def refresh_tokens(self, refresh_token: str) -> dict[str, Any] | None:
        """New tokens for a refresh token; None when the provider refuses it (session ended, token reused)."""
        try:
            metadata = await self.client.load_server_metadata()
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.post(metadata["token_endpoint"], data={
                    "grant_type": "refresh_token", "refresh_token": refresh_token}, auth=(self.client_id, self.secret))
        except httpx.HTTPError as exc:
            log.warning("token refresh failed: %s", exc)
            return None
        return answer.json() if answer.status_code == 200 else None  # type: ignore[no-any-return]

    async def end(self, request: Request) -> dict[str, Any] | None:
        cookie = request.cookies.get(self.cookie)
        return await self.store.delete(cookie) if cookie else None

    def set_cookie(self, response: Response, value: str) -> None:
        response.set_cookie(self.cookie, value, httponly=True, samesite="lax", secure=self.ui.secure_cookies, path="/")

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(self.cookie, path="/", secure=self.ui.secure_cookies, httponly=True, samesite="lax")

    def login_state_secret(self) -> str:
        """The key of authlib's signed login-state cookie: derived from the client secret, so it survives restarts
        and differs per service; random when sign-in is not configured."""
        import secrets

        if self.secret is None:
            return secrets.token_urlsafe(32)
        return hashlib.sha256(b"berdaya login state\x00" + self.secret.encode()).hexdigest()


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if wants_page(request):
        return RedirectResponse(exc.location, status_code=303)
    headers = {"HX-Redirect": exc.location} if "HX-Request" in request.headers else {}
    body = {**exc.body(), "masuk": exc.location}
    return JSONResponse(body, status_code=401, headers=headers)


async def current_user(request: Request) -> Principal:
    """The signed-in user of a staff page (a ``SessionRoute``)."""
    principal = getattr(request.state, "principal", None)
    if principal is None or getattr(request.state, "web_session", None) is None:
        raise RuntimeError("CurrentUser is for staff pages (SessionRoute)")
    return principal  # type: ignore[no-any-return]


async def declared_purpose(request: Request, _user: Annotated[Principal, Depends(current_user)]) -> str:
    """The purpose the user declared for personal-data reads in this session (asked first if she has not)."""
    purpose = request.state.web_session.get("purpose")
    if not purpose:
        raise PurposeRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return str(purpose)


CurrentUser = Annotated[Principal, Depends(current_user)]
Purpose = Annotated[str, Depends(declared_purpose)]


async def flash(request: Request, message: str) -> None:
    """Show ``message`` (what was recorded) on the user's next page."""
    await request.app.state.signin.store.add_flash(request.state.web_session, message)


class LoginState:
    """Starlette's signed-cookie session, for authlib's short-lived login state, on the /auth/ routes only (API
    requests do not pay for it)."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        self.app = app
        self.with_state = SessionMiddleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = self.with_state if scope["type"] == "http" and scope["path"].startswith("/auth/") else self.app
        await target(scope, receive, send)


def install_signin(app: FastAPI, *, service: str, auth: AuthSettings, ui: UiSettings, verifier: Verifier) -> SignIn:
    """Sign-in routes, the session middleware for authlib's login state and the session lookup for pages."""
    from .routes import router

    signin = SignIn(app, service=service, auth=auth, ui=ui, verifier=verifier)
    app.state.signin = signin
    app.state.web_sessions = signin.store
    app.state.session_principal = signin.principal
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_middleware(LoginState, secret_key=signin.login_state_secret(), session_cookie=f"berdaya_login_{service}",
                       max_age=600, same_site="lax", https_only=ui.secure_cookies)
    app.include_router(router)
    return signin


__all__ = ["CurrentUser", "Purpose", "PurposeRequired", "SignIn", "SignInRequired", "flash", "install_signin"]
