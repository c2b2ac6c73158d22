"""Verification of Cognito access tokens: strict parse, claims, RS256 signature, verified-token cache.

Order of work for a token not seen before (cheap checks first, so that forged or stale tokens cost no
RSA work and an unknown ``kid`` only triggers a JWKS refetch for a token that is otherwise plausible):

1. :class:`~cognito_m2m_verifier.token_parser.TokenParser`: size cap, segments, strict base64url, strict
   JSON, header allow-list with ``alg`` pinned to RS256;
2. claims: ``exp`` and ``iat`` required integers (``bool``, ``float`` and strings are rejected) with
   ``0 < exp - iat <= 1 day`` (Cognito's longest access token, so no token issued long ago passes) and
   ``exp <= 2**53`` (beyond it integers are not interoperable, RFC 7493 §2.2: orjson reads 2**64 as a
   float where json reads an int); ``nbf`` an integer from 0 to 2**53 if present; ``iss`` exactly one
   of the configured issuers (one comparison for the first, the most common; a lookup for the others:
   see :mod:`~cognito_m2m_verifier.issuers`); ``token_use == "access"``; ``client_id`` a string in the
   allow-list; ``sub`` equal to ``client_id`` (what a client-credentials token carries;
   ``client_credentials_only=False`` also admits users' access tokens) and ``aud``, if a trigger added
   it, equal to ``client_id`` too (the only value Cognito lets it add); ``scope`` absent or RFC 6749
   §3.3 ``scope-token`` s separated by single spaces; custom claims (a trigger's) decoded once and frozen
   (:mod:`~cognito_m2m_verifier.custom_claims`); then time: expired when
   ``now >= exp + leeway``, rejected when ``iat > now + leeway`` or ``nbf > now + leeway``;
3. key: :meth:`JwksCache.get_key_and_length` for the header's ``kid`` from the key set of the token's
   issuer (a configured URL: the token can only choose among the configured issuers, after step 2);
4. signature: :func:`~cognito_m2m_verifier.signature.signature_matches`, RSASSA-PKCS1-v1_5 with SHA-256
   over the ASCII ``header.payload`` (RFC 8017 §8.2.2), by ``cryptography`` (OpenSSL) and hashlib.

Nothing is accepted without step 4 having succeeded for exactly this token string. Then the token
enters a bounded cache keyed by the whole token string (at most ``cache_size`` entries, emptied when
full); a hit skips steps 1-4 but still runs every time check against the current clock, drops the
entry once expired, and the cache is emptied whenever any issuer's key set changes. Scopes are checked
per request by :meth:`TokenVerifier.authorize` / :func:`check_scopes` (all required scopes must be
present).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from cognito_m2m_verifier.claims import AccessTokenClaims
from cognito_m2m_verifier.custom_claims import NO_CUSTOM_CLAIMS, PROTECTED_CLAIMS, custom_claims
from cognito_m2m_verifier.errors import (
    ClientNotAllowed,
    InsufficientScope,
    InvalidClaim,
    InvalidSignature,
    InvalidToken,
    MalformedToken,
    NotClientCredentials,
    TokenExpired,
    TokenIssuedInFuture,
    TokenNotYetValid,
    TokenTooLarge,
    WrongIssuer,
    WrongTokenUse,
)
from cognito_m2m_verifier.jwks import JwksCache
from cognito_m2m_verifier.signature import signature_matches
from cognito_m2m_verifier.token_parser import MAX_TOKEN_LENGTH, TokenParser

MAX_LEEWAY_SECONDS = 300
MAX_SAFE_INTEGER = 2**53
MAX_LIFETIME_SECONDS = 86_400  # Cognito's longest access-token validity (1 day)
# RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
_SCOPE_CLAIM = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*")
DEFAULT_CACHE_SIZE = 1024
_SCOPE_CACHE_SIZE = 64
_MAX_CACHED_SCOPE_LENGTH = 1024
_COGNITO_CLAIMS = PROTECTED_CLAIMS  # a payload of these only has no custom claims (checked inline)


def check_times(claims: AccessTokenClaims, now: float, leeway: int) -> None:
    """Time rules, run on every use of a token: expiry, ``iat`` and ``nbf`` not in the future."""
    if now >= claims.exp + leeway:
        raise TokenExpired("token expired")
    if claims.iat > now + leeway:
        raise TokenIssuedInFuture("iat is in the future")
    nbf = claims.nbf
    if nbf is not None and nbf > now + leeway:
        raise TokenNotYetValid("nbf is in the future")


def check_scopes(claims: AccessTokenClaims, required: tuple[str, ...]) -> None:
    """Raise :class:`InsufficientScope` unless the token carries **all** of ``required`` (exact tokens)."""
    scopes = claims.scopes
    for scope in required:
        if scope not in scopes:
            raise InsufficientScope(required, tuple(s for s in required if s not in scopes))


class TokenVerifier:
    """Accepts only genuine access tokens of one Cognito user pool.

    ``issuers`` maps each accepted ``iss`` to its key set, the most common first (see
    :func:`~cognito_m2m_verifier.issuers.pool_issuers`); ``issuer`` and ``jwks`` are the same for one
    issuer. ``allowed_client_ids`` the app clients whose tokens are accepted; ``leeway`` (0-300 s) is
    the clock skew allowed for ``exp``/``iat``/``nbf``; ``clock`` returns epoch seconds;
    ``client_credentials_only`` (default) requires ``sub == client_id``, set it to False for a pool
    whose users' access tokens must pass too.
    """

    def __init__(
        self,
        *,
        issuer: str | None = None,
        jwks: JwksCache | None = None,
        issuers: Mapping[str, JwksCache] | None = None,
        allowed_client_ids: Iterable[str],
        leeway: int = 0,
        clock: Callable[[], float] = time.time,
        cache_size: int = DEFAULT_CACHE_SIZE,
        max_token_length: int = MAX_TOKEN_LENGTH,
        client_credentials_only: bool = True,
    ) -> None:
        if isinstance(allowed_client_ids, str | bytes):
            raise TypeError("allowed_client_ids must be a list of app client ids, not one string")
        allowed = frozenset(allowed_client_ids)
        if not allowed or not all(isinstance(c, str) and c for c in allowed):
            raise ValueError("allowed_client_ids must hold at least one non-empty string")
        if type(leeway) is not int or not 0 <= leeway <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway must be a whole number of seconds from 0 to {MAX_LEEWAY_SECONDS}")
        if issuers is None:
            if issuer is None or jwks is None:
                raise TypeError("give issuer and jwks, or issuers")
            issuers = {issuer: jwks}
        elif issuer is not None or jwks is not None:
            raise TypeError("give issuer and jwks, or issuers, not both")
        key_sets = dict(issuers)
        if not key_sets:
            raise ValueError("issuers must name at least one issuer")
        if not all(isinstance(i, str) and i.startswith("https://") for i in key_sets):
            raise ValueError("issuer must be an https URL")
        if cache_size < 0:
            raise ValueError("cache_size must not be negative")
        self.issuers: Mapping[str, JwksCache] = MappingProxyType(key_sets)
        self.issuer, self.jwks = next(iter(key_sets.items()))  # the first: compared before any lookup
        self._key_sets = key_sets
        self.key_sets: tuple[JwksCache, ...] = tuple({id(c): c for c in key_sets.values()}.values())
        """Each distinct key set once (issuers may share one: a JWKS URL given by configuration)."""
        self._one_key_set = len(self.key_sets) == 1
        self.allowed_client_ids = allowed
        # client_id -> the configured string itself: cached claims share it instead of a fresh copy
        self._allowed: dict[str, str] = {c: c for c in allowed}
        self._scope_tuples: dict[str, tuple[str, ...]] = {}
        self.leeway = leeway
        self.client_credentials_only = client_credentials_only
        self.cache_size = cache_size
        self._clock = clock
        self._parser = TokenParser(max_token_length)
        self._split = self._parser.split
        self._max_length = max_token_length
        self._cache: dict[str, AccessTokenClaims] = {}
        self._cache_generation = self._keys_generation()
        self.cache_hits = 0
        """How many tokens the verified-token cache answered for (its claims still checked for time)."""

    def _keys_generation(self) -> int:
        """Changes whenever any key set changes: its ``generation`` (the sum of theirs only grows)."""
        if self._one_key_set:
            return self.jwks.generation
        return sum(key_set.generation for key_set in self.key_sets)

    @property
    def jwks_fetches(self) -> int:
        """JWKS fetches started so far, over every issuer's key set."""
        return sum(key_set.fetch_count for key_set in self.key_sets)

    @property
    def jwks_fetch_failures(self) -> int:
        """JWKS fetches that failed so far, over every issuer's key set."""
        return sum(key_set.fetch_failures for key_set in self.key_sets)

    @property
    def cached_tokens(self) -> int:
        """How many verified tokens the cache holds now."""
        return len(self._cache)

    def verify(self, token: str) -> AccessTokenClaims:
        """The token's claims if it is a genuine, current access token of this pool; raise otherwise.

        Raises an :class:`InvalidToken` subclass, or :class:`KeysUnavailable` when no key can be had.
        """
        return self.authorize(token, ())

    def authorize(self, token: str, required_scopes: tuple[str, ...]) -> AccessTokenClaims:
        """:meth:`verify`, then :func:`check_scopes` for ``required_scopes``: what the resource
        function runs for each request (one method, so the hot path pays for one call)."""
        if type(token) is not str:
            raise MalformedToken("token is not a string")
        if len(token) > self._max_length:
            raise TokenTooLarge("token too large")  # before hashing it for the cache lookup
        now = self._clock()
        cache = self._cache
        generation = self.jwks.generation if self._one_key_set else self._keys_generation()
        if self._cache_generation != generation:
            cache.clear()
            self._cache_generation = generation
        claims = cache.get(token)
        if claims is not None:
            self.cache_hits += 1
            try:
                check_times(claims, now, self.leeway)
            except InvalidToken as exc:
                if isinstance(exc, TokenExpired):
                    cache.pop(token, None)
                exc.kid = claims.kid
                raise
        else:
            claims = self._verify_new(token, now)
        scopes = claims.scopes
        for scope in required_scopes:  # check_scopes, inlined (hot path)
            if scope not in scopes:
                check_scopes(claims, required_scopes)
        return claims

    def _verify_new(self, token: str, now: float) -> AccessTokenClaims:
        """Steps 1-4 for a token not in the cache; on success the token enters the cache."""
        kid, payload, signing_input, signature = self._split(token)
        try:
            claims, key_set = self._check_claims(payload, kid, now, token)
            key, modulus_octets = key_set.get_key_and_length(kid)
            if not signature_matches(key, signing_input, signature, modulus_octets):
                raise InvalidSignature("signature does not verify")
        except InvalidToken as exc:
            exc.kid = kid
            raise

        # Cached only while its key is still installed: read the generation first, so that a key set
        # installed after this check leaves a newer generation, which empties the cache on the next call.
        generation = self._keys_generation()
        if self.cache_size and key_set.holds(kid, key):
            cache = self._cache
            if self._cache_generation != generation:
                cache.clear()
                self._cache_generation = generation
            if len(cache) >= self.cache_size:
                # Full: start over rather than evict one by one (measured: 0.09 against 0.21 us per
                # new entry for an OrderedDict eviction). Each live token then pays one more full
                # verification; with fewer live tokens than cache_size (one or a few per client, the
                # M2M shape) the cache never fills.
                cache.clear()
            cache[token] = claims
        return claims

    def _check_claims(
        self, payload: dict[str, object], kid: str, now: float, token: str
    ) -> tuple[AccessTokenClaims, JwksCache]:
        """Claim rules in the module docstring's step 2 (same time rules as :func:`check_times`), and the
        key set of the token's issuer."""
        exp = payload.get("exp")
        iat = payload.get("iat")
        if type(exp) is not int:
            raise InvalidClaim("exp is missing or not an integer")
        if type(iat) is not int:
            raise InvalidClaim("iat is missing or not an integer")
        # 0 < exp - iat <= MAX_LIFETIME_SECONDS and exp <= MAX_SAFE_INTEGER (literals below: no global
        # lookups on the hot path). With the time checks further down this bounds iat too (within a day
        # of now), so a token issued long ago never passes, and both JSON decoders give the same answer
        # (orjson reads integers beyond 64 bits as floats, json as ints).
        if not 0 < exp - iat <= 86_400 or exp > 9_007_199_254_740_992:
            raise InvalidClaim("lifetime is not 0 < exp - iat <= 1 day with exp <= 2**53 (Cognito's tokens)")
        nbf: int | None = None
        if "nbf" in payload:
            value = payload["nbf"]
            if type(value) is not int or not 0 <= value <= MAX_SAFE_INTEGER:
                raise InvalidClaim("nbf is not an integer from 0 to 2**53")
            nbf = value
        iss = payload.get("iss")
        if iss == self.issuer:
            key_set = self.jwks
        else:
            found = self._key_sets.get(iss) if type(iss) is str else None
            if found is None:
                raise WrongIssuer("iss is not this user pool")
            key_set = found
        if payload.get("token_use") != "access":
            raise WrongTokenUse("token_use is not access")
        client_id = payload.get("client_id")
        if type(client_id) is not str or (client_id := self._allowed.get(client_id)) is None:
            raise ClientNotAllowed("client_id is not allowed")
        if self.client_credentials_only:
            if payload.get("sub") != client_id:
                raise NotClientCredentials("sub is not client_id: not a client-credentials token")
            # a V3_0 trigger may add aud to a machine's token only as its own client id (Cognito guide)
            if "aud" in payload and payload["aud"] != client_id:
                raise InvalidClaim("aud is not the token's client_id")
        scope = payload.get("scope")
        if type(scope) is str:
            scopes = self._scope_tuples.get(scope)
            if scopes is None:
                scopes = self._scopes_of(scope)
        elif scope is None and "scope" not in payload:
            scopes = ()
        else:
            raise InvalidClaim("scope is not a string")
        leeway = self.leeway
        if now >= exp + leeway:
            raise TokenExpired("token expired")
        if iat > now + leeway:
            raise TokenIssuedInFuture("iat is in the future")
        if nbf is not None and nbf > now + leeway:
            raise TokenNotYetValid("nbf is in the future")
        custom = NO_CUSTOM_CLAIMS if payload.keys() <= _COGNITO_CLAIMS else custom_claims(payload)
        return AccessTokenClaims(client_id, scopes, exp, iat, nbf, kid, token, custom), key_set

    def _scopes_of(self, scope: str) -> tuple[str, ...]:
        """Split a scope claim into its tokens; one shared tuple per distinct string (bounded)."""
        if scope and not _SCOPE_CLAIM.fullmatch(scope):
            raise InvalidClaim("scope is not RFC 6749 scope-tokens separated by single spaces")
        scopes = tuple(scope.split(" ")) if scope else ()
        if len(self._scope_tuples) >= _SCOPE_CACHE_SIZE or len(scope) > _MAX_CACHED_SCOPE_LENGTH:
            self._scope_tuples.clear()
        else:
            self._scope_tuples[scope] = scopes
        return scopes
