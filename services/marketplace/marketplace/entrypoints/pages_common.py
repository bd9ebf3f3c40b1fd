"""What the marketplace's staff pages share: business labels without personal data, the answer of a command, the
JSON-or-redirect ending of a form."""

from typing import Any
from uuid import UUID

from berdaya_shared.signin import flash
from berdaya_shared.ui.places import kecamatan_name
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from ..adapters.replica import BusinessReplica
from ..service_layer.unit_of_work import MarketplaceUnitOfWork as Uow

SECTORS = {"kuliner": "kuliner", "kerajinan": "kerajinan", "fesyen": "fesyen", "pertanian": "pertanian",
           "perikanan": "perikanan", "perdagangan": "perdagangan", "jasa": "jasa",
           "industri_kreatif": "industri kreatif", "lainnya": "lainnya"}
CHANNELS = {"trade_fair": "Pameran", "modern_retail": "Pasar modern", "digital": "Pasar digital"}
HOLDERS = {"business": "Stan usaha sendiri", "opd": "OPD", "coop": "Koperasi", "outlet": "Gerai"}


def business_label(row: dict[str, Any] | None, ref: UUID) -> str:
    """A business as staff recognise it without her name (names stay in the registry): sector, kecamatan and the
    first characters of its ref, e.g. "Usaha kuliner · Tenggarong · 3f0c2a9e"."""
    if row is None:
        return f"Usaha {str(ref)[:8]}"
    return (f"Usaha {SECTORS.get(row.get('sector') or '', row.get('sector') or '')} · "
            f"{kecamatan_name(row.get('kecamatan_code'))} · {str(ref)[:8]}")


async def business_choices(uow: Uow) -> dict[UUID, str]:
    """business_ref -> label of every registered business the replica knows."""
    rows = await BusinessReplica(uow.conn).choices()
    return {r["business_ref"]: business_label(r, r["business_ref"]) for r in rows}


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def done(request: Request, response: Response, message: str, to: str) -> Response:
    """The end of a successful form: the command's JSON for a script (the offline outbox), else the flash of what was
    recorded and a redirect (POST-redirect-GET)."""
    if wants_json(request):
        return response
    await flash(request, message)
    return RedirectResponse(to, status_code=303)
