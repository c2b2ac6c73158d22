"""The client function's package: fetch a Cognito access token with client credentials and call an API.

Modules, one job each:

- :mod:`token_client.config`: the environment contract, validated once at cold start;
- :mod:`token_client.secret_cache`: the app client's credentials from Secrets Manager, cached with a TTL;
- :mod:`token_client.token_cache`: access tokens by ``(client_id, sorted scopes)`` until expiry minus skew;
- :mod:`token_client.http`: one urllib3 pool, timeouts, retries with backoff bounded by a deadline;
- :mod:`token_client.oauth`: the client-credentials token request and strict response validation;
- :mod:`token_client.api`: the call to the protected API with the bearer token;
- :mod:`token_client.client`: the flow (credentials -> token -> API, one refresh on a 401);
- :mod:`token_client.errors`: upstream failures, each answered 502 or 504 with a secret-free JSON body;
- :mod:`token_client.handler`: the ALB-facing handler and ``build_handler(env, ...)`` with injectable parts.

Nothing here imports boto3 at module level: it is imported on the first secret read only.
"""
