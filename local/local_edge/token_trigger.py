"""Cognito's pre token generation trigger, event version ``V3_0``, for client-credentials tokens.

Where AWS documents the behaviour, the quote it follows is given ("Pre token generation Lambda
trigger" developer guide, G1; "Token endpoint", G2; "Using Lambda triggers", G3; the API reference and
botocore model for GetClientToken, A1). Where AWS is silent, the choice is marked **Assumption**.

**When.** A pool whose ``LambdaConfig.PreTokenGenerationConfig`` is ``{"LambdaArn": ...,
"LambdaVersion": "V3_0"}`` (read from the emulator's DescribeUserPool, which moto 5.2 stores and returns,
with the pool's ``Arn``): "For machine-to-machine (M2M) authorization with a client credentials grant,
Amazon Cognito only invokes the pre token generation trigger when your user pool is configured for a
version three (``V3_0``) event" (G1). So ``V1_0``, ``V2_0`` and the legacy ``LambdaConfig.PreTokenGeneration``
ARN alone (a ``V1_0`` trigger) run nothing for M2M. GetClientToken runs it too: "To pass data to a Pre
token generation Lambda trigger that customizes the token, include a ``ClientMetadata`` map in your
request" (resource-servers guide).

**Client metadata.** Token endpoint: "When you pass ``aws_client_metadata`` in URL-encoded JSON format,
Amazon Cognito includes it in the input event to your trigger Lambda function" (G2); "Client metadata is
string pairs of your choosing" (G3). **Assumption:** a value that is not a JSON object of string values
(malformed JSON, an empty value, an array, a number or object as a value) is refused with
``invalid_request``, with or without a trigger (AWS documents no rule). GetClientToken: ``ClientMetadata``
is botocore's ``ClientMetadataType``, a map of string (0-131072) to string (0-131072); anything else is
``InvalidParameterException``. Without a ``V3_0`` trigger valid metadata is accepted and ignored (AWS only
passes it to the trigger).

**Event** (:func:`build_event`), exactly the shape of G2's client-credentials example: ``version "3"``,
``triggerSource "TokenGeneration_ClientCredentials"``, ``userName "ClientCredentials"``, ``callerContext``
``{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId"}``, ``request`` ``{"userAttributes": {},
"groupConfiguration": null, "scopes": [granted], "clientMetadata"}``, ``response``
``{"claimsAndScopeOverrideDetails": null}``. **Assumptions:** ``clientMetadata`` is ``{}`` when the caller
sent none (AWS shows only a request with metadata); GetClientToken uses the same ``triggerSource``
(undocumented).

**Invocation** (:class:`PreTokenGeneration`). The function's resource policy must let
``cognito-idp.amazonaws.com`` invoke it for the pool's ARN ("When you create a Lambda trigger outside of
the Amazon Cognito console ... you must add permissions to the resource-based policy of the Lambda
function", G3); a missing permission or function fails the request (locally, the policy's
``AWS:SourceArn`` condition is evaluated, ``AWS:SourceAccount`` is not). "When Amazon Cognito calls your
Lambda function, it must respond within 5 seconds. If it doesn't and if the call can be retried, Amazon
Cognito retries the call. After three unsuccessful attempts, the function times out" (G3): an attempt
with no answer within 5 s is abandoned (the function keeps running, as in Lambda) and retried, three
attempts in all. A function error is not retried ("If your Lambda function ... returns an error, the
authentication event doesn't succeed", G3). **Assumption:** a function that reaches its own (shorter)
timeout answers Lambda's ``Task timed out`` error within the 5 s, so it is a function error, not retried.

**Response** (:func:`apply_response`): "The function then returns the same event object to Amazon Cognito,
with any changes in the response" (G1); only ``claimsAndScopeOverrideDetails.accessTokenGeneration``
applies, since "Client credentials grants ... only return access tokens" (G2): ``idTokenGeneration`` and
``groupOverrideDetails`` (``cognito:groups`` is a user's claim) are ignored; a null or absent
``claimsAndScopeOverrideDetails`` or ``accessTokenGeneration`` changes nothing. "If your Lambda function
doesn't return the request and response parameters ... the authentication event doesn't succeed" (G3):
a result that is not an object with ``request`` and ``response`` objects is invalid, as is a member of
another type than G1's shape (``claimsToAddOrOverride`` an object, the three lists lists of strings).
**Assumption:** members G1 does not list are ignored.

- ``claimsToAddOrOverride`` values: "String, Number, Boolean, Array of strings, numbers, booleans, or a
  combination of any of these, JSON" (G1); null, a non-finite number or an array holding arrays, objects
  or nulls is invalid.
- Protected claims (G1's "Claims and scopes reference", "Can add? No ... Can suppress? No"):
  :data:`PROTECTED_CLAIMS` and "Any other claim with a ``cognito:`` prefix"; ``scope`` changes only through
  ``scopesToAdd``/``scopesToSuppress``. ``aud`` may be added only as the client id ("You can add an ``aud``
  claim to access tokens, but its value must match the app client ID of the current session"). The table
  lets ``cognito:groups``, ``cognito:preferred_role``, ``cognito:roles`` and ``dev:`` attributes be
  suppressed (no such claim in an M2M token: nothing happens) and ``dev:`` attributes never be added.
  **Assumption:** a protected claim in either list makes the response invalid (a trigger failure): AWS
  does not document whether it errors or ignores it.
- "If your function both suppresses and replaces a claim value, then Amazon Cognito suppresses the claim."
- ``scopesToAdd``: "You can't add scope values that contain one or more blank-space characters" (invalid
  response). **Assumptions:** an empty scope is invalid too; any other string is added even if the client
  was never granted it (AWS documents nothing against it, and G1's examples add arbitrary scopes); a
  scope both added and suppressed is suppressed (as for claims). The ``scope`` claim keeps the granted
  order, minus suppressed scopes, plus added ones, without duplicates; with no scope left it is left out.

**Failures** (:class:`TriggerFailed`), undocumented for these endpoints ("The Amazon Cognito user pools
API returns trigger errors in the format ``[trigger] failed with error [error text from response]``", G3).
**Assumptions:** the token endpoint answers 400 ``{"error": "invalid_request", "error_description":
"PreTokenGeneration failed with error <text>."}`` (the pair third-party fixtures record in managed
login's error redirects); GetClientToken, whose model
lists no Lambda error, raises InitiateAuth's ``UserLambdaValidationException`` for a function error or an
invalid response and ``UnexpectedLambdaException`` for a missing permission or function, an invocation
that fails, or three attempts without an answer. ``<text>`` is the function's error message (its
``errorType`` prefix dropped) or a short description; in what the function wrote (its error message,
the claim names of an invalid response) the client's secrets and every client-metadata value are masked
(``***``), as in the WARNING log line.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from local_edge.functions import FunctionError, FunctionTimeout

LOG = logging.getLogger("local_edge.token_trigger")

TRIGGER_NAME = "PreTokenGeneration"
TRIGGER_SOURCE = "TokenGeneration_ClientCredentials"
TRIGGER_PRINCIPAL = "cognito-idp.amazonaws.com"
M2M_EVENT_VERSION = "V3_0"
ATTEMPT_SECONDS = 5.0
ATTEMPTS = 3
METADATA_MAX_CHARS = 131072
MAX_TEXT_CHARS = 256

PROTECTED_CLAIMS = frozenset(
    {
        "acr",
        "amr",
        "at_hash",
        "aud",
        "auth_time",
        "azp",
        "client_id",
        "cognito:username",
        "device_key",
        "event_id",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "scope",
        "sub",
        "token_use",
        "username",
        "version",
    }
)
"""G1's "Can add? No, Can modify? No, Can suppress? No" claims, plus ``scope`` (scopesToAdd/Suppress only)."""
SUPPRESSIBLE_USER_CLAIMS = frozenset({"cognito:groups", "cognito:preferred_role", "cognito:roles"})
"""``cognito:`` claims G1 lets ``claimsToSuppress`` name (users' claims: absent from M2M tokens)."""

