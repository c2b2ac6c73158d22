"""cognito_m2m_verifier.key_download: the JWKS download with the standard library, its TLS verification
and its bounds, against real HTTPS and HTTP servers on 127.0.0.1 with certificates made here (a CA
and leaf certificates from ``cryptography``)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cognito_m2m_verifier import key_download
from cognito_m2m_verifier.key_download import BodyTooLarge, DownloadFailed, ReadFailed

BODY = b'{"keys": []}'


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(
    subject: str, issuer_key: Any, issuer: str, key: Any, *, ca: bool, sans: list[Any]
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if not ca:  # Python 3.13's strict verification wants what a public CA's leaf has
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("test CA", ca_key, "test CA", ca_key, ca=True, sans=[])
    out = {"ca": folder / "ca.pem"}
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for label, sans in (
        ("loopback", [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        ("elsewhere", [x509.DNSName("cognito-idp.example.com")]),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _certificate(label, ca_key, "test CA", key, ca=False, sans=sans)
        path = folder / f"{label}.pem"
        path.write_bytes(
            leaf.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        out[label] = path
    return out


class _Handler(BaseHTTPRequestHandler):
    answer: tuple[int, dict[str, str], bytes] = (200, {}, BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        status, headers, body = self.server.answer  # type: ignore[attr-defined]
        self.server.seen.append(dict(self.headers))  # type: ignore[attr-defined]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def serve(pki: dict[str, Path]) -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(
        certificate: str | None = None, answer: tuple[int, dict[str, str], bytes] = (200, {}, BODY)
    ) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.answer = answer  # type: ignore[attr-defined]
        server.seen = []  # type: ignore[attr-defined]
        scheme = "http"
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(pki[certificate])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            scheme = "https"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"{scheme}://127.0.0.1:{server.server_port}/pool/.well-known/jwks.json"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def trust_test_ca(pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The download's own verifying context, with the test CA as the system's CAs would be in Lambda."""
    context = ssl.create_default_context(cafile=str(pki["ca"]))
    monkeypatch.setattr(key_download, "_tls", [context])


def fetch(url: str, **over: Any) -> key_download.Response:
    settings: dict[str, Any] = {"connect_timeout": 1.0, "read_timeout": 1.0, "max_bytes": 1024, **over}
    return key_download.get(url, **settings)


def test_https_with_a_certificate_for_the_host_from_a_trusted_ca(serve: Any, trust_test_ca: None) -> None:
    answer = fetch(serve("loopback"))
    assert (answer.status, answer.body) == (200, BODY)


def test_a_certificate_from_an_unknown_ca_is_refused(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_download, "_tls", [])  # the process's real default context: system CAs only
    with pytest.raises(DownloadFailed, match="SSL"):
        fetch(serve("loopback"))


def test_a_certificate_for_another_host_is_refused(serve: Any, trust_test_ca: None) -> None:
    with pytest.raises(DownloadFailed, match="SSL"):
        fetch(serve("elsewhere"))


def test_a_redirect_is_not_followed(serve: Any) -> None:
    answer = fetch(serve(answer=(302, {"Location": "http://127.0.0.1:9/evil"}, b"")))
    assert answer.status == 302


def test_identity_encoding_is_asked_for_and_headers_come_back_lower_cased(serve: Any) -> None:
    url = serve(answer=(200, {"Content-Encoding": "gzip"}, BODY))
    answer = fetch(url, headers={"Accept": "application/json"})
    assert answer.headers["content-encoding"] == "gzip"  # the caller refuses it


def test_the_size_cap_holds_announced_and_chunked(serve: Any) -> None:
    with pytest.raises(BodyTooLarge):
        fetch(serve(answer=(200, {}, b"x" * 2000)))
    chunked = b"".join(b"%x\r\n%s\r\n" % (400, b"y" * 400) for _ in range(4)) + b"0\r\n\r\n"
    with pytest.raises(BodyTooLarge):
        fetch(serve(answer=(200, {"Transfer-Encoding": "chunked"}, chunked)))


def test_a_body_shorter_than_announced_is_a_read_failure(serve: Any) -> None:
    with pytest.raises(ReadFailed):
        fetch(serve(answer=(200, {"Content-Length": "500", "Connection": "close"}, b"short")))


def test_nothing_listening_is_a_download_failure() -> None:
    with pytest.raises(DownloadFailed):
        fetch("http://127.0.0.1:9/jwks.json", connect_timeout=0.5)


def test_the_verifier_imports_no_http_library_until_it_downloads() -> None:
    """Cold start: urllib3 is not imported at all, http.client and ssl only on the first download."""
    code = (
        "import sys, cognito_m2m_verifier.handler, cognito_m2m_verifier.cognito;"
        "print(sorted(m for m in ('urllib3', 'http.client', 'ssl') if m in sys.modules))"
    )
    src = Path(__file__).resolve().parents[2] / "src" / "resource"
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(src)}
    )
    assert ran.stdout.strip() == "[]"
