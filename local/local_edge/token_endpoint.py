"""Cognito's hosted-domain token endpoint (``POST /oauth2/token``), client-credentials grant.

Validation follows the engineering reference (section 1) and its emulator decisions (1.5), in this
precedence: method and content type (405, empty body) -> ``invalid_request`` ->
``unsupported_grant_type`` -> ``invalid_client`` -> ``unauthorized_client`` -> ``invalid_scope``.
App clients are read from the emulator with DescribeUserPoolClient (secret, flows, scopes, validity;
with the edge's emulation of the two-secret API, every active secret of the client is accepted),
so whatever ``terraform apply`` configured is what this endpoint enforces.

When the client's pool has a ``V3_0`` pre token generation trigger (``LambdaConfig.
PreTokenGenerationConfig``, read with DescribeUserPool), both this endpoint and GetClientToken run it
before signing, as Cognito does, and apply its answer to the access token; ``aws_client_metadata``
(GetClientToken: ``ClientMetadata``) goes to the trigger. Every rule, with the AWS text it follows and
the assumptions where AWS is silent, is in :mod:`local_edge.token_trigger`. A failed trigger answers 400
``{"error": "invalid_request", "error_description": "PreTokenGeneration failed with error <text>."}``
here, and ``UserLambdaValidationException``/``UnexpectedLambdaException`` from GetClientToken.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import json
import logging
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from local_edge.client_secrets import ClientSecretStore, CognitoApiError
from local_edge.signing import TokenSigner, access_token_claims
from local_edge.token_trigger import (
    ATTEMPT_SECONDS,
    AccessTokenChanges,
    PreTokenGeneration,
    PreTokenTrigger,
    TriggerFailed,
    TriggerInvoker,
    checked_metadata,
    metadata_from_form,
    trigger_of,
)

LOG = logging.getLogger("local_edge.token")

TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a URL path, not a secret
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_BODY_BYTES = 64 * 1024
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
CLIENT_TOKEN_FLOW = "ALLOW_CLIENT_TOKEN_AUTH"  # noqa: S105 - an auth flow name, not a secret
MAX_GET_CLIENT_TOKEN_SCOPES = 50
# The API model's patterns (botocore cognito-idp GetClientTokenRequest): ClientId [\w+]+ 1-128,
# Secret [\w+]+ 24-64, each scope [\x21\x23-\x5B\x5D-\x7E]+ 1-256. One deviation: a Secret may hold
# "-" too, since moto generates its clients' secrets as UUIDs (a stand-in; AWS's match [\w+]+) and the
# emulator must accept its own clients' secrets.
_CLIENT_ID = re.compile(r"[\w+]{1,128}", re.ASCII)
_CLIENT_SECRET = re.compile(r"[\w+-]{24,64}", re.ASCII)
_SCOPE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]{1,256}")
GET_CLIENT_TOKEN_ERRORS = {
    "InvalidParameterException": "a malformed parameter, a client without a secret or without "
    "ALLOW_CLIENT_TOKEN_AUTH as its only flow, or a scope the client does not have",
    "ResourceNotFoundException": "no such app client",
    "NotAuthorizedException": "the secret is not one of the client's active secrets",
}
"""The emulator's errors. AWS documents which errors GetClientToken may answer, not which failure gives
which; these follow InitiateAuth's (an unknown client, a wrong secret, a flow not enabled)."""


@dataclass(frozen=True, slots=True)
class AppClient:
    """What the token endpoint needs to know of a Cognito app client."""

    client_id: str
    pool_id: str
    region: str
    secret: str | None
    allowed_flows: tuple[str, ...]
    flows_user_pool_client: bool
    scopes: tuple[str, ...]
    access_token_seconds: int
    pool_has_domain: bool = True
    secrets: tuple[str, ...] = ()
    """Every active secret (Cognito keeps up to two per client); empty: ``secret`` alone."""
    explicit_auth_flows: tuple[str, ...] = ()
    issuer_format: str = "original"
    """The pool's ``IssuerConfiguration.Type``, lower-cased: the format of the ``iss`` it issues."""
    pre_token_trigger: PreTokenTrigger | None = None
    """The pool's ``V3_0`` pre token generation trigger, if it has one."""

    def accepts(self, given: str) -> bool:
        """Whether ``given`` is one of the client's active secrets (compared in constant time)."""
        accepted = self.secrets or ((self.secret,) if self.secret is not None else ())
        matches = [_secrets_equal(given, value) for value in accepted]  # every one compared, no short cut
        return any(matches)

    def all_secrets(self) -> tuple[str, ...]:
        """Every secret of the client (never to appear in an answer or a log)."""
        return tuple(s for s in (*self.secrets, self.secret) if s)


