"""Rows written as an earlier revision's schema had them, with no model of today in the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


def meeting_with_registration(engine: Engine, slack_id: str, at: datetime, title: str = "Essen workshop") -> int:
    """A meeting (as revision 0002 made them) with `slack_id` registered online; the meeting's id."""
    meeting_id = insert(
        engine,
        "meetings",
        title=title,
        starts_at=at,
        ends_at=at + timedelta(hours=8),
        timezone="Europe/Berlin",
        created_at=at,
        updated_at=at,
    )
    insert(
        engine,
        "registrations",
        meeting_id=meeting_id,
        slack_id=slack_id,
        attendance="online",
        answered_at=at,
        created_at=at,
    )
    return int(meeting_id)
