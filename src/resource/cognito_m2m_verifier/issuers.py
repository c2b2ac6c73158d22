"""Which issuers a Cognito user pool's access tokens can carry, and where each one's keys are.

A user pool has an issuer setting (``IssuerConfigurationType`` in the Cognito API reference):

- ``ORIGINAL`` issues ``https://cognito-idp.<region>.amazonaws.com/<pool id>``: "hosted in the user
  pool's region and provides OIDC endpoints specific to that region";
- ``UPDATED`` issues ``https://issuer-cognito-idp.<region>.amazonaws.com/<pool id>``, "where region is the
  primary Amazon Web Services Region of your user pool"; it "host[s] the same JWKS content in multiple
  regions" and is "Recommended for all user pools, including for multi-Region replication".

Each issuer's keys are at ``<issuer>/.well-known/jwks.json``, fetched only when a token names that
issuer (and the issuer is one of these): a pool still on ``ORIGINAL`` never has its updated JWKS fetched,
which answers 403 for such pools (aws-jwt-verify issue #279, where prefetching both broke start-up).

``issuer_format``: ``"any"`` (the default) accepts both formats of the pool's primary Region, as a pool
switches from one to the other at a moment of its owner's choosing and tokens of the old format stay
valid for up to a day after; both name the same pool, and each format's keys come from its own
AWS-hosted JWKS, so accepting both trusts nothing beyond the pool. ``"original"`` or ``"updated"`` pins
one and refuses the other (401 ``wrong issuer``).

``replica_regions``: with multi-Region replication every replica shares the pool id (the primary Region's
prefix included). Under ``ORIGINAL`` a replica's tokens may carry its own Region's issuer
(``https://cognito-idp.<replica region>.amazonaws.com/<pool id>``, observed in 2026 before Cognito moved
replicas to the primary Region's issuer), so each listed Region adds that issuer and its own Region's
JWKS; under ``UPDATED`` every Region issues the primary Region's issuer, and replicas add nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ISSUER_FORMATS = ("any", "original", "updated")
REGION_PATTERN = r"[a-z]{2}-(?:gov-)?[a-z]+-\d"
REGION = re.compile(REGION_PATTERN, re.ASCII)
USER_POOL_ID = re.compile(rf"(?P<region>{REGION_PATTERN})_[A-Za-z0-9]{{1,64}}", re.ASCII)
MAX_REPLICA_REGIONS = 16


def original_issuer(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def updated_issuer(region: str, user_pool_id: str) -> str:
    return f"https://issuer-cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_url_of(issuer: str) -> str:
    return f"{issuer}/.well-known/jwks.json"


def primary_region(user_pool_id: str) -> str:
    """The pool id's Region prefix (its primary Region); :class:`ValueError` for a malformed pool id."""
    match = USER_POOL_ID.fullmatch(user_pool_id) if isinstance(user_pool_id, str) else None
    if not match:
        raise ValueError("not a Cognito user pool id (<region>_<id>, e.g. eu-west-1_AbC123)")
    return match["region"]


def checked_replica_regions(regions: Iterable[str], user_pool_id: str) -> tuple[str, ...]:
    """``regions`` as a tuple of distinct Region names other than the pool's primary one, or
    :class:`ValueError` / :class:`TypeError` saying what is wrong."""
    if isinstance(regions, str | bytes):
        raise TypeError("replica_regions must be a list of Region names, not one string")
    primary = primary_region(user_pool_id)
    checked = tuple(regions)
    for region in checked:
        if not isinstance(region, str) or not REGION.fullmatch(region):
            raise ValueError(f"not an AWS Region name: {str(region)[:40]!r}")
        if region == primary:
            raise ValueError(f"{region} is the pool's primary Region (its id's prefix), not a replica")
    if len(set(checked)) != len(checked):
        raise ValueError("replica_regions lists a Region twice")
    if len(checked) > MAX_REPLICA_REGIONS:
        raise ValueError(f"at most {MAX_REPLICA_REGIONS} replica Regions")
    return checked


def pool_issuers(
    user_pool_id: str, *, issuer_format: str = "any", replica_regions: Iterable[str] = ()
) -> dict[str, str]:
    """Every issuer the pool's tokens may carry, mapped to its JWKS URL (the most common first)."""
    if issuer_format not in ISSUER_FORMATS:
        raise ValueError(f"issuer_format must be one of {', '.join(ISSUER_FORMATS)}")
    region = primary_region(user_pool_id)
    replicas = checked_replica_regions(replica_regions, user_pool_id)
    issuers: list[str] = []
    if issuer_format in ("any", "original"):
        issuers.append(original_issuer(region, user_pool_id))
    if issuer_format in ("any", "updated"):
        issuers.append(updated_issuer(region, user_pool_id))
    if issuer_format in ("any", "original"):
        issuers += [original_issuer(replica, user_pool_id) for replica in replicas]
    return {issuer: jwks_url_of(issuer) for issuer in issuers}


def issuers_to_tell_apart(user_pool_id: str, issuer_format: str) -> frozenset[str]:
    """The issuers whose JWKS answering 403 or 404 means "not the format this pool uses" (a token naming
    it cannot be genuine: 401), not an outage (503): both formats of the pool's primary Region when both
    are accepted. A pinned format, a replica and a URL given by configuration are the operator's
    statement that keys are there, so there a 403 or 404 stays an outage."""
    if issuer_format != "any":
        return frozenset()
    region = primary_region(user_pool_id)
    return frozenset({original_issuer(region, user_pool_id), updated_issuer(region, user_pool_id)})
