"""The edge's AWS API beside the token endpoint: what the emulator lacks for secret rotation and for
GetClientToken, no more.

- **Cognito** (JSON 1.1, ``X-Amz-Target``): ``AddUserPoolClientSecret``, ``ListUserPoolClientSecrets`` and
  ``DeleteUserPoolClientSecret`` are answered by :class:`~local_edge.client_secrets.ClientSecretStore`
  (moto 5.2 has none of them); every other Cognito call is passed to the emulator unchanged, so a
  function whose Cognito endpoint is the edge (``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``) sees one
  Cognito. ``GetClientToken`` (moto has none) is answered by the token endpoint
  (:meth:`~local_edge.token_endpoint.TokenEndpoint.get_client_token`), signed or not (Cognito does not
  evaluate IAM for it).
- **Lambda Invoke** (``POST /2015-03-31/functions/<name>/invocations``): runs a deployed function's zip
  in a worker, as Secrets Manager invokes the rotation function (moto cannot run code without Docker).
  A function error answers 200 with ``X-Amz-Function-Error: Unhandled``, as Lambda does.

Errors use the JSON protocol's shape: the HTTP status, ``x-amzn-ErrorType`` and
``{"__type": code, "message": ...}``.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from local_edge.client_secrets import ClientSecretStore, CognitoApiError
from local_edge.functions import FunctionError, FunctionTimeout

LOG = logging.getLogger("local_edge.aws_api")
COGNITO_TARGET_PREFIX = "AWSCognitoIdentityProviderService."
GET_CLIENT_TOKEN = COGNITO_TARGET_PREFIX + "GetClientToken"
INVOKE_PATH = re.compile(r"/2015-03-31/functions/(?P<name>[A-Za-z0-9_:.$-]{1,170})/invocations")
JSON_11 = "application/x-amz-json-1.1"
FORWARDED_HEADERS = ("content-type", "x-amz-target", "x-amz-date", "authorization", "x-amz-security-token")

Response = tuple[int, tuple[tuple[str, str], ...], bytes]
Invoke = Callable[[str, Any], Any]


def _json(status: int, body: Mapping[str, Any], request_id: str, *extra: tuple[str, str]) -> Response:
    headers = (("Content-Type", JSON_11), ("x-amzn-RequestId", request_id), *extra)
    return status, headers, json.dumps(body, separators=(",", ":")).encode()


def _error(status: int, code: str, message: str, request_id: str) -> Response:
    return _json(status, {"__type": code, "message": message}, request_id, ("x-amzn-ErrorType", code))


class AwsApi:
    """Answers Cognito and Lambda Invoke calls sent to the edge; None for anything else."""

    def __init__(
        self,
        secrets: ClientSecretStore,
        emulator: str,
        invoke: Invoke,
        get_client_token: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.secrets = secrets
        self.emulator = emulator.rstrip("/")
        self.invoke = invoke
        self.get_client_token = get_client_token

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response | None:
        request_id = str(uuid.uuid4())
        target = headers.get("x-amz-target", "")
        if method == "POST" and path == "/" and target.startswith(COGNITO_TARGET_PREFIX):
            if target in ClientSecretStore.TARGETS:
                return self._client_secrets(target, body, request_id)
            if target == GET_CLIENT_TOKEN and self.get_client_token is not None:
                return self._answer(self.get_client_token, body, request_id)
            return self._forward(method, path, headers, body)
        match = INVOKE_PATH.fullmatch(path)
        if method == "POST" and match is not None:
            return self._invoke(match["name"], body, request_id)
        return None

    def _client_secrets(self, target: str, body: bytes, request_id: str) -> Response:
        return self._answer(lambda params: self.secrets.call(target, params), body, request_id, target)

    def _answer(
        self,
        operation: Callable[[Mapping[str, Any]], dict[str, Any]],
        body: bytes,
        request_id: str,
        target: str = GET_CLIENT_TOKEN,
    ) -> Response:
        """One emulated JSON operation: the body parsed, the answer or its error in the protocol's shape."""
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return _error(400, "SerializationException", "The request body is not JSON.", request_id)
        if not isinstance(params, dict):
            return _error(400, "SerializationException", "The request body is not a JSON object.", request_id)
        try:
            answer = operation(params)
        except CognitoApiError as exc:
            return _error(exc.status, exc.code, exc.message, request_id)
        LOG.info("cognito %s answered", target.rpartition(".")[2])  # never the body: it holds secrets
        return _json(200, answer, request_id)

    def _forward(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response:
        sent = {name: headers[name] for name in FORWARDED_HEADERS if name in headers}
        request = urllib.request.Request(f"{self.emulator}{path}", data=body, headers=sent, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the local emulator
                status, reply, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as err:
            status, reply, payload = err.code, err.headers, err.read()
        kept = tuple(
            (name, value)
            for name, value in reply.items()
            if name.lower() in {"content-type", "x-amzn-requestid", "x-amzn-errortype"}
        )
        return status, kept, payload

    def _invoke(self, name: str, body: bytes, request_id: str) -> Response:
        try:
            event = json.loads(body) if body else {}
        except ValueError:
            return _error(
                400, "InvalidRequestContentException", "Could not parse request body into json", request_id
            )
        try:
            result = self.invoke(name, event)
        except FunctionTimeout:
            error = {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out"}
            return _json(200, error, request_id, ("X-Amz-Function-Error", "Unhandled"))
        except FunctionError as exc:
            error = {"errorType": "Unhandled", "errorMessage": str(exc)[:4000]}
            return _json(200, error, request_id, ("X-Amz-Function-Error", "Unhandled"))
        except Exception as exc:
            if type(exc).__name__ == "ResourceNotFoundException":
                return _error(404, "ResourceNotFoundException", f"Function not found: {name}", request_id)
            raise
        return (
            200,
            (("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)),
            json.dumps(result).encode(),
        )
