"""The auto-fulfil web service: a FastAPI app over the offer store, the planner and the real-time gateway.

`create_app(config, settings, store_url)` builds it; `app_from_environment()` is the factory uvicorn's
workers call (`fulfil serve` puts the config path and store URL in FULFIL_CONFIG / FULFIL_STORE first).
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..config import Config, find_config_path, load_config
from ..domain import CartLine, money_text
from ..store import default_store_url
from .door import Door
from .logs import LOG_LEVEL_ENV, RequestLogMiddleware, configure_logging
from .models import (
    AvailabilityResponse,
    ErrorProblem,
    FulfilmentPlanRequest,
    FulfilmentPlanResponse,
    Health,
    ValidationProblem,
)
from .runtime import CartAsk, Runtime
from .settings import ServiceSettings, service_settings
from .validation import (
    InvalidRequest,
    Problem,
    on_invalid_request,
    on_request_validation_error,
    problem_response,
)

log = logging.getLogger("fulfilment_engine.service")

WIDGET_DIR = Path(__file__).resolve().parents[2] / "examples" / "cart-widget"

# Documents the scheme in /openapi.json; the key itself is checked by the Door, before the body is read.
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`")

_AUTH_RESPONSES = {
    401: {"model": ErrorProblem, "description": "No API key, or not one of the configured keys"},
    408: {"model": ErrorProblem, "description": "The body did not arrive within the body timeout (30 s)"},
    413: {"model": ErrorProblem, "description": "The body is larger than 1 MiB"},
    415: {"model": ErrorProblem, "description": "The body is not sent as application/json"},
    422: {
        "model": ValidationProblem,
        "description": "The body is not JSON, nests deeper than 32 levels, or names a field wrongly or "
        "something unknown",
    },
    431: {"model": ErrorProblem, "description": "The request line and headers are larger than 16 KiB"},
}


def _log_fields(request: Request) -> dict:
    return request.scope.setdefault("state", {}).setdefault("log", {})


def create_app(config: Config, settings: ServiceSettings, store_url: str) -> FastAPI:
    runtime = Runtime(config, settings, store_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await runtime.start()
        log.info(
            "service ready",
            extra={
                "demo": settings.demo,
                "store": runtime.store_backend,
                "realtime_distributors": runtime.realtime_distributors,
                "deadline_ms": config.planner.deadline_ms,
            },
        )
        try:
            yield
        finally:
            # Graceful shutdown: uvicorn has stopped taking requests and let running ones finish.
            await runtime.close()
            log.info("service stopped")

    app = FastAPI(
        title="Channel Fulfilment — auto-fulfil service",
        version=__version__,
        summary="The cheapest way to fulfil a cart from distributor stock, and its delivery charge.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime

    authorised = [Security(_bearer)]

    @app.post(
        "/v1/fulfilment-plans",
        response_model=FulfilmentPlanResponse,
        response_model_exclude_none=True,
        responses=_AUTH_RESPONSES,
        dependencies=authorised,
        tags=["plans"],
        summary="Plan a cart: cheapest allocation to distributors, freight, the customer's delivery charge",
    )
    async def create_fulfilment_plan(body: FulfilmentPlanRequest, request: Request) -> JSONResponse:
        ask = CartAsk(
            currency=body.currency,
            country=body.ship_to.country,
            postcode=body.ship_to.postcode,
            lines=tuple(
                CartLine(sku=line.sku, qty=line.qty, unit_price=line.unit_price) for line in body.cart
            ),
        )
        planned = await runtime.plan_cart(ask)
        quote = settings.delivery.quote(planned.scenario, planned.plan)
        answer = planned.plan.to_dict()
        answer["delivery_charge"] = money_text(quote.charge)
        answer["delivery_policy"] = quote.to_dict()
        answer["demo"] = settings.demo
        _log_fields(request).update(
            plan_status=planned.plan.status,
            cart_lines=len(ask.lines),
            country=ask.country,
            total=answer["total"],
            delivery_charge=answer["delivery_charge"],
            realtime=list(planned.refreshed),
            stale=sorted({a.distributor for a in planned.plan.allocations if a.stale}),
        )
        return JSONResponse(answer)

    @app.get(
        "/v1/availability",
        response_model=AvailabilityResponse,
        responses=_AUTH_RESPONSES,
        dependencies=authorised,
        tags=["availability"],
        summary="Stock and cost per distributor for one or more SKUs, with each figure's source and age",
    )
    async def get_availability(
        request: Request,
        sku: Annotated[
            list[str],
            Query(min_length=1, max_length=200, description="A SKU; repeat for several (?sku=A&sku=B)"),
        ],
        country: Annotated[
            str | None,
            Query(pattern=r"^[A-Za-z]{2}$", description="Only distributors that ship to this country"),
        ] = None,
    ) -> JSONResponse:
        skus = [s.strip() for s in sku]
        items = await runtime.availability(skus, country.upper() if country else None)
        _log_fields(request).update(skus=len(skus))
        return JSONResponse({"items": items, "demo": settings.demo})

    @app.get("/healthz", response_model=Health, tags=["service"], summary="Liveness: the process is serving")
    async def healthz() -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "demo": settings.demo,
                "store": runtime.store_backend,
                "realtime_distributors": runtime.realtime_distributors,
            }
        )

    if settings.widget and WIDGET_DIR.is_dir():
        app.mount("/widget", StaticFiles(directory=WIDGET_DIR, html=True), name="widget")

        @app.get("/", include_in_schema=False)
        async def root() -> RedirectResponse:
            return RedirectResponse("/widget/")

    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        problem = Problem(request.url.path, str(exc.detail).lower(), f"http_{exc.status_code}")
        return problem_response([problem], request, exc.status_code, getattr(exc, "headers", None))

    app.add_exception_handler(RequestValidationError, on_request_validation_error)
    app.add_exception_handler(InvalidRequest, on_invalid_request)
    app.add_exception_handler(StarletteHTTPException, on_http_error)

    # Order matters (the last added is the outermost): the request log times and ids everything, CORS
    # answers preflights and labels refusals so a shop page can read them, then the Door checks the key
    # and the body before routing.
    app.add_middleware(Door, keys=settings.keys, body_timeout_s=settings.body_timeout_s)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
        max_age=600,
    )
    app.add_middleware(RequestLogMiddleware)
    return app


def resolve_store_url(option: str | None, settings: ServiceSettings) -> str:
    """--store, else FULFIL_STORE, else `[service] store`, else the default SQLite file."""
    from ..store.engine import STORE_ENV, normalise_url

    if option:
        return normalise_url(option)
    if os.environ.get(STORE_ENV, "").strip():
        return default_store_url()
    if settings.store_url:
        return normalise_url(settings.store_url)
    return default_store_url()


def app_from_environment() -> FastAPI:
    """The factory uvicorn calls in each worker: FULFIL_CONFIG (required here) and FULFIL_STORE."""
    configure_logging(os.environ.get(LOG_LEVEL_ENV, "info"))
    path = find_config_path(None)
    if path is None:
        raise RuntimeError("FULFIL_CONFIG is not set: start the service with `fulfil serve`")
    config = load_config(path)
    settings = service_settings(config.raw, where=str(path))
    return create_app(config, settings, resolve_store_url(None, settings))
