"""Lambda entry point of the secret-rotation function (handler setting: ``app.handler``).

Secrets Manager invokes it four times per rotation (``createSecret``, ``setSecret``, ``testSecret``,
``finishSecret``); everything lives in ``cognito_m2m_rotation``.
"""

from __future__ import annotations

from typing import Any

from cognito_m2m_rotation.handler import handler as _handler


def handler(event: Any, context: Any) -> None:
    _handler(event, context)
