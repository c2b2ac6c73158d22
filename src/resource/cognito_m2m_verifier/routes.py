"""The route table: which (method, path) exists and which scopes it requires.

Routes are keyed ``"METHOD /path"``: an upper-case method token, one space, and a path matched exactly
and case-sensitively; a path ending in ``/*`` matches every path below that prefix (``"GET /orders/*"``
matches ``/orders/42`` and ``/orders/42/lines``, not ``/orders``). An exact route wins over a ``*``
route, and a longer prefix over a shorter one. **Every scope listed for a route is required**
(all-of, not any-of), and a route must list at least one.

- a path that no route matches: 404;
- a path that routes match, but not with this method: 405 with ``Allow`` naming those routes' methods;
- the demo function's table (``implemented`` given) also answers 404 for a route it implements but the
  deployment did not configure (``POST /api`` when only ``GET /api`` is): that route does not exist.

Both answers come before authorization: they depend only on the deployment's route table, which a
client learns from these very answers anyway; the verifier's work is spent on real routes only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cognito_m2m_verifier.claim_rules import ClaimRule

IMPLEMENTED_ROUTES: frozenset[tuple[str, str]] = frozenset({("GET", "/api"), ("POST", "/api")})
"""The routes the demo resource function implements."""

ROUTE_KEY = re.compile(r"(?P<method>[A-Z]+) (?P<path>/[!-~]*)")
_WILDCARD = "/*"
# RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ): no space, no quote, no backslash, no
# control character (such a scope would break the WWW-Authenticate header that names it); at most 512.
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,512}")


def check_scopes(where: str, scopes: object) -> tuple[str, ...]:
    """``scopes`` as a tuple if it is a non-empty list of distinct RFC 6749 scope-tokens; else
    :class:`ValueError` naming ``where`` (never echoing a scope that could hold a control character)."""
    if isinstance(scopes, str | bytes) or not isinstance(scopes, list | tuple | set | frozenset):
        raise ValueError(f"{where} needs a list of one or more scopes, not {type(scopes).__name__}")
    listed = tuple(scopes)
    if not listed:
        raise ValueError(f"{where} needs a list of one or more scopes")
    for scope in listed:
        if type(scope) is not str or not SCOPE_TOKEN.fullmatch(scope):
            raise ValueError(
                f"{where} has an invalid scope: a scope is 1-512 printable ASCII characters without "
                'spaces, double quotes or backslashes (RFC 6749 scope-token), e.g. "orders/read"'
            )
    if len(set(listed)) != len(listed):
        raise ValueError(f"{where} lists a scope twice")
    return listed


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str  # the pattern as configured ("/orders/*" for a wildcard route)
    scopes: tuple[str, ...]
    claim_rules: tuple[ClaimRule, ...] = ()  # every one must hold (cognito_m2m_verifier.claim_rules)


class RouteNotFound(LookupError):
    """No configured route has this path."""


class MethodNotAllowed(LookupError):
    """The path exists, but not with this method."""

    def __init__(self, allow: tuple[str, ...]) -> None:
        super().__init__("method not allowed")
        self.allow = allow


def parse_route_key(key: str) -> tuple[str, str]:
    """``"GET /orders/*"`` -> ``("GET", "/orders/*")``; :class:`ValueError` for anything else."""
    match = ROUTE_KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        raise ValueError(f"route {str(key)[:60]!r} is not 'METHOD /path' (e.g. 'GET /orders/*')")
    path = match["path"]
    if "*" in path[:-1] or (path.endswith("*") and not path.endswith(_WILDCARD)):
        raise ValueError(f"route {key[:60]!r}: '*' may only be the whole last segment ('/orders/*')")
    return match["method"], path


class RouteTable:
    """Configured routes: exact paths, then ``/*`` prefixes (longest first)."""

    def __init__(
        self,
        route_scopes: Mapping[tuple[str, str], Iterable[str]],
        *,
        implemented: frozenset[tuple[str, str]] | None = IMPLEMENTED_ROUTES,
        claim_rules: Mapping[tuple[str, str], tuple[ClaimRule, ...]] | None = None,
    ) -> None:
        rules = claim_rules or {}
        exact: dict[str, dict[str, Route]] = {}
        prefixes: dict[str, dict[str, Route]] = {}
        for (method, path), listed in sorted(route_scopes.items()):
            if implemented is not None and (method, path) not in implemented:
                raise ValueError(f"route {method} {path} is not implemented")
            scopes = check_scopes(
                f"route {method} {path}", list(listed) if not isinstance(listed, str) else listed
            )
            route = Route(method, path, scopes, rules.get((method, path), ()))
            if path.endswith(_WILDCARD):
                prefixes.setdefault(path[:-1], {})[method] = route  # "/orders/*" -> "/orders/"
            else:
                exact.setdefault(path, {})[method] = route
        self._exact = exact
        self._prefixes = sorted(prefixes.items(), key=lambda item: len(item[0]), reverse=True)
        self._implemented = implemented

    @classmethod
    def from_keys(cls, routes: Mapping[str, Iterable[str]]) -> RouteTable:
        """A table of any routes, keyed ``"METHOD /path"`` (see the module docstring)."""
        return cls({parse_route_key(key): scopes for key, scopes in routes.items()}, implemented=None)

    def match(self, method: str, path: str) -> Route:
        """The route for ``method path``; raise :class:`RouteNotFound` or :class:`MethodNotAllowed`."""
        methods = self._exact.get(path)
        if methods is not None:
            route = methods.get(method)
            if route is not None:
                return route  # the demo's path: one dictionary hit each
        candidates = [methods] if methods is not None else []
        for prefix, by_method in self._prefixes:
            if len(path) > len(prefix) and path.startswith(prefix):
                route = by_method.get(method)
                if route is not None:
                    return route
                candidates.append(by_method)
        if not candidates:
            raise RouteNotFound(path)
        if self._implemented is not None and (method, path) in self._implemented:
            raise RouteNotFound(path)  # implemented, but not configured: the route does not exist
        raise MethodNotAllowed(tuple(sorted({m for by_method in candidates for m in by_method})))
