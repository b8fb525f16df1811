"""Practices and registrations as CSV or JSON, streamed from the store row by row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from datetime import UTC, date, datetime
from typing import Any, TextIO

from sqlalchemy.engine import Engine

from bot.language import i18n
from bot.language.countries import country_name
from store import exports as exports_store
from store import practices as practices_store
from store.models import PracticeStatus

FORMATS = ("csv", "json")
# The columns of a practices export: the store's, with the country's name beside its code.
_AFTER_COUNTRY = practices_store.EXPORT_COLUMNS.index("country") + 1
PRACTICE_COLUMNS = (
    *practices_store.EXPORT_COLUMNS[:_AFTER_COUNTRY],
    "country_name",
    *practices_store.EXPORT_COLUMNS[_AFTER_COUNTRY:],
)
REGISTRATION_COLUMNS = exports_store.REGISTRATION_COLUMNS
# A cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def safe_cell(text: str) -> str:
    """Return `text` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_filename(kind: str, fmt: str, now: datetime) -> str:
    """Name an export file by what it holds, its format and the day: practices-2026-11-25.csv."""
    _check_format(fmt)
    return f"{kind}-{now:%Y-%m-%d}.{fmt}"


def write_practices(
    engine: Engine, fmt: str, out: TextIO, *, statuses: Sequence[str] = (PracticeStatus.PUBLISHED,)
) -> int:
    """Write every practice with the given statuses to `out` as CSV or JSON; return how many were written."""
    _check_format(fmt)

    def with_country_name(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            row["country_name"] = country_name(row["country"] or "", i18n.SOURCE_LANGUAGE)  # data, in English
            yield row

    rows = practices_store.export_rows(engine, statuses=tuple(statuses))
    with closing(rows):
        return _write(with_country_name(rows), PRACTICE_COLUMNS, fmt, out)


def write_registrations(engine: Engine, fmt: str, out: TextIO) -> int:
    """Write every registration to meetings to `out` as CSV or JSON; return how many were written."""
    _check_format(fmt)
    rows = exports_store.export_registration_rows(engine)
    with closing(rows):
        return _write(rows, REGISTRATION_COLUMNS, fmt, out)


def write_feedback(engine: Engine, fmt: str, out: TextIO) -> int:
    """Write every rating and comment, with its meeting and without who gave it; return how many were written."""
    _check_format(fmt)
    rows = exports_store.export_feedback_rows(engine)
    with closing(rows):
        return _write(rows, exports_store.FEEDBACK_COLUMNS, fmt, out)


def write_recaps(engine: Engine, fmt: str, out: TextIO) -> int:
    """Write every meeting's recap (summary, links, the practices presented); return how many were written."""
    _check_format(fmt)
    rows = exports_store.export_recap_rows(engine)
    with closing(rows):
        return _write(rows, exports_store.RECAP_COLUMNS, fmt, out)


def write_actions(engine: Engine, fmt: str, out: TextIO) -> int:
    """Write every action with its owner, due date, status and meeting; return how many were written."""
    _check_format(fmt)
    rows = exports_store.export_action_rows(engine)
    with closing(rows):
        return _write(rows, exports_store.ACTION_COLUMNS, fmt, out)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")


def _write(rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str, out: TextIO) -> int:
    writer = _write_csv if fmt == "csv" else _write_json
    return writer(rows, columns, out)


def _write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> int:
    # `out` should be opened with newline="" (the csv module writes its own line ends).
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in columns])
        count += 1
    return count


def _write_json(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> int:
    # A JSON array written as it goes: one object per line, nothing kept.
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps({name: _json_value(row[name]) for name in columns}, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _iso(value: datetime) -> str:
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()


def _csv_value(value: Any) -> Any:
    # Called for every cell of every row: the commonest types first, compared by class.
    kind = value.__class__
    if kind is str:
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if kind is datetime:
        return _iso(value)
    if kind is bool:
        return "yes" if value else "no"
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    return value.isoformat() if isinstance(value, date) else value
