"""Log lines: one JSON object per line for machines, or plain text for a developer's terminal.

The stdlib's logging, not structlog: uvicorn and the libraries already log
through it, so one formatter makes every line (uvicorn's access log
included) the same shape, with no second logging system to bridge. Each
line written while a request is answered carries that request's id,
operation, viewer and elapsed time (see `requests.RequestInfo`).

`pluginhub serve` hands `uvicorn_config(settings)` to uvicorn, which applies
it in every worker process.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from .requests import current

# What uvicorn's access logger passes as arguments: client, method, path, HTTP version, status.
ACCESS_ARGS = ("client", "method", "path", "http_version", "status")
EXTRA_FIELDS = ("operation", "outcome", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        info = current.get()
        if info is not None:
            line["request_id"] = info.request_id
            if info.operation is not None:
                line["operation"] = info.operation
                line["operation_type"] = info.operation_type
            if info.viewer is not None:
                line["viewer"] = info.viewer
            line["duration_ms"] = info.elapsed_ms
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == len(ACCESS_ARGS):
            line.update(zip(ACCESS_ARGS, record.args, strict=True))
        for name in EXTRA_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Plain lines for development, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        info = current.get()
        if info is None:
            return text
        viewer = f" viewer={info.viewer}" if info.viewer is not None else ""
        operation = f" op={info.operation}" if info.operation is not None else ""
        return f"{text} [{info.request_id}{operation}{viewer} {info.elapsed_ms}ms]"


def formatter(log_format: str) -> logging.Formatter:
    """The formatter, as the logging config builds it in each process: Python's warnings
    (deprecations and the like) become log lines in the same format, not bare stderr text."""
    logging.captureWarnings(True)
    return JsonFormatter() if log_format == "json" else TextFormatter()


def uvicorn_config(log_format: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn and the app: every logger to stderr, one format."""
    shape = {"()": f"{__name__}.formatter", "log_format": log_format}
    handler = {"class": "logging.StreamHandler", "formatter": "pluginhub", "stream": "ext://sys.stderr"}
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"pluginhub": shape},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's own loggers keep no handlers, so their lines reach the root's, once.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
        },
    }
