"""The route table: which (method, path) exists and which scopes it requires.

The function implements ``GET /api`` and ``POST /api``; ``ROUTE_SCOPES`` decides which of them exist
and with which scopes. **Every scope listed for a route is required** (all-of, not any-of).

- a path with no configured route: 404;
- an implemented route that is not configured (say ``POST /api`` when only ``GET /api`` is): 404,
  it does not exist;
- any other method on a configured path (``PUT``, ``DELETE``, ``HEAD``, ...): 405 with ``Allow``
  naming the configured methods of that path.

Both answers come before authorization: they depend only on the deployment's route table, which a
client learns from these very answers anyway; the verifier's work is spent on real routes only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

IMPLEMENTED_ROUTES: frozenset[tuple[str, str]] = frozenset({("GET", "/api"), ("POST", "/api")})


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    scopes: tuple[str, ...]


class RouteNotFound(LookupError):
    """No configured route has this path."""


class MethodNotAllowed(LookupError):
    """The path exists, but not with this method."""

    def __init__(self, allow: tuple[str, ...]) -> None:
        super().__init__("method not allowed")
        self.allow = allow


class RouteTable:
    """Configured routes by path, then method."""

    def __init__(self, route_scopes: Mapping[tuple[str, str], tuple[str, ...]]) -> None:
        by_path: dict[str, dict[str, Route]] = {}
        for (method, path), scopes in sorted(route_scopes.items()):
            if (method, path) not in IMPLEMENTED_ROUTES:
                raise ValueError(f"route {method} {path} is not implemented")
            if not scopes:
                raise ValueError(f"route {method} {path} must require at least one scope")
            by_path.setdefault(path, {})[method] = Route(method, path, tuple(scopes))
        self._by_path = by_path

    def match(self, method: str, path: str) -> Route:
        """The route for ``method path``; raise :class:`RouteNotFound` or :class:`MethodNotAllowed`."""
        methods = self._by_path.get(path)
        if methods is None:
            raise RouteNotFound(path)
        route = methods.get(method)
        if route is None:
            if (method, path) in IMPLEMENTED_ROUTES:
                raise RouteNotFound(path)  # implemented, but not configured: the route does not exist
            raise MethodNotAllowed(tuple(sorted(methods)))
        return route
