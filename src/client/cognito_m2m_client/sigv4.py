"""AWS Signature Version 4 for one JSON API call, with the standard library only (``hashlib``, ``hmac``).

The steps of "Create a signed AWS API request" (IAM user guide, Signature Version 4):

1. canonical request: method, canonical URI (the path as sent, URI-encoded once more: every service
   but S3 encodes path segments twice), canonical query (names and values URI-encoded with only
   ``A-Z a-z 0-9 - _ . ~`` left as they are, sorted), the signed headers (lower-case names, values
   trimmed with inner runs of spaces collapsed, sorted by name, each ``name:value\\n``), the signed
   header names joined by ``;``, the hex SHA-256 of the payload;
2. string to sign: ``AWS4-HMAC-SHA256``, the request time (``YYYYMMDDTHHMMSSZ``), the credential scope
   ``<date>/<region>/<service>/aws4_request``, the hex SHA-256 of the canonical request;
3. signing key: HMAC-SHA256 chained from ``"AWS4" + secret`` over the date, the Region, the service and
   ``aws4_request``; signature: hex HMAC-SHA256 of the string to sign with that key;
4. ``Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=..., Signature=...``,
   with ``X-Amz-Security-Token`` for temporary credentials (signed too).

tests/client/test_sigv4.py checks it against vectors of AWS's SigV4 test suite and the IAM guide's
example, and against botocore's signer over many requests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
_SPACES = re.compile(r" +")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived key of step 3 (``date`` is ``YYYYMMDD``)."""
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def canonical_request(
    method: str, path: str, query: list[tuple[str, str]], headers: Mapping[str, str], payload: bytes
) -> tuple[str, str]:
    """Step 1: the canonical request and the signed header names (``a;b;c``)."""
    canonical_uri = quote(path or "/", safe="/~")
    canonical_query = "&".join(
        f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in sorted(query)
    )
    lowered = sorted((name.lower(), _SPACES.sub(" ", value.strip())) for name, value in headers.items())
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in lowered)
    signed = ";".join(name for name, _ in lowered)
    digest = hashlib.sha256(payload).hexdigest()
    return "\n".join([method, canonical_uri, canonical_query, canonical_headers, signed, digest]), signed


def signature(  # noqa: PLR0917 - the inputs of the algorithm, in its order
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    payload: bytes,
    secret_key: str,
    amz_date: str,
    region: str,
    service: str,
) -> tuple[str, str]:
    """Steps 1-3: ``(signature hex, signed header names)`` of a request at ``amz_date``."""
    request, signed = canonical_request(method, path, query, headers, payload)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(request.encode("utf-8")).hexdigest()])
    key = signing_key(secret_key, amz_date[:8], region, service)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest(), signed


def signed_headers(
    *,
    method: str,
    host: str,
    path: str,
    headers: Mapping[str, str],
    payload: bytes,
    access_key: str,
    secret_key: str,
    session_token: str | None,
    region: str,
    service: str,
    amz_date: str,
) -> dict[str, str]:
    """``headers`` plus ``Host``, ``X-Amz-Date``, the session token and ``Authorization`` (step 4)."""
    out = {**headers, "Host": host, "X-Amz-Date": amz_date}
    if session_token:
        out["X-Amz-Security-Token"] = session_token
    value, signed = signature(method, path, [], out, payload, secret_key, amz_date, region, service)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    out["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={value}"
    )
    return out
