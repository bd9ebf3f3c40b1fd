"""Access tokens for the benchmark, from Keycloak like any outside client's.

Every service process the benchmark starts trusts the local stack's realm (``env()``: issuer by OIDC discovery, the
static test key switched off); requests carry a token of the realm's machine client for an OPD's everyday duty
(client-credentials grant, renewed before it expires), exactly what an agency's application holds.
"""

from functools import cache

from deploy.keycloak.tokens import ClientCredentials, issuer, local


@cache
def _tokens() -> ClientCredentials:
    return local()


def env() -> dict[str, str]:
    """The AUTH_* environment a service process needs to verify these tokens."""
    return {"AUTH_ISSUER": issuer(), "AUTH_PUBLIC_KEY": "", "AUTH_AUDIENCE": ""}


def headers(profile: str = "dp3a") -> dict[str, str]:
    """Bearer header of the machine client of ``profile`` (deploy.keycloak.tokens.MACHINE_CLIENTS), valid at least
    a minute more; ask again for a long phase (tokens live 15 minutes)."""
    return _tokens()[profile]
