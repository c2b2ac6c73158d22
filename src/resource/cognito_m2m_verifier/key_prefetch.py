"""The pool's JWKS fetched during INIT, in the background, as aws-jwt-verify's ``hydrate()`` does: the
network's wait overlaps the rest of the cold start instead of following it.

The Lambda entry point (``app.py``) calls :func:`start` first thing, before the heavier imports. A daemon
thread downloads the key set of the issuer tokens name most (``JWKS_URL``, else the pool's original
issuer, or its updated one when ``ISSUER_FORMAT=updated``) with
:func:`~cognito_m2m_verifier.key_download.get`. When the verifier builds that URL's
:class:`~cognito_m2m_verifier.jwks.JwksCache`, it takes the document (:func:`take`): waiting for the
thread if it is still at it (never longer than the download's own deadline) and loading the keys with
the cache's usual validation.

It never fails INIT and never delays it: the thread starts and INIT goes on; any problem (a malformed
environment, a failed or refused download, an invalid document) only means there is nothing to take, and
the first token fetches the keys as it always did, under the penalty window's rules. A document is
taken once, by the cache of exactly its URL.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from cognito_m2m_verifier._shared.hosts import checked_url
from cognito_m2m_verifier.issuers import pool_issuers
from cognito_m2m_verifier.key_download import get as https_get

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 3.0
MAX_BYTES = 64 * 1024


class _Prefetch:
    def __init__(self, url: str) -> None:
        self.url = url
        self.document: bytes | None = None
        self.done = threading.Event()
        self.taken = False

    def run(self) -> None:
        try:
            answer = https_get(
                self.url,
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                max_bytes=MAX_BYTES,
                headers={"Accept": "application/json"},
            )
            encoding = answer.headers.get("content-encoding", "identity").strip().lower()
            if answer.status == 200 and encoding in ("", "identity"):
                self.document = answer.body
        except Exception:  # noqa: S110 - nothing to take: the first token fetches the keys itself
            pass
        finally:
            self.done.set()


_lock = threading.Lock()
_pending: dict[str, _Prefetch] = {}


def prefetch_url(env: Mapping[str, str]) -> str | None:
    """The JWKS URL the first tokens will most likely need, or None when the environment does not say."""
    given = env.get("JWKS_URL")
    if given:
        return given
    pool = env.get("USER_POOL_ID", "")
    issuer_format = env.get("ISSUER_FORMAT") or "any"
    try:
        issuers = pool_issuers(pool, issuer_format=issuer_format, replica_regions=())
    except (TypeError, ValueError):
        return None
    return next(iter(issuers.values()), None)


def start(env: Mapping[str, str]) -> None:
    """Start fetching the JWKS that ``env`` names, in a daemon thread; never raises."""
    try:
        url = prefetch_url(env)
        if url is None:
            return
        url = checked_url("the JWKS url", url, allow_http=False)  # as the cache checks it (raises)
        with _lock:
            if url in _pending:
                return
            prefetch = _pending[url] = _Prefetch(url)
        threading.Thread(target=prefetch.run, name="jwks-prefetch", daemon=True).start()
    except Exception:
        return


def take(url: str) -> bytes | None:
    """The document prefetched for ``url`` (waiting for the download to end), once; else None."""
    with _lock:
        prefetch = _pending.get(url)
        if prefetch is None or prefetch.taken:
            return None
        prefetch.taken = True
    prefetch.done.wait(CONNECT_TIMEOUT + READ_TIMEOUT + 1.0)
    return prefetch.document
