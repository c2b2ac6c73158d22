"""Routes of your own behind Cognito access tokens: one Lambda handler for any of the four front doors.

    from cognito_m2m_verifier.cognito import cognito_verifier
    from cognito_m2m_verifier.protected_api import ProtectedApi

    api = ProtectedApi(cognito_verifier(user_pool_id="eu-west-1_AbC123", client_ids=["1example..."]))

    @api.route("GET /orders/*", scopes=["orders/read"])
    def get_order(request, claims):
        return {"order": request.path.rsplit("/", 1)[1], "caller": claims.client_id}

    handler = api.handler   # the Lambda handler setting: <module>.handler

Each request is matched to a route (``"METHOD /path"``, exact and case-sensitive, a trailing ``/*`` for
every path below; see :mod:`cognito_m2m_verifier.routes`), then its bearer token is verified, every scope
of the route required and every claim rule of the route checked (``claims=[claim_matches_path("tenant",
2)]``: see :mod:`cognito_m2m_verifier.claim_rules`), and only then is your function called with the
neutral request (:class:`~cognito_m2m_verifier.events.HttpRequest`) and the verified
:class:`~cognito_m2m_verifier.claims.AccessTokenClaims`. It returns a JSON object (answered 200) or an
:class:`~cognito_m2m_verifier.events.HttpResponse`. In it a :class:`~decimal.Decimal` (what boto3's
DynamoDB reads give) is written as a JSON number with its own digits (``Decimal("12.50")`` -> ``12.50``),
a date or time as ISO 8601 text. Everything else is answered for you, in the event's own format: 404 and
405, RFC 6750 401/400/403 with ``WWW-Authenticate``, 503 when the signing keys are unavailable, and 500
(logged, no details) when your function raises or returns what JSON cannot hold (a set, bytes, a NaN);
the request's access line and metrics then say ``internal_error``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cognito_m2m_verifier.claim_rules import ClaimRule
from cognito_m2m_verifier.claims import AccessTokenClaims
from cognito_m2m_verifier.config import load_config
from cognito_m2m_verifier.events import HttpRequest, HttpResponse
from cognito_m2m_verifier.handler import ResourceApp, verifier_from_config
from cognito_m2m_verifier.request_metrics import RequestMetrics, metrics_from_env
from cognito_m2m_verifier.routes import Route, RouteTable, check_scopes, parse_route_key
from cognito_m2m_verifier.verifier import TokenVerifier

RouteFunction = Callable[[HttpRequest, AccessTokenClaims], Mapping[str, Any] | HttpResponse]


class ProtectedApi:
    """Your routes, each with its scopes and function, behind one verifier."""

    def __init__(
        self,
        verifier: TokenVerifier,
        *,
        route_scopes: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
        metrics: RequestMetrics | bool | None = True,
    ) -> None:
        self.verifier = verifier
        self.metrics = metrics  # True: from METRICS_NAMESPACE in os.environ; None or False: none
        self._configured = dict(route_scopes) if route_scopes is not None else None
        self._scopes: dict[tuple[str, str], tuple[str, ...]] = {}
        self._functions: dict[tuple[str, str], RouteFunction] = {}
        self._claim_rules: dict[tuple[str, str], tuple[ClaimRule, ...]] = {}
        self._app: ResourceApp | None = None

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> ProtectedApi:
        """An API configured by the Terraform module's ``apis`` input, from the function's environment.

        ``USER_POOL_ID``, ``ALLOWED_CLIENT_IDS``, ``ROUTE_SCOPES`` (the entry's ``routes``), and
        optionally ``JWKS_URL``, ``CLOCK_SKEW_SECONDS``, ``CLIENT_CREDENTIALS_ONLY``; a missing or
        malformed one raises :class:`~cognito_m2m_verifier._shared.config.ConfigError` naming it (at
        import, so the cold start fails, never a request). Routes then take their scopes from
        ``ROUTE_SCOPES``: ``@api.route("GET /orders")`` with no ``scopes``. Every configured route needs
        a function and every function a configured route; scopes given in code must equal the
        configured ones. A mismatch fails the first invocation with a message naming the route.
        """
        source = os.environ if env is None else env
        config = load_config(source, implemented=None)
        return cls(
            verifier_from_config(config), route_scopes=config.route_scopes, metrics=metrics_from_env(source)
        )

    def route(
        self, key: str, *, scopes: Iterable[str] | None = None, claims: Iterable[ClaimRule] = ()
    ) -> Callable[[RouteFunction], RouteFunction]:
        """Register the decorated function for ``key`` (``"GET /orders/*"``); all ``scopes`` required,
        and every rule in ``claims`` (:mod:`~cognito_m2m_verifier.claim_rules`, e.g.
        ``claim_matches_path("tenant", 2)``) must hold, else 403.

        ``scopes`` may be left out when the API was built by :meth:`from_environment`: the configured
        ones apply.
        """
        method_path = parse_route_key(key)
        rules = tuple(claims)
        if not all(isinstance(rule, ClaimRule) for rule in rules):
            raise ValueError(f"route {key!r}: claims takes rules such as claim_equals('env', 'prod')")
        if scopes is None:
            if self._configured is None:
                raise ValueError(f"route {key!r} needs scopes (or build the API with from_environment)")
            if method_path not in self._configured:
                known = self._configured_keys()
                raise ValueError(f"route {key!r} is not in ROUTE_SCOPES (the apis entry's routes): {known}")
            scopes = self._configured[method_path]
        required = check_scopes(f"route {key!r}", list(scopes) if not isinstance(scopes, str) else scopes)
        if method_path in self._scopes:
            raise ValueError(f"route {key!r} is registered twice")

        def register(function: RouteFunction) -> RouteFunction:
            self._scopes[method_path] = required
            self._functions[method_path] = function
            if rules:
                self._claim_rules[method_path] = rules
            self._app = None  # rebuilt with the new route on the next event
            return function

        return register

    def _action(self, request: HttpRequest, claims: AccessTokenClaims, route: Route) -> HttpResponse:
        result = self._functions[(route.method, route.path)](request, claims)
        if type(result) is dict:  # the usual answer: a JSON object, 200
            return HttpResponse(200, result)
        if isinstance(result, HttpResponse):
            return result
        if not isinstance(result, Mapping):
            raise TypeError(f"route {route.method} {route.path} returned {type(result).__name__}, not a dict")
        return HttpResponse(200, result)

    def _configured_keys(self) -> str:
        return ", ".join(f"{m} {p}" for m, p in sorted(self._configured or {})) or "(none)"

    def _check_configured(self) -> None:
        configured = self._configured
        if configured is None:
            return
        for method_path in sorted(set(configured) - set(self._scopes)):
            key = " ".join(method_path)
            raise ValueError(
                f"ROUTE_SCOPES (the apis entry's routes) has {key!r} but no function is registered for it: "
                f"add @api.route({key!r}), or remove the route"
            )
        for method_path in sorted(set(self._scopes) - set(configured)):
            raise ValueError(
                f"route {' '.join(method_path)!r} is not in ROUTE_SCOPES ({self._configured_keys()}): "
                "add it to the module's apis routes, or remove it"
            )
        for method_path, scopes in sorted(self._scopes.items()):
            if set(scopes) != set(configured[method_path]):
                raise ValueError(
                    f"route {' '.join(method_path)!r} requires {sorted(scopes)} in code but "
                    f"{sorted(configured[method_path])} in ROUTE_SCOPES (the apis entry's routes)"
                )

    @property
    def app(self) -> ResourceApp:
        if self._app is None:
            if not self._scopes:
                raise ValueError("no route registered: use @api.route('GET /path', scopes=[...])")
            self._check_configured()
            table = RouteTable(self._scopes, implemented=None, claim_rules=self._claim_rules)
            self._app = ResourceApp(table, self.verifier, self._action, metrics=self.metrics)
        return self._app

    def handler(self, event: Any, context: Any = None) -> dict[str, Any]:
        """The Lambda handler: answers every event in its own format and never raises."""
        return self.app.handle(event, context)
