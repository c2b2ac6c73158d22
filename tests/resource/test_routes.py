"""cognito_m2m_verifier.routes: 404 for unknown paths, 405 with Allow, scopes per route."""

from __future__ import annotations

import pytest

from cognito_m2m_verifier.routes import MethodNotAllowed, RouteNotFound, RouteTable


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
    with pytest.raises(ValueError, match="one or more scopes"):
        RouteTable({("GET", "/api"): ()})
    with pytest.raises(ValueError, match="not implemented"):
        RouteTable({("GET", "/admin"): ("a",)})


def test_route_keys_with_a_trailing_wildcard_segment() -> None:
    table = RouteTable.from_keys(
        {
            "GET /orders/*": ["orders/read"],
            "GET /orders/special": ["orders/admin"],
            "POST /orders/*": ["orders/write"],
            "GET /orders/archive/*": ["orders/archive"],
        }
    )
    assert table.match("GET", "/orders/42").scopes == ("orders/read",)
    assert table.match("GET", "/orders/42/lines").scopes == ("orders/read",)
    assert table.match("GET", "/orders/special").scopes == ("orders/admin",)  # exact wins
    assert table.match("GET", "/orders/archive/2025").scopes == ("orders/archive",)  # longer prefix wins
    assert table.match("POST", "/orders/special").scopes == ("orders/write",)
    for path in ("/orders", "/orders/", "/Orders/42", "/ordersx/1"):
        with pytest.raises(RouteNotFound):
            table.match("GET", path)
    with pytest.raises(MethodNotAllowed) as caught:
        table.match("DELETE", "/orders/special")
    assert caught.value.allow == ("GET", "POST")
    with pytest.raises(MethodNotAllowed):
        table.match("get", "/orders/42")  # case-sensitive


@pytest.mark.parametrize(
    "key",
    ["get /orders", "GET  /orders", "GET orders", "GET /orders/*/lines", "GET /orders*", "GET /a b", ""],
)
def test_malformed_route_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="route"):
        RouteTable.from_keys({key: ["s"]})
