"""What the registry's routes take beyond the kit's dependencies (``berdaya_shared.entrypoints``): the acting OPD
checked against the program's four, the PII cipher, the unit of work for a connection, and the stated purpose of a
personal-data read with the log entry it leaves."""

from collections.abc import Callable, Iterable
from typing import Annotated, Any, get_args

import asyncpg
from berdaya_contracts.common import OPD
from berdaya_shared import errors
from berdaya_shared.auth import authenticated
from berdaya_shared.entrypoints import ActingOpd, CorrelationId
from fastapi import Depends, Header, Request

from ..adapters import audit_store
from ..adapters.crypto import PiiCipher
from ..service_layer.unit_of_work import RegistryUnitOfWork

PURPOSE_HEADER = "X-Purpose"
_PROGRAM_OPDS = frozenset(get_args(OPD))


async def _opd(acting: ActingOpd) -> OPD | None:
    if acting is not None and acting not in _PROGRAM_OPDS:
        raise errors.Invalid(f"X-OPD: OPD '{acting}' tidak dikenal (pilihan: {', '.join(sorted(_PROGRAM_OPDS))})",
                             f"the token's OPD {acting!r} is not one of the program's OPDs", field="X-OPD")
    return acting


Opd = Annotated[OPD | None, Depends(_opd)]
"""The OPD acting (the verified token's, ``ActingOpd``): it registers, provides, writes. A token naming an agency
outside the program is refused with 422 naming X-OPD, before anything is recorded under that name."""


async def _cipher(request: Request) -> PiiCipher:  # a coroutine: resolved on the event loop, no thread hop
    return request.app.state.cipher


Cipher = Annotated[PiiCipher, Depends(_cipher)]


async def _unit_of_work(cipher: Cipher,
                        correlation: CorrelationId) -> Callable[[asyncpg.Connection], RegistryUnitOfWork]:
    return lambda conn: RegistryUnitOfWork(conn, cipher, correlation_id=correlation)


Uow = Annotated[Callable[[asyncpg.Connection], RegistryUnitOfWork], Depends(_unit_of_work)]
"""The registry unit of work on a connection (``command``'s transaction or ``query``'s connection), with the
request's correlation id for the events it publishes."""


async def _purpose(
    x_purpose: Annotated[str | None, Header(alias=PURPOSE_HEADER, description=(
        "Tujuan membaca data pribadi (wajib, dicatat di log audit), mis. 'verifikasi penerima bantuan'"))] = None,
) -> str:
    value = (x_purpose or "").strip()
    if not value:
        raise errors.BadRequest("Sebutkan tujuan membaca data pribadi di header X-Purpose",
                                "X-Purpose header is required for personal-data reads", field=PURPOSE_HEADER)
    if not (3 <= len(value) <= 200) or not value.isprintable():
        raise errors.BadRequest("X-Purpose harus 3 sampai 200 karakter yang dapat dibaca",
                                "X-Purpose must be 3-200 printable characters", field=PURPOSE_HEADER)
    return value


Purpose = Annotated[str, Depends(_purpose)]
"""The purpose the caller states for reading personal data (UU PDP purpose limitation); 400 without one."""


async def log_reads(conn: asyncpg.Connection, request: Request, person_refs: Iterable[Any], *, why: str) -> None:
    """Record that the caller read these people's personal data (on the reading connection)."""
    route = request.scope.get("route")
    what = f"{request.method} {getattr(route, 'path', request.url.path)}"
    await audit_store.record_reads(conn, authenticated(request), person_refs, what=what, purpose=why)