_ERROR_TYPE_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*: ")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]+")


class TriggerInvoker(Protocol):
    """What runs the trigger: :class:`~local_edge.functions.FunctionRunner`, or a test's fake.

    ``invoke`` returns the function's result, raises :class:`~local_edge.functions.FunctionError` for a
    function error and :class:`~local_edge.functions.FunctionTimeout` when it ran past its timeout;
    ``check_permission`` raises :class:`~local_edge.functions.FunctionError` when the function's resource
    policy does not let ``principal`` invoke it for ``source_arn``.
    """

    def invoke(self, arn: str, event: Any, /) -> Any: ...

    def check_permission(self, arn: str, principal: str, source_arn: str, /) -> None: ...


@dataclass(frozen=True, slots=True)
class PreTokenTrigger:
    """A pool's ``V3_0`` pre token generation trigger."""

    lambda_arn: str
    pool_arn: str


def trigger_of(pool: Mapping[str, Any]) -> PreTokenTrigger | None:
    """The ``V3_0`` trigger of a DescribeUserPool ``UserPool``; None without one (no M2M trigger)."""
    lambda_config = pool.get("LambdaConfig")
    config = lambda_config.get("PreTokenGenerationConfig") if isinstance(lambda_config, Mapping) else None
    if not isinstance(config, Mapping) or config.get("LambdaVersion") != M2M_EVENT_VERSION:
        return None
    arn = config.get("LambdaArn")
    if not isinstance(arn, str) or not arn:
        return None
    return PreTokenTrigger(lambda_arn=arn, pool_arn=str(pool.get("Arn") or ""))


