"""Outgoing HTTP: one urllib3 pool, per-attempt timeouts, and retries bounded by count and by a deadline.

Retries use exponential backoff with full jitter (``delay = random() * min(max_delay, base * 2**n)``)
on connection errors, timeouts and the retryable statuses the caller names (429 and 5xx). A
``Retry-After`` of a few seconds is honoured; a longer one ends the retries (waiting it out would
exceed what a Lambda invocation can afford). Every attempt's connect and read timeouts, the reading of
the body and every pause are bounded by the invocation's :class:`Deadline`, so the function always
answers before Lambda kills it. Redirects are never followed: a bearer token is only ever sent to the
configured URL.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from cognito_m2m_client._shared.headers import ascii_decimal
from cognito_m2m_client._shared.log import get_logger

log = get_logger(__name__)

USER_AGENT = "cognito-m2m-token-client/0.1"
MIN_ATTEMPT_SECONDS = 0.05  # an attempt with less time left than this is not started
CHUNK_BYTES = 16384


class LambdaContext(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a request is retried."""

    max_attempts: int = 4  # the first attempt included
    base_delay: float = 0.1
    max_delay: float = 2.0
    max_retry_after: float = 3.0  # a larger Retry-After ends the retries

    def backoff(self, retry_number: int, random: Callable[[], float]) -> float:
        """Full-jitter delay before retry ``retry_number`` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        return random() * ceiling


class Deadline:
    """The point in time (on the injected clock) by which an invocation must have its answer ready."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self._clock = clock
        self._at = clock() + seconds

    @classmethod
    def for_invocation(
        cls,
        context: Any,
        clock: Callable[[], float],
        *,
        safety_margin: float,
        default_seconds: float,
    ) -> Deadline:
        """The Lambda's remaining time minus ``safety_margin``; ``default_seconds`` without a context."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        seconds = default_seconds
        if callable(remaining):
            try:
                millis = float(remaining())
            except (TypeError, ValueError):
                millis = math.nan
            if math.isfinite(millis):
                seconds = millis / 1000.0 - safety_margin
        return cls(clock, seconds)

    def remaining(self) -> float:
        return self._at - self._clock()


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int


class TransportError(Exception):
    """No usable HTTP response (after the allowed retries)."""

    def __init__(self, message: str, *, attempts: int, last_status: int | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.last_status = last_status


class HttpTimeout(TransportError):
    """The upstream did not answer within the per-attempt timeout or the invocation's deadline."""


class HttpUnreachable(TransportError):
    """Connection refused or reset, TLS failure: no usable response."""


