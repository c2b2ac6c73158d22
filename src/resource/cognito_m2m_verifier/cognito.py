"""A verifier for one Cognito user pool, from what a service knows: the pool id and its callers.

    from cognito_m2m_verifier.cognito import cognito_verifier

    verifier = cognito_verifier(user_pool_id="eu-west-1_AbC123", client_ids=["1example23456789abcdefghij"])
    claims = verifier.authorize(token, ("orders/read",))   # raises InvalidToken, InsufficientScope, ...

The issuers (``https://cognito-idp.<region>.amazonaws.com/<pool id>`` and, for a pool on Cognito's
updated issuer, ``https://issuer-cognito-idp.<region>.amazonaws.com/<pool id>``) and each one's JWKS URL
(``<issuer>/.well-known/jwks.json``) are derived from the pool id, whose prefix names the primary Region;
keys are fetched on first use and cached (see :mod:`cognito_m2m_verifier.issuers` and
:mod:`cognito_m2m_verifier.jwks`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from cognito_m2m_verifier.config import CLIENT_ID
from cognito_m2m_verifier.issuers import issuers_to_tell_apart, pool_issuers
from cognito_m2m_verifier.jwks import JwksCache
from cognito_m2m_verifier.verifier import TokenVerifier


def cognito_verifier(
    *,
    user_pool_id: str,
    client_ids: Iterable[str],
    leeway: int = 5,
    issuer_format: str = "any",
    replica_regions: Iterable[str] = (),
    jwks_url: str | None = None,
    client_credentials_only: bool = True,
    clock: Callable[[], float] = time.time,
    allow_insecure_http: bool = False,
) -> TokenVerifier:
    """A :class:`TokenVerifier` of the pool's access tokens for the given app clients.

    ``issuer_format`` is ``"any"`` (both of the pool's issuer formats, the default), ``"original"`` or
    ``"updated"`` (that one only); ``replica_regions`` names the Regions of the pool's replicas, whose
    original-format issuers are accepted too (see :mod:`cognito_m2m_verifier.issuers`). Each issuer's
    keys come from its own JWKS, fetched when a token first names it. ``leeway`` (0-300 s) is the clock
    skew allowed for ``exp``/``iat``/``nbf``; ``jwks_url`` replaces every derived JWKS URL with one
    (tests, a proxy); ``client_credentials_only=False`` also accepts users' access tokens of those
    clients; ``clock`` returns epoch seconds (tests). ``jwks_url`` must be https (plain http only to a
    loopback host, unless ``allow_insecure_http=True``). Raises :class:`TypeError` when ``client_ids``
    or ``replica_regions`` is a single string rather than a list, :class:`ValueError` for a malformed
    pool id, client id, Region, issuer format or JWKS URL.
    """
    if isinstance(client_ids, str | bytes):
        raise TypeError("client_ids must be a list of app client ids, not one string: client_ids=[...]")
    issuers = pool_issuers(user_pool_id, issuer_format=issuer_format, replica_regions=replica_regions)
    allowed = tuple(client_ids)
    for client_id in allowed:
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            raise ValueError(f"not an app client id: {str(client_id)[:40]!r}")
    key_sets: dict[str, JwksCache]
    if jwks_url is not None:
        shared = JwksCache(jwks_url, allow_http=allow_insecure_http)
        key_sets = dict.fromkeys(issuers, shared)
    else:
        told_apart = issuers_to_tell_apart(user_pool_id, issuer_format)
        key_sets = {
            issuer: JwksCache(url, absent_means_no_keys=issuer in told_apart)
            for issuer, url in issuers.items()
        }
    return TokenVerifier(
        issuers=key_sets,
        allowed_client_ids=allowed,
        leeway=leeway,
        client_credentials_only=client_credentials_only,
        clock=clock,
    )
