"""Lambda entry point of the resource server (handler setting ``app.handler``).

The pool's JWKS download starts first, in the background (key_prefetch), so that the network's wait
overlaps the rest of INIT; the handler's imports follow.
"""

import os

from cognito_m2m_verifier import key_prefetch

key_prefetch.start(os.environ)

from cognito_m2m_verifier._shared.log import configure_function_logging  # noqa: E402

configure_function_logging(["cognito_m2m_verifier"])

from cognito_m2m_verifier.handler import handler  # noqa: E402 - after the prefetch has started

__all__ = ["handler"]
