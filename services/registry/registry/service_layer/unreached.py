"""The "belum terjangkau" list for field officers (DP3A): who to visit next (``adapters/unreached.py`` says who is
on it). She leaves it once enrolled in a course (training.events), or once she has a business, a cooperative or
capital in the registry. Names are personal data: the caller logs every row she is shown."""

from typing import Any

from ..adapters import crypto, unreached
from ..domain import places
from ..domain.kukar import KECAMATAN
from .unit_of_work import RegistryUnitOfWork


async def list_(uow: RegistryUnitOfWork, *, kecamatan_code: str | None = None, desa_code: str | None = None,
                area: frozenset[str] | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """A page ``{items, total, limit, offset}``; ``area``: the kecamatan the caller is limited to (None: all)."""
    rows, total = await unreached.page(uow.conn, kecamatan_code=kecamatan_code, desa_code=desa_code,
                                       areas=sorted(area) if area is not None else None, limit=limit, offset=offset)
    items = []
    for row in rows:
        desa = places.DESA.get(row["desa_code"] or "")
        items.append({
            "person_ref": row["person_ref"],
            "full_name": uow.cipher.decrypt(row["name_cipher"], context=crypto.NAME),
            "kecamatan_code": row["kecamatan_code"], "kecamatan": KECAMATAN.get(row["kecamatan_code"]),
            "desa_code": row["desa_code"], "desa": desa.name if desa else None,
            "pekka_category": row["pekka_category"], "age_band": row["age_band"],
            "household_size": row["household_size"], "assessed_on": row["assessed_on"],
            "per_capita_income_idr": row["per_capita_income_idr"], "poverty_line_idr": row["poverty_line_idr"],
        })
    return {"items": items, "total": total, "limit": limit, "offset": offset}