class ClientDirectory(Protocol):
    def find(self, client_id: str) -> AppClient | None: ...


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def access_token_seconds(description: Mapping[str, Any]) -> int:
    """AccessTokenValidity in its TokenValidityUnits (unit default hours; unset validity is 1 hour)."""
    validity = description.get("AccessTokenValidity")
    if not isinstance(validity, int) or isinstance(validity, bool) or validity <= 0:
        return 3600
    units = description.get("TokenValidityUnits") or {}
    unit = units.get("AccessToken") or "hours"
    return validity * UNIT_SECONDS.get(str(unit), 3600)


def issuer_format_of(pool: Mapping[str, Any]) -> str:
    """``updated`` when the pool's ``IssuerConfiguration`` says UPDATED, else ``original`` (the default)."""
    configuration = pool.get("IssuerConfiguration")
    kind = configuration.get("Type") if isinstance(configuration, Mapping) else None
    return "updated" if kind == "UPDATED" else "original"


def app_client_from_description(
    description: Mapping[str, Any],
    *,
    has_domain: bool,
    issuer_format: str = "original",
    pre_token_trigger: PreTokenTrigger | None = None,
) -> AppClient:
    pool_id = str(description["UserPoolId"])
    return AppClient(
        client_id=str(description["ClientId"]),
        pool_id=pool_id,
        region=pool_id.split("_", 1)[0],
        secret=description.get("ClientSecret") or None,
        allowed_flows=tuple(description.get("AllowedOAuthFlows") or ()),
        flows_user_pool_client=bool(description.get("AllowedOAuthFlowsUserPoolClient")),
        scopes=tuple(description.get("AllowedOAuthScopes") or ()),
        access_token_seconds=access_token_seconds(description),
        pool_has_domain=has_domain,
        explicit_auth_flows=tuple(description.get("ExplicitAuthFlows") or ()),
        issuer_format=issuer_format,
        pre_token_trigger=pre_token_trigger,
    )


class EmulatorClientDirectory:
    """App clients looked up in the emulator (a boto3 ``cognito-idp`` client), cached briefly.

    The pool of a client id is found with ListUserPools/ListUserPoolClients; the client itself with
    DescribeUserPoolClient. Entries live ``ttl`` seconds so that a new ``terraform apply`` shows up.
    """

    def __init__(
        self,
        cognito: Any,
        ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        secrets: ClientSecretStore | None = None,
    ) -> None:
        self._cognito = cognito
        self._secrets = secrets
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._pools: dict[str, str] = {}
        self._pools_at = float("-inf")
        self._clients: dict[str, tuple[float, AppClient | None]] = {}

    def _pool_of(self, client_id: str) -> str | None:
        now = self._clock()
        if client_id not in self._pools or now - self._pools_at > self._ttl:
            pools: dict[str, str] = {}
            for page in self._cognito.get_paginator("list_user_pools").paginate(MaxResults=60):
                for pool in page["UserPools"]:
                    paginator = self._cognito.get_paginator("list_user_pool_clients")
                    for clients in paginator.paginate(UserPoolId=pool["Id"], MaxResults=60):
                        for client in clients["UserPoolClients"]:
                            pools[client["ClientId"]] = pool["Id"]
            self._pools, self._pools_at = pools, now
        return self._pools.get(client_id)

    def find(self, client_id: str) -> AppClient | None:
        """The client, with its active secrets read now from the emulated two-secret API (if any)."""
        found = self._find(client_id)
        if found is not None and found.secret is not None and self._secrets is not None:
            active = self._secrets.active_secrets(found.pool_id, found.client_id, found.secret)
            found = dataclasses.replace(found, secrets=active)
        return found

    def _find(self, client_id: str) -> AppClient | None:
        with self._lock:
            now = self._clock()
            cached = self._clients.get(client_id)
            if cached is not None and now - cached[0] <= self._ttl:
                return cached[1]
            found: AppClient | None = None
            pool_id = self._pool_of(client_id)
            if pool_id is not None:
                try:
                    described = self._cognito.describe_user_pool_client(
                        UserPoolId=pool_id, ClientId=client_id
                    )
                    pool = self._cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
                except self._cognito.exceptions.ResourceNotFoundException:
                    described = None
                if described is not None:
                    has_domain = bool(pool.get("Domain") or pool.get("CustomDomain"))
                    found = app_client_from_description(
                        described["UserPoolClient"],
                        has_domain=has_domain,
                        issuer_format=issuer_format_of(pool),
                        pre_token_trigger=trigger_of(pool),
                    )
            self._clients[client_id] = (now, found)
            return found


