"""The v2 API: one NinjaAPI, one Router per bounded context."""

from __future__ import annotations

from async_service.api import (
    accounts,
    analytics,
    catalog,
    health,
    orders,
    orders_events,
    sizing,
    tasks,
)
from async_service.api.errors import JsonParser, install_exception_handlers
from async_service.api.openapi import ContractNinjaAPI
from async_service.api.rendering import RENDERER

api = ContractNinjaAPI(
    title="Fashionistar API v2",
    version="2.0.0",
    description=(
        "Asynchronous API: product search with facets, product detail, sign-in and "
        "token refresh, the signed-in user, checkout and the customer's orders, live order "
        "updates (Server-Sent Events), body profiles and size recommendations, and the "
        "status of background tasks. "
        'Errors always use the body `{"error": {"code", "message", "details"}}`.'
    ),
    urls_namespace="v2",
    parser=JsonParser(),
    renderer=RENDERER,
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_exception_handlers(api)

api.add_router("/", health.router)
api.add_router("/", accounts.router)
api.add_router("/", accounts.me_router)
api.add_router("/", tasks.router)
api.add_router("/", catalog.router)
api.add_router("/", orders.router)
api.add_router("/", orders_events.router)
api.add_router("/", analytics.router)
api.add_router("/", sizing.router)
