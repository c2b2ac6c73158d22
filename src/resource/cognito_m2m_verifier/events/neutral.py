"""The neutral request and response that every event adapter produces and renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cognito_m2m_verifier._shared.alb import BadEvent, Request
from cognito_m2m_verifier._shared.alb import json_text as _json_text

JSON_CONTENT_TYPE = "application/json"

HttpRequest = Request
"""A request as the front door delivered it: the method exactly as sent, header names lower-cased with
every value, query names and values as sent, the body as bytes."""

__all__ = ["BadEvent", "EventAdapter", "HttpRequest", "HttpResponse", "json_text"]


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
    return _json_text(body)
