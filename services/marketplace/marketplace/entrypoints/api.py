"""HTTP routers: thin. Every command runs through ``idempotent`` (one transaction, Idempotency-Key honoured)."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_contracts.common import OPD
from berdaya_contracts.marketplace_v1 import Channel
from berdaya_shared.http import idempotent
from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel

from ..adapters import repository
from ..service_layer import fairs, trade
from . import schemas as s

Limit = Annotated[int, Query(ge=1, le=200, description="Page size, at most 200")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
FairRef = Annotated[UUID, Path(description="The fair's ref")]
XOpd = Annotated[OPD | None, Header(alias="X-OPD", description="OPD of the actor")]
REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown fair, product or sale"},
    409: {"description": "Conflicts with the current state (booths full, booth taken, already delisted)"},
    422: {"description": "Invalid input or a rule refused it; `pesan` says why in Bahasa Indonesia"},
}


def today_wita() -> date:
    return (datetime.now(UTC) + timedelta(hours=8)).date()


def correlation(request: Request) -> str:
    given = request.headers.get("X-Correlation-ID", "")
    return given if 0 < len(given) <= 100 and given.isprintable() else str(uuid4())


async def command(request: Request, status: int, model: type[BaseModel],
                  handler: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Response:
    async def run(conn: asyncpg.Connection) -> tuple[int, Any]:
        return status, s.dump(model, await handler(conn))

    return await idempotent(request, request.app.state.runtime.pool, run)


async def query(request: Request, handler: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    async with request.app.state.runtime.pool.acquire() as conn:
        return await handler(conn)


def fairs_router(dependencies: Sequence[Any] = ()) -> APIRouter:
    router = APIRouter(prefix="/fairs", tags=["Pameran"], dependencies=list(dependencies), responses=REFUSALS)

    @router.post("", status_code=201, response_model=s.FairRead, summary="Jadwalkan pameran")
    async def schedule(body: s.FairCreate, request: Request, x_opd: XOpd = None) -> Response:
        return await command(request, 201, s.FairRead, lambda conn: fairs.schedule(
            conn, name=body.name, kecamatan_code=body.kecamatan_code, location=body.location,
            starts_on=body.starts_on, ends_on=body.ends_on, booths=body.booths, opd=x_opd or "disperindag",
            correlation_id=correlation(request)))

    @router.get("", response_model=s.FairList, summary="Daftar pameran")
    async def list_fairs(request: Request, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        total, items = await query(request, lambda conn: repository.fair_page(conn, limit, offset))
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @router.get("/{fair_ref}", response_model=s.FairRead, summary="Baca pameran")
    async def get_fair(fair_ref: FairRef, request: Request) -> dict[str, Any]:
        return await query(request, lambda conn: fairs.get(conn, fair_ref=fair_ref))

    @router.post("/{fair_ref}/booths", status_code=201, response_model=s.BoothRead, summary="Beri stan ke usaha")
    async def assign(fair_ref: FairRef, body: s.BoothCreate, request: Request) -> Response:
        return await command(request, 201, s.BoothRead, lambda conn: fairs.assign_booth(
            conn, fair_ref=fair_ref, business_ref=body.business_ref, booth_no=body.booth_no,
            correlation_id=correlation(request)))

    @router.get("/{fair_ref}/booths", response_model=list[s.BoothRead], summary="Stan pameran")
    async def booths(fair_ref: FairRef, request: Request) -> list[dict[str, Any]]:
        async def read(conn: asyncpg.Connection) -> list[dict[str, Any]]:
            await fairs.get(conn, fair_ref=fair_ref)
            return await repository.booths_of(conn, fair_ref)
        return await query(request, read)

    @router.post("/{fair_ref}/sales-sheet", status_code=201, response_model=s.SheetRead,
                 summary="Catat lembar penjualan pameran (semua baris atau tidak sama sekali)")
    async def sheet(fair_ref: FairRef, body: s.SalesSheet, request: Request) -> Response:
        async def run(conn: asyncpg.Connection) -> dict[str, Any]:
            await fairs.get(conn, fair_ref=fair_ref)
            rows = [{**r.model_dump(), "channel": "trade_fair", "fair_ref": fair_ref} for r in body.rows]
            sales = await trade.record_sales(conn, rows=rows, correlation_id=correlation(request))
            return {"fair_ref": fair_ref, "recorded": len(sales), "amount_idr": sum(x["amount_idr"] for x in sales),
                    "sales": sales}
        return await command(request, 201, s.SheetRead, run)

    return router


def trade_router(dependencies: Sequence[Any] = ()) -> APIRouter:
    router = APIRouter(tags=["Etalase dan penjualan"], dependencies=list(dependencies), responses=REFUSALS)

    @router.post("/listings", status_code=201, response_model=s.ListingRead, summary="Tayangkan produk di kanal pasar")
    async def list_product(body: s.ListingCreate, request: Request) -> Response:
        return await command(request, 201, s.ListingRead, lambda conn: trade.list_product(
            conn, business_ref=body.business_ref, channel=body.channel, category=body.category,
            price_idr=body.price_idr, listed_on=body.listed_on or today_wita(), correlation_id=correlation(request)))

    @router.post("/listings/{product_ref}/delist", response_model=s.ListingRead, summary="Turunkan produk")
    async def delist(product_ref: UUID, body: s.DelistCreate, request: Request) -> Response:
        return await command(request, 200, s.ListingRead, lambda conn: trade.delist(
            conn, product_ref=product_ref, delisted_on=body.delisted_on or today_wita(),
            correlation_id=correlation(request)))

    @router.get("/listings", response_model=s.ListingList, summary="Daftar produk tayang")
    async def listings(request: Request, business_ref: UUID | None = None, channel: Channel | None = None,
                       active: bool | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        total, items = await query(request, lambda conn: repository.listing_page(
            conn, business_ref, channel, active, limit, offset))
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @router.post("/sales", status_code=201, response_model=s.SaleRead, summary="Catat penjualan")
    async def record(body: s.SaleCreate, request: Request) -> Response:
        async def run(conn: asyncpg.Connection) -> dict[str, Any]:
            [sale] = await trade.record_sales(conn, rows=[body.model_dump()], correlation_id=correlation(request),
                                              prefix="")
            return sale
        return await command(request, 201, s.SaleRead, run)

    @router.get("/sales", response_model=s.SaleList, summary="Daftar penjualan")
    async def sales(request: Request, business_ref: UUID | None = None, fair_ref: UUID | None = None,
                    channel: Channel | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        total, items = await query(request, lambda conn: repository.sale_page(
            conn, business_ref, fair_ref, channel, limit, offset))
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    return router
