"""Rows written as an earlier revision's schema had them, with no model of today in the way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, Table, select
from sqlalchemy.engine import Engine


def _plain(engine: Engine, value: Any) -> Any:
    if isinstance(value, datetime) and engine.dialect.name == "sqlite":
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def insert(engine: Engine, table: str, **values: Any) -> Any:
    """Insert one row into `table` as the database has it now; return its primary key."""
    reflected = Table(table, MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        result = connection.execute(reflected.insert().values({k: _plain(engine, v) for k, v in values.items()}))
        return result.inserted_primary_key[0] if result.inserted_primary_key else None


def rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    """Every row of `table`, as dicts."""
    reflected = Table(table, MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(reflected))]
