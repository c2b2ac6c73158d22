"""Whatever an item of the fleet's table holds, a container hands out its token only when a token from the
token endpoint would pass the same rules: a Hypothesis property against an oracle written from the rules,
not from the code. The table is a dict behind the three DynamoDB calls (the item's content is the point,
not DynamoDB: tests/client/test_shared_cache.py runs the protocol on moto).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cognito_m2m_client.shared_cache import SharedTokenTable, item_key
from tests.client.shared_cache_support import CLIENT_ID

NOW = 1_800_000_000
KEY = (CLIENT_ID, ("rest-api/read",))
B64URL = re.compile(r"[A-Za-z0-9_-]+")


class OneItem:
    """GetItem answers the one item it holds."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.item = item

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        return {"Item": self.item}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@st.composite
def items(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """An item and what it was made of: a payload with or without odd claims, a token mangled or not."""
    exp = draw(st.one_of(st.integers(NOW - 10, NOW + 2 * 86400), st.integers(NOW, NOW + 20 * 365 * 86400)))
    claims: dict[str, Any] = {"client_id": draw(st.sampled_from([CLIENT_ID, "someoneelse0123456789abcd"]))}
    claims["exp"] = draw(st.one_of(st.just(exp), st.integers(), st.text(max_size=3)))
    claims["scope"] = draw(
        st.sampled_from(["rest-api/read", "rest-api/write", "rest-api/read rest-api/write"])
    )
    for name in ("iat", "nbf"):
        if draw(st.booleans()):
            claims[name] = draw(st.one_of(st.integers(NOW - 3 * 86400, NOW + 3600), st.text(max_size=3)))
    token = f"{b64(b'{}')}.{b64(json.dumps(claims).encode())}.{b64(b'sig')}"
    mangle = draw(st.sampled_from(["none", "crlf", "space", "plus", "unicode", "two_parts", "huge"]))
    token = {
        "none": token,
        "crlf": token.replace(".", "\r\n.", 1),
        "space": token.replace(".", " .", 1),
        "plus": token.replace(".", "+.", 1),
        "unicode": token + "é",
        "two_parts": token.rsplit(".", 1)[0],
        "huge": token + "A" * 17_000,
    }[mangle]
    expires = draw(st.one_of(st.just(str(exp)), st.text(max_size=14)))
    return {"token": {"S": token}, "expires_at": {"N": expires}}, {
        "claims": claims,
        "token": token,
        "expires": expires,
    }


def acceptable(made: dict[str, Any]) -> bool:
    """The rules a fresh token meets, for one read from the table (README: Share tokens across a fleet)."""
    token, claims = made["token"], made["claims"]
    parts = token.split(".")
    if len(token) > 16384 or len(parts) != 3 or not all(B64URL.fullmatch(p) for p in parts):
        return False
    exp = claims["exp"]
    if not (type(exp) is int and made["expires"] == str(exp)):
        return False
    if claims["client_id"] != CLIENT_ID or claims["scope"] != "rest-api/read":
        return False
    if exp - NOW > 86400 + 300 or exp - NOW <= 60:  # within a day (and skew); 60: still worth using
        return False
    for name in ("iat", "nbf"):
        if name in claims and (type(claims[name]) is not int or claims[name] > NOW + 300):
            return False
    return not ("iat" in claims and type(claims["iat"]) is int and exp - claims["iat"] > 86400)


@settings(max_examples=400, deadline=None)
@given(made=items())
def test_an_item_is_used_only_when_a_fresh_token_would_pass(
    made: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    item, parts = made
    table = SharedTokenTable(
        "t", client_factory=lambda: OneItem({"pk": {"S": item_key(KEY)}, **item}), wall_clock=lambda: NOW
    )  # type: ignore[arg-type, return-value]
    found = table.read(KEY, 60)
    if acceptable(parts):
        assert found is not None
        assert found.value == parts["token"]
    else:
        assert found is None
        assert table.stats.fallbacks == {}  # an unusable item is not a failure of the table
