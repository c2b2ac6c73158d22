"""Lambda entry point of the secret-rotation function (handler setting: ``app.handler``).

Secrets Manager invokes it four times per rotation (``createSecret``, ``setSecret``, ``testSecret``,
``finishSecret``); everything lives in ``cognito_m2m_rotation``. The configuration is checked when the
module is imported (the cold start): a missing or malformed variable fails it, naming the variable.
"""

from __future__ import annotations

import os
from typing import Any

from cognito_m2m_rotation._shared.log import configure_function_logging
from cognito_m2m_rotation.handler import handler as _handler
from cognito_m2m_rotation.handler import rotation_settings

configure_function_logging(["cognito_m2m_rotation", "cognito_m2m_client"])
rotation_settings(os.environ)


def handler(event: Any, context: Any) -> None:
    _handler(event, context)
