"""The edge process: the ALB on LOCAL_ALB_PORT and Cognito's token endpoint on LOCAL_AUTH_PORT.

Both servers bind 127.0.0.1. Beside the token endpoint, the auth port answers the AWS calls the
emulator lacks for secret rotation (:mod:`local_edge.aws_api`): Cognito's two-secret API and Lambda
Invoke; every function the edge runs has it as its Cognito endpoint. The ALB routes by the listener
read from the emulator (refreshed every couple of seconds, so a new ``terraform apply`` is picked up)
and invokes Lambda targets through :class:`local_edge.functions.FunctionRunner`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from local_edge import alb
from local_edge.aws_api import AwsApi
from local_edge.client_secrets import ClientSecretStore
from local_edge.functions import ALB_PRINCIPAL, FunctionError, FunctionRunner, FunctionTimeout
from local_edge.service_metrics import ServiceMetrics
from local_edge.signing import TokenSigner, jwk_matches
from local_edge.token_endpoint import TOKEN_PATH, EmulatorClientDirectory, TokenEndpoint, method_not_allowed

LOG = logging.getLogger("local_edge.edge")
MAX_REQUEST_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class EdgeConfig:
    region: str
    aws_endpoint: str
    load_balancer_arn: str
    zips: tuple[str, ...]
    state_dir: str
    alb_port: int
    auth_port: int
    max_concurrency: int = 4

    @classmethod
    def load(cls, path: Path) -> EdgeConfig:
        raw = json.loads(path.read_text())
        raw["zips"] = tuple(raw["zips"])
        return cls(**raw)

    def dump(self, path: Path) -> None:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["zips"] = list(self.zips)
        path.write_text(json.dumps(data, indent=2) + "\n")


def emulator_client(service: str, region: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake credentials
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=10),
    )


class AlbEdge:
    """One ALB listener: request in, rule, action, Lambda invocation, response out."""

    def __init__(
        self,
        elbv2: Any,
        load_balancer_arn: str,
        runner: FunctionRunner,
        port: int,
        *,
        ttl: float = 2.0,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._elbv2 = elbv2
        self._arn = load_balancer_arn
        self._runner = runner
        self._metrics = metrics  # what Lambda and the load balancer count on their own in AWS
        self._port = port
        self._ttl = ttl
        self._lock = threading.Lock()
        self._listener: alb.Listener | None = None
        self._loaded_at = float("-inf")

    def listener(self) -> alb.Listener:
        with self._lock:
            if self._listener is None or time.monotonic() - self._loaded_at > self._ttl:
                self._listener = alb.load_listener(self._elbv2, self._arn)
                self._loaded_at = time.monotonic()
            return self._listener

    def handle(self, request: alb.HttpRequest) -> alb.HttpResponse:
        try:
            listener = self.listener()
        except Exception:
            LOG.exception("cannot read the load balancer from the emulator")
            return alb.error_page(503)
        # The target sees the listener's port and protocol (x-forwarded-port/-proto), not the local one.
        request = dataclasses.replace(request, port=listener.port, protocol=listener.protocol.lower())
        rule = alb.select_rule(listener.rules, request)
        if rule is None or not rule.actions:
            return alb.error_page(503)
        action = alb.final_action(rule)
        if action.type == "fixed-response":
            return alb.fixed_response(action.fixed)
        if action.type == "redirect":
            return alb.redirect_response(action.redirect, request)
        if action.type != "forward" or not action.target_groups:
            LOG.error("action %s is not supported by the local ALB", action.type)
            return alb.error_page(503)
        group = listener.target_groups[alb.choose_target_group(action)]
        if group.target_type != "lambda" or not group.targets:
            LOG.error("target group %s has no Lambda target", group.arn)
            return alb.error_page(503)
        if len(request.body) > alb.MAX_LAMBDA_BODY_BYTES:
            return alb.error_page(413)
        event = alb.build_event(
            request,
            group.arn,
            multi_value=group.multi_value,
            drop_invalid_headers=listener.drop_invalid_header_fields,
        )
        trace = (event.get("headers") or {}).get("x-amzn-trace-id") or (
            (event.get("multiValueHeaders") or {}).get("x-amzn-trace-id") or [""]
        )[0]
        try:
            self._runner.check_permission(group.targets[0], ALB_PRINCIPAL, group.arn)
        except FunctionError as exc:  # Lambda refuses the invoke: no invocation, the ALB answers 502
            LOG.warning("target failed: %s", exc)
            if self._metrics is not None:
                self._metrics.answer(self._arn, group.arn, 502, from_target=False)
            return alb.error_page(502)
        function_error, answer, from_target = False, alb.error_page(502), False
        try:
            result = self._runner.invoke(group.targets[0], event, trace)
            answer, from_target = alb.translate_response(result, multi_value=group.multi_value), True
        except FunctionTimeout as exc:
            LOG.warning("target timed out: %s", exc)
            function_error, answer = True, alb.error_page(504)
        except FunctionError as exc:
            LOG.warning("target failed: %s", exc)
            function_error = True
        except alb.InvalidLambdaResponse as exc:  # the function ran; its answer is no ALB response
            LOG.warning("target failed: %s", exc)
        except Exception:
            LOG.exception("invoking the target failed")
        if self._metrics is not None:
            self._metrics.invocation(group.targets[0], error=function_error)
            self._metrics.answer(self._arn, group.arn, answer.status, from_target=from_target)
        return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stalls
    server_version = "local-edge"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        LOG.info("%s %s", self.address_string(), format % args)

    def _body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_REQUEST_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, headers: tuple[tuple[str, str], ...], body: bytes) -> None:
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self) -> None:
        try:
            body = self._body()
        except ValueError:
            self.close_connection = True
            self._send(400, (("Content-Type", "text/plain"),), b"bad request body\n")
            return
        if body is None:
            self.close_connection = True
            self._send(413, (("Content-Type", "text/plain"),), b"request too large\n")
            return
        status, headers, payload = self.server.app(self, body)  # type: ignore[attr-defined]
        self._send(status, headers, payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


App = Callable[[_Handler, bytes], tuple[int, tuple[tuple[str, str], ...], bytes]]


class EdgeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, app: App) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.app = app


def alb_app(edge: AlbEdge, port: int) -> App:
    def app(handler: _Handler, body: bytes) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        path, _, query = handler.path.partition("?")
        request = alb.HttpRequest(
            method=handler.command,
            path=path,
            query=query,
            headers=tuple(handler.headers.items()),
            body=body,
            client_ip=handler.client_address[0],
            port=port,
        )
        response = edge.handle(request)
        return response.status, response.headers, response.body

    return app


def token_app(endpoint: TokenEndpoint, aws_api: AwsApi | None = None) -> App:
    def app(handler: _Handler, body: bytes) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        path = handler.path.partition("?")[0]
        if path != TOKEN_PATH and aws_api is not None:
            headers = {k.lower(): v for k, v in handler.headers.items()}
            try:
                answered = aws_api.handle(handler.command, path, headers, body)
            except Exception:
                LOG.exception("AWS API failure")
                answered = (
                    500,
                    (("Content-Type", "application/json"),),
                    b'{"__type":"InternalErrorException"}',
                )
            if answered is not None:
                return answered
        if path != TOKEN_PATH:
            return 404, (("Content-Type", "application/json"),), b'{"error":"not_found"}'
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            response = endpoint.handle(handler.command, headers, body)
        except Exception:
            LOG.exception("token endpoint failure")
            return 500, method_not_allowed().headers, b'{"error":"server_error"}'
        return response.status, response.headers, response.body

    return app


def describe_client(cognito: Any, pool: str, client: str) -> dict[str, Any] | None:
    """The emulator's DescribeUserPoolClient answer for one client, or None when it has none."""
    try:
        described: dict[str, Any] = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)
    except Exception as exc:
        if type(exc).__name__ in {"ResourceNotFoundException", "InvalidParameterException"}:
            return None
        raise
    return dict(described["UserPoolClient"])


