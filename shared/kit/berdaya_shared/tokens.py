"""Signing access tokens with a key you hold: the static-key mode's other half (tests, tools).

The services never sign tokens: the identity provider does. These helpers mint RS256 tokens carrying the same claims
(``iss``, ``aud``, ``sub``, ``opd``, ``scope``, ``exp``, ``iat``) for tests that are not about authentication and run
the services with ``AUTH_PUBLIC_KEY`` (see ``berdaya_shared.auth``).
"""

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterable
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Where development keys used to live; read only by the registry's retired token endpoint.


def new_signing_key() -> Any:
    """A fresh RSA 2048 key for signing access tokens."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(private_key: Any) -> str:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()


def public_pem(private_key: Any) -> str:
    return private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(public_key: Any) -> str:
    """The RFC 7638 thumbprint of an RSA public key: the `kid` of tokens and of the JWKS entry."""
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def load_public_key(text: str) -> Any:
    """A PEM public key, or one JWK (JSON), parsed once so each request only verifies.

    Raises RuntimeError naming the problem when the text is neither."""
    try:
        if text.lstrip().startswith("{"):
            return jwt.PyJWK.from_json(text).key
        return serialization.load_pem_public_key(text.encode())
    except Exception as exc:  # noqa: BLE001
        raise RuntimeError(f"the AUTH public key is not a readable public key: {exc}") from exc


def mint_token(
    private_key: Any,
    *,
    issuer: str,
    audience: str | list[str],
    client_id: str,
    opd: str | None,
    scopes: Iterable[str],
    ttl_s: int = 900,
    now: float | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """An RS256 access token for ``client_id`` (``sub``) of ``opd`` holding ``scopes`` (space-separated ``scope``),
    valid ``ttl_s`` seconds from ``now`` (default: the current time); ``extra`` claims are added as they are."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": issuer, "aud": audience, "sub": client_id, "scope": " ".join(sorted(set(scopes))),
        "iat": issued, "nbf": issued, "exp": issued + ttl_s, "jti": uuid.uuid4().hex,
    }
    if opd:
        claims["opd"] = opd
    claims.update(extra or {})
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": key_id(private_key.public_key())})
