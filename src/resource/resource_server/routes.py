"""The route table: which (method, path) exists and which scopes it requires.

The function implements ``GET /api`` and ``POST /api``; ``ROUTE_SCOPES`` decides which of them exist
and with which scopes. **Every scope listed for a route is required** (all-of, not any-of). A path
with no configured route is 404; a configured path asked with another method is 405 with ``Allow``.
Both answers come before authorization: they depend only on the deployment's public route table, and
a client without a token learns nothing from them that the ALB's own rules would not reveal.
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
            raise MethodNotAllowed(tuple(sorted(methods)))
        return route
