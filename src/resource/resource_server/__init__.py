"""The resource server: a strict verifier of Cognito access tokens, behind an ALB or any Lambda front door.

Modules (one job each): :mod:`~resource_server.token_parser` (strict single-pass JWT parse),
:mod:`~resource_server.strict_json`, :mod:`~resource_server.jwks` (JWKS fetch, validation, cache,
penalty window), :mod:`~resource_server.signature` (the RS256 check),
:mod:`~resource_server.verifier` (claims, signature, verified-token cache, scope check),
:mod:`~resource_server.errors`, :mod:`~resource_server.config` (environment contract),
:mod:`~resource_server.routes`, :mod:`~resource_server.responses` (RFC 6750),
:mod:`~resource_server.events` (one adapter per event format), :mod:`~resource_server.handler` (the
Lambda handler), :mod:`~resource_server.cognito` and :mod:`~resource_server.protected_api` (your own
routes).

Your own routes behind Cognito tokens::

    from resource_server.cognito import cognito_verifier
    from resource_server.protected_api import ProtectedApi

    api = ProtectedApi(cognito_verifier(user_pool_id="eu-west-1_AbC123", client_ids=["1example..."]))

    @api.route("GET /orders/*", scopes=["orders/read"])
    def get_order(request, claims):            # HttpRequest, AccessTokenClaims
        return {"order": request.path.rsplit("/", 1)[1]}

    handler = api.handler                      # ALB, API Gateway REST or HTTP API, function URL

Lower level (what the bench, the fuzz suite and other code use)::

    from resource_server.jwks import JwksCache
    from resource_server.verifier import TokenVerifier, check_scopes
    from resource_server.config import cognito_issuer

    jwks = JwksCache(url, penalty_seconds=10.0, clock=time.monotonic)  # or jwks.load(jwks_bytes)
    verifier = TokenVerifier(issuer=cognito_issuer(pool_id), jwks=jwks,
                             allowed_client_ids=["abc123"], leeway=5, clock=time.time)
    claims = verifier.verify(token)              # AccessTokenClaims: client_id, scopes, exp, iat, nbf,
                                                 # kid, and .claims (the whole payload, read-only)
    check_scopes(claims, ("rest-api/read",))     # all required; raises InsufficientScope
    claims = verifier.authorize(token, scopes)   # verify + check_scopes: exactly what the handler runs

    from resource_server.handler import build_app
    app = build_app({"USER_POOL_ID": ..., "ALLOWED_CLIENT_IDS": ..., "ROUTE_SCOPES": ...},
                    jwks=jwks, clock=clock)      # explicit env mapping, no module reload
    app.handle(alb_event) -> ALB response dict   # never raises

Errors (:mod:`resource_server.errors`): ``InvalidToken`` (401) and its subclasses ``MalformedToken``,
``TokenTooLarge``, ``UnsupportedHeader``, ``InvalidClaim``, ``TokenExpired``, ``TokenNotYetValid``,
``TokenIssuedInFuture``, ``WrongIssuer``, ``WrongTokenUse``, ``ClientNotAllowed``, ``UnknownKey``,
``InvalidSignature``; ``InsufficientScope`` (403); ``KeysUnavailable`` (503, ``retry_after``).
"""
