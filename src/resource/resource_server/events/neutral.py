"""The neutral request and response that every event adapter produces and renders."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from lambda_common.alb import BadEvent, Request

JSON_CONTENT_TYPE = "application/json"

HttpRequest = Request
"""A request as the front door delivered it: the method exactly as sent, header names lower-cased with
every value, query names and values as sent, the body as bytes."""

__all__ = ["BadEvent", "EventAdapter", "HttpRequest", "HttpResponse", "decode_body", "json_text"]


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A JSON answer: status, a JSON object body (never null), extra headers (names as given)."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    def all_headers(self) -> dict[str, str]:
        """Content type and ``no-store`` first, then the answer's own headers, names lower-cased."""
        out = {"content-type": JSON_CONTENT_TYPE, "cache-control": "no-store"}
        out.update({name.lower(): value for name, value in self.headers.items()})
        return out


class EventAdapter(Protocol):
    """One front door's event format: parse an event into a request, render a response for it."""

    name: str

    def parse(self, event: Any) -> HttpRequest: ...

    def render(self, response: HttpResponse) -> dict[str, Any]: ...


def json_text(body: Mapping[str, Any]) -> str:
    """Compact ASCII JSON (what every format carries as its string body)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True)


def decode_body(raw: Any, base64_encoded: Any) -> bytes:
    """The request body as bytes, from the event's ``body`` and ``isBase64Encoded``."""
    if raw is None:
        return b""
    if not isinstance(raw, str):
        raise BadEvent("body is not a string")
    if base64_encoded is True:
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadEvent("body is not valid base64") from exc
    return raw.encode("utf-8", "surrogatepass")
