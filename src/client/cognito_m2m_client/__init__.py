"""Amazon Cognito client-credentials tokens for service-to-service calls, and the demo client function.

The public API is what this module exports; everything else is internal::

    from cognito_m2m_client import CognitoTokens

    tokens = CognitoTokens(token_url="https://auth.example.com/oauth2/token",
                           secret_id="arn:aws:secretsmanager:...:secret:orders-caller-AbCdEf",
                           scopes=["rest-api/read"])          # or client_id=..., client_secret=...
    urllib3.request("GET", url, headers=tokens.headers())
    requests.get(url, auth=tokens.auth())

Modules, one job each:

- :mod:`cognito_m2m_client.tokens`: :class:`CognitoTokens`, the library's facade;
- :mod:`cognito_m2m_client.token_source`: one app client's tokens, cached per scope set, one fetch per
  key however many threads ask, the secret re-read on ``invalid_client`` (rotation);

- :mod:`cognito_m2m_client.config`: the environment contract, validated once at cold start;
- :mod:`cognito_m2m_client.secret_cache`: the app client's credentials from Secrets Manager, cached
  with a TTL;
- :mod:`cognito_m2m_client.token_cache`: access tokens by ``(client_id, sorted scopes)`` (and the client
  metadata's digest) until expiry minus skew;
- :mod:`cognito_m2m_client.client_metadata`: ``client_metadata=`` / ``CLIENT_METADATA`` for the pre token
  generation trigger, validated and kept immutable;
- :mod:`cognito_m2m_client.http`: one urllib3 pool, timeouts, retries with backoff bounded by a deadline;
- :mod:`cognito_m2m_client.oauth`: the client-credentials token request and strict response validation;
- :mod:`cognito_m2m_client.api`: the call to the protected API with the bearer token;
- :mod:`cognito_m2m_client.client`: the flow (credentials -> token -> API, one refresh on a 401);
- :mod:`cognito_m2m_client.errors`: upstream failures, each answered 502 or 504 with a secret-free JSON body;
- :mod:`cognito_m2m_client.handler`: the ALB-facing handler and ``build_handler(env, ...)`` with
  injectable parts.

Nothing here imports boto3 at module level: it is imported on the first secret read only.
"""

from cognito_m2m_client.errors import (
    InvalidTokenResponse,
    SecretError,
    TokenEndpointError,
    TokenEndpointTimeout,
    TokenEndpointUnavailable,
    UpstreamError,
)
from cognito_m2m_client.http import RetryPolicy
from cognito_m2m_client.secret_cache import ClientCredentials
from cognito_m2m_client.shared_cache import SharedTokenTable
from cognito_m2m_client.tokens import CognitoTokens

__version__ = "0.2.0"

__all__ = [
    "ClientCredentials",
    "CognitoTokens",
    "InvalidTokenResponse",
    "RetryPolicy",
    "SecretError",
    "SharedTokenTable",
    "TokenEndpointError",
    "TokenEndpointTimeout",
    "TokenEndpointUnavailable",
    "UpstreamError",
    "__version__",
]
