"""HTTP events of the four Lambda front doors, each turned into one neutral request and back.

The format is decided once per event by :func:`adapter_for`, from the event's own shape; the verifier,
the route table and the responses never see it:

- Application Load Balancer, single- or multi-value headers: ``requestContext.elb``
  (:class:`~.alb.AlbEvents`);
- API Gateway REST API, Lambda proxy integration (payload 1.0): ``requestContext.apiId`` and
  ``httpMethod`` (:class:`~.rest_api.RestApiEvents`);
- API Gateway HTTP API (payload 2.0): ``version == "2.0"`` (:class:`~.http_api.HttpApiEvents`);
- Lambda function URL, the 2.0 payload too: ``version == "2.0"`` and a ``lambda-url`` domain
  (:class:`~.http_api.HttpApiEvents`).

An event without ``requestContext`` is read as an ALB event (what tests and older callers send).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_m2m_verifier.events.alb import AlbEvents
from cognito_m2m_verifier.events.http_api import HttpApiEvents
from cognito_m2m_verifier.events.neutral import BadEvent, EventAdapter, HttpRequest, HttpResponse
from cognito_m2m_verifier.events.rest_api import RestApiEvents

__all__ = [
    "AlbEvents",
    "BadEvent",
    "EventAdapter",
    "HttpApiEvents",
    "HttpRequest",
    "HttpResponse",
    "RestApiEvents",
    "adapter_for",
]

_ALB_SINGLE = AlbEvents(multi_value=False)
_ALB_MULTI = AlbEvents(multi_value=True)
_REST_API = RestApiEvents()
_HTTP_API = HttpApiEvents("http_api")
_FUNCTION_URL = HttpApiEvents("function_url")


def adapter_for(event: Any) -> EventAdapter:
    """The adapter of the front door that sent ``event`` (ALB when nothing else matches)."""
    if type(event) is not dict and not isinstance(event, Mapping):
        return _ALB_SINGLE
    context = event.get("requestContext")
    if (type(context) is dict or isinstance(context, Mapping)) and "elb" not in context:
        if event.get("version") == "2.0":
            domain = context.get("domainName")
            if isinstance(domain, str) and ".lambda-url." in domain:
                return _FUNCTION_URL
            return _HTTP_API
        if "apiId" in context and "httpMethod" in event:
            return _REST_API
    return _ALB_MULTI if "multiValueHeaders" in event else _ALB_SINGLE
