"""Lambda entry point of the resource server (handler setting ``app.handler``)."""

from resource_server.handler import handler

__all__ = ["handler"]
