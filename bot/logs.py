"""Logging set-up for the command line: lines for people, or one JSON object a line for log collectors."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Each JSON line: timestamp (ISO 8601, UTC), level, logger, message, any `extra=` fields, and the
# formatted traceback in `exception` when there is one.
JSON_FIELDS = ("levelname", "name", "message")
JSON_NAMES = {"levelname": "level", "name": "logger", "exc_info": "exception", "stack_info": "stack"}


def formatter(fmt: str = "text") -> logging.Formatter:
    """The formatter for `fmt`: "text" or "json"."""
    if fmt == "json":
        return JsonFormatter(list(JSON_FIELDS), rename_fields=JSON_NAMES, timestamp=True)
    return logging.Formatter(FORMAT)


def configure_logging(level: str = "INFO", *, file: Path | None = None, fmt: str = "text") -> None:
    """Log at `level` in `fmt` to stderr, or to `file` (the shell keeps the terminal for the conversation)."""
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # Python's warnings as log records, in the same format
    for noisy in ("apscheduler", "slack_sdk", "slack_bolt", "cheroot", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
