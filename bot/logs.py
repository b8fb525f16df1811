"""Logging set-up for the command line (lines for people, or one JSON object a line for log collectors), and
the masking of secrets in every log record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pythonjsonlogger.json import JsonFormatter

from bot.config import Secret

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Each JSON line: timestamp (ISO 8601, UTC), level, logger, message, any `extra=` fields, and the
# formatted traceback in `exception` when there is one.
JSON_FIELDS = ("levelname", "name", "message")
JSON_NAMES = {"levelname": "level", "name": "logger", "exc_info": "exception", "stack_info": "stack"}
# slack_sdk's clients ask their own logger's level, not the level in effect, whether to write out each
# request and answer for DEBUG (a /meetings list is 16 KB of JSON): left unset (0), they format both on
# every call, for the record to be dropped.
SDK_CLIENT_LOGGERS = ("slack_sdk.web.base_client", "slack_sdk.webhook.client")


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
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for noisy in ("apscheduler", "slack_sdk", "slack_bolt", "cheroot", "alembic"):
        logging.getLogger(noisy).setLevel(quiet)
    for client in SDK_CLIENT_LOGGERS:
        logging.getLogger(client).setLevel(quiet)


REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8  # shorter values are not secrets worth the name; masking them would garble the logs
_TRACEBACKS = logging.Formatter()  # formats a traceback as every formatter does, to mask it once


class SecretRedactor:
    """Masks secrets in every log record made while it is installed: its message, traceback and stack.

    It wraps the log record factory, so a record is masked where it is made, whichever library logged it
    and whichever handler writes it. slack_sdk logs at DEBUG every body it sends, and a message to the
    group can hold the calendar feed's address, token included; an error can quote it too.
    """

    def __init__(self, secrets: Iterable[Secret]) -> None:
        values = {value for secret in secrets if len(value := secret.reveal()) >= MIN_SECRET_LENGTH}
        values |= {quote(value, safe="") for value in values}  # as it appears in an address
        self._values = sorted(values, key=len, reverse=True)
        self._factory = logging.getLogRecordFactory()
        self._installed = False

    def install(self) -> None:
        """Mask every record made from now on."""
        if self._values and not self._installed:
            self._factory = logging.getLogRecordFactory()
            logging.setLogRecordFactory(self._make_record)
            self._installed = True

    def uninstall(self) -> None:
        """Stop masking (a factory installed after this one keeps working)."""
        if not self._installed:
            return
        self._installed = False
        if logging.getLogRecordFactory() == self._make_record:
            logging.setLogRecordFactory(self._factory)

    def mask(self, text: str) -> str:
        """The text with every secret replaced by a mark."""
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def _make_record(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._factory(*args, **kwargs)
        if self._installed:
            self._redact(record)
        return record

    def _redact(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return  # arguments that do not fit the message: the handler reports that, as logging always does
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[0] is not None:
            text = _TRACEBACKS.formatException(record.exc_info)
            masked = self.mask(text)
            if masked != text:
                # Formatters would print the exception in full again; the masked text stands in for it.
                record.exc_info, record.exc_text = None, masked
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
