"""Access tokens for the benchmark: one RSA keypair per run, never written to disk.

Every service process the benchmark starts gets the public key (AUTH_PUBLIC_KEY) and the registry the
private one (AUTH_PRIVATE_KEY, for its token endpoint); requests carry a bearer token minted here with
an OPD's default client scopes, exactly what an agency's staff application holds.
"""

from functools import cache
from typing import Any

from berdaya_shared.auth import mint_token, new_signing_key, private_pem, public_pem
from berdaya_shared.scopes import PROFILES

ISSUER = "berdaya-bench"
AUDIENCE = "berdaya"


@cache
def _key() -> Any:
    return new_signing_key()


def env() -> dict[str, str]:
    """The AUTH_* environment a service process needs to verify (and the registry to sign) these tokens."""
    return {"AUTH_PUBLIC_KEY": public_pem(_key()), "AUTH_PRIVATE_KEY": private_pem(_key()), "AUTH_ISSUER": ISSUER,
            "AUTH_AUDIENCE": AUDIENCE}


def headers(profile: str = "dp3a", *, ttl_s: int = 4 * 3600) -> dict[str, str]:
    """Bearer header of a client of ``profile`` (berdaya_shared.scopes.PROFILES), valid for the whole run."""
    opd, scopes = PROFILES[profile]
    token = mint_token(_key(), issuer=ISSUER, audience=AUDIENCE, client_id=f"bench-{profile}", opd=opd,
                       scopes=scopes, ttl_s=ttl_s)
    return {"Authorization": f"Bearer {token}"}
