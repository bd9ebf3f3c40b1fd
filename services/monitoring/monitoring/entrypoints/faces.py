"""Which face of the figures a caller gets: exact (internal) with a token holding ``figures:internal``, otherwise
the publication. The figure routes are public, so the token is checked here when one is sent (a bad token is a
401, never a silent downgrade). The token is verified with the provider's keys fetched when not yet held, so the
first caller after a start is not refused for keys the service has not fetched yet."""

from typing import Annotated

from berdaya_shared.auth import verify_request
from berdaya_shared.scopes import FIGURES_INTERNAL
from fastapi import Depends, Request


async def _internal(request: Request) -> bool:
    if "authorization" not in request.headers:
        return False
    return (await verify_request(request)).has(FIGURES_INTERNAL)  # may fetch the provider's keys: a first caller


Internal = Annotated[bool, Depends(_internal)]
