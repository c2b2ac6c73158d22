"""The Lambda handler: event -> neutral request -> route -> authorize -> act -> answer in the event's format.

The event's front door (ALB in either header mode, API Gateway REST or HTTP API, a function URL) is
decided once per event by :func:`cognito_m2m_verifier.events.adapter_for`; everything between parsing and
rendering works on the neutral request and answer.

``handler(event, context)`` builds the app from ``os.environ`` on the first invocation of the
container (a :class:`~cognito_m2m_verifier._shared.config.ConfigError` then fails that invocation with
one message naming the variable; nothing is ever served with a broken configuration) and reuses it, with its
JWKS cache and verified-token cache, for the container's life. Tests and tools build their own app
with :func:`build_app` from an explicit mapping, or :class:`ResourceApp` from explicit objects.

Order for a request: 404 for an unknown path or unconfigured route and 405 (``Allow``) for other
methods come first (see :mod:`cognito_m2m_verifier.routes`); then the Authorization header (RFC 6750
§2.1: ``Bearer``, case-insensitive, one or more spaces, one b64token; blanks around the value are
ignored) and the token, with the route's scopes, all required; only then the method's own work (the
POST body is read only for an authorized caller). Client input never yields a 500: any unexpected
failure while verifying a token is logged as a bug and answered with 401 ``invalid_token``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

from cognito_m2m_verifier import responses, strict_json
from cognito_m2m_verifier._shared.alb import BadEvent, Request
from cognito_m2m_verifier._shared.json_nesting import nesting_exceeds
from cognito_m2m_verifier._shared.log import get_logger
from cognito_m2m_verifier.access_log import AccessLog
from cognito_m2m_verifier.claims import AccessTokenClaims
from cognito_m2m_verifier.config import ResourceConfig, load_config
from cognito_m2m_verifier.errors import InsufficientScope, InvalidToken, KeysUnavailable
from cognito_m2m_verifier.events import HttpResponse, adapter_for
from cognito_m2m_verifier.issuers import issuers_to_tell_apart
from cognito_m2m_verifier.jwks import JwksCache
from cognito_m2m_verifier.request_metrics import RequestMetrics, metrics_from_env, outcome_category
from cognito_m2m_verifier.routes import MethodNotAllowed, Route, RouteNotFound, RouteTable
from cognito_m2m_verifier.verifier import TokenVerifier

log = get_logger("cognito_m2m_verifier")
ACCESS_LOG = AccessLog("cognito_m2m_verifier")
"""The per-request line of every app (see :mod:`cognito_m2m_verifier.access_log`)."""

MAX_BODY_BYTES = 16 * 1024
MAX_BODY_DEPTH = 32
MAX_AUTHORIZATION_LENGTH = 16 * 1024
# RFC 6750 §2.1: "Bearer" 1*SP b64token; the scheme name is case-insensitive (RFC 7235 §2.1)
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


Action = Callable[[Request, AccessTokenClaims, Route], HttpResponse]
"""What runs for an authorized request: the request, its verified claims and the route it matched."""


class Decision(NamedTuple):
    """What the app decided for one request: the answer, the fields of its access-log line, and its
    ``Outcome`` (one of :data:`~cognito_m2m_verifier.request_metrics.OUTCOMES`)."""

    answer: HttpResponse
    fields: dict[str, Any]
    category: str


class ResourceApp:
    """Routes, a verifier and the action authorized requests get; no global state of its own.

    Every event gets exactly one access-log line (:data:`ACCESS_LOG`), written by :meth:`handle` once
    the answer is decided, with the Lambda request id when the context carries one. With ``metrics``
    (by default from ``METRICS_NAMESPACE``; see :mod:`cognito_m2m_verifier.request_metrics`) that line
    is also the request's embedded-metric-format record; when the log level hides INFO lines, a record
    with the metrics alone is written instead, so that metrics never depend on the log level.
    """

    def __init__(
        self,
        routes: RouteTable,
        verifier: TokenVerifier,
        action: Action | None = None,
        *,
        access_log: AccessLog | None = None,
        metrics: RequestMetrics | bool | None = True,
    ) -> None:
        self.routes = routes
        self.verifier = verifier
        self.action: Action = action or demo_action
        self.access_log = access_log or ACCESS_LOG
        # True: as the environment says (METRICS_NAMESPACE); None or False: no metrics
        self.metrics = metrics_from_env(os.environ) if metrics is True else (metrics or None)
        self._jwks_seen = (verifier.jwks_fetches, verifier.jwks_fetch_failures)
        # one key set (the usual case): read its counters directly on every request
        self._one_key_set = verifier.key_sets[0] if len(verifier.key_sets) == 1 else None

    def __call__(self, event: Any, context: Any = None) -> dict[str, Any]:
        return self.handle(event, context)

    def handle(self, event: Any, context: Any = None) -> dict[str, Any]:
        """Answer one event in its own format; never raises."""
        adapter = adapter_for(event)
        request_id = getattr(context, "aws_request_id", None)
        if type(request_id) is not str:
            request_id = None
        try:
            request = adapter.parse(event)
        except BadEvent as exc:
            fields = {
                "status": 400,
                "outcome": "bad_event",
                "problem": str(exc),
                "event_format": adapter.name,
            }
            self._record(fields, "bad_event", request_id)
            return adapter.render(responses.error(400, "bad_request", "The request could not be read"))
        try:
            answer, fields, category = self._dispatch(request)
            # Rendered inside the protection: an answer that cannot be written (a set in a route's
            # JSON) is this request's 500, and its line and metrics say so, not "ok".
            rendered = adapter.render(answer)
        except Exception:
            log.exception("internal error", extra={"status": 500, "method": request.method[:16]})
            answer, fields, category = _decision(request, _INTERNAL_ERROR, "internal_error")
            rendered = adapter.render(answer)
        self._record(fields, category, request_id)
        return rendered

    def _record(self, fields: dict[str, Any], category: str, request_id: str | None) -> None:
        """The request's one line: the access line, ended by its metrics when they are on."""
        metrics = self.metrics
        if metrics is None:
            self.access_log.write(fields, request_id)
            return
        seen = self._jwks_seen
        one = self._one_key_set
        if one is not None:
            total = (one.fetch_count, one.fetch_failures)
        else:
            total = (self.verifier.jwks_fetches, self.verifier.jwks_fetch_failures)
        fetches, failures = total[0] - seen[0], total[1] - seen[1]
        if fetches or failures:
            self._jwks_seen = total
        now = time.time()
        members = metrics.members(fields, category, now, fetches, failures)
        if self.access_log.enabled:
            self.access_log.write(fields, request_id, members, now)
        else:
            verified: dict[str, Any] = {k: fields[k] for k in _VERIFIER_METRICS if k in fields}
            self.access_log.write_metrics(verified, members, request_id)

    def _dispatch(self, request: Request) -> Decision:
        try:
            route = self.routes.match(request.method, request.path)
        except RouteNotFound:
            return _decision(request, responses.error(404, "not_found", "No such route"), "not_found")
        except MethodNotAllowed as exc:
            allow = ", ".join(exc.allow)
            answer = responses.error(405, "method_not_allowed", "Method not allowed", Allow=allow)
            return _decision(request, answer, "method_not_allowed")

        token_or_decision = self._bearer_token(request)
        if type(token_or_decision) is not str:
            return token_or_decision  # type: ignore[return-value]
        if self.metrics is None:  # nothing reads the verifier's time and cache: not measured
            claims_or_decision = self._authorize(request, token_or_decision, route)
            if type(claims_or_decision) is Decision:
                return claims_or_decision
            return self._act(request, route, claims_or_decision)  # type: ignore[arg-type]
        verifier = self.verifier
        hits = verifier.cache_hits
        started = perf_counter()
        claims_or_decision = self._authorize(request, token_or_decision, route)
        elapsed_us = int((perf_counter() - started) * 1e6)  # whole µs: round(x, 3) alone costs 0.3 µs
        if type(claims_or_decision) is Decision:
            decision = claims_or_decision
        else:
            decision = self._act(request, route, claims_or_decision)  # type: ignore[arg-type]
        fields = decision.fields
        fields["VerificationTime"] = elapsed_us
        fields["TokenCacheHits"] = verifier.cache_hits - hits
        return decision

    @staticmethod
    def _bearer_token(request: Request) -> str | Decision:
        values = request.header_values("authorization")
        in_query = _token_in_query(request.query)
        if not values:
            if in_query:
                answer = responses.invalid_request("Send the token in the Authorization header only")
                return _decision(request, answer, "token_in_query")
            return _decision(request, responses.unauthorized(), "no_credentials")
        if len(values) > 1:
            answer = responses.invalid_request("Send exactly one Authorization header")
            return _decision(request, answer, "several_authorization_headers")
        value = values[0].strip(" \t")
        if len(value) > MAX_AUTHORIZATION_LENGTH:
            answer = responses.invalid_request("The Authorization header is too long")
            return _decision(request, answer, "authorization_too_long")
        scheme, _, credentials = value.partition(" ")
        if not scheme:
            answer = responses.invalid_request("The Authorization header is malformed")
            return _decision(request, answer, "malformed_authorization")
        if scheme.lower() != "bearer":
            return _decision(request, responses.unauthorized(), "unsupported_scheme")
        token = credentials.lstrip(" ")
        if not _B64TOKEN.fullmatch(token):
            answer = responses.invalid_request("The Authorization header is malformed")
            return _decision(request, answer, "malformed_authorization")
        if in_query:
            answer = responses.invalid_request("Send the token in the Authorization header only")
            return _decision(request, answer, "token_in_two_places")
        return token

    def _authorize(self, request: Request, token: str, route: Route) -> AccessTokenClaims | Decision:
        try:
            claims = self.verifier.authorize(token, route.scopes)
            if route.claim_rules:
                for rule in route.claim_rules:
                    if not rule.allows(claims, request):
                        answer = responses.claim_mismatch()
                        return _decision(
                            request,
                            answer,
                            "claim_mismatch",
                            client_id=claims.client_id,
                            rule=rule.description,
                        )
            return claims
        except InvalidToken as exc:
            answer = responses.invalid_token(exc.description)
            return _decision(request, answer, exc.reason, "invalid_token", kid=exc.kid, detail=exc.detail)
        except InsufficientScope as exc:
            answer = responses.insufficient_scope(exc.required)
            return _decision(request, answer, exc.reason, missing=" ".join(exc.missing))
        except KeysUnavailable as exc:
            answer = responses.keys_unavailable(exc.retry_after)
            return _decision(request, answer, exc.reason, detail=exc.detail)
        except Exception:  # a bug: fail closed, never a 500 for what the client sent
            log.exception("verifier failed unexpectedly", extra={"outcome": "verifier_bug"})
            answer = responses.invalid_token("The access token is invalid")
            return _decision(request, answer, "verifier_bug", "invalid_token")

    def _act(self, request: Request, route: Route, claims: AccessTokenClaims) -> Decision:
        answer = self.action(request, claims, route)
        if answer.status < 400:
            outcome = category = "ok"
        else:  # the route's own error: its code in the line, only its status class in the metrics
            outcome = str(answer.body.get("error", "error"))[:64]
            category = "error" if answer.status >= 500 else "rejected"
        return _decision(request, answer, outcome, category, client_id=claims.client_id, kid=claims.kid)


