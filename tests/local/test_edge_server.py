"""local_edge.edge: the HTTP side of the token endpoint and the ALB, on real loopback servers."""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Iterator

import pytest

from local_edge import alb
from local_edge.edge import EdgeServer, alb_app, token_app
from local_edge.signing import TokenSigner
from local_edge.token_endpoint import AppClient, TokenEndpoint


class Directory:
    def find(self, client_id: str) -> AppClient | None:
        if client_id != "democlient":
            return None
        return AppClient(
            "democlient", "us-east-1_p", "us-east-1", "s3cret", ("client_credentials",), True, ("a/b",), 300
        )


class RecordingEdge:
    """Stands in for AlbEdge (whose routing is tested on its own) to see what the server hands it."""

    def __init__(self) -> None:
        self.requests: list[alb.HttpRequest] = []

    def handle(self, request: alb.HttpRequest) -> alb.HttpResponse:
        self.requests.append(request)
        return alb.HttpResponse(201, (("X-Out", "1"),), b"created")


def serve(server: EdgeServer) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def token_port() -> Iterator[int]:
    yield from serve(EdgeServer(0, token_app(TokenEndpoint(Directory(), TokenSigner.from_moto()))))


@pytest.fixture
def alb_edge() -> Iterator[tuple[int, RecordingEdge]]:
    edge = RecordingEdge()
    for port in serve(EdgeServer(0, alb_app(edge, 80))):  # type: ignore[arg-type]
        yield port, edge


def call(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    return conn.getresponse()


def test_token_endpoint_over_http(token_port: int) -> None:
    basic = base64.b64encode(b"democlient:s3cret").decode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"}
    ok = call(token_port, "POST", "/oauth2/token", b"grant_type=client_credentials", headers)
    assert ok.status == 200
    assert ok.getheader("Content-Type") == "application/json;charset=UTF-8"
    assert b'"expires_in":300' in ok.read()
    get = call(token_port, "GET", "/oauth2/token")
    assert (get.status, get.read()) == (405, b"")
    other = call(token_port, "POST", "/oauth2/authorize", b"x=1", headers)
    assert other.status == 404


def test_chunked_request_bodies_are_read(token_port: int) -> None:
    basic = base64.b64encode(b"democlient:s3cret").decode()
    conn = http.client.HTTPConnection("127.0.0.1", token_port, timeout=10)
    conn.putrequest("POST", "/oauth2/token")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Authorization", f"Basic {basic}")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    for part in (b"grant_type=client_", b"credentials"):
        conn.send(b"%x\r\n%s\r\n" % (len(part), part))
    conn.send(b"0\r\n\r\n")
    assert conn.getresponse().status == 200


def test_alb_server_passes_method_path_query_headers_and_body(alb_edge: tuple[int, RecordingEdge]) -> None:
    port, edge = alb_edge
    response = call(port, "PUT", "/api/x?a=1&b=%20", b"payload", {"X-Custom": "v"})
    assert (response.status, response.getheader("X-Out"), response.read()) == (201, "1", b"created")
    request = edge.requests[0]
    assert (request.method, request.path, request.query, request.body) == (
        "PUT",
        "/api/x",
        "a=1&b=%20",
        b"payload",
    )
    assert request.header("x-custom") == "v"
    assert request.client_ip == "127.0.0.1"
    head = call(port, "HEAD", "/api")
    assert (head.status, head.getheader("Content-Length"), head.read()) == (201, "7", b"")
