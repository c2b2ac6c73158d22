"""API Gateway HTTP API events and Lambda function URL events (payload format 2.0).

Both carry the method in ``requestContext.http.method`` and the path in ``rawPath``. Header values that a
client sent several times arrive joined with commas, as one value; cookies arrive in ``cookies``
(the verifier has no use for them); the query string is ``rawQueryString`` (names and values as sent).
An HTTP API stage other than ``$default`` prefixes ``rawPath`` with ``/<stage>``, which is removed
before routing. The answer is ``statusCode``, ``headers``, ``body`` and ``isBase64Encoded``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_m2m_verifier._shared.alb import BadEvent, event_body
from cognito_m2m_verifier.events.neutral import HttpRequest, HttpResponse, json_text


def _query(raw: Any) -> dict[str, tuple[str, ...]]:
    if raw is None or raw == "":
        return {}
    if not isinstance(raw, str):
        raise BadEvent("rawQueryString is not a string")
    out: dict[str, tuple[str, ...]] = {}
    for part in raw.split("&"):
        if part:
            name, _, value = part.partition("=")
            out[name] = (*out.get(name, ()), value)
    return out


class HttpApiEvents:
    def __init__(self, name: str) -> None:
        self.name = name

    def parse(self, event: Any) -> HttpRequest:
        context = event.get("requestContext")
        http = context.get("http") if isinstance(context, Mapping) else None
        method = http.get("method") if isinstance(http, Mapping) else None
        path = event.get("rawPath")
        if not isinstance(method, str) or not isinstance(path, str):
            raise BadEvent("event has no requestContext.http.method/rawPath")
        stage = context.get("stage") if isinstance(context, Mapping) else None
        if isinstance(stage, str) and stage != "$default" and path.startswith(f"/{stage}/"):
            path = path[len(stage) + 1 :]
        raw_headers = event.get("headers")
        if raw_headers is None:
            raw_headers = {}
        if not isinstance(raw_headers, Mapping):
            raise BadEvent("headers is not an object")
        headers: dict[str, tuple[str, ...]] = {}
        for name, value in raw_headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise BadEvent("headers has a non-string name or value")
            headers[name.lower()] = (*headers.get(name.lower(), ()), value)
        body = event_body(event.get("body"), event.get("isBase64Encoded"))
        query = _query(event.get("rawQueryString"))
        return HttpRequest(
            method=method, path=path, headers=headers, query=query, body=body, multi_value=False
        )

    def render(self, answer: HttpResponse) -> dict[str, Any]:
        return {
            "statusCode": answer.status,
            "headers": answer.all_headers(),
            "body": json_text(answer.body),
            "isBase64Encoded": False,
        }