_INTERNAL_ERROR = responses.error(500, "internal_error", "Internal error")
_VERIFIER_METRICS = ("VerificationTime", "TokenCacheHits")  # access-line fields that are metric values


def _decision(
    request: Request, answer: HttpResponse, outcome: str, category: str | None = None, **fields: str | None
) -> Decision:
    """The answer with its access-log fields (status, outcome, method and path (bounded), the rest)
    and its ``Outcome`` (``category``; by default the one :func:`outcome_category` gives)."""
    logged: dict[str, Any] = {
        "status": answer.status,
        "outcome": outcome,
        "method": request.method[:16],
        "path": request.path[:128],
    }
    for name, value in fields.items():
        if value is not None:
            logged[name] = value
    return Decision(answer, logged, category or outcome_category(outcome, answer.status))


_TOO_DEEP = object()


def demo_action(request: Request, claims: AccessTokenClaims, route: Route) -> HttpResponse:
    """The demo API: ``GET`` greets the caller, ``POST`` echoes a JSON body (bounded size and depth)."""
    body: dict[str, Any] = {
        "message": "Hello from the resource server",
        "client_id": claims.client_id,
        "scopes": list(claims.scopes),
    }
    if route.method == "POST":
        if len(request.body) > MAX_BODY_BYTES:
            return responses.error(
                413, "payload_too_large", f"The body is larger than {MAX_BODY_BYTES} bytes"
            )
        try:
            echo = strict_json.loads_utf8(request.body)
        except strict_json.StrictJsonError:
            echo = _TOO_DEEP
        if echo is _TOO_DEEP or nesting_exceeds(echo, MAX_BODY_DEPTH):
            description = f"The body must be one JSON document nested at most {MAX_BODY_DEPTH} deep"
            return responses.error(400, "invalid_json", description)
        body["message"] = "Echo from the resource server"
        body["echo"] = echo
    return responses.ok(body)