class TokenError(Exception):
    """An OAuth error answer: 400 with ``{"error": code}``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _headers(request_id: str, *, json_body: bool) -> tuple[tuple[str, str], ...]:
    headers = [
        ("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"),
        ("Pragma", "no-cache"),
        ("Expires", "0"),
        ("x-amz-cognito-request-id", request_id),
        ("Strict-Transport-Security", "max-age=31536000 ; includeSubDomains"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("X-XSS-Protection", "1; mode=block"),
        ("Access-Control-Allow-Origin", "*"),
        ("Server", "Server"),
    ]
    if json_body:
        headers.insert(0, ("Content-Type", "application/json;charset=UTF-8"))
    return tuple(headers)


def _json_response(status: int, body: Mapping[str, Any], request_id: str) -> HttpResponse:
    data = json.dumps(body, separators=(",", ":")).encode()
    return HttpResponse(status, _headers(request_id, json_body=True), data)


def method_not_allowed(request_id: str | None = None) -> HttpResponse:
    return HttpResponse(405, _headers(request_id or str(uuid.uuid4()), json_body=False), b"")


def is_form_content_type(value: str | None) -> bool:
    if not value:
        return False
    media_type, _, params = value.partition(";")
    if media_type.strip().lower() != FORM_CONTENT_TYPE:
        return False
    for param in filter(None, (p.strip() for p in params.split(";"))):
        name, _, charset = param.partition("=")
        if name.strip().lower() == "charset" and charset.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def parse_form(body: bytes) -> dict[str, str]:
    """The form's parameters; ``invalid_request`` for a malformed body or a repeated parameter."""
    if len(body) > MAX_BODY_BYTES:
        raise TokenError("invalid_request")
    try:
        text = body.decode("utf-8", "strict")
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), errors="strict", max_num_fields=64
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise TokenError("invalid_request") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # RFC 6749 section 3.2: parameters must not be included more than once
            raise TokenError("invalid_request")
        form[name] = value
    return form


def parse_basic(authorization: str) -> tuple[str, str]:
    """``(client_id, secret)`` of an ``Authorization: Basic`` value; ``invalid_client`` if undecodable."""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise TokenError("invalid_client")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise TokenError("invalid_client") from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise TokenError("invalid_client")
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before Basic encoding.
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


