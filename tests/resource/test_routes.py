"""resource_server.routes: 404 for unknown paths, 405 with Allow, scopes per route."""

from __future__ import annotations

import pytest

from resource_server.routes import MethodNotAllowed, RouteNotFound, RouteTable


def test_matches_configured_routes() -> None:
    table = RouteTable({("GET", "/api"): ("a",), ("POST", "/api"): ("a", "b")})
    assert table.match("GET", "/api").scopes == ("a",)
    assert table.match("POST", "/api").scopes == ("a", "b")
    with pytest.raises(RouteNotFound):
        table.match("GET", "/api/")
    with pytest.raises(RouteNotFound):
        table.match("GET", "/API")
    with pytest.raises(MethodNotAllowed) as caught:
        table.match("DELETE", "/api")
    assert caught.value.allow == ("GET", "POST")


def test_a_route_without_scopes_does_not_exist() -> None:
    table = RouteTable({("POST", "/api"): ("w",)})
    with pytest.raises(RouteNotFound):
        table.match("GET", "/api")
    with pytest.raises(MethodNotAllowed) as caught:
        table.match("PUT", "/api")
    assert caught.value.allow == ("POST",)
    with pytest.raises(ValueError, match="at least one scope"):
        RouteTable({("GET", "/api"): ()})
    with pytest.raises(ValueError, match="not implemented"):
        RouteTable({("GET", "/admin"): ("a",)})