def _token_in_query(query: Mapping[str, tuple[str, ...]]) -> bool:
    """An ``access_token`` query parameter (RFC 6750 §2.3), also when its name is percent-encoded: the
    ALB passes names undecoded, and any server that decodes them reads ``access%5Ftoken`` as the token."""
    if not query:
        return False
    if "access_token" in query:
        return True
    return any(unquote_plus(name) == "access_token" for name in query if "%" in name)


def build_app(
    env: Mapping[str, str],
    *,
    jwks: JwksCache | None = None,
    clock: Callable[[], float] | None = None,
) -> ResourceApp:
    """An app configured from ``env`` (raises :class:`~cognito_m2m_verifier._shared.config.ConfigError`),
    its metrics too (``METRICS_NAMESPACE``)."""
    config = load_config(env)
    return app_from_config(config, jwks=jwks, clock=clock, metrics=metrics_from_env(env))


def key_sets_for(config: ResourceConfig, jwks: JwksCache | None = None) -> dict[str, JwksCache]:
    """Each accepted issuer's key set: ``jwks`` for all when given, one for ``JWKS_URL`` when set, else
    one per derived URL; with both formats accepted, a 403 or 404 from
    either one's JWKS means no keys there (see
    :func:`~cognito_m2m_verifier.issuers.issuers_to_tell_apart`)."""
    issuers = config.issuers or {config.issuer: config.jwks_url}
    if jwks is not None:
        return dict.fromkeys(issuers, jwks)
    if config.jwks_url_given or config.issuers is None:
        shared = JwksCache(config.jwks_url)
        return dict.fromkeys(issuers, shared)
    told_apart = issuers_to_tell_apart(config.user_pool_id, config.issuer_format)
    return {
        issuer: JwksCache(url, absent_means_no_keys=issuer in told_apart) for issuer, url in issuers.items()
    }


