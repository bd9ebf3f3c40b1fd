"""Request-scoped helpers shared by the routers (authentication is app-wide: berdaya_shared.auth)."""

from typing import Annotated
from uuid import uuid4

import asyncpg
from berdaya_contracts.common import OPD
from fastapi import Depends, Header, Request

from ..adapters.crypto import PiiCipher


def pool(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool


def cipher(request: Request) -> PiiCipher:
    return request.app.state.cipher


def correlation_id(request: Request) -> str:
    given = request.headers.get("X-Correlation-ID", "")
    return given if 0 < len(given) <= 100 and given.isprintable() else str(uuid4())


async def actor_opd(
    x_opd: Annotated[OPD | None, Header(alias="X-OPD", description="OPD pelaku (diisi dari token)")] = None,
) -> OPD | None:
    return x_opd


ActorOpd = Annotated[OPD | None, Depends(actor_opd)]
