"""The user pool's JSON Web Key Set: fetched lazily, validated, cached for the container's life.

:class:`JwksCache` knows nothing about tokens or claims: it maps a ``kid`` to a ready
``cryptography`` RSA public key object (built once per key set, never per token).

- Fetch: one GET by :func:`~cognito_m2m_verifier.key_download.get` (the standard library's
  ``http.client``, imported on the first fetch; a verifying TLS context), connect/read timeouts (2 s /
  3 s by default) and the whole exchange, body included, within their sum (a body dripping byte by
  byte is cut off); no retry (the penalty window paces attempts), no redirects, ``identity`` encoding
  only, a response size cap (64 KiB by default), HTTP 200 only, strict UTF-8 JSON without duplicate
  members.
- Keys: ``kty`` ``RSA``; ``use`` ``sig`` and ``alg`` ``RS256`` when present; ``key_ops`` containing
  ``verify`` when present; ``n``/``e`` canonical unpadded base64url without a leading zero octet
  (Base64urlUInt, RFC 7518 §6.3.1); modulus 2048-8192 bits; odd
  exponent of at most 32 bits; a ``kid`` that two keys share is dropped. A bad key is logged and never
  used. A document that is not an object with a ``keys`` array, or that holds no usable key, is
  rejected and never replaces the cached set.
- Penalty window: a fetch is started at most once per ``penalty_seconds`` (10 s), whatever the number
  of tokens with unknown ``kid`` s and whatever the fetch's outcome; meanwhile an unknown ``kid`` is
  :class:`UnknownKey` at once (or :class:`KeysUnavailable` if the last fetch failed). The clock is
  injectable (``clock=``, monotonic seconds).
- Concurrency: a lock serialises fetches; callers that waited for it find the new keys or the open
  penalty window, so concurrent callers share one fetch.
- ``generation`` increases whenever the usable key set changes (the verifier then empties its cache of
  verified tokens).
- With ``absent_means_no_keys`` (set for the two formats of the pool's issuer when both are accepted,
  never for a URL given by configuration or for a pinned format), an answer of 403 or 404 says the URL
  holds no key set: the issuer is not the one the pool uses (the updated issuer's JWKS answers 403 for a
  pool still on the original one), so a token naming it cannot be genuine and is :class:`UnknownKey`
  (401), not :class:`KeysUnavailable` (503). The fetch
  counts as failed, any keys already cached are kept, and the penalty window paces the next one.
  Otherwise every status but 200 is :class:`KeysUnavailable`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from cognito_m2m_verifier import key_prefetch, strict_json
from cognito_m2m_verifier._shared.hosts import checked_url
from cognito_m2m_verifier._shared.log import get_logger
from cognito_m2m_verifier.errors import KeysUnavailable, MalformedToken, UnknownKey
from cognito_m2m_verifier.key_download import BodyTooLarge, Download, DownloadFailed, ReadFailed
from cognito_m2m_verifier.key_download import get as https_get
from cognito_m2m_verifier.token_parser import b64url_decode, is_valid_kid

log = get_logger(__name__)

PENALTY_SECONDS = 10.0
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 3.0
MAX_JWKS_BYTES = 64 * 1024
MIN_KEY_BITS = 2048
MAX_KEY_BITS = 8192


class InvalidKey(ValueError):
    """A JWK that must not be used."""


class InvalidKeySet(ValueError):
    """A JWKS document that must not replace the cached set."""


class KeySetAbsent(InvalidKeySet):
    """The JWKS URL answered that it holds no key set (403 or 404)."""


def _b64url_uint(jwk: Mapping[str, Any], name: str) -> int:
    """A Base64urlUInt (RFC 7518 §2): the minimum number of octets, so no leading zero octet."""
    value = jwk.get(name)
    if type(value) is not str or not value:
        raise InvalidKey(f"{name} is missing or not a string")
    try:
        octets = b64url_decode(value)
    except MalformedToken:
        raise InvalidKey(f"{name} is not canonical unpadded base64url") from None
    if octets[0] == 0:
        raise InvalidKey(f"{name} has a leading zero octet (RFC 7518 §6.3.1: minimum number of octets)")
    return int.from_bytes(octets, "big")


def rsa_key_from_jwk(jwk: Any) -> tuple[str, int, int, RSAPublicKey]:
    """Validate one JWK and build its public key: ``(kid, n, e, key)``; raise :class:`InvalidKey`."""
    if type(jwk) is not dict:
        raise InvalidKey("key is not a JSON object")
    kid = jwk.get("kid")
    if not is_valid_kid(kid):
        raise InvalidKey("kid is missing or not 1-256 printable ASCII characters")
    if jwk.get("kty") != "RSA":
        raise InvalidKey("kty is not RSA")
    if "use" in jwk and jwk["use"] != "sig":
        raise InvalidKey("use is not sig")
    if "alg" in jwk and jwk["alg"] != "RS256":
        raise InvalidKey("alg is not RS256")
    if "key_ops" in jwk:
        ops = jwk["key_ops"]
        if type(ops) is not list or "verify" not in ops:
            raise InvalidKey("key_ops does not allow verify")
    n = _b64url_uint(jwk, "n")
    e = _b64url_uint(jwk, "e")
    bits = n.bit_length()
    if not MIN_KEY_BITS <= bits <= MAX_KEY_BITS:
        raise InvalidKey(f"modulus has {bits} bits (allowed {MIN_KEY_BITS}-{MAX_KEY_BITS})")
    if e < 3 or e % 2 == 0 or e.bit_length() > 32:
        raise InvalidKey("exponent is not an odd number from 3 to 2**32")
    try:
        key = RSAPublicNumbers(e, n).public_key()
    except ValueError as exc:
        raise InvalidKey(f"not an RSA public key ({exc})") from None
    return kid, n, e, key


def parse_jwks(document: bytes) -> dict[str, tuple[int, int, RSAPublicKey]]:
    """Usable keys of a JWKS document by ``kid``; raise :class:`InvalidKeySet` if there is none."""
    try:
        doc = strict_json.loads_utf8(document)
    except strict_json.StrictJsonError as exc:
        raise InvalidKeySet(f"JWKS is not strict JSON: {exc}") from None
    if type(doc) is not dict or type(doc.get("keys")) is not list:
        raise InvalidKeySet("JWKS is not an object with a keys array")
    keys: dict[str, tuple[int, int, RSAPublicKey]] = {}
    duplicated: set[str] = set()
    for index, jwk in enumerate(doc["keys"]):
        try:
            kid, n, e, key = rsa_key_from_jwk(jwk)
        except InvalidKey as exc:
            log.warning("JWKS key dropped", extra={"key_index": index, "problem": str(exc)})
            continue
        if kid in keys or kid in duplicated:
            duplicated.add(kid)
            keys.pop(kid, None)
            log.warning("JWKS key dropped", extra={"kid": kid, "problem": "kid appears twice"})
            continue
        keys[kid] = (n, e, key)
    if not keys:
        raise InvalidKeySet("JWKS holds no usable RS256 signing key")
    return keys


class JwksCache:
    """Keys of one JWKS URL (see the module docstring for the rules)."""

    def __init__(
        self,
        url: str,
        *,
        penalty_seconds: float = PENALTY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        download: Download = https_get,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        max_bytes: int = MAX_JWKS_BYTES,
        allow_http: bool = False,
        absent_means_no_keys: bool = False,
    ) -> None:
        # https, or plain http to a loopback host only unless allow_http says otherwise: keys fetched
        # over plain http from elsewhere could be anyone's.
        self.url = checked_url("the JWKS url", url, allow_http=allow_http)
        self.absent_means_no_keys = absent_means_no_keys
        self.penalty_seconds = penalty_seconds
        self.max_bytes = max_bytes
        self._clock = clock
        self._download_with = download
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._total_seconds = connect_timeout + read_timeout
        self._lock = threading.Lock()
        # kid -> (key, modulus length in octets): the signature check needs both, and key.key_size is a
        # computed getter (about 60 ns), so the length is worked out once per key set
        self._keys: dict[str, tuple[RSAPublicKey, int]] = {}
        self._numbers: dict[str, tuple[int, int]] = {}
        self._next_fetch_at = -math.inf
        self._last_fetch_ok = True
        self.generation = 0
        self.fetch_count = 0
        self.fetch_failures = 0
        # the cold start's background download (key_prefetch), taken at the first key lookup and not
        # here: a cache built during INIT (ProtectedApi.from_environment) must not wait for the network
        self._prefetch_untaken = True

    @property
    def kids(self) -> frozenset[str]:
        """The ``kid`` s currently usable."""
        return frozenset(self._keys)

    def get_key(self, kid: str) -> RSAPublicKey:
        """The public key for ``kid``; fetch the JWKS when needed and allowed by the penalty window.

        Raises :class:`UnknownKey` (the set, fetched in this window, lacks ``kid``) or
        :class:`KeysUnavailable` (no usable set could be obtained and the cache cannot answer).
        """
        return self.get_key_and_length(kid)[0]

    def get_key_and_length(self, kid: str) -> tuple[RSAPublicKey, int]:
        """:meth:`get_key` with the key's modulus length in octets (what an RS256 signature must be)."""
        entry = self._keys.get(kid)
        if entry is not None:
            return entry
        with self._lock:
            entry = self._keys.get(kid)
            if entry is not None:
                return entry  # another caller's fetch brought it
            if self._prefetch_untaken:
                entry = self._take_prefetched(kid)
                if entry is not None:
                    return entry
            now = self._clock()
            if now < self._next_fetch_at:
                if self._last_fetch_ok:
                    raise UnknownKey("kid not in the key set (refetch not allowed yet)")
                raise KeysUnavailable(
                    "JWKS fetch failed recently", retry_after=math.ceil(self._next_fetch_at - now)
                )
            self._next_fetch_at = now + self.penalty_seconds
            try:
                self._fetch()
            except KeysUnavailable:
                self._last_fetch_ok = False
                self.fetch_failures += 1
                raise
            except KeySetAbsent as exc:
                self._last_fetch_ok = True  # an answer, not an outage: unknown kids are UnknownKey
                self.fetch_failures += 1
                log.warning("JWKS URL holds no key set", extra={"problem": str(exc), "jwks_url": self.url})
                raise UnknownKey("kid not in the key set (the JWKS URL holds none)") from None
            self._last_fetch_ok = True
            entry = self._keys.get(kid)
            if entry is None:
                raise UnknownKey("kid not in the key set")
            return entry

    def _take_prefetched(self, kid: str) -> tuple[RSAPublicKey, int] | None:
        """The key for ``kid`` from the cold start's download of this URL, if there was one (once; with
        the lock held). Anything else leaves the lookup to fetch as it always does."""
        self._prefetch_untaken = False
        prefetched = key_prefetch.take(self.url)
        if prefetched is None:
            return None
        try:
            self._install(parse_jwks(prefetched))
        except InvalidKeySet:
            log.warning("prefetched JWKS rejected: the first token fetches it again")
            return None
        return self._keys.get(kid)

    def holds(self, kid: str, key: RSAPublicKey) -> bool:
        """Whether ``key`` is still the installed key for ``kid``."""
        entry = self._keys.get(kid)
        return entry is not None and entry[0] is key

    def load(self, document: bytes) -> None:
        """Install a JWKS document obtained elsewhere (preloading); raise :class:`InvalidKeySet`."""
        with self._lock:
            self._install(parse_jwks(document))

    def _install(self, keys: dict[str, tuple[int, int, RSAPublicKey]]) -> None:
        numbers = {kid: (n, e) for kid, (n, e, _) in keys.items()}
        if numbers != self._numbers:
            self._keys = {kid: (key, (n.bit_length() + 7) >> 3) for kid, (n, _, key) in keys.items()}
            self._numbers = numbers
            self.generation += 1
            log.info("JWKS key set installed", extra={"kids": sorted(numbers), "generation": self.generation})

    def _fetch(self) -> None:
        """Download, validate and install the key set; any failure is :class:`KeysUnavailable` (503),
        never an exception that would reject a genuine token as invalid (401)."""
        self.fetch_count += 1
        retry_after = math.ceil(self.penalty_seconds)
        try:
            body = self._download()
            keys = parse_jwks(body)
        except (KeysUnavailable, KeySetAbsent):
            raise
        except InvalidKeySet as exc:
            log.error("JWKS rejected", extra={"problem": str(exc)})
            raise KeysUnavailable(f"JWKS rejected: {exc}", retry_after) from None
        except Exception as exc:  # whatever a hostile upstream or a library bug raises: keys unavailable
            log.exception("JWKS fetch failed unexpectedly", extra={"problem": type(exc).__name__})
            raise KeysUnavailable(f"JWKS fetch failed: {type(exc).__name__}", retry_after) from None
        self._install(keys)

    def _download(self) -> bytes:
        """The JWKS body, or an exception; the whole exchange ends within connect + read timeouts."""
        try:
            resp = self._download_with(
                self.url,
                connect_timeout=self._connect_timeout,
                read_timeout=self._read_timeout,
                max_bytes=self.max_bytes,
                headers={"Accept": "application/json"},
            )
        except BodyTooLarge:
            raise InvalidKeySet(f"JWKS larger than {self.max_bytes} bytes") from None
        except ReadFailed as exc:
            if exc.timed_out:
                raise InvalidKeySet(f"JWKS download took longer than {self._total_seconds:g} s") from None
            raise InvalidKeySet(f"JWKS read failed: {exc}") from None
        except DownloadFailed as exc:
            log.error("JWKS fetch failed", extra={"problem": str(exc)})
            raise KeysUnavailable(f"JWKS fetch failed: {exc}", math.ceil(self.penalty_seconds)) from None
        if resp.status in (403, 404) and self.absent_means_no_keys:
            raise KeySetAbsent(f"JWKS endpoint answered HTTP {resp.status}")
        if resp.status != 200:
            raise InvalidKeySet(f"JWKS endpoint answered HTTP {resp.status}")
        encoding = resp.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise InvalidKeySet(f"JWKS uses content-encoding {encoding[:20]!r}")
        return resp.body