def check_signing_key(signer: TokenSigner, cognito: Any, aws_endpoint: str) -> None:
    """Refuse to start when the emulator would not serve our signing key's public half."""
    pools = cognito.list_user_pools(MaxResults=1)["UserPools"]
    if not pools:
        return
    url = f"{aws_endpoint}/{pools[0]['Id']}/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - the local emulator
        jwks = json.loads(answer.read())
    if not jwk_matches(signer, jwks):
        raise RuntimeError(f"the emulator's JWKS ({url}) does not hold the token signing key {signer.kid}")


def serve(config: EdgeConfig) -> None:
    """Run both servers until SIGTERM/SIGINT."""
    state_dir = Path(config.state_dir)
    cognito = emulator_client("cognito-idp", config.region, config.aws_endpoint)
    signer = TokenSigner.from_moto()
    check_signing_key(signer, cognito, config.aws_endpoint)
    auth_url = f"http://127.0.0.1:{config.auth_port}"
    runner = FunctionRunner(
        emulator_client("lambda", config.region, config.aws_endpoint),
        region=config.region,
        endpoint_url=config.aws_endpoint,
        zips=[Path(z) for z in config.zips],
        state_dir=state_dir,
        max_concurrency=config.max_concurrency,
        extra_environment={"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": auth_url},
    )
    secrets = ClientSecretStore(lambda pool, client: describe_client(cognito, pool, client))
    # The pools' pre token generation triggers run as the ALB's targets do: deployed zips in workers.
    token = TokenEndpoint(EmulatorClientDirectory(cognito, secrets=secrets), signer, trigger_invoker=runner)
    aws_api = AwsApi(secrets, config.aws_endpoint, runner.invoke, token.get_client_token)
    edge = AlbEdge(
        emulator_client("elbv2", config.region, config.aws_endpoint),
        config.load_balancer_arn,
        runner,
        80,
        metrics=ServiceMetrics(state_dir / "logs" / "aws-services.log"),
    )
    servers = [
        EdgeServer(config.alb_port, alb_app(edge, 80)),
        EdgeServer(config.auth_port, token_app(token, aws_api)),
    ]
    threads = [
        threading.Thread(target=s.serve_forever, name=f"edge-{s.server_port}", daemon=True) for s in servers
    ]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    for thread in threads:
        thread.start()
    LOG.info(
        "ALB on http://127.0.0.1:%d, token endpoint on http://127.0.0.1:%d%s",
        config.alb_port,
        config.auth_port,
        TOKEN_PATH,
    )
    try:
        stop.wait()
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        runner.close()
        LOG.info("edge stopped")
