"""The resource function's configuration contract, read once from an environment mapping.

| variable | required | meaning |
|---|---|---|
| ``USER_POOL_ID`` | yes | ``<region>_<id>``, e.g. ``eu-west-1_AbC123``; its region prefix names the issuer |
| ``AWS_REGION`` | set by Lambda | not used: the pool id's own region prefix names the issuer |
| ``ISSUER_FORMAT`` | no | ``any`` (default), ``original`` or ``updated``: the issuer formats accepted |
| ``REPLICA_REGIONS`` | no | comma-separated Regions of the pool's replicas (their original-format issuers) |
| ``JWKS_URL`` | no | one URL for every issuer's keys instead of ``<issuer>/.well-known/jwks.json``; |
| | | https, or http to a loopback host only |
| ``ALLOWED_CLIENT_IDS`` | yes | comma-separated app client ids (``[A-Za-z0-9_+]{1,128}`` each) |
| ``ROUTE_SCOPES`` | yes | JSON object ``{"GET /api": ["rest-api/read"], "POST /api": [...]}``: |
| | | the routes that exist (``GET /api``, ``POST /api``) and their scopes, all required |
| ``CLOCK_SKEW_SECONDS`` | no | whole seconds 0-300 of leeway for ``exp``/``iat``/``nbf``; default 5 |
| ``CLIENT_CREDENTIALS_ONLY`` | no | ``true`` (default): client-credentials tokens only |
| | | (``sub == client_id``); ``false`` also accepts users' access tokens |

The issuers are derived from the pool id (:mod:`~cognito_m2m_verifier.issuers`), never from
``JWKS_URL``. Anything missing or malformed raises one :class:`ConfigError` naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cognito_m2m_verifier import strict_json
from cognito_m2m_verifier._shared.config import (
    ConfigError,
    csv_list,
    optional_bool,
    optional_int,
    optional_str,
    require_str,
)
from cognito_m2m_verifier._shared.hosts import checked_url
from cognito_m2m_verifier.issuers import ISSUER_FORMATS, original_issuer, pool_issuers
from cognito_m2m_verifier.routes import IMPLEMENTED_ROUTES, SCOPE_TOKEN, parse_route_key

USER_POOL_ID = re.compile(r"(?P<region>[a-z]{2}-(?:gov-)?[a-z]+-\d)_[A-Za-z0-9]{1,64}")
CLIENT_ID = re.compile(r"[A-Za-z0-9_+]{1,128}")
SCOPE = SCOPE_TOKEN  # RFC 6749 scope-token, as the route table requires
ROUTE_KEY = re.compile(r"(?P<method>[A-Z]+) (?P<path>/\S*)")
DEFAULT_CLOCK_SKEW_SECONDS = 5
MAX_CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class ResourceConfig:
    user_pool_id: str
    region: str
    issuer: str
    """The first of ``issuers`` (the most common)."""
    jwks_url: str
    """Its JWKS URL."""
    allowed_client_ids: tuple[str, ...]
    route_scopes: Mapping[tuple[str, str], tuple[str, ...]]
    clock_skew_seconds: int
    client_credentials_only: bool = True
    issuers: Mapping[str, str] | None = None
    """Every accepted issuer and its JWKS URL (None: ``issuer`` and ``jwks_url`` alone)."""
    jwks_url_given: bool = False
    """``JWKS_URL`` named one URL for every issuer's keys."""
    issuer_format: str = "any"


def cognito_issuer(user_pool_id: str) -> str:
    """``https://cognito-idp.<region>.amazonaws.com/<pool id>`` (region from the pool id)."""
    match = USER_POOL_ID.fullmatch(user_pool_id)
    if not match:
        raise ValueError("not a Cognito user pool id")
    return original_issuer(match["region"], user_pool_id)


def _jwks_url(env: Mapping[str, str], default: str) -> str:
    try:
        return checked_url("it", optional_str(env, "JWKS_URL", default))
    except ValueError as exc:
        raise ConfigError("JWKS_URL", str(exc).removeprefix("it ")) from None