def verifier_from_config(
    config: ResourceConfig,
    *,
    jwks: JwksCache | None = None,
    clock: Callable[[], float] | None = None,
) -> TokenVerifier:
    """The verifier that a configuration describes: a key set per issuer's JWKS URL (one for all when
    ``JWKS_URL`` or ``jwks`` gives it)."""
    return TokenVerifier(
        issuers=key_sets_for(config, jwks),
        allowed_client_ids=config.allowed_client_ids,
        leeway=config.clock_skew_seconds,
        clock=clock or time.time,
        client_credentials_only=config.client_credentials_only,
    )


def app_from_config(
    config: ResourceConfig,
    *,
    jwks: JwksCache | None = None,
    clock: Callable[[], float] | None = None,
    metrics: RequestMetrics | None = None,
) -> ResourceApp:
    verifier = verifier_from_config(config, jwks=jwks, clock=clock)
    return ResourceApp(RouteTable(config.route_scopes), verifier, metrics=metrics)


_APP: ResourceApp | None = None


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point (``app.handler``)."""
    global _APP  # noqa: PLW0603 - one app per container, built at the first invocation
    if _APP is None:
        try:
            _APP = build_app(os.environ)
        except Exception:
            log.exception("configuration rejected: the function serves nothing until it is fixed")
            raise
    return _APP.handle(event, context)
