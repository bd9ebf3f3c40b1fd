"""Product listings and sales over HTTP: thin routes handing each request to a handler."""

from typing import Annotated
from uuid import UUID

from berdaya_contracts.marketplace_v1 import Channel
from berdaya_shared.entrypoints import CorrelationId, IdempotencyKey, Limit, Offset, Today, command, query
from fastapi import APIRouter, Path, Query, Request, Response

from ..service_layer import trade
from ..service_layer.unit_of_work import MarketplaceUnitOfWork as Uow
from . import schemas_trade as s
from .api_fairs import REFUSALS

ProductRef = Annotated[UUID, Path(description="Referensi produk")]
OfBusiness = Annotated[UUID | None, Query(description="Hanya usaha ini (business_ref)")]
OnChannel = Annotated[Channel | None, Query(description="Hanya kanal ini: trade_fair, modern_retail atau digital")]
Active = Annotated[bool | None, Query(description="true: yang masih tayang; false: yang sudah diturunkan")]
AtFair = Annotated[UUID | None, Query(description="Hanya penjualan di pameran ini (fair_ref)")]


def router() -> APIRouter:
    api = APIRouter(tags=["Etalase dan penjualan"], responses=REFUSALS)

    @api.post("/listings", status_code=201, response_model=s.ListingRead, summary="Tayangkan produk di kanal pasar")
    async def list_product(body: s.ListingCreate, request: Request, today: Today, correlation: CorrelationId,
                           _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: trade.list_product(
            Uow(conn, correlation_id=correlation), business_ref=body.business_ref, channel=body.channel,
            category=body.category, price_idr=body.price_idr, listed_on=body.listed_on or today,
        ), model=s.ListingRead, status=201)

    @api.post("/listings/{product_ref}/delist", response_model=s.ListingRead, summary="Turunkan produk")
    async def delist(product_ref: ProductRef, body: s.DelistCreate, request: Request, today: Today,
                     correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: trade.delist(
            Uow(conn, correlation_id=correlation), product_ref=product_ref, delisted_on=body.delisted_on or today,
        ), model=s.ListingRead)

    @api.get("/listings", response_model=s.ListingList, summary="Daftar produk, yang terbaru lebih dulu")
    async def listings(request: Request, business_ref: OfBusiness = None, channel: OnChannel = None,
                       active: Active = None, limit: Limit = 50, offset: Offset = 0) -> Response:
        return await query(request, lambda conn: trade.listings(
            Uow(conn), business_ref=business_ref, channel=channel, active=active, limit=limit, offset=offset,
        ), model=s.ListingList)

    @api.post("/sales", status_code=201, response_model=s.SaleRead, summary="Catat penjualan",
              description="Penjualan di pameran (trade_fair) menyebut pamerannya; usahanya harus punya stan di sana "
                          "dan tanggalnya dalam tanggal pameran (lebih kurang sehari).")
    async def record(body: s.SaleCreate, request: Request, correlation: CorrelationId,
                     _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: trade.record_sale(
            Uow(conn, correlation_id=correlation), business_ref=body.business_ref, channel=body.channel,
            fair_ref=body.fair_ref, amount_idr=body.amount_idr, quantity=body.quantity, sold_on=body.sold_on,
            booth_no=body.booth_no,
        ), model=s.SaleRead, status=201)

    @api.get("/sales", response_model=s.SaleList, summary="Daftar penjualan, yang terbaru lebih dulu")
    async def sales(request: Request, business_ref: OfBusiness = None, fair_ref: AtFair = None,
                    channel: OnChannel = None, limit: Limit = 50, offset: Offset = 0) -> Response:
        return await query(request, lambda conn: trade.sales(
            Uow(conn), business_ref=business_ref, fair_ref=fair_ref, channel=channel, limit=limit, offset=offset,
        ), model=s.SaleList)

    return api
