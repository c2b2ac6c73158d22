"""cognito_m2m_client.sigv4 against AWS's published Signature Version 4 examples and against botocore's
signer (a well-kept implementation) over many requests."""

from __future__ import annotations

import datetime
import random
import string

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cognito_m2m_client import sigv4

# AWS's examples use this key pair (IAM user guide, "Signature Version 4"; the SigV4 test suite).
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def test_the_derived_signing_key_of_the_iam_guides_example() -> None:
    """AWS General Reference, "Examples of how to derive a signing key for Signature Version 4": date
    20120215, us-east-1, iam -> f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d."""
    key = sigv4.signing_key(SECRET_KEY, "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


@pytest.mark.parametrize(
    ("path", "canonical_path", "expected"),
    [
        # AWS SigV4 test suite (2011 edition, as botocore ships it): get-space and get-utf8. The request
        # path as sent is URI-encoded once more (every service but S3 encodes path segments twice).
        ("/%20/foo", "/%2520/foo", "2be9e587d1ee1f0fd02128724b86b4358ba3630d39f493b6e06610a19a50779e"),
        (
            "/%E1%88%B4",
            "/%25E1%2588%25B4",
            "57b1eb3df3b16a8479c0097b66c0b261cfd65b829419a3f2c3d05319722490b8",
        ),
    ],
)
def test_vectors_of_the_sigv4_test_suite(path: str, canonical_path: str, expected: str) -> None:
    headers = {"Date": "Mon, 09 Sep 2011 23:36:00 GMT", "Host": "host.foo.com"}
    request, signed = sigv4.canonical_request("GET", path, [], headers, b"")
    assert request.split("\n")[1] == canonical_path
    assert signed == "date;host"
    value, _ = sigv4.signature(
        "GET", path, [], headers, b"", SECRET_KEY, "20110909T233600Z", "us-east-1", "host"
    )
    assert value == expected


def _botocore(host: str, headers: dict[str, str], body: bytes, token: str | None) -> str:
    request = AWSRequest(method="POST", url=f"https://{host}/", data=body, headers=dict(headers))
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, token), "secretsmanager", "eu-west-1").add_auth(request)
    return str(request.headers["Authorization"])


@pytest.mark.parametrize("seed", range(40))
def test_the_json_call_is_signed_as_botocore_signs_it(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    when = datetime.datetime(
        2026, 1 + rng.randrange(12), 1 + rng.randrange(28), rng.randrange(24), tzinfo=datetime.UTC
    )
    secret_id = "".join(
        rng.choice(string.ascii_letters + string.digits + "/_+=.@-") for _ in range(rng.randrange(1, 60))
    )
    body = ('{"SecretId":"' + secret_id + '","VersionStage":"AWSCURRENT"}').encode()
    token = None if seed % 3 == 0 else "IQoJb3JpZ2luX2Vj" + "x" * rng.randrange(10, 200)
    host = "secretsmanager.eu-west-1.amazonaws.com"
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"}
    ours = sigv4.signed_headers(
        method="POST",
        host=host,
        path="/",
        headers=headers,
        payload=body,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        session_token=token,
        region="eu-west-1",
        service="secretsmanager",
        amz_date=when.strftime("%Y%m%dT%H%M%SZ"),
    )
    theirs_headers = {**headers, "Host": host, "X-Amz-Date": ours["X-Amz-Date"]}
    if token:
        theirs_headers["X-Amz-Security-Token"] = token
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when.replace(tzinfo=None))
    assert ours["Authorization"] == _botocore(host, theirs_headers, body, token)
