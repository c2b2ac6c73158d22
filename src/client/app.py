"""Lambda entry point of the client function (handler setting: ``app.handler``).

The configuration is read when the module is imported (the cold start), so a missing or malformed
variable fails the cold start with one ConfigError naming it. Everything else lives in ``cognito_m2m_client``.
"""

from __future__ import annotations

import os
from typing import Any

from cognito_m2m_client._shared.log import configure_function_logging
from cognito_m2m_client.handler import ClientHandler, build_handler

configure_function_logging(["cognito_m2m_client"])
HANDLER: ClientHandler = build_handler(os.environ)


def handler(event: Any, context: Any) -> dict[str, Any]:
    return HANDLER(event, context)
