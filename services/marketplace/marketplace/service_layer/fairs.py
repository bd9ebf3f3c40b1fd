"""Fairs and booths: each handler runs inside the command's transaction and stages its events."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared import errors

from ..adapters import replica, repository
from ..domain import events
from ..domain.model import check_fair_dates, require_registered
from .translator import publish


async def schedule(conn: asyncpg.Connection, *, name: str, kecamatan_code: str | None, location: str | None,
                   starts_on: date, ends_on: date, booths: int, opd: str, correlation_id: str) -> dict[str, Any]:
    check_fair_dates(starts_on, ends_on)
    fair_ref = uuid4()
    fair = {"fair_ref": fair_ref, "name": name, "kecamatan_code": kecamatan_code,
            "outside_kukar": kecamatan_code is None, "location": location, "starts_on": starts_on,
            "ends_on": ends_on, "booths": booths, "recorded_by_opd": opd}
    await repository.insert_fair(conn, **fair)
    await publish(conn, [events.TradeFairScheduled(
        fair_ref=fair_ref, name=name, kecamatan_code=kecamatan_code, outside_kukar=kecamatan_code is None,
        starts_on=starts_on, ends_on=ends_on, booths=booths,
    )], correlation_id=correlation_id)
    return await get(conn, fair_ref=fair_ref)


async def get(conn: asyncpg.Connection, *, fair_ref: UUID) -> dict[str, Any]:
    fair = await repository.fair_read(conn, fair_ref)
    if fair is None:
        raise errors.NotFound("Pameran tidak ditemukan", f"unknown fair {fair_ref}")
    return fair


async def assign_booth(conn: asyncpg.Connection, *, fair_ref: UUID, business_ref: UUID, booth_no: int | None,
                       correlation_id: str) -> dict[str, Any]:
    fair = await repository.fair_for_update(conn, fair_ref)
    if fair is None:
        raise errors.NotFound("Pameran tidak ditemukan", f"unknown fair {fair_ref}")
    business = require_registered(await replica.get(conn, business_ref), business_ref)
    number = fair.assign(business_ref, booth_no)
    assert business.owner_person_ref is not None
    await repository.insert_booth(conn, fair_ref, business_ref, business.owner_person_ref, number)
    await publish(conn, [events.BoothAssigned(fair_ref, business_ref, business.owner_person_ref, number)],
                  correlation_id=correlation_id)
    return {"fair_ref": fair_ref, "business_ref": business_ref, "owner_person_ref": business.owner_person_ref,
            "booth_no": number}
