"""Per-request metrics of a protected function, as CloudWatch embedded metric format members.

The access line (:mod:`cognito_m2m_verifier.access_log`) *is* the metrics record: the ``_aws``
metadata and the metric members (:meth:`RequestMetrics.members`) end the line, so a request still
costs one ``write``. Metrics, all in the configured namespace:

=====================  ======================  ==================================================
metric                 dimensions              value per request
=====================  ======================  ==================================================
``Requests``           Function, Outcome;      1
                       Function
``InvalidTokens``      Function, Reason        1 when the token was refused as invalid
``VerificationTime``   Function                microseconds in the verifier (when a token was read)
``TokenCacheHits``     Function                1 when the verified-token cache answered, else 0
``JwksFetches``        Function                JWKS downloads since the previous record (when any)
``JwksFetchFailures``  Function                failed downloads since the previous record (when any)
=====================  ======================  ==================================================

``Outcome`` is one of :data:`OUTCOMES`; ``Reason`` one of the verifier's fixed reasons
(``token_expired``, ``invalid_signature``, ...). Neither ever holds what a caller sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cognito_m2m_verifier._shared.emf import MetricsConfig, directive

OUTCOMES = (
    "ok",  # the route's function answered below 400
    "no_token",  # 401 without an error code: no Authorization header, or another scheme
    "invalid_request",  # 400 invalid_request: a malformed header, the token in the query, two headers
    "invalid_token",  # 401 invalid_token: expired, forged, wrong pool or client, unknown key...
    "insufficient_scope",  # 403: a scope missing, or a route's claim rule not met
    "keys_unavailable",  # 503: the pool's signing keys could not be had
    "not_found",  # 404
    "method_not_allowed",  # 405
    "bad_event",  # 400: not an event of a known front door
    "rejected",  # the route's function answered 4xx (413, a body it refused)
    "error",  # the route's function answered 5xx
    "internal_error",  # 500: the route's function raised
)
"""Every value of the ``Outcome`` dimension."""

# The access line's fine-grained outcome -> the Outcome dimension (InvalidToken reasons: invalid_token)
_CATEGORY_OF = {
    "ok": "ok",
    "no_credentials": "no_token",
    "unsupported_scheme": "no_token",
    "token_in_query": "invalid_request",
    "token_in_two_places": "invalid_request",
    "several_authorization_headers": "invalid_request",
    "authorization_too_long": "invalid_request",
    "malformed_authorization": "invalid_request",
    "insufficient_scope": "insufficient_scope",
    "claim_mismatch": "insufficient_scope",
    "keys_unavailable": "keys_unavailable",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "bad_event": "bad_event",
    "internal_error": "internal_error",
}


def outcome_category(outcome: str, status: int) -> str:
    """The ``Outcome`` dimension of an access line's ``outcome`` (invalid-token reasons are passed as
    ``invalid_token`` by the handler; a route function's own error maps by its status)."""
    category = _CATEGORY_OF.get(outcome)
    if category is not None:
        return category
    return "error" if status >= 500 else "rejected"


_VERIFIED = (("VerificationTime", "Microseconds"), ("TokenCacheHits", "Count"))
_JWKS = (("JwksFetches", "Count"), ("JwksFetchFailures", "Count"))


class RequestMetrics:
    """One request's metric members, as JSON text that ends its access line (see the module docstring).

    The members' text is made once per shape of record (which metrics, which ``Outcome`` and
    ``Reason``) and second, and reused: a request pays for a dictionary lookup and, rarely, its JWKS
    counts. The record's ``Timestamp`` is the start of its second (CloudWatch aggregates these
    standard-resolution metrics by the minute). Every value in the text is ours (the namespace, the
    function's name, fixed outcome and reason names), so what is spliced into the line is valid JSON.
    """

    __slots__ = ("_directives", "_prefix", "_second", "_tails", "_texts", "config", "namespace")

    def __init__(self, config: MetricsConfig) -> None:
        self.config = config
        self.namespace = config.namespace
        self._directives: dict[tuple[bool, bool, bool], list[dict[str, Any]]] = {}
        self._tails: dict[tuple[bool, bool, str, str], str] = {}
        self._texts: dict[tuple[bool, bool, str, str], str] = {}  # this second's, by shape
        self._second = -1
        self._prefix = ""

    def directives(self, verified: bool, jwks: bool, invalid: bool) -> list[dict[str, Any]]:
        """The directives of a record that has the verifier's metrics, the JWKS counts, a Reason."""
        key = (verified, jwks, invalid)
        found = self._directives.get(key)
        if found is None:  # at most 8 shapes, each built once
            ns = self.namespace
            found = [directive(ns, [["Function", "Outcome"], ["Function"]], [("Requests", "Count")])]
            per_function = (_VERIFIED if verified else ()) + (_JWKS if jwks else ())
            if per_function:
                found.append(directive(ns, [["Function"]], per_function))
            if invalid:
                found.append(directive(ns, [["Function", "Reason"]], [("InvalidTokens", "Count")]))
            self._directives[key] = found
        return found

    def _tail(self, verified: bool, jwks: bool, category: str, reason: str) -> str:
        key = (verified, jwks, category, reason)
        tail = self._tails.get(key)
        if tail is None:
            invalid = category == "invalid_token"
            dumps = json.dumps
            tail = (
                ',"CloudWatchMetrics":'
                + dumps(self.directives(verified, jwks, invalid), separators=(",", ":"))
                + '},"Function":'
                + dumps(self.config.function)
                + ',"Outcome":'
                + dumps(category)
                + ',"Requests":1'
            )
            if invalid:
                tail += ',"Reason":' + dumps(reason) + ',"InvalidTokens":1'
            if len(self._tails) < _MAX_TAILS:
                self._tails[key] = tail
        return tail

    def members(
        self,
        fields: Mapping[str, Any],
        category: str,
        now: float,
        jwks_fetches: int = 0,
        jwks_failures: int = 0,
    ) -> str:
        """The metric members of one request at ``now`` (epoch seconds), as JSON text to end its line
        with: ``,"_aws":...`` (without the closing brace). ``fields`` (its access-line fields) may hold
        ``VerificationTime`` and ``TokenCacheHits`` (a token was verified); its ``outcome`` is the
        ``Reason`` of an invalid token. ``category`` must be one of :data:`OUTCOMES`."""
        second = int(now)
        if second != self._second:
            self._texts.clear()
            self._second = second
            self._prefix = ',"_aws":{"Timestamp":' + str(second * 1000)
        jwks = jwks_fetches > 0 or jwks_failures > 0
        reason = fields.get("outcome", "invalid_token") if category == "invalid_token" else ""
        key = ("VerificationTime" in fields, jwks, category, reason)
        text = self._texts.get(key)
        if text is None:
            text = self._prefix + self._tail(*key)
            if len(self._texts) < _MAX_TAILS:
                self._texts[key] = text
        if jwks:
            text += f',"JwksFetches":{int(jwks_fetches)},"JwksFetchFailures":{int(jwks_failures)}'
        return text


_MAX_TAILS = 1024  # shapes x outcomes x reasons is far below this; a bound all the same


def metrics_from_env(env: Mapping[str, str]) -> RequestMetrics | None:
    """The metrics of a function configured by ``env`` (``METRICS_NAMESPACE``), or None (no metrics);
    a malformed namespace raises :class:`~cognito_m2m_verifier._shared.config.ConfigError`."""
    config = MetricsConfig.from_env(env, default_function="cognito-m2m-verifier")
    return RequestMetrics(config) if config is not None else None
