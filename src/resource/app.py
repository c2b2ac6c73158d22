"""Lambda entry point of the resource server (handler setting ``app.handler``)."""

from cognito_m2m_verifier.handler import handler

__all__ = ["handler"]
