"""The OAuth2 token endpoint (client-credentials grant) and its public keys.

DP3A runs the registry, so the registry issues the platform's access tokens: RS256 JWTs with iss, aud,
sub (client id), opd, scope, exp, iat, jti. Every service verifies them with the public key alone. A
deployment with its own identity provider points AUTH_ISSUER and AUTH_PUBLIC_KEY(_FILE)/AUTH_JWKS_URL
at it and sets AUTH_ISSUER_ENABLED=false; nothing else changes.
"""

import asyncio
import base64
import binascii
import logging
from pathlib import Path
from typing import Any

from berdaya_shared.auth import DEFAULT_KEY_DIR, key_id, mint_token
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..adapters import clients

log = logging.getLogger(__name__)
router = APIRouter(tags=["Otorisasi (OAuth2)"])
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_DUMMY_HASH = clients.hash_secret("timing-equaliser")


class IssuerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    issuer_enabled: bool = Field(True, description="false when an external identity provider issues tokens")
    issuer: str = "berdaya-registry"
    audience: str = "berdaya"
    private_key: str | None = Field(None, description="PEM of the signing key")
    private_key_file: Path | None = Field(None, description="file holding that PEM (default deploy/.data/keys)")
    token_ttl_s: int = Field(900, ge=60, le=3600, description="access token lifetime")


class TokenIssuer:
    def __init__(self, settings: IssuerSettings) -> None:
        self.settings = settings
        pem = settings.private_key.encode() if settings.private_key else (
            settings.private_key_file or DEFAULT_KEY_DIR / "jwt-private.pem").read_bytes()
        self.key: Any = serialization.load_pem_private_key(pem, password=None)
        self.kid = key_id(self.key.public_key())

    def jwks(self) -> dict[str, Any]:
        from jwt.algorithms import RSAAlgorithm

        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def issue(self, client: clients.Client, scopes: frozenset[str]) -> str:
        s = self.settings
        return mint_token(self.key, issuer=s.issuer, audience=s.audience, client_id=client.client_id,
                          opd=client.opd, scopes=scopes, ttl_s=s.token_ttl_s)


def install(app: FastAPI, settings: IssuerSettings | None = None) -> None:
    """Mount the token endpoint unless an external identity provider is configured."""
    settings = settings or IssuerSettings()
    if not settings.issuer_enabled:
        return
    try:
        app.state.token_issuer = TokenIssuer(settings)
    except (OSError, ValueError) as exc:
        log.warning("token endpoint disabled, no signing key: %s (run `python -m deploy.keys`)", exc)
        app.state.token_issuer = None
    app.include_router(router)


def _oauth_error(status: int, error: str, description: str, pesan: str) -> JSONResponse:
    headers = dict(_NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="berdaya"'
    return JSONResponse({"error": error, "error_description": description, "pesan": pesan, "detail": description},
                        status_code=status, headers=headers)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, secret) if sep else None


@router.post("/oauth/token", summary="Minta token akses (OAuth2 client credentials)",
             description="Formulir application/x-www-form-urlencoded: grant_type=client_credentials, client_id, "
                         "client_secret (atau HTTP Basic), scope opsional (dipisah spasi, bagian dari izin klien). "
                         "Token berlaku singkat (bawaan 15 menit).")
async def token(request: Request) -> JSONResponse:
    issuer: TokenIssuer | None = request.app.state.token_issuer
    if issuer is None:
        return _oauth_error(503, "temporarily_unavailable", "no signing key configured",
                            "Penerbit token belum dikonfigurasi")
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001
        return _oauth_error(400, "invalid_request", "body must be application/x-www-form-urlencoded",
                            "Permintaan harus berupa formulir")
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported",
                            "Hanya grant_type=client_credentials yang didukung")
    basic = _basic_credentials(request)
    client_id, secret = basic or (str(form.get("client_id") or ""), str(form.get("client_secret") or ""))
    if not client_id or not secret or len(client_id) > 200 or len(secret) > 200:
        return _oauth_error(401, "invalid_client", "client_id and client_secret are required",
                            "client_id dan client_secret wajib diisi")
    async with request.app.state.runtime.pool.acquire() as conn:
        found = await clients.get(conn, client_id)
    stored = found[1] if found else _DUMMY_HASH
    ok = await asyncio.to_thread(clients.secret_matches, secret, stored)
    if found is None or not ok or found[0].revoked_at is not None:
        return _oauth_error(401, "invalid_client", "unknown client, wrong secret or revoked client",
                            "Klien tidak dikenal, rahasia salah, atau klien sudah dicabut")
    client = found[0]
    requested = frozenset(str(form.get("scope") or "").split())
    if requested - client.scopes:
        extra = " ".join(sorted(requested - client.scopes))
        return _oauth_error(400, "invalid_scope", f"scope not granted to this client: {extra}",
                            f"Klien tidak memiliki izin: {extra}")
    scopes = requested or client.scopes
    return JSONResponse({
        "access_token": issuer.issue(client, scopes), "token_type": "Bearer",
        "expires_in": issuer.settings.token_ttl_s, "scope": " ".join(sorted(scopes)),
    }, headers=_NO_STORE)


@router.get("/.well-known/jwks.json", summary="Kunci publik penanda tangan token (JWKS)")
async def jwks(request: Request) -> JSONResponse:
    issuer: TokenIssuer | None = request.app.state.token_issuer
    return JSONResponse(issuer.jwks() if issuer else {"keys": []}, headers={"Cache-Control": "max-age=300"})


@router.get("/.well-known/oauth-authorization-server", summary="Metadata penerbit token (RFC 8414)")
async def metadata(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    return {
        "issuer": request.app.state.token_issuer.settings.issuer if request.app.state.token_issuer else None,
        "token_endpoint": f"{base}/oauth/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
    }
