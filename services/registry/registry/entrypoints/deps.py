"""Request-scoped helpers shared by the routers. Authentication will be added here as a dependency."""

from uuid import uuid4

import asyncpg
from fastapi import Header, Request

from berdaya_shared.contracts.common import OPD

from ..adapters.crypto import PiiCipher


def pool(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool


def cipher(request: Request) -> PiiCipher:
    return request.app.state.cipher


def correlation_id(request: Request) -> str:
    return request.headers.get("X-Correlation-ID") or str(uuid4())


def actor_opd(x_opd: OPD | None = Header(None, alias="X-OPD", description="OPD pelaku (nanti dari token)")) -> OPD | None:
    return x_opd
