"""Which face of the figures a caller gets: exact (internal) with a token holding ``figures:internal``, otherwise
the publication. The figure routes are public, so the token is checked here when one is sent (a bad token is a
401, never a silent downgrade)."""

from typing import Annotated

from berdaya_shared.auth import authenticated
from berdaya_shared.scopes import FIGURES_INTERNAL
from fastapi import Depends, Request


async def _internal(request: Request) -> bool:
    if "authorization" not in request.headers:
        return False
    return authenticated(request).has(FIGURES_INTERNAL)


Internal = Annotated[bool, Depends(_internal)]
