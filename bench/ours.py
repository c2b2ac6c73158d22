"""Our verifier, built exactly as the resource function builds it, pointed at a loopback JWKS server.

The function's handler runs ``build_app(os.environ)`` once per container and then, for ``GET /api``,
``app.verifier.authorize(token, route.scopes)``. Here the same :func:`cognito_m2m_verifier.handler.build_app`
gets the bench's environment (``JWKS_URL`` on the loopback server) and one :class:`JwksCache` built
as the handler builds it and warmed by one real fetch, so that no round pays for the JWKS download.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any

from bench import paths
from bench.tokens import CLIENT_IDS, LEEWAY_SECONDS, REGION, ROUTE_SCOPES, USER_POOL_ID

paths.use_function_sources()

Authorize = Callable[[str], object]


def quiet_function_logs() -> None:
    """Keep the functions' log lines off the bench's terminal: their records, and the resource side's
    per-request access line, are still built and written, to ``/dev/null``."""
    from cognito_m2m_verifier.handler import ACCESS_LOG

    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(open(os.devnull, "w")))  # noqa: SIM115 - process-long
    if ACCESS_LOG.stream is None:
        ACCESS_LOG.stream = open(os.devnull, "w")  # noqa: SIM115 - process-long


def resource_env(jwks_url: str) -> dict[str, str]:
    return {
        "USER_POOL_ID": USER_POOL_ID,
        "AWS_REGION": REGION,
        "JWKS_URL": jwks_url,
        "ALLOWED_CLIENT_IDS": ",".join(CLIENT_IDS),
        "ROUTE_SCOPES": json.dumps(ROUTE_SCOPES),
        "CLOCK_SKEW_SECONDS": str(LEEWAY_SECONDS),
        # as the module deploys it: every request's line is also its embedded-metric-format record
        "METRICS_NAMESPACE": "CognitoM2M",
        "AWS_LAMBDA_FUNCTION_NAME": "bench-resource",
    }


class ResourceFunction:
    """Builds fresh resource apps (as the handler does) sharing one pre-warmed JWKS cache."""

    def __init__(self, jwks_url: str, kid: str) -> None:
        quiet_function_logs()
        from cognito_m2m_verifier.config import load_config
        from cognito_m2m_verifier.jwks import JwksCache

        self.env = resource_env(jwks_url)
        self.jwks = JwksCache(load_config(self.env).jwks_url)  # what app_from_config builds
        self.jwks.get_key(kid)  # one real fetch from the loopback server: the cache is warm

    def app(self) -> Any:
        from cognito_m2m_verifier.handler import build_app

        return build_app(self.env, jwks=self.jwks)

    def authorizer(self) -> Authorize:
        """``GET /api``'s authorization step of a fresh app: what the handler calls per request."""
        app = self.app()
        authorize = app.verifier.authorize
        scopes = app.routes.match("GET", "/api").scopes

        def run(token: str) -> object:
            return authorize(token, scopes)

        return run

    def handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        """A fresh app's whole ALB-event handling (parse, route, authorize, respond, log)."""
        app = self.app()

        def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return app.handle(event)  # type: ignore[no-any-return]

        return handle

    def wrapper(self, *, metrics: bool = True) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        """A fresh ``ProtectedApi`` (what a function of your own runs) with one route, ``GET /api``;
        with its per-request metrics (as the module deploys it) unless ``metrics`` is False."""
        from cognito_m2m_verifier import ProtectedApi

        app = self.app()  # the function's verifier, on the warm JWKS cache, and its metrics
        api = ProtectedApi(app.verifier, metrics=app.metrics if metrics else None)

        @api.route("GET /api", scopes=["rest-api/read"])
        def hello(request: Any, claims: Any) -> dict[str, Any]:
            return {"message": "hello", "client_id": claims.client_id}

        return api.handler


def alb_event(token: str) -> dict[str, Any]:
    return {
        "requestContext": {
            "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123:tg/bench/1"}
        },
        "httpMethod": "GET",
        "path": "/api",
        "queryStringParameters": {},
        "headers": {
            "authorization": f"Bearer {token}",
            "host": "bench.local",
            "x-amzn-trace-id": "Root=1-bench",
        },
        "body": "",
        "isBase64Encoded": False,
    }
