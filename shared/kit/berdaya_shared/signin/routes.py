"""The sign-in routes of every service: login, callback, logout, signed-out, front-channel logout, purpose, home."""

import logging
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..auth import AuthError, PageRoute, SessionRoute
from ..ui import error_page, render
from ..ui.nav import duties
from . import CurrentUser, SignIn, safe_next

log = logging.getLogger(__name__)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
pages = APIRouter(route_class=SessionRoute, include_in_schema=False)

PURPOSES = (
    ("verifikasi", "Verifikasi data calon peserta atau penerima program"),
    ("pendampingan", "Pendampingan dan layanan langsung kepada perempuan"),
    ("pendataan", "Pendaftaran dan perbaikan data"),
    ("pelatihan", "Absensi dan penilaian peserta pelatihan"),
    ("bantuan", "Penyaluran bantuan atau modal"),
    ("pemantauan", "Pemantauan dan evaluasi program"),
    ("lainnya", "Lainnya (tulis di bawah)"),
)

UNREACHABLE = ("Layanan masuk tidak dapat dihubungi", "Layanan masuk (Keycloak) sedang tidak dapat dihubungi. "
               "Coba lagi beberapa saat lagi; lembar yang tersimpan di perangkat tetap aman.")


def _signin(request: Request) -> SignIn:
    return request.app.state.signin  # type: ignore[no-any-return]


@router.get("/auth/login", name="signin_login")
async def login(request: Request, next: str | None = None) -> Response:
    signin = _signin(request)
    if not signin.enabled:
        return await error_page(request, 503, "Masuk belum disiapkan",
                                "Layanan ini belum dihubungkan ke layanan masuk (AUTH_CLIENT_SECRET belum diatur).")
    request.session["next"] = safe_next(next)
    try:
        return await signin.client.authorize_redirect(  # type: ignore[no-any-return]
            request, signin.base_url(request) + "/auth/callback", ui_locales="id")
    except httpx.HTTPError as exc:
        log.warning("sign-in: identity provider unreachable: %s", exc)
        return await error_page(request, 503, *UNREACHABLE, action_url=request.url.path, action_text="Coba lagi")


@router.get("/auth/callback", name="signin_callback")
async def callback(request: Request) -> Response:
    signin = _signin(request)
    again = {"action_url": "/auth/login", "action_text": "Masuk lagi"}
    if not signin.enabled:
        return await error_page(request, 503, "Masuk belum disiapkan", "Layanan ini belum dihubungkan ke layanan masuk.")
    try:
        tokens: dict[str, Any] = await signin.client.authorize_access_token(request)
        principal = await signin.verifier.verify(tokens["access_token"])
    except OAuthError as exc:
        log.info("sign-in refused: %s", exc)
        return await error_page(request, 400, "Belum berhasil masuk",
                                "Proses masuk tidak selesai atau sudah kedaluwarsa. Silakan masuk lagi.", **again)
    except AuthError as exc:
        log.warning("sign-in: the provider's access token is not accepted here: %s", exc.detail)
        return await error_page(request, 403, "Akun ini tidak dapat dipakai di sini",
                                f"Token dari layanan masuk ditolak ({exc.pesan}).", **again)
    except httpx.HTTPError as exc:
        log.warning("sign-in: identity provider unreachable: %s", exc)
        return await error_page(request, 503, *UNREACHABLE, **again)
    claims = tokens.get("userinfo") or {}
    cookie = await signin.store.create(subject=principal.subject or principal.client_id, username=principal.client_id,
                                       idp_session=claims.get("sid"), tokens=tokens)
    response = RedirectResponse(safe_next(request.session.pop("next", None)), status_code=303)
    signin.set_cookie(response, cookie)
    return response


@router.post("/auth/logout", name="signin_logout")
async def logout(request: Request) -> Response:
    """End the session here and at the provider; the provider sends the browser back to /auth/signed-out."""
    signin = _signin(request)
    ended = await signin.end(request)
    target = signin.base_url(request) + "/auth/signed-out"
    if ended and ended.get("id_token") and signin.enabled:
        try:
            result = await signin.client.create_logout_url(post_logout_redirect_uri=target,
                                                           id_token_hint=ended["id_token"])
            target = result["url"]
        except (httpx.HTTPError, RuntimeError) as exc:
            log.warning("sign-out: the provider's session could not be ended: %s", exc)
    response = RedirectResponse(target, status_code=303)
    signin.clear_cookie(response)
    return response


@router.get("/auth/signed-out", name="signin_signed_out")
async def signed_out(request: Request) -> Response:
    """Signed out: the browser is told to wipe this site's storage (the offline outbox with its names, the service
    worker's caches); app.js does the same for browsers that ignore Clear-Site-Data."""
    response = await render(request, "ui/pages/signed_out.html", {"title": "Anda sudah keluar"})
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    _signin(request).clear_cookie(response)
    return response


@router.get("/auth/frontchannel-logout", name="signin_frontchannel_logout")
async def frontchannel_logout(request: Request, sid: str | None = None, iss: str | None = None) -> Response:
    """OIDC Front-Channel Logout 1.0: the provider, signing the user out elsewhere, ends this service's sessions of
    the same provider session (``sid``). Loaded by the provider's sign-out page in an iframe."""
    signin = _signin(request)
    if sid and (iss is None or iss == signin.verifier.settings.issuer):
        ended = await signin.store.delete_idp_session(sid)
        log.info("front-channel sign-out: %d session(s) ended", ended)
    issuer_origin = "/".join(signin.verifier.settings.issuer.split("/")[:3])
    return Response("", media_type="text/html", headers={
        "Cache-Control": "no-store",
        "Content-Security-Policy": f"default-src 'none'; frame-ancestors {issuer_origin}"})


@pages.get("/beranda", name="signin_home")
async def home(request: Request, user: CurrentUser) -> Response:
    return await render(request, "ui/pages/home.html", {"title": "Beranda", "duties": duties(user)})


@pages.get("/auth/purpose", name="signin_purpose")
async def purpose_form(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    return await _purpose_page(request, next, None, "", {})


@pages.post("/auth/purpose", name="signin_purpose_save")
async def purpose_save(request: Request, user: CurrentUser) -> Response:
    form = await request.form()
    chosen, other, next_url = (str(form.get(k, "")).strip() for k in ("purpose", "other", "next"))
    labels = dict(PURPOSES)
    errors: dict[str, str] = {}
    if chosen not in labels:
        errors["purpose"] = "Pilih salah satu tujuan"
    elif chosen == "lainnya" and not 5 <= len(other) <= 200:
        errors["other"] = "Tulis tujuan Anda (5 sampai 200 huruf)"
    if errors:
        return await _purpose_page(request, next_url, chosen, other, errors, status_code=422)
    purpose = other if chosen == "lainnya" else labels[chosen]
    await _signin(request).store.set_purpose(request.state.web_session, purpose)
    return RedirectResponse(safe_next(next_url), status_code=303)


async def _purpose_page(request: Request, next_url: str | None, chosen: str | None, other: str,
                        errors: dict[str, str], status_code: int = 200) -> Response:
    return await render(request, "ui/pages/purpose.html", {
        "title": "Tujuan membuka data pribadi", "purposes": PURPOSES, "chosen": chosen, "other": other,
        "errors": errors, "next": safe_next(next_url)}, status_code=status_code)


router.include_router(pages)