class ResponseTooLarge(HttpUnreachable):
    """The response body exceeded the size the caller accepts (never retried)."""


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Delta-seconds of a Retry-After header (an HTTP date or anything but 1-6 ASCII digits: None)."""
    seconds = ascii_decimal(headers.get("retry-after"), 6)
    return None if seconds is None else float(seconds)


class HttpClient:
    """Requests through one shared :class:`urllib3.PoolManager`, retried per :class:`RetryPolicy`."""

    def __init__(
        self,
        pool: urllib3.PoolManager,
        *,
        connect_timeout: float,
        read_timeout: float,
        policy: RetryPolicy,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        random: Callable[[], float],
    ) -> None:
        self.pool = pool
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self.policy = policy
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self.sent: Counter[str] = Counter()  # HTTP requests sent, by upstream name (observable)

    def request(
        self,
        name: str,
        method: str,
        url: str,
        *,
        deadline: Deadline,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        retry_statuses: Collection[int] = (),
        retry_if: Callable[[HttpResponse], bool] | None = None,
        max_body_bytes: int = 1 << 20,
    ) -> HttpResponse:
        """Send the request, retrying as allowed; the last response, or :class:`TransportError`.

        A response whose status is in ``retry_statuses``, or for which ``retry_if`` is true (an error
        code in its body: AWS's JSON APIs throttle with a 400), is returned when no retry is left.
        ``name`` ("token endpoint", "api") is what the log says; URLs, headers and bodies are not logged.
        """
        attempt = 0
        failure: TransportError | None = None
        final: HttpResponse | None = None
        while True:
            attempt += 1
            remaining = deadline.remaining()
            if remaining < MIN_ATTEMPT_SECONDS:
                if (
                    failure is not None or final is not None
                ):  # the pause ate the rest: report the last outcome
                    return self._give_up(failure, final)
                raise HttpTimeout(f"no time left to call the {name}", attempts=0)
            failure = None
            final = None
            retry_after: float | None = None
            try:
                self.sent[name] += 1
                response = self._attempt(
                    method,
                    url,
                    headers=headers,
                    body=body,
                    deadline=deadline,
                    remaining=remaining,
                    max_body_bytes=max_body_bytes,
                )
            except ResponseTooLarge as exc:  # deterministic: another attempt would not help
                exc.attempts = attempt
                raise
            except TransportError as exc:
                exc.attempts = attempt
                failure = exc
                reason = str(exc)
            else:
                final = HttpResponse(response.status, response.headers, response.body, attempt)
                if response.status not in retry_statuses and (retry_if is None or not retry_if(final)):
                    return final
                reason = f"status {response.status}"
                retry_after = _retry_after(response.headers)
            if attempt >= self.policy.max_attempts:
                log.warning("%s failed (%s) after %d attempts", name, reason, attempt)
                return self._give_up(failure, final)
            if retry_after is not None and retry_after > self.policy.max_retry_after:
                log.warning("%s asks to retry after %gs: too long, not retried", name, retry_after)
                return self._give_up(failure, final)
            delay = self.policy.backoff(attempt, self._random)
            if retry_after is not None:
                delay = max(delay, retry_after)
            if deadline.remaining() - delay < MIN_ATTEMPT_SECONDS:
                log.warning("%s failed (%s); no time left for a retry", name, reason)
                return self._give_up(failure, final)
            log.warning(
                "%s failed (%s); retry %d of %d in %.3fs",
                name,
                reason,
                attempt,
                self.policy.max_attempts - 1,
                delay,
                extra={"upstream": name, "attempt": attempt, "retry_delay": round(delay, 3)},
            )
            self._sleep(delay)

    @staticmethod
    def _give_up(failure: TransportError | None, final: HttpResponse | None) -> HttpResponse:
        if failure is not None:
            raise failure
        assert final is not None
        return final

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        body: bytes | None,
        deadline: Deadline,
        remaining: float,
        max_body_bytes: int,
    ) -> HttpResponse:
        timeout = urllib3.Timeout(
            connect=min(self._connect_timeout, remaining), read=min(self._read_timeout, remaining)
        )
        try:
            response = self.pool.request(
                method,
                url,
                body=body,
                headers={"User-Agent": USER_AGENT, **(headers or {})},
                timeout=timeout,
                retries=False,
                redirect=False,
                preload_content=False,
            )
        except NewConnectionError as exc:  # a subclass of urllib3's TimeoutError: test it first
            raise HttpUnreachable(f"cannot connect: {type(exc).__name__}", attempts=1) from None
        except Urllib3Timeout:
            raise HttpTimeout("timed out waiting for the response", attempts=1) from None
        except (HTTPError, OSError) as exc:
            raise HttpUnreachable(f"connection failed: {type(exc).__name__}", attempts=1) from None
        try:
            data = self._read_body(response, deadline, max_body_bytes)
        finally:
            response.release_conn()
        return HttpResponse(response.status, response.headers, data, 1)

    @staticmethod
    def _read_body(response: urllib3.BaseHTTPResponse, deadline: Deadline, max_body_bytes: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if deadline.remaining() <= 0:
                    raise HttpTimeout("timed out reading the response body", attempts=1)
                chunk = response.read1(CHUNK_BYTES)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > max_body_bytes:
                    raise ResponseTooLarge(f"response body larger than {max_body_bytes} bytes", attempts=1)
                chunks.append(chunk)
        except TransportError:
            response.close()
            raise
        except Urllib3Timeout:
            response.close()
            raise HttpTimeout("timed out reading the response body", attempts=1) from None
        except (HTTPError, OSError) as exc:
            response.close()
            message = f"connection failed while reading: {type(exc).__name__}"
            raise HttpUnreachable(message, attempts=1) from None
