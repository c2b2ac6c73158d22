"""Application Load Balancer events, in the target group's single- or multi-value header mode.

Parsing is :func:`cognito_m2m_verifier._shared.alb.parse_event`; the answer uses the mode of the request,
with a ``statusDescription``, as the ALB requires.
"""

from __future__ import annotations

from typing import Any

from cognito_m2m_verifier._shared.alb import parse_event, response
from cognito_m2m_verifier.events.neutral import HttpRequest, HttpResponse


class AlbEvents:
    def __init__(self, *, multi_value: bool) -> None:
        self.multi_value = multi_value
        self.name = "alb_multi_value" if multi_value else "alb"

    def parse(self, event: Any) -> HttpRequest:
        return parse_event(event)

    def render(self, answer: HttpResponse) -> dict[str, Any]:
        return response(
            answer.status, dict(answer.body), headers=answer.headers, multi_value=self.multi_value
        )
