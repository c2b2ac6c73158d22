"""Scopes given in code (``@api.route(..., scopes=[...])``, or a :class:`RouteTable` built by hand) follow
the same rule as ``ROUTE_SCOPES`` and the Terraform module: RFC 6749 §3.3's scope-token, 1*( %x21 /
%x23-5B / %x5D-7E ), at most 512 characters, each once. A scope outside it (a CR/LF, a double quote, a
space, a backslash) would otherwise reach the ``WWW-Authenticate`` header of every 403 that names it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from resource_testkit import CLIENT_ID, POOL_ID, FakeClock, JwksServer, TokenFactory

from cognito_m2m_verifier.cognito import cognito_verifier
from cognito_m2m_verifier.protected_api import ProtectedApi
from cognito_m2m_verifier.routes import RouteTable
from tests.resource.test_event_formats import make_event

SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # the RFC's grammar, written here again

BAD_SCOPES = {
    "crlf": ["orders/read\r\nX-Injected: 1"],
    "lf": ["orders/read\nx"],
    "double_quote": ['orders/"read'],
    "space": ["orders read"],
    "backslash": ["orders\\read"],
    "tab": ["orders\tread"],
    "non_ascii": ["orders/lecture-é"],
    "empty": [""],
    "too_long": ["s" * 513],
    "not_a_string": [1],
    "twice": ["orders/read", "orders/read"],
    "none_at_all": [],
    "a_string_not_a_list": "orders/read",
}


@pytest.fixture
def api(jwks_server: JwksServer) -> ProtectedApi:
    return ProtectedApi(
        cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url=jwks_server.url)
    )


@pytest.mark.parametrize("name", sorted(BAD_SCOPES))
def test_a_scope_outside_rfc_6749_is_refused_when_the_route_is_registered(
    api: ProtectedApi, name: str
) -> None:
    with pytest.raises(ValueError, match="scope") as info:
        api.route("GET /orders", scopes=BAD_SCOPES[name])
    assert "\r" not in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", sorted(BAD_SCOPES))
def test_a_route_table_refuses_them_too(name: str) -> None:
    with pytest.raises(ValueError, match="scope"):
        RouteTable({("GET", "/orders"): BAD_SCOPES[name]}, implemented=None)


@settings(max_examples=300, deadline=None)
@given(scope=st.text(max_size=20))
def test_a_scope_is_accepted_exactly_when_rfc_6749_allows_it(scope: str) -> None:
    allowed = bool(SCOPE_TOKEN.fullmatch(scope)) and len(scope) <= 512
    try:
        RouteTable({("GET", "/orders"): [scope]}, implemented=None)
    except ValueError:
        assert not allowed
    else:
        assert allowed


def test_an_accepted_scope_reaches_the_header_whole_and_printable(
    api: ProtectedApi, tokens: TokenFactory, clock: FakeClock
) -> None:
    api.verifier._clock = clock
    odd = "https://api.example.com/orders:write+all!~"

    @api.route("POST /orders", scopes=[odd])
    def create(request: Any, claims: Any) -> dict[str, Any]:
        return {}

    answer = api.handler(
        make_event("alb", "POST", "/orders", headers={"Authorization": [f"Bearer {tokens.make()}"]})
    )
    assert answer["statusCode"] == 403
    header = answer["headers"]["www-authenticate"]
    assert f'scope="{odd}"' in header
    assert header.isprintable()
