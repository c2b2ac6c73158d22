"""API Gateway REST API events, Lambda proxy integration (payload format 1.0).

The event carries ``headers`` and ``multiValueHeaders`` (and the same pair for the query string); the
multi-value maps are read when present, as they hold every value. ``path`` is the request path
without the stage. The answer sets ``multiValueHeaders`` (one value each), ``body`` and
``isBase64Encoded``; API Gateway has no status description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_m2m_verifier._shared.alb import BadEvent, event_body, lower_keys, string_map
from cognito_m2m_verifier.events.neutral import HttpRequest, HttpResponse, json_text


def _values(single: Any, multi: Any, what: str) -> dict[str, tuple[str, ...]]:
    """The multi-value map when the event has one (it holds every value), else the single-value map."""
    return string_map(multi if isinstance(multi, Mapping) else single, what)


class RestApiEvents:
    name = "rest_api"

    def parse(self, event: Any) -> HttpRequest:
        method, path = event.get("httpMethod"), event.get("path")
        if not isinstance(method, str) or not isinstance(path, str):
            raise BadEvent("event has no httpMethod/path")
        headers = lower_keys(_values(event.get("headers"), event.get("multiValueHeaders"), "headers"))
        query = _values(
            event.get("queryStringParameters"), event.get("multiValueQueryStringParameters"), "query string"
        )
        body = event_body(event.get("body"), event.get("isBase64Encoded"))
        return HttpRequest(
            method=method, path=path, headers=headers, query=query, body=body, multi_value=True
        )

    def render(self, answer: HttpResponse) -> dict[str, Any]:
        return {
            "statusCode": answer.status,
            "multiValueHeaders": {name: [value] for name, value in answer.all_headers().items()},
            "body": json_text(answer.body),
            "isBase64Encoded": False,
        }
