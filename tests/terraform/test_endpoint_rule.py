"""The module's plan-time rule for ``endpoint_overrides.token_url``/``jwks_url`` and the functions'
cold-start rule (``checked_url``) accept exactly the same URLs: a URL that plans must not fail the cold
start, and one the functions refuse must not plan.

The regex is read from ``variables.tf`` and run with Python's ``re``; it uses only what RE2 (Terraform's
engine) and ``re`` read alike (classes, ``\\x`` escapes, a scoped ``(?i:)`` flag). ``terraform test``
(validation.tftest.hcl) runs some of the same URLs through Terraform itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cognito_m2m_verifier._shared.hosts import ENDPOINT_URL_PATTERN, checked_url

REPO = Path(__file__).resolve().parents[2]

URLS = [
    "https://shop.auth.eu-west-1.amazoncognito.com/oauth2/token",
    "HTTPS://shop.auth.eu-west-1.amazoncognito.com/oauth2/token",
    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json",
    "https://keys.example.com:8443/jwks.json?v=1",
    "https://keys.example.com",
    "http://127.0.0.1:4566/eu-west-1_AbC123/.well-known/jwks.json",
    "http://127.1.2.3/token",
    "http://localhost:8081/oauth2/token",
    "HTTP://localhost/oauth2/token",
    "http://LOCALHOST/oauth2/token",
    "http://[::1]:8081/oauth2/token",
    "http://127.255.0.1/token",
    "https://auth.example.com:65535/token",
    "https://auth.example.com/a@b?x=%20y",
    "https://auth.example.com?x=1",
    # refused
    "http://127.999.0.1/",
    "http://127.0.0.01/",
    "https://h:99999/",
    "https://h:65536/",
    "https://h:0/",
    "https://h:/",
    "https://h/#",
    "https://h#",
    "https://[:::]/",
    "https://[2001:db8::1]/jwks.json",
    "https://h\u00a0x/",
    "https://h/\u0085",
    "https://h/\u2028",
    "https://h/\u200b",
    "https://h\u00e9.example/",
    "https://h/a\\b",
    "http://[::ffff:127.0.0.1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::1%25eth0]/",
    "http://[::1]evil.com/",
    "http://127.0.0.1.evil.com/",
    "http://localhost.evil.com/",
    "https://@h/",
    "http://auth.example.com/oauth2/token",
    "http://10.0.0.1/oauth2/token",
    "ftp://auth.example.com/token",
    "https://user:pw@auth.example.com/token",
    "https://user@auth.example.com/token",
    "https://auth.example.com/token#frag",
    "https://auth.example.com/to ken",
    "https://auth.example.com/token\n",
    "https://auth.example.com/\x7ftoken",
    "https:///token",
    "https://",
    "127.0.0.1:8081/oauth2/token",
    "https://auth.example.com:port/token",
    " https://auth.example.com/token",
]


def _rule() -> re.Pattern[str]:
    text = (REPO / "variables.tf").read_text()
    block = text[text.index("ENDPOINT_URL_PATTERN") :]
    match = re.search(r'can\(regex\(\s*"((?:[^"\\]|\\.)*)",\s*u\s*\)\)', block)
    assert match, "the token_url/jwks_url rule is no longer where this test reads it"
    # HCL string escapes: \\ is one backslash (the rule uses no other escape)
    return re.compile(match.group(1).replace("\\\\", "\\"))


def _cold_start_accepts(url: str) -> bool:
    try:
        checked_url("url", url)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("url", URLS)
def test_plan_rule_and_cold_start_rule_agree(url: str) -> None:
    # fullmatch: RE2's $ is the end of the text, Python's also matches before a final newline
    assert bool(_rule().fullmatch(url)) == _cold_start_accepts(url)


def test_the_module_rule_is_the_functions_pattern() -> None:
    assert _rule().pattern == f"^{ENDPOINT_URL_PATTERN}$"


def test_the_corpus_has_both_answers() -> None:
    answers = [_cold_start_accepts(url) for url in URLS]
    assert answers.count(True) >= 10
    assert answers.count(False) >= 10
