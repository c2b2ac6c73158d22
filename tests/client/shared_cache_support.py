"""The fleet-cache fixtures live with the benchmark that uses them too (bench/fleet.py)."""

from bench.fleet import (
    CLIENT_ID,
    CREDENTIALS,
    SECRET,
    TABLE,
    CognitoLikeEndpoint,
    cognito_token,
    container,
    create_table,
)

__all__ = [
    "CLIENT_ID",
    "CREDENTIALS",
    "SECRET",
    "TABLE",
    "CognitoLikeEndpoint",
    "cognito_token",
    "container",
    "create_table",
]