@dataclass(frozen=True, slots=True)
class AccessTokenChanges:
    """What the trigger made of the access token: claims to add, and the final scopes."""

    claims: Mapping[str, Any]
    scopes: tuple[str, ...]


class TriggerFailed(Exception):
    """The trigger failed: ``unexpected`` for Cognito's side (permission, invocation, no answer);
    ``from_function`` when ``text`` holds what the function said (to be masked before it is shown)."""

    def __init__(self, text: str, *, unexpected: bool, from_function: bool = False) -> None:
        self.text = text
        self.from_function = from_function
        self.description = f"{TRIGGER_NAME} failed with error {text}."
        super().__init__(self.description)
        self.unexpected = unexpected

    @property
    def api_error_code(self) -> str:
        """The Cognito API error for GetClientToken (an assumption: see the module docstring)."""
        return "UnexpectedLambdaException" if self.unexpected else "UserLambdaValidationException"


class InvalidResponse(ValueError):
    """The function's answer is not a valid pre token generation response."""


def metadata_from_form(text: str) -> dict[str, str]:
    """``aws_client_metadata`` (already URL-decoded) as a dict; ValueError unless a JSON object of strings."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError("aws_client_metadata is not JSON") from exc
    return checked_metadata(value, max_chars=None)


def checked_metadata(value: object, *, max_chars: int | None = METADATA_MAX_CHARS) -> dict[str, str]:
    """``value`` as a map of string to string (each at most ``max_chars``); ValueError otherwise."""
    if not isinstance(value, dict):
        raise ValueError("client metadata is not an object")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise ValueError("client metadata values must be strings")
        if max_chars is not None and (len(key) > max_chars or len(item) > max_chars):
            raise ValueError(f"client metadata keys and values are at most {max_chars} characters")
    return dict(value)


def build_event(
    *, region: str, pool_id: str, client_id: str, scopes: Sequence[str], metadata: Mapping[str, str]
) -> dict[str, Any]:
    """The ``V3_0`` client-credentials event, as G2's example shows it."""
    return {
        "version": "3",
        "triggerSource": TRIGGER_SOURCE,
        "region": region,
        "userPoolId": pool_id,
        "userName": "ClientCredentials",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {
            "userAttributes": {},
            "groupConfiguration": None,
            "scopes": list(scopes),
            "clientMetadata": dict(metadata),
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def _finite_scalar(value: object) -> bool:
    if isinstance(value, bool | str | int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _valid_claim_value(value: object) -> bool:
    if _finite_scalar(value):
        return True
    if isinstance(value, list):
        return all(_finite_scalar(item) for item in value)
    if isinstance(value, dict):
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            return False
        return True
    return False


def _strings(access: Mapping[str, Any], name: str) -> list[str]:
    value = access.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidResponse(f"{name} is not a list of strings")
    return value


def _object(container: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = container.get(name)
    if value is not None and not isinstance(value, dict):
        raise InvalidResponse(f"{name} is not an object")
    return value


def apply_response(result: object, *, client_id: str, scopes: Sequence[str]) -> AccessTokenChanges:
    """What the function's answer does to the access token; :class:`InvalidResponse` if it is invalid."""
    if not isinstance(result, dict):
        raise InvalidResponse("the function did not return the event")
    if not isinstance(result.get("request"), dict) or not isinstance(result.get("response"), dict):
        raise InvalidResponse("the function did not return the request and response parameters")
    details = _object(result["response"], "claimsAndScopeOverrideDetails")
    access = _object(details, "accessTokenGeneration") if details is not None else None
    if access is None:
        return AccessTokenChanges({}, tuple(scopes))
    added = _object(access, "claimsToAddOrOverride") or {}
    suppressed = set(_strings(access, "claimsToSuppress"))
    scopes_added = _strings(access, "scopesToAdd")
    scopes_suppressed = set(_strings(access, "scopesToSuppress"))
    for name, value in added.items():
        if name == "aud" and value == client_id:
            pass  # G1 footnote 4: aud may be added to an access token as the client id
        elif name in PROTECTED_CLAIMS or name.startswith(("cognito:", "dev:")):
            raise InvalidResponse(f"claim {name} cannot be added or overridden")
        if not _valid_claim_value(value):
            raise InvalidResponse(f"claim {name} has a value of a type a claim cannot have")
    for name in suppressed:
        if name in PROTECTED_CLAIMS or (name.startswith("cognito:") and name not in SUPPRESSIBLE_USER_CLAIMS):
            raise InvalidResponse(f"claim {name} cannot be suppressed")
    for scope in scopes_added:
        if not scope or any(char.isspace() for char in scope):
            raise InvalidResponse("a scope to add is empty or contains blank space")
    kept = [s for s in scopes if s not in scopes_suppressed]
    final = list(dict.fromkeys(kept + [s for s in scopes_added if s not in scopes_suppressed]))
    claims = {name: value for name, value in added.items() if name not in suppressed}
    return AccessTokenChanges(claims, tuple(final))


def masked(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets`` masked, control characters dropped, and cut short."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _UNPRINTABLE.sub(" ", text).strip()
    return text[: MAX_TEXT_CHARS - 3] + "..." if len(text) > MAX_TEXT_CHARS else text


def _function_error_text(exc: FunctionError) -> str:
    """The function's ``errorMessage``: the runner reports ``"<errorType>: <errorMessage>"``."""
    text = str(exc)
    prefix = _ERROR_TYPE_PREFIX.match(text)
    return text[prefix.end() :] if prefix else text


class _Attempt:
    """One invocation in its own thread, so that the caller can stop waiting after 5 s."""

    def __init__(self, invoker: TriggerInvoker, arn: str, event: Mapping[str, Any]) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        thread = threading.Thread(
            target=self._run, args=(invoker, arn, copy.deepcopy(event)), name="pre-token-trigger", daemon=True
        )
        thread.start()

    def _run(self, invoker: TriggerInvoker, arn: str, event: Any) -> None:
        try:
            self.result = invoker.invoke(arn, event)
        except BaseException as exc:  # handed to the waiting caller
            self.error = exc
        finally:
            self.done.set()


class PreTokenGeneration:
    """Runs a pool's ``V3_0`` trigger for one token, as Cognito does (module docstring)."""

    def __init__(
        self, invoker: TriggerInvoker, *, attempt_seconds: float = ATTEMPT_SECONDS, attempts: int = ATTEMPTS
    ) -> None:
        self._invoker = invoker
        self._attempt_seconds = attempt_seconds
        self._attempts = attempts

    def run(
        self,
        trigger: PreTokenTrigger,
        *,
        region: str,
        pool_id: str,
        client_id: str,
        scopes: Sequence[str],
        metadata: Mapping[str, str],
        secrets: Iterable[str] = (),
    ) -> AccessTokenChanges:
        """The changes to the token; :class:`TriggerFailed` (logged at WARNING) when the trigger fails.
        ``secrets`` (the client's) and the metadata values are masked in the failure's text."""
        hidden = [*secrets, *metadata.values()]
        event = build_event(
            region=region, pool_id=pool_id, client_id=client_id, scopes=scopes, metadata=metadata
        )
        try:
            return apply_response(self._invoke(trigger, event), client_id=client_id, scopes=scopes)
        except InvalidResponse as exc:  # its text may hold claim names the function chose
            failure = TriggerFailed(masked(f"invalid response: {exc}", hidden), unexpected=False)
        except TriggerFailed as exc:
            text = masked(exc.text, hidden) if exc.from_function else exc.text
            failure = TriggerFailed(text, unexpected=exc.unexpected)
        LOG.warning(
            "pre token generation for client %s refused the token: %s", client_id, failure.description
        )
        raise failure

    def _invoke(self, trigger: PreTokenTrigger, event: Mapping[str, Any]) -> Any:
        """The function's result; TriggerFailed (its text not yet masked) otherwise."""
        arn = trigger.lambda_arn
        try:
            self._invoker.check_permission(arn, TRIGGER_PRINCIPAL, trigger.pool_arn)
        except FunctionError as exc:
            raise TriggerFailed(
                "AccessDeniedException: the function's policy does not let Cognito invoke it for this pool",
                unexpected=True,
            ) from exc
        except Exception as exc:
            raise TriggerFailed(_not_invoked(exc), unexpected=True) from exc
        for attempt in range(1, self._attempts + 1):
            running = _Attempt(self._invoker, arn, event)
            if not running.done.wait(self._attempt_seconds):
                LOG.warning(
                    "pre token generation: no answer within %g s (attempt %d of %d)",
                    self._attempt_seconds,
                    attempt,
                    self._attempts,
                )
                continue
            error = running.error
            if error is None:
                return running.result
            if isinstance(error, FunctionTimeout):
                raise TriggerFailed("Task timed out", unexpected=False) from error
            if isinstance(error, FunctionError):
                raise TriggerFailed(
                    _function_error_text(error), unexpected=False, from_function=True
                ) from error
            if isinstance(error, Exception):
                raise TriggerFailed(_not_invoked(error), unexpected=True) from error
            raise error
        raise TriggerFailed(
            f"no answer within {self._attempt_seconds:g} seconds in {self._attempts} attempts",
            unexpected=True,
        )


def _not_invoked(exc: Exception) -> str:
    if type(exc).__name__ == "ResourceNotFoundException":
        return "ResourceNotFoundException: the function does not exist"
    LOG.warning("pre token generation: invoking the function failed: %s", type(exc).__name__)
    return f"the function could not be invoked ({type(exc).__name__})"
