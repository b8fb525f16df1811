"""The report: one table on the terminal (rich when it is one, aligned text otherwise) and a JSON file."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, TextIO

from benchmarks.common import Row

COLUMNS = ("benchmark", "metric", "value", "unit", "target", "ratio", "ok")
RIGHT_ALIGNED = frozenset({"value", "ratio"})
OPTIONAL_COLUMNS = ("note",)
WRAPPABLE = frozenset({"benchmark", "target", "note"})
DECIMALS = {"ms": 2, "s": 2, "req/s": 0}


def format_value(value: float, unit: str) -> str:
    """Write a figure with the precision its unit deserves."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.{DECIMALS.get(unit, 3)}f}"


def _cells(row: Row) -> dict[str, str]:
    return {
        "benchmark": row.benchmark,
        "metric": row.metric,
        "value": format_value(row.value, row.unit),
        "unit": row.unit,
        "target": row.target or "",
        "ratio": "" if row.ratio is None else f"{row.ratio:.2f}",
        "ok": {True: "yes", False: "NO", None: ""}[row.ok],
        "note": row.note or "",
    }


def _columns(cells: list[dict[str, str]]) -> tuple[str, ...]:
    """The columns to show: the fixed ones, and the optional ones that some row fills."""
    return COLUMNS + tuple(column for column in OPTIONAL_COLUMNS if any(cell[column] for cell in cells))


def machine_line(machine: dict[str, Any]) -> str:
    """Summarise the machine in one line."""
    cores = f"{machine.get('cpu_count')} CPUs"
    if machine.get("physical_cores") and machine["physical_cores"] != machine.get("cpu_count"):
        cores += f" ({machine['physical_cores']} cores)"
    parts = [
        f"{machine.get('cpu_model', '?')}, {cores}",
        f"{machine['memory_gib']:g} GiB" if machine.get("memory_gib") else None,
        machine.get("os") or machine.get("platform"),
        f"{machine['implementation']} {machine['python']}",
        f"SQLite {machine['sqlite']}" if machine.get("sqlite") else None,
        f"PostgreSQL {machine['postgresql']}" if machine.get("postgresql") else "no PostgreSQL",
    ]
    return " · ".join(part for part in parts if part)


def _caption(rows: list[Row]) -> str:
    baselines = sorted({row.baseline for row in rows if row.baseline})
    return f"ratio = value ÷ the same metric of {' / '.join(baselines)}" if baselines else ""


def print_report(rows: list[Row], machine: dict[str, Any], stream: TextIO | None = None) -> None:
    """Print the machine line and the table of rows."""
    stream = stream or sys.stdout
    cells = [_cells(row) for row in rows]
    columns = _columns(cells)
    caption = _caption(rows)
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=machine_line(machine), caption=caption or None, title_justify="left")
        for column in columns:
            justify = "right" if column in RIGHT_ALIGNED else "left"
            table.add_column(column, justify=justify, no_wrap=column not in WRAPPABLE)
        for row, cell in zip(rows, cells, strict=True):
            style = "red" if row.ok is False else None
            table.add_row(*(cell[column] for column in columns), style=style)
        Console(file=stream).print(table)
        return
    widths = {column: max([len(column), *(len(cell[column]) for cell in cells)]) for column in columns}

    def line(values: dict[str, str]) -> str:
        parts = [values[c].rjust(widths[c]) if c in RIGHT_ALIGNED else values[c].ljust(widths[c]) for c in columns]
        return "  ".join(parts).rstrip()

    print(machine_line(machine), file=stream)
    print(line({column: column for column in columns}), file=stream)
    print(line({column: "-" * widths[column] for column in columns}), file=stream)
    for cell in cells:
        print(line(cell), file=stream)
    if caption:
        print(caption, file=stream)


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def write_json(path: Path, report: dict[str, Any]) -> None:
    """Write the report as JSON (figures that could not be measured become null)."""
    data = {
        **report,
        "rows": [{key: _finite(value) for key, value in row.items()} for row in report["rows"]],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
