"""A strict verifier of Amazon Cognito access tokens (client credentials), for any Lambda front door.

The public API is what this module exports; everything else is internal::

    from cognito_m2m_verifier import ProtectedApi, cognito_verifier

    verifier = cognito_verifier(user_pool_id="eu-west-1_AbC123", client_ids=["1example..."], leeway=5)
    claims = verifier.authorize(token, ("orders/read",))  # verify + require every scope; raises
                                                           # InvalidToken (401), InsufficientScope (403),
                                                           # KeysUnavailable (503)
    api = ProtectedApi(verifier)

    @api.route("GET /orders/*", scopes=["orders/read"])
    def get_order(request, claims):            # HttpRequest, AccessTokenClaims
        return {"order": request.path.rsplit("/", 1)[1]}

    handler = api.handler                      # ALB, API Gateway REST or HTTP API, function URL

    @api.route("GET /tenants/*", scopes=["orders/read"], claims=[claim_matches_path("tenant", 2)])
    def tenant_orders(request, claims):        # a trigger's claims: claims.custom, frozen; 403 when
        return {"tenant": claims.custom_str("tenant")}  # /tenants/<x>/... is not the token's tenant

Modules (one job each): :mod:`~cognito_m2m_verifier.token_parser` (strict single-pass JWT parse),
:mod:`~cognito_m2m_verifier.strict_json`, :mod:`~cognito_m2m_verifier.jwks` (JWKS fetch, validation,
cache, penalty window), :mod:`~cognito_m2m_verifier.signature` (the RS256 check),
:mod:`~cognito_m2m_verifier.verifier` (claims, signature, verified-token cache, scope check),
:mod:`~cognito_m2m_verifier.errors`, :mod:`~cognito_m2m_verifier.config` (environment contract),
:mod:`~cognito_m2m_verifier.routes`, :mod:`~cognito_m2m_verifier.responses` (RFC 6750),
:mod:`~cognito_m2m_verifier.events` (one adapter per event format), :mod:`~cognito_m2m_verifier.handler`
(the demo's Lambda handler), :mod:`~cognito_m2m_verifier.cognito` and
:mod:`~cognito_m2m_verifier.protected_api` (your own routes).

Lower level (what the bench, the fuzz suite and other code use)::

    from cognito_m2m_verifier.jwks import JwksCache
    from cognito_m2m_verifier.verifier import TokenVerifier, check_scopes
    from cognito_m2m_verifier.config import cognito_issuer

    jwks = JwksCache(url, penalty_seconds=10.0, clock=time.monotonic)  # or jwks.load(jwks_bytes)
    verifier = TokenVerifier(issuer=cognito_issuer(pool_id), jwks=jwks,
                             allowed_client_ids=["abc123"], leeway=5, clock=time.time)
    claims = verifier.verify(token)              # AccessTokenClaims: client_id, scopes, exp, iat, nbf,
                                                 # kid, and .claims (the whole payload, read-only)
    check_scopes(claims, ("rest-api/read",))     # all required; raises InsufficientScope
    claims = verifier.authorize(token, scopes)   # verify + check_scopes: exactly what the handler runs

    from cognito_m2m_verifier.handler import build_app
    app = build_app({"USER_POOL_ID": ..., "ALLOWED_CLIENT_IDS": ..., "ROUTE_SCOPES": ...},
                    jwks=jwks, clock=clock)      # explicit env mapping, no module reload
    app.handle(alb_event) -> ALB response dict   # never raises

Errors (:mod:`cognito_m2m_verifier.errors`): ``InvalidToken`` (401) and its subclasses ``MalformedToken``,
``TokenTooLarge``, ``UnsupportedHeader``, ``InvalidClaim``, ``TokenExpired``, ``TokenNotYetValid``,
``TokenIssuedInFuture``, ``WrongIssuer``, ``WrongTokenUse``, ``ClientNotAllowed``, ``UnknownKey``,
``InvalidSignature``; ``InsufficientScope`` (403); ``KeysUnavailable`` (503, ``retry_after``).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cognito_m2m_verifier.claim_rules import ClaimRule, claim_contains, claim_equals, claim_matches_path
    from cognito_m2m_verifier.claims import AccessTokenClaims
    from cognito_m2m_verifier.cognito import cognito_verifier
    from cognito_m2m_verifier.errors import (
        ClientNotAllowed,
        InsufficientScope,
        InvalidClaim,
        InvalidSignature,
        InvalidToken,
        KeysUnavailable,
        MalformedToken,
        NotClientCredentials,
        TokenExpired,
        TokenIssuedInFuture,
        TokenNotYetValid,
        TokenTooLarge,
        UnknownKey,
        UnsupportedHeader,
        WrongIssuer,
        WrongTokenUse,
    )
    from cognito_m2m_verifier.events import HttpRequest, HttpResponse
    from cognito_m2m_verifier.protected_api import ProtectedApi
    from cognito_m2m_verifier.verifier import TokenVerifier, check_scopes

# Each public name, by the module that defines it: imported when first used (PEP 562), so that importing
# one submodule (the handler, the JWKS prefetch of the cold start) does not import all the others.
_WHERE = {
    "ClaimRule": "claim_rules",
    "claim_contains": "claim_rules",
    "claim_equals": "claim_rules",
    "claim_matches_path": "claim_rules",
    "AccessTokenClaims": "claims",
    "cognito_verifier": "cognito",
    **dict.fromkeys(
        (
            "ClientNotAllowed",
            "InsufficientScope",
            "InvalidClaim",
            "InvalidSignature",
            "InvalidToken",
            "KeysUnavailable",
            "MalformedToken",
            "NotClientCredentials",
            "TokenExpired",
            "TokenIssuedInFuture",
            "TokenNotYetValid",
            "TokenTooLarge",
            "UnknownKey",
            "UnsupportedHeader",
            "WrongIssuer",
            "WrongTokenUse",
        ),
        "errors",
    ),
    "HttpRequest": "events",
    "HttpResponse": "events",
    "ProtectedApi": "protected_api",
    "TokenVerifier": "verifier",
    "check_scopes": "verifier",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cognito_m2m_verifier' has no attribute {name!r}")
    import importlib  # noqa: PLC0415 - only for the first use of each name

    if not _prefetch_considered:
        _prefetch_in_lambda()

    value = getattr(importlib.import_module(f"cognito_m2m_verifier.{module}"), name)
    globals()[name] = value
    return value


_prefetch_considered = False


def _prefetch_in_lambda() -> None:
    """In a Lambda function (``AWS_LAMBDA_FUNCTION_NAME`` is set), the first public name taken from this
    package starts the download of the JWKS the environment names (``JWKS_URL`` or ``USER_POOL_ID``, as
    the module's ``apis`` set them), in the background, before the library's own imports: a function of
    your own gets the cold start of the resource function's ``app.py``
    (:mod:`~cognito_m2m_verifier.key_prefetch`; it never fails or delays INIT, and an environment that
    names no pool starts nothing). Outside Lambda nothing starts: a script or a test opens no connection
    it did not ask for."""
    global _prefetch_considered  # noqa: PLW0603 - once per process
    _prefetch_considered = True
    import os  # noqa: PLC0415

    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        from cognito_m2m_verifier import key_prefetch  # noqa: PLC0415

        key_prefetch.start(os.environ)


def __dir__() -> list[str]:
    return sorted(__all__)


__version__ = "0.2.0"

__all__ = [
    "AccessTokenClaims",
    "ClaimRule",
    "ClientNotAllowed",
    "HttpRequest",
    "HttpResponse",
    "InsufficientScope",
    "InvalidClaim",
    "InvalidSignature",
    "InvalidToken",
    "KeysUnavailable",
    "MalformedToken",
    "NotClientCredentials",
    "ProtectedApi",
    "TokenExpired",
    "TokenIssuedInFuture",
    "TokenNotYetValid",
    "TokenTooLarge",
    "TokenVerifier",
    "UnknownKey",
    "UnsupportedHeader",
    "WrongIssuer",
    "WrongTokenUse",
    "__version__",
    "check_scopes",
    "claim_contains",
    "claim_equals",
    "claim_matches_path",
    "cognito_verifier",
]
