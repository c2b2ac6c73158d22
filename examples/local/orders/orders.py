"""An orders API of your own, protected by Cognito access tokens through the verifier layer.

Deployed by the module's ``apis`` input (``handler = "orders.handler"``), which sets USER_POOL_ID,
ALLOWED_CLIENT_IDS and ROUTE_SCOPES (each route's scopes) in the function's environment. This file
imports nothing but the layer's public API and the standard library: the zip holds this file alone.
Orders live in the execution environment's memory (a demo: use a database for real ones).

With customized tokens (the module's ``token_customization``, e.g. examples/token-trigger) a token
carries its caller's ``tenant``: an order records it, and ``GET /tenants/<tenant>/orders`` lists one
tenant's orders to that tenant's tokens only (the route's claim rule; any other token gets 403).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cognito_m2m_verifier import (
    AccessTokenClaims,
    HttpRequest,
    HttpResponse,
    ProtectedApi,
    claim_matches_path,
)

api = ProtectedApi.from_environment()  # a broken environment fails the cold start, naming the variable
ORDERS: dict[str, dict[str, Any]] = {}
MAX_ORDERS = 1000


@api.route("GET /orders")  # scopes from ROUTE_SCOPES (the module's routes): rest-api/read
def list_orders(request: HttpRequest, claims: AccessTokenClaims) -> dict[str, Any]:
    return {"orders": sorted(ORDERS.values(), key=lambda order: order["id"])}


@api.route("POST /orders")  # rest-api/write
def create_order(request: HttpRequest, claims: AccessTokenClaims) -> HttpResponse:
    try:
        order = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return HttpResponse(400, {"error": "invalid_request", "message": "the body is not JSON"})
    if not isinstance(order, dict):
        return HttpResponse(400, {"error": "invalid_request", "message": "an order is a JSON object"})
    if len(ORDERS) >= MAX_ORDERS:
        return HttpResponse(409, {"error": "full", "message": f"this demo keeps {MAX_ORDERS} orders"})
    created = {**order, "id": uuid.uuid4().hex[:12], "created_by": claims.client_id}
    tenant = claims.custom_str("tenant")  # a trigger's claim: None without customized tokens
    if tenant is not None:
        created["tenant"] = tenant
    ORDERS[created["id"]] = created
    return HttpResponse(201, created, {"Location": f"/orders/{created['id']}"})


@api.route("GET /orders/*")  # rest-api/read
def get_order(request: HttpRequest, claims: AccessTokenClaims) -> dict[str, Any] | HttpResponse:
    order = ORDERS.get(request.path.removeprefix("/orders/"))
    if order is None:
        return HttpResponse(404, {"error": "not_found", "message": "no such order"})
    return order


# rest-api/read, and the token's tenant claim must be the path's second segment: /tenants/<tenant>/orders
@api.route("GET /tenants/*", claims=[claim_matches_path("tenant", 2)])
def tenant_orders(request: HttpRequest, claims: AccessTokenClaims) -> dict[str, Any]:
    tenant = claims.custom_str("tenant")
    mine = [order for order in ORDERS.values() if order.get("tenant") == tenant]
    return {"tenant": tenant, "orders": sorted(mine, key=lambda order: order["id"])}


handler = api.handler
