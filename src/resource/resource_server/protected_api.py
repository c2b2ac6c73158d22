"""Routes of your own behind Cognito access tokens: one Lambda handler for any of the four front doors.

    from resource_server.cognito import cognito_verifier
    from resource_server.protected_api import ProtectedApi

    api = ProtectedApi(cognito_verifier(user_pool_id="eu-west-1_AbC123", client_ids=["1example..."]))

    @api.route("GET /orders/*", scopes=["orders/read"])
    def get_order(request, claims):
        return {"order": request.path.rsplit("/", 1)[1], "caller": claims.client_id}

    handler = api.handler   # the Lambda handler setting: <module>.handler

Each request is matched to a route (``"METHOD /path"``, exact and case-sensitive, a trailing ``/*`` for
every path below; see :mod:`resource_server.routes`), then its bearer token is verified and every scope
of the route required, and only then is your function called with the neutral request
(:class:`~resource_server.events.HttpRequest`) and the verified
:class:`~resource_server.claims.AccessTokenClaims`. It returns a JSON object (answered 200) or an
:class:`~resource_server.events.HttpResponse`. Everything else is answered for you, in the event's own
format: 404 and 405, RFC 6750 401/400/403 with ``WWW-Authenticate``, 503 when the signing keys are
unavailable, and 500 (logged, no details) when your function raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from resource_server.claims import AccessTokenClaims
from resource_server.events import HttpRequest, HttpResponse
from resource_server.handler import ResourceApp
from resource_server.routes import Route, RouteTable, parse_route_key
from resource_server.verifier import TokenVerifier

RouteFunction = Callable[[HttpRequest, AccessTokenClaims], Mapping[str, Any] | HttpResponse]


class ProtectedApi:
    """Your routes, each with its scopes and function, behind one verifier."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier
        self._scopes: dict[tuple[str, str], tuple[str, ...]] = {}
        self._functions: dict[tuple[str, str], RouteFunction] = {}
        self._app: ResourceApp | None = None

    def route(self, key: str, *, scopes: Iterable[str]) -> Callable[[RouteFunction], RouteFunction]:
        """Register the decorated function for ``key`` (``"GET /orders/*"``); all ``scopes`` required."""
        method_path = parse_route_key(key)
        required = tuple(scopes)
        if isinstance(scopes, str) or not required or not all(isinstance(s, str) and s for s in required):
            raise ValueError(f"route {key!r} needs a list of one or more scopes")
        if method_path in self._scopes:
            raise ValueError(f"route {key!r} is registered twice")

        def register(function: RouteFunction) -> RouteFunction:
            self._scopes[method_path] = required
            self._functions[method_path] = function
            self._app = None  # rebuilt with the new route on the next event
            return function

        return register

    def _action(self, request: HttpRequest, claims: AccessTokenClaims, route: Route) -> HttpResponse:
        result = self._functions[(route.method, route.path)](request, claims)
        if isinstance(result, HttpResponse):
            return result
        if not isinstance(result, Mapping):
            raise TypeError(f"route {route.method} {route.path} returned {type(result).__name__}, not a dict")
        return HttpResponse(200, result)

    @property
    def app(self) -> ResourceApp:
        if self._app is None:
            if not self._scopes:
                raise ValueError("no route registered: use @api.route('GET /path', scopes=[...])")
            table = RouteTable(self._scopes, implemented=None)
            self._app = ResourceApp(table, self.verifier, self._action)
        return self._app

    def handler(self, event: Any, context: Any = None) -> dict[str, Any]:
        """The Lambda handler: answers every event in its own format and never raises."""
        return self.app.handle(event)
