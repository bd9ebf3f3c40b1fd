"""Yearly targets per kecamatan and indicator: set one, read them with the actual values and progress."""

from datetime import date
from typing import Any

from .unit_of_work import MonitoringUnitOfWork


async def put(uow: MonitoringUnitOfWork, *, year: int, kecamatan_code: str, indicator: str,
              target_value: float) -> dict[str, Any]:
    """Set (or replace) one target; answers what was stored."""
    await uow.targets.put(year=year, kecamatan_code=kecamatan_code, indicator=indicator, target_value=target_value)
    return {"year": year, "kecamatan_code": kecamatan_code, "indicator": indicator, "target_value": target_value}


async def progress(uow: MonitoringUnitOfWork, *, year: int | None, kecamatan: str | None,
                   today: date, internal: bool = True) -> list[dict[str, Any]]:
    """The targets of ``year`` (default: the current year in Kutai Kartanegara, from ``today`` in WITA) with their
    actual values and progress: exact for the evaluation team, as published for everyone else."""
    chosen = year if year is not None else today.year
    if internal:
        return await uow.target_progress(chosen, kecamatan)
    return await uow.public_targets(chosen, kecamatan)