def _secrets_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class TokenEndpoint:
    """Handles one token request: everything but the socket.

    ``trigger_invoker`` runs pools' pre token generation triggers (the edge's
    :class:`~local_edge.functions.FunctionRunner`); without one, a client whose pool has a ``V3_0``
    trigger gets no token (the trigger cannot run). ``trigger_attempt_seconds`` is Cognito's 5 s wait per
    attempt (tests shorten it).
    """

    def __init__(
        self,
        directory: ClientDirectory,
        signer: TokenSigner,
        clock: Callable[[], float] = time.time,
        *,
        trigger_invoker: TriggerInvoker | None = None,
        trigger_attempt_seconds: float = ATTEMPT_SECONDS,
    ) -> None:
        self._directory = directory
        self._signer = signer
        self._clock = clock
        self._trigger = (
            PreTokenGeneration(trigger_invoker, attempt_seconds=trigger_attempt_seconds)
            if trigger_invoker is not None
            else None
        )

    def handle(self, method: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        """``headers`` are keyed by lower-case name."""
        request_id = str(uuid.uuid4())
        if method.upper() != "POST" or not is_form_content_type(headers.get("content-type")):
            return method_not_allowed(request_id)
        try:
            client_id, scopes, lifetime, client, metadata = self._validate(headers.get("authorization"), body)
        except TokenError as err:
            LOG.info("token request refused: %s", err.code)
            return _json_response(400, {"error": err.code}, request_id)
        try:
            changes = self._customize(client, scopes, metadata)
        except TriggerFailed as failure:
            body_out = {"error": "invalid_request", "error_description": failure.description}
            return _json_response(400, body_out, request_id)
        token = self._sign(client, changes, lifetime)
        LOG.info("token issued to client %s for scopes %s", client_id, " ".join(changes.scopes))
        return _json_response(
            200, {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}, request_id
        )

    def get_client_token(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Cognito's ``GetClientToken`` (JSON API): an access token for an app client that has a secret
        and ``ALLOW_CLIENT_TOKEN_AUTH`` as its only authentication flow; no domain needed. Raises
        :class:`~local_edge.client_secrets.CognitoApiError` (see :data:`GET_CLIENT_TOKEN_ERRORS`)."""
        client_id, secret, asked = params.get("ClientId"), params.get("Secret"), params.get("Scopes")
        if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
            raise CognitoApiError("InvalidParameterException", "ClientId must be 1-128 characters of [\\w+].")
        if not isinstance(secret, str) or not _CLIENT_SECRET.fullmatch(secret):
            raise CognitoApiError("InvalidParameterException", "Secret must be 24-64 characters of [\\w+].")
        if asked is not None and (
            not isinstance(asked, list)
            or len(asked) > MAX_GET_CLIENT_TOKEN_SCOPES
            or not all(isinstance(s, str) and _SCOPE.fullmatch(s) for s in asked)
        ):
            raise CognitoApiError("InvalidParameterException", "Scopes must be at most 50 scope names.")
        extra = set(params) - {"ClientId", "Secret", "Scopes", "ClientMetadata"}
        if extra:
            raise CognitoApiError("SerializationException", f"Unknown member {sorted(extra)[0]!r}.")
        try:
            given = params.get("ClientMetadata")
            metadata = checked_metadata({} if given is None else given)
        except ValueError as exc:
            raise CognitoApiError(
                "InvalidParameterException", "ClientMetadata must be a map of string to string."
            ) from exc
        client = self._directory.find(client_id)
        if client is None:
            raise CognitoApiError(
                "ResourceNotFoundException", f"User pool client {client_id} does not exist."
            )
        if client.secret is None:
            raise CognitoApiError("InvalidParameterException", "The app client has no client secret.")
        if client.explicit_auth_flows != (CLIENT_TOKEN_FLOW,):
            raise CognitoApiError(
                "InvalidParameterException",
                f"{CLIENT_TOKEN_FLOW} must be the only authentication flow of this client.",
            )
        if not client.accepts(secret):
            raise CognitoApiError("NotAuthorizedException", "Unable to verify the client secret.")
        scopes = list(dict.fromkeys(asked)) if asked else list(client.scopes)
        if not scopes or any(s not in client.scopes for s in scopes):
            raise CognitoApiError("InvalidParameterException", "Invalid scope requested.")
        try:
            changes = self._customize(client, scopes, metadata)
        except TriggerFailed as failure:
            raise CognitoApiError(failure.api_error_code, failure.description) from failure
        lifetime = client.access_token_seconds
        token = self._sign(client, changes, lifetime)
        LOG.info(
            "GetClientToken: token issued to client %s for scopes %s", client_id, " ".join(changes.scopes)
        )
        return {
            "ClientAuthenticationResult": {
                "AccessToken": token,
                "ExpiresIn": lifetime,
                "TokenType": "Bearer",
            }
        }

    def _customize(
        self, client: AppClient, scopes: list[str], metadata: Mapping[str, str]
    ) -> AccessTokenChanges:
        """What the pool's ``V3_0`` trigger makes of the token (no trigger: nothing; metadata ignored)."""
        trigger = client.pre_token_trigger
        if trigger is None:
            return AccessTokenChanges({}, tuple(scopes))
        if self._trigger is None:
            LOG.warning(
                "client %s: its pool has a pre token generation trigger and no runner", client.client_id
            )
            raise TriggerFailed("the edge has no Lambda runner for the trigger", unexpected=True)
        return self._trigger.run(
            trigger,
            region=client.region,
            pool_id=client.pool_id,
            client_id=client.client_id,
            scopes=scopes,
            metadata=metadata,
            secrets=client.all_secrets(),
        )

    def _sign(self, client: AppClient, changes: AccessTokenChanges, lifetime: int) -> str:
        """An access token for ``client`` in its pool's issuer format, issued now, with the trigger's
        changes: its scopes (the ``scope`` claim left out when none is left) and its added claims."""
        claims = access_token_claims(
            client_id=client.client_id,
            scopes=changes.scopes,
            region=client.region,
            pool_id=client.pool_id,
            now=int(self._clock()),
            lifetime=lifetime,
            issuer_format=client.issuer_format,
        )
        if not changes.scopes:
            del claims["scope"]
        claims.update(changes.claims)  # never one of Cognito's own claims: the trigger may not set those
        return self._signer.sign(claims)

    def _validate(
        self, authorization: str | None, body: bytes
    ) -> tuple[str, list[str], int, AppClient, dict[str, str]]:
        form = parse_form(body)
        # invalid_request: malformed parameters, grant-specific required parameters, two auth methods.
        grant_type = form.get("grant_type")
        if not grant_type:
            raise TokenError("invalid_request")
        metadata: dict[str, str] = {}
        if "aws_client_metadata" in form:
            try:
                metadata = metadata_from_form(form["aws_client_metadata"])
            except ValueError as exc:
                raise TokenError("invalid_request") from exc
        if grant_type == "authorization_code" and not form.get("code"):
            raise TokenError("invalid_request")
        if grant_type == "refresh_token" and not form.get("refresh_token"):
            raise TokenError("invalid_request")
        if authorization is not None and "client_secret" in form:
            raise TokenError("invalid_request")
        if grant_type not in GRANT_TYPES:
            raise TokenError("unsupported_grant_type")

        # invalid_client: who is calling, and is the secret right?
        if authorization is not None:
            client_id, secret = parse_basic(authorization)
            if "client_id" in form and form["client_id"] != client_id:
                raise TokenError("invalid_client")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if not client_id:
            raise TokenError("invalid_client")
        client = self._directory.find(client_id)
        if client is None or not client.pool_has_domain:
            raise TokenError("invalid_client")
        if client.secret is not None and not client.accepts(secret):
            raise TokenError("invalid_client")
        if client.secret is None and secret:
            raise TokenError("invalid_client")

        # unauthorized_client: the grant is not enabled for this client.
        if grant_type != "client_credentials":
            flow = "code" if grant_type == "authorization_code" else None
            if flow is None or flow not in client.allowed_flows or not client.flows_user_pool_client:
                raise TokenError("unauthorized_client")
            raise TokenError("invalid_grant")  # this emulator issues no codes: any code is unknown
        if client.secret is None or not client.flows_user_pool_client:
            raise TokenError("unauthorized_client")
        if "client_credentials" not in client.allowed_flows:
            raise TokenError("unauthorized_client")

        # invalid_scope: every requested scope must be enabled on the client (never silently dropped).
        if "scope" in form:
            requested = form["scope"].split(" ")
            if any(not s for s in requested) or any(s not in client.scopes for s in requested):
                raise TokenError("invalid_scope")
            scopes = list(dict.fromkeys(requested))
        else:
            scopes = list(client.scopes)
        if not scopes:
            raise TokenError("invalid_scope")
        return client_id, scopes, client.access_token_seconds, client, metadata
