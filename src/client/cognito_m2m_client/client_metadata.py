"""Client metadata for Cognito's pre token generation trigger: validated once, kept immutable.

A client-credentials token request may carry metadata, a JSON object of string keys to string values,
that Cognito hands to the user pool's pre token generation Lambda trigger (event version ``V3_0``,
``triggerSource`` ``TokenGeneration_ClientCredentials``) as ``event.request.clientMetadata``; the
trigger may customise the access token with it (a tenant claim, say). It travels as the form parameter
``aws_client_metadata`` of ``POST /oauth2/token`` (:func:`canonical_json`, form-URL-encoded with the
rest of the body) and as the member ``ClientMetadata`` of GetClientToken.

Two metadata sets can yield two different tokens, so the metadata is part of every cache key: in
memory (:func:`~cognito_m2m_client.token_cache.cache_key`) and in the fleet's table
(:func:`~cognito_m2m_client.shared_cache.item_key`), as :func:`metadata_digest` only, never the
values, which may be sensitive. For the same reason no error message, log line or ``repr`` shows a key
or a value.

Cognito documents no limit for ``aws_client_metadata`` that we know of; the bounds below are this
library's own, generous for claims and small enough for one form parameter and one environment
variable: at most :data:`MAX_CLIENT_METADATA_ENTRIES` entries, keys of 1 to
:data:`MAX_CLIENT_METADATA_KEY_CHARS` characters, values of 0 to :data:`MAX_CLIENT_METADATA_VALUE_CHARS`
characters, both ``str`` without control characters (U+0000-U+001F, U+007F-U+009F) or lone surrogates,
and at most :data:`MAX_CLIENT_METADATA_BYTES` bytes of :func:`canonical_json` (UTF-8) in all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import lru_cache

MAX_CLIENT_METADATA_ENTRIES = 16
MAX_CLIENT_METADATA_KEY_CHARS = 128
MAX_CLIENT_METADATA_VALUE_CHARS = 256
MAX_CLIENT_METADATA_BYTES = 2048

ClientMetadata = tuple[tuple[str, str], ...]
"""Validated metadata: ``(key, value)`` pairs sorted by key; ``()`` is none (nothing is sent)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _text(name: str, what: str, item: object, longest: int, *, shortest: int) -> str:
    """One key or value as a plain ``str``, or a ValueError that names the rule (never the text)."""
    if not isinstance(item, str):
        raise ValueError(f"{name} {what}s must be str, not {type(item).__name__}")
    text = str.__str__(item)  # a plain str, whatever subclass was given
    if not shortest <= len(text) <= longest:
        raise ValueError(f"{name} {what}s are {shortest}-{longest} characters, not {len(text)}")
    if _CONTROL.search(text):
        raise ValueError(f"{name} {what}s must not hold control characters (U+0000-U+001F, U+007F-U+009F)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} {what}s must be valid Unicode (no lone surrogates)") from None
    return text


def checked_client_metadata(value: object, name: str = "client_metadata") -> ClientMetadata:
    """``value`` (a mapping of str to str, or None) as :data:`ClientMetadata`, by the module's rules.

    Raises ValueError whose message starts with ``name`` and says which rule failed; it never holds a
    key or a value. None and an empty mapping are no metadata: ``()``."""
    if value is None:
        return ()
    if isinstance(value, str):
        raise ValueError(f"{name} is a mapping of str keys to str values, not one string")
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a mapping of str keys to str values, not {type(value).__name__}")
    if len(value) > MAX_CLIENT_METADATA_ENTRIES:
        raise ValueError(f"{name} holds at most {MAX_CLIENT_METADATA_ENTRIES} entries, not {len(value)}")
    pairs = {
        _text(name, "key", key, MAX_CLIENT_METADATA_KEY_CHARS, shortest=1): _text(
            name, "value", item, MAX_CLIENT_METADATA_VALUE_CHARS, shortest=0
        )
        for key, item in value.items()
    }
    metadata = tuple(sorted(pairs.items()))
    size = len(canonical_json(metadata).encode("utf-8"))
    if size > MAX_CLIENT_METADATA_BYTES:
        raise ValueError(f"{name} is at most {MAX_CLIENT_METADATA_BYTES} bytes as compact JSON, not {size}")
    return metadata


def canonical_json(metadata: ClientMetadata) -> str:
    """The metadata as one compact JSON object, keys sorted, non-ASCII kept (what the token endpoint
    receives as ``aws_client_metadata``, and what :func:`metadata_digest` hashes)."""
    return json.dumps(dict(metadata), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=32)
def metadata_digest(metadata: ClientMetadata) -> str:
    """``sha256`` (64 hex digits) of :func:`canonical_json`: how the caches tell metadata sets apart
    without holding their values (computed once per metadata set, not on every cache lookup)."""
    return hashlib.sha256(canonical_json(metadata).encode("utf-8")).hexdigest()