def _route_scopes(
    env: Mapping[str, str], implemented: frozenset[tuple[str, str]] | None
) -> dict[tuple[str, str], tuple[str, ...]]:
    name = "ROUTE_SCOPES"
    try:
        doc = strict_json.loads(require_str(env, name))
    except strict_json.StrictJsonError as exc:
        raise ConfigError(name, f"must be a JSON object without duplicate keys ({exc})") from None
    if type(doc) is not dict or not doc:
        raise ConfigError(name, 'must be a non-empty JSON object like {"GET /api": ["rest-api/read"]}')
    known = ", ".join(f"{m} {p}" for m, p in sorted(implemented or ()))
    routes: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, scopes in doc.items():
        if implemented is None:
            try:
                method_path = parse_route_key(key)
            except ValueError as exc:
                raise ConfigError(name, str(exc)) from None
        else:
            match = ROUTE_KEY.fullmatch(key)
            method_path = (match["method"], match["path"]) if match else ("", "")
            if method_path not in implemented:
                raise ConfigError(name, f"has route {key[:60]!r}; the routes are: {known}")
        if type(scopes) is not list or not scopes:
            raise ConfigError(name, f"route {key!r} must map to a non-empty list of scopes")
        for scope in scopes:
            if type(scope) is not str or not SCOPE.fullmatch(scope):
                problem = f"route {key!r} has an invalid scope (strings without spaces or quotes)"
                raise ConfigError(name, problem)
        if len(set(scopes)) != len(scopes):
            raise ConfigError(name, f"route {key!r} lists a scope twice")
        routes[method_path] = tuple(scopes)
    return routes


def load_config(
    env: Mapping[str, str], *, implemented: frozenset[tuple[str, str]] | None = IMPLEMENTED_ROUTES
) -> ResourceConfig:
    """Read and validate the configuration; raise :class:`ConfigError` naming the first bad variable.

    ``implemented`` is the set of routes the function has code for (the demo's by default);
    ``None`` accepts any well-formed route key (a function of your own checks its routes itself).
    """
    pool_id = require_str(env, "USER_POOL_ID")
    match = USER_POOL_ID.fullmatch(pool_id)
    if not match:
        raise ConfigError("USER_POOL_ID", "must look like <region>_<id>, e.g. eu-west-1_AbC123")
    issuer_format = optional_str(env, "ISSUER_FORMAT", "any")
    if issuer_format not in ISSUER_FORMATS:
        raise ConfigError("ISSUER_FORMAT", f"must be one of {', '.join(ISSUER_FORMATS)}")
    try:
        derived = pool_issuers(
            pool_id,
            issuer_format=issuer_format,
            replica_regions=csv_list(env, "REPLICA_REGIONS")
            if env.get("REPLICA_REGIONS", "").strip()
            else (),
        )
    except ValueError as exc:
        raise ConfigError("REPLICA_REGIONS", str(exc)) from None
    given = bool(env.get("JWKS_URL", "").strip())
    issuers = {i: _jwks_url(env, url) for i, url in derived.items()} if given else derived
    issuer, jwks_url = next(iter(issuers.items()))
    client_ids = csv_list(env, "ALLOWED_CLIENT_IDS")
    for client_id in client_ids:
        if not CLIENT_ID.fullmatch(client_id):
            raise ConfigError("ALLOWED_CLIENT_IDS", "items must be app client ids ([A-Za-z0-9_+], 1-128)")
    route_scopes = _route_scopes(env, implemented)
    skew = optional_int(
        env, "CLOCK_SKEW_SECONDS", DEFAULT_CLOCK_SKEW_SECONDS, minimum=0, maximum=MAX_CLOCK_SKEW_SECONDS
    )
    return ResourceConfig(
        user_pool_id=pool_id,
        region=match["region"],
        issuer=issuer,
        jwks_url=jwks_url,
        issuers=issuers,
        jwks_url_given=given,
        issuer_format=issuer_format,
        allowed_client_ids=client_ids,
        route_scopes=route_scopes,
        clock_skew_seconds=skew,
        client_credentials_only=optional_bool(env, "CLIENT_CREDENTIALS_ONLY", True),
    )
