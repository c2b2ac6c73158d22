"""The fleet's token cache on DynamoDB: one token request per token lifetime for every container together.

Each container keeps its in-memory cache (:mod:`cognito_m2m_client.token_cache`); on a miss it looks in
one DynamoDB table before asking Cognito. One item per ``(client_id, sorted scopes)`` and client
metadata (:mod:`cognito_m2m_client.client_metadata`):

``pk``
    ``<sha256(client_id)[:32]>#<sha256(sorted scopes)[:32]>``, followed by
    ``#<sha256(canonical metadata JSON)>`` only when the client sends metadata (so an item without
    metadata keeps the key it had before metadata existed, and two metadata sets never share an item):
    never the secret nor a metadata value, and the client's part first, so that an IAM policy can give a
    role the client's items only (``dynamodb:LeadingKeys`` like ``<sha256(client_id)[:32]>#*``);
``token``, ``expires_at``
    the access token and its ``exp`` (epoch seconds; the table's TTL attribute, so DynamoDB deletes
    expired items by itself);
``lease_owner``, ``lease_until``
    who is fetching a new token, and until when.

Protocol (:meth:`SharedTokenTable.lookup` and :meth:`SharedTokenTable.store`, driven by
:class:`~cognito_m2m_client.token_source.TokenSource`):

1. a consistent read; a token with more than the refresh skew left is used, after the checks a fresh
   one gets and more (:func:`token_matches`: the token endpoint's syntax, three base64url segments of
   at most 16 KB; its payload's ``client_id``, ``exp`` and scopes are the item's; it expires within a
   day, as Cognito's tokens do, and was not issued (``iat``, ``nbf``) in the future beyond
   :data:`CLOCK_SKEW_SECONDS`), so an item whose token belongs to another client or scope set, or would
   pin a container for years, is never handed out;
2. else one container takes a lease with a conditional write (no lease, an expired one, or one that
   ends further ahead than a lease can: a skewed clock wrote it; and, unless the read found the item
   unusable, still no token with more than the skew left, so a container whose read missed just before
   another stored a token waits for it instead of fetching one more) and fetches from Cognito, then
   writes the token and clears the lease; a failed fetch, or a token the table cannot share, releases
   the lease; a lease holder that crashed
   leaves a lease that simply expires (``lease_seconds``). An item that fails the checks is treated as
   absent, so the next fetch overwrites it;
3. the others poll the item briefly (bounded by the lease and by the caller's deadline) and use the
   token once it is there;
4. a token an API refused (401) is removed from the table, only while the item still holds it
   (:meth:`SharedTokenTable.discard`), so that one bad item cannot send the whole fleet back to it.

Any failure of the table (throttled, slow, down) makes the container request its own token: the table
can save requests, never fail a call. Each such fallback is logged and counted
(:attr:`SharedTokenTable.fallbacks`). The table holds access tokens, never a client secret: whoever may
read it can call the APIs with those tokens until they expire (README says who).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cognito_m2m_client._shared.aws_sdk import error_code as _error_code
from cognito_m2m_client._shared.log import get_logger
from cognito_m2m_client.oauth import MAX_ACCESS_TOKEN_CHARS, MAX_EXPIRES_IN, is_access_token_text
from cognito_m2m_client.token_cache import CacheKey

log = get_logger(__name__)

MAX_TOKEN_CHARS = MAX_ACCESS_TOKEN_CHARS
MAX_LIFETIME_SECONDS = MAX_EXPIRES_IN  # Cognito's longest access-token validity (1 day)
CLOCK_SKEW_SECONDS = 300  # how far another container's clock (or Cognito's) may run ahead of ours
DEFAULT_LEASE_SECONDS = 5.0
DEFAULT_POLL_SECONDS = 0.05
_EPOCH_SECONDS = re.compile(r"[0-9]{1,12}")
# A lease ending further ahead than its length and this was written by a skewed clock.
LEASE_SKEW_SECONDS = 2.0


class DynamoClient(Protocol):
    """The three DynamoDB calls the cache makes (boto3's low-level client satisfies it)."""

    def get_item(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def update_item(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def put_item(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def delete_item(self, **kwargs: Any) -> Mapping[str, Any]: ...


class SharedCacheError(Exception):
    """The table could not be used for this lookup; ``kind`` says why (for the log and the counters)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def client_prefix(client_id: str) -> str:
    """The first half of a client's item keys: what an IAM ``dynamodb:LeadingKeys`` condition names."""
    return _digest(client_id)


def item_key(key: CacheKey) -> str:
    """The item's ``pk``: the client's prefix, the scopes' digest, and the metadata digest if any."""
    client_id, scopes, metadata = key[0], key[1], key[2:]
    base = f"{client_prefix(client_id)}#{_digest(' '.join(sorted(set(scopes))))}"
    return "#".join((base, *metadata))


def token_claims(token: str) -> dict[str, Any] | None:
    """The unverified payload of a JWT-shaped token (for its ``client_id``, ``exp`` and ``scope``)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    payload = parts[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        return None
    return claims if isinstance(claims, dict) else None


def token_matches(token: Any, key: CacheKey, expires_at: Any, now: float) -> bool:
    """A token from the table is what the key says (its client, its scopes, its expiry), in the token
    endpoint's syntax, expiring within a day of ``now`` and not issued after ``now`` beyond the skew.

    The key's client metadata (its digest, the key's third part) leaves no claim that could be checked
    here (the trigger adds what it likes): tokens of two metadata sets are kept apart by :func:`item_key`,
    which holds that digest, so a token is only ever read under the metadata it was fetched with."""
    if not is_access_token_text(token):
        return False
    claims = token_claims(token)
    if claims is None:
        return False
    client_id, scopes = key[0], key[1]
    exp = claims.get("exp")
    if type(exp) is not int or exp != expires_at or exp - now > MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS:
        return False
    for name in ("iat", "nbf"):
        issued = claims.get(name)
        if issued is not None and (type(issued) is not int or issued > now + CLOCK_SKEW_SECONDS):
            return False
    issued_at = claims.get("iat")
    if type(issued_at) is int and exp - issued_at > MAX_LIFETIME_SECONDS:
        return False
    if claims.get("client_id") != client_id:
        return False
    granted = claims.get("scope")
    if scopes:  # asked for these scopes: the token must carry exactly them
        return isinstance(granted, str) and tuple(sorted(set(granted.split(" ")))) == scopes
    return granted is None or isinstance(granted, str)


@dataclass(slots=True)
class SharedToken:
    value: str
    expires_at: int

    def __repr__(self) -> str:  # never the token
        return f"SharedToken(expires_at={self.expires_at})"


@dataclass(frozen=True, slots=True)
class Lookup:
    """What one read of the item found: a usable token, or none (absent, stale, or ``unusable``)."""

    token: SharedToken | None
    unusable: bool = False


@dataclass(slots=True)
class SharedStats:
    hits: int = 0
    leases: int = 0
    waits: int = 0
    unusable_items: int = 0  # items that failed the checks: treated as absent, overwritten by the next fetch
    discarded: int = 0  # tokens removed after an API refused them
    fallbacks: dict[str, int] = field(default_factory=dict)


def default_dynamodb_factory(region: str | None = None) -> Callable[[], DynamoClient]:
    """boto3's DynamoDB client, imported when first used, with short timeouts and one retry: a slow
    table costs a lookup about a second at most before the container asks Cognito itself."""

    def create() -> DynamoClient:
        import boto3  # noqa: PLC0415 - lazy: boto3 is the runtime's, and costly to import at cold start
        from botocore.config import Config  # noqa: PLC0415

        config = Config(
            connect_timeout=0.5, read_timeout=0.5, retries={"mode": "standard", "total_max_attempts": 2}
        )
        client: DynamoClient = boto3.client("dynamodb", region_name=region, config=config)
        return client

    return create


class SharedTokenTable:
    """Tokens shared by every container of a fleet, in one DynamoDB table; thread-safe."""

    def __init__(
        self,
        table_name: str,
        *,
        client_factory: Callable[[], DynamoClient],
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
    ) -> None:
        if not table_name or not isinstance(table_name, str):
            raise ValueError("table_name is the DynamoDB table's name")
        self.table_name = table_name
        self._client_factory = client_factory
        self._client: DynamoClient | None = None
        self._client_lock = threading.Lock()
        self._wall = wall_clock
        self._sleep = sleep
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.owner = uuid.uuid4().hex
        self.stats = SharedStats()

    @property
    def client(self) -> DynamoClient:
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def fallback(self, kind: str) -> None:
        """Count a lookup that went to Cognito directly (the caller logs it with the error)."""
        self.stats.fallbacks[kind] = self.stats.fallbacks.get(kind, 0) + 1

    @property
    def fallbacks(self) -> int:
        return sum(self.stats.fallbacks.values())

    # ---- the protocol ------------------------------------------------------------------------------

    def read(self, key: CacheKey, min_seconds_left: float) -> SharedToken | None:
        """The item's token if it is usable for more than ``min_seconds_left``; raise SharedCacheError."""
        return self.lookup(key, min_seconds_left).token

    def lookup(self, key: CacheKey, min_seconds_left: float, *, report: bool = True) -> Lookup:
        """:meth:`read`, also saying whether the item was there but unusable (logged and counted once
        per lookup unless ``report`` is False: a waiting container polls the same item)."""
        try:
            answer = self.client.get_item(
                TableName=self.table_name, Key={"pk": {"S": item_key(key)}}, ConsistentRead=True
            )
        except Exception as exc:
            raise SharedCacheError(_error_code(exc) or type(exc).__name__, "GetItem failed") from None
        item = answer.get("Item") if isinstance(answer, Mapping) else None
        if not item:
            return Lookup(None)
        if not isinstance(item, Mapping):
            raise SharedCacheError("corrupt_item", "the item is not a map")
        token = (item.get("token") or {}).get("S") if isinstance(item.get("token"), Mapping) else None
        raw_expiry = (
            (item.get("expires_at") or {}).get("N") if isinstance(item.get("expires_at"), Mapping) else None
        )
        if token is None and raw_expiry is None:
            return Lookup(None)  # a lease only: no token yet
        # DynamoDB writes a number as its decimal digits: nothing else (no sign, space or "_") is ours.
        expires_at = (
            int(raw_expiry) if isinstance(raw_expiry, str) and _EPOCH_SECONDS.fullmatch(raw_expiry) else None
        )
        now = self._wall()
        if expires_at is None or not token_matches(token, key, expires_at, now):
            # Never handed out; absent as far as the protocol goes, so the next fetch overwrites it.
            if report:
                self.stats.unusable_items += 1
                log.warning(
                    "shared token cache item unusable: it will be replaced", extra={"token_cache": "unusable"}
                )
            return Lookup(None, unusable=True)
        if expires_at - now <= min_seconds_left:
            return Lookup(None)  # stale: due for refresh
        return Lookup(SharedToken(str(token), expires_at))

    def try_lease(self, key: CacheKey, min_seconds_left: float | None = None) -> bool:
        """Take the item's lease (none, or an expired one); False when another container holds it.

        With ``min_seconds_left``, also only while the item holds no token with more than that left: a
        container whose read missed just before another stored a fresh token then waits for it instead
        of fetching one more. Without it (the item was there but unusable), the lease is taken whatever
        the item's expiry says."""
        now = self._wall()
        # A lease that ends further ahead than any lease can was written by a skewed clock: expired.
        longest = max(self.lease_seconds, DEFAULT_LEASE_SECONDS) + LEASE_SKEW_SECONDS
        condition = "(attribute_not_exists(lease_until) OR lease_until < :now OR lease_until > :impossible)"
        values = {
            ":me": {"S": self.owner},
            ":until": {"N": str(int((now + self.lease_seconds) * 1000))},
            ":now": {"N": str(int(now * 1000))},
            ":impossible": {"N": str(int((now + longest) * 1000))},
        }
        if min_seconds_left is not None:
            condition += " AND (attribute_not_exists(expires_at) OR expires_at <= :stale_by)"
            values[":stale_by"] = {"N": str(math.floor(now + min_seconds_left))}
        taken = self._conditional(
            "the lease write",
            self.client.update_item,
            Key={"pk": {"S": item_key(key)}},
            UpdateExpression="SET lease_owner = :me, lease_until = :until",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        if not taken:
            return False
        self.stats.leases += 1
        return True

    def release(self, key: CacheKey) -> None:
        """Give up this container's lease (its fetch failed): the next container need not wait it out."""
        # a condition that fails: the lease is not ours any more, so there is nothing to give up
        self._conditional(
            "the lease release",
            self.client.update_item,
            Key={"pk": {"S": item_key(key)}},
            UpdateExpression="REMOVE lease_owner, lease_until",
            ConditionExpression="lease_owner = :me",
            ExpressionAttributeValues={":me": {"S": self.owner}},
        )

    def discard(self, key: CacheKey, token: str) -> bool:
        """Remove the item while it still holds ``token`` (an API refused it); False when it holds another
        by now (someone already replaced it) or none."""
        removed = self._conditional(
            "DeleteItem",
            self.client.delete_item,
            Key={"pk": {"S": item_key(key)}},
            ConditionExpression="#token = :token",
            ExpressionAttributeNames={"#token": "token"},
            ExpressionAttributeValues={":token": {"S": token}},
        )
        if not removed:
            return False
        self.stats.discarded += 1
        return True

    def store(self, key: CacheKey, token: str) -> bool:
        """Write a freshly fetched token (and drop the lease); False when it cannot be shared."""
        claims = token_claims(token) if is_access_token_text(token) else None
        exp = claims.get("exp") if claims else None
        if type(exp) is not int or not token_matches(token, key, exp, self._wall()):
            return False  # not a token the others could check (an opaque one): keep it to this container
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={"pk": {"S": item_key(key)}, "token": {"S": token}, "expires_at": {"N": str(exp)}},
            )
        except Exception as exc:
            raise SharedCacheError(_error_code(exc) or type(exc).__name__, "PutItem failed") from None
        return True

    def _conditional(self, what: str, call: Callable[..., Any], **params: Any) -> bool:
        """One conditional write to the table: False when its condition does not hold, and any other
        failure a :class:`SharedCacheError` that names ``what``."""
        try:
            call(TableName=self.table_name, **params)
        except Exception as exc:
            code = _error_code(exc)
            if code == "ConditionalCheckFailedException":
                return False
            raise SharedCacheError(code or type(exc).__name__, f"{what} failed") from None
        return True

    def wait(self, key: CacheKey, min_seconds_left: float, budget: float) -> SharedToken | None:
        """Poll for the lease holder's token for at most ``budget`` seconds (and the lease's life)."""
        self.stats.waits += 1
        give_up = time.monotonic() + max(0.0, min(budget, self.lease_seconds))
        while time.monotonic() < give_up:
            self._sleep(self.poll_seconds)
            found = self.lookup(key, min_seconds_left, report=False).token
            if found is not None:
                return found
        return None

    def __repr__(self) -> str:
        return f"SharedTokenTable({self.table_name!r})"
