"""One Lambda execution environment: a long-lived process that runs a function's handler.

Started by :mod:`local_edge.functions` as
``python -I -B worker.py TASK_ROOT HANDLER REQ_FD RESP_FD [LAYER_PATHS]`` with the function's
environment. Like the Python runtime it imports the handler once (the cold start), then serves
invocations one at a time, so module-level caches stay warm between them. It imports only the
standard library before the handler, and its ``sys.path`` is the task root, then each layer's
``python/`` folder in the function's order (``LAYER_PATHS``, ``os.pathsep``-separated; Lambda's
``/opt/python``), then the interpreter's own packages (the runtime's boto3), as in ``/var/task`` +
``/opt/python`` + ``/var/runtime``.

Framing on both pipes: a 4-byte big-endian length, then UTF-8 JSON.
Requests: ``{"event", "request_id", "deadline_ms", "trace_id"}``; answers: ``{"result"}`` or
``{"error": {"errorType", "errorMessage", "stackTrace"}}``; the first answer, before any request,
is ``{"ready": true}`` or an ``{"error"}`` for a failed init.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import struct
import sys
import time
import traceback
from typing import Any


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int) -> Any:
    header = _read_exact(fd, 4)
    if header is None:
        return None
    payload = _read_exact(fd, struct.unpack(">I", header)[0])
    if payload is None:
        return None
    return json.loads(payload)


def write_message(fd: int, message: Any) -> None:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    view = memoryview(struct.pack(">I", len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class LambdaContext:
    """The context object of the Python runtime (the members functions actually use)."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        env = os.environ
        self.aws_request_id = request_id
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = env.get("LOCAL_EDGE_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": getattr(record, "aws_request_id", ""),
        }
        if record.exc_info:
            entry["stackTrace"] = traceback.format_exception(*record.exc_info)
        return json.dumps(entry)


def _setup_logging() -> _RequestIdFilter:
    """The runtime's root handler: JSON or text to stdout, level from AWS_LAMBDA_LOG_LEVEL."""
    request_filter = _RequestIdFilter()
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(request_filter)
    root = logging.getLogger()
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
        handler.setFormatter(_JsonFormatter())
        root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper())
    else:
        handler.setFormatter(
            logging.Formatter("[%(levelname)s]\t%(asctime)s\t%(aws_request_id)s\t%(message)s")
        )
        root.setLevel(logging.WARNING)
    root.addHandler(handler)
    return request_filter


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc)[-5:],
    }


def main(argv: list[str]) -> int:
    task_root, handler_name, req_fd, resp_fd = argv[1], argv[2], int(argv[3]), int(argv[4])
    layers = [p for p in (argv[5] if len(argv) > 5 else "").split(os.pathsep) if p]
    sys.path[:0] = [task_root, *layers]
    os.chdir(task_root)
    request_filter = _setup_logging()
    module_name, _, function_name = handler_name.rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except BaseException as exc:  # an init failure is the function's error, reported to the caller
        traceback.print_exc()
        sys.stdout.flush()
        write_message(resp_fd, {"error": {**_error(exc), "errorType": "Runtime.ImportModuleError"}})
        return 1
    write_message(resp_fd, {"ready": True})
    while True:
        request = read_message(req_fd)
        if request is None:
            return 0
        request_filter.request_id = request["request_id"]
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace_id") or ""
        context = LambdaContext(request["request_id"], int(request["deadline_ms"]))
        print(f"START RequestId: {context.aws_request_id} Version: {context.function_version}", flush=True)
        started = time.perf_counter()
        try:
            result = handler(request["event"], context)
            answer: dict[str, Any] = {"result": result}
            json.dumps(answer)  # an answer that is not JSON is the function's error, as in Lambda
        except Exception as exc:
            traceback.print_exc()
            answer = {"error": _error(exc)}
        elapsed = (time.perf_counter() - started) * 1000
        print(f"END RequestId: {context.aws_request_id}", flush=True)
        print(f"REPORT RequestId: {context.aws_request_id}\tDuration: {elapsed:.2f} ms", flush=True)
        sys.stderr.flush()
        write_message(resp_fd, answer)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
