"""A verifier for one Cognito user pool, from what a service knows: the pool id and its callers.

    from cognito_m2m_verifier.cognito import cognito_verifier

    verifier = cognito_verifier(user_pool_id="eu-west-1_AbC123", client_ids=["1example23456789abcdefghij"])
    claims = verifier.authorize(token, ("orders/read",))   # raises InvalidToken, InsufficientScope, ...

The issuer (``https://cognito-idp.<region>.amazonaws.com/<pool id>``) and the JWKS URL
(``<issuer>/.well-known/jwks.json``) are derived from the pool id, whose prefix names the region; the
keys are fetched on first use and cached (see :mod:`cognito_m2m_verifier.jwks`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from cognito_m2m_verifier.config import CLIENT_ID, cognito_issuer
from cognito_m2m_verifier.jwks import JwksCache
from cognito_m2m_verifier.verifier import TokenVerifier


def cognito_verifier(
    *,
    user_pool_id: str,
    client_ids: Iterable[str],
    leeway: int = 5,
    jwks_url: str | None = None,
    client_credentials_only: bool = True,
    clock: Callable[[], float] = time.time,
    allow_insecure_http: bool = False,
) -> TokenVerifier:
    """A :class:`TokenVerifier` of the pool's access tokens for the given app clients.

    ``leeway`` (0-300 s) is the clock skew allowed for ``exp``/``iat``/``nbf``; ``jwks_url`` replaces
    the derived one (tests, a proxy); ``client_credentials_only=False`` also accepts users' access
    tokens of those clients; ``clock`` returns epoch seconds (tests). ``jwks_url`` must be https (plain
    http only to a loopback host, unless ``allow_insecure_http=True``). Raises :class:`TypeError` when
    ``client_ids`` is a single string rather than a list of them, :class:`ValueError` for a malformed
    pool id, client id or JWKS URL.
    """
    issuer = cognito_issuer(user_pool_id)
    if isinstance(client_ids, str | bytes):
        raise TypeError("client_ids must be a list of app client ids, not one string: client_ids=[...]")
    allowed = tuple(client_ids)
    for client_id in allowed:
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            raise ValueError(f"not an app client id: {str(client_id)[:40]!r}")
    return TokenVerifier(
        issuer=issuer,
        jwks=JwksCache(jwks_url or f"{issuer}/.well-known/jwks.json", allow_http=allow_insecure_http),
        allowed_client_ids=allowed,
        leeway=leeway,
        client_credentials_only=client_credentials_only,
        clock=clock,
    )
