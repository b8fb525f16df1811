"""Upgrading a database that holds a group's data, from every earlier revision to today's: no row lost.

Each revision's tables are filled as that revision had them (plain SQL against the reflected
schema, so no model of today gets in the way), the database is upgraded to the newest
revision, and every row is compared column by column. Then today's store reads the data.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from store import migrate, schedule
from store import practices as practices_store
from store.db import make_engine, session_factory
from store.faq import list_faq
from store.meetings import cancel_meeting, counts, lock_meeting, set_card, upcoming_meetings
from store.practices._index import indexed_columns
from tests.revisions import insert, rows

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(days=40)

# Tables the migrations manage but that hold no data of the group's: Alembic's own, the counters of changes
# (moved by triggers, checked below), and SQLite's full-text index, which is rebuilt from `practices` and
# checked by searching.
NOT_DATA = {"alembic_version", "store_versions"}
INDEX_PREFIX = "practices_fts"
# Columns that are an index of the others (PostgreSQL's generated tsvector), rebuilt and checked by searching.
INDEX_COLUMNS = {"search_vector"}

# What a group's database holds, table by table: the rows to write, in an order that satisfies
# the foreign keys. A column an older revision lacks is left out when writing at that revision;
# a NOT NULL column without a default that is missing here fails the test (add it here).
DATA: dict[str, list[dict[str, Any]]] = {
    "app_state": [{"key": "home.version", "value": "3"}],
    "processed_events": [{"event_id": "Ev0OLD00000001", "received_at": NOW}],
    "people": [
        {
            "slack_id": "U0ORG",
            "display_name": "Ana Núñez",
            "tz": "Europe/Madrid",
            "is_guest": False,
            "is_organiser": True,
            "membership": "auto",
            "profile_checked_at": NOW,
            "created_at": NOW,
            "reminders": True,
            "language": "es",
            "slack_locale": "es-ES",
            "reminders_off": "7d",
            "digest_dm": True,
            "listed": True,
        },
        {
            "slack_id": "U0GST",
            "display_name": "Carla <Guest> & co",
            "tz": "America/Toronto",
            "is_guest": True,
            "is_organiser": False,
            "membership": "member",
            "profile_checked_at": None,
            "created_at": NOW,
            "reminders": False,
        },
    ],
    "meeting_series": [
        {
            "rule": "FREQ=MONTHLY;COUNT=10;BYDAY=1TU",
            "timezone": "Europe/Madrid",
            "starts_at": LATER,
            "template": '{"title":"Monthly digitization call","kind":"online"}',
            "announced": True,
            "created_by": "U0ORG",
            "created_at": NOW,
            "updated_at": NOW,
        }
    ],
    "meetings": [
        {
            "title": "Essen workshop",
            "kind": "hybrid",
            "starts_at": LATER,
            "ends_at": LATER + timedelta(hours=8),
            "timezone": "Europe/Berlin",
            "venue": "Messe Essen",
            "city": "Essen",
            "country": "DE",
            "join_url": "https://meet.example.org/essen",
            "agenda_url": "https://example.org/agenda",
            "description": "Digitization of cluster services",
            "capacity": 40,
            "registration_deadline": LATER - timedelta(days=7),
            "reminder_offsets": "7d,1h",
            "status": "scheduled",
            "sequence": 2,
            "card_channel": "C0GROUP",
            "card_ts": "1700000000.000100",
            "all_day": False,
            "created_by": "U0ORG",
            "created_at": NOW,
            "updated_at": NOW,
        }
    ],
    "registrations": [
        {"meeting_id": 1, "slack_id": "U0ORG", "attendance": "in_person", "answered_at": NOW, "created_at": NOW},
        {"meeting_id": 1, "slack_id": "U0GST", "attendance": "online", "answered_at": NOW, "created_at": NOW},
    ],
    "faq_entries": [
        {
            "question": "Do I pay for travel?",
            "answer": "Yes: participants pay their own travel.",
            "keywords": "travel, hotel",
            "created_by": "U0ORG",
            "created_at": NOW,
            "language": "en",
        }
    ],
    "faq_translations": [
        {
            "faq_id": 1,
            "language": "es",
            "question": "¿Pago el viaje?",
            "answer": "Sí: cada participante paga su viaje.",
            "keywords": "viaje, hotel",
            "created_by": "U0ORG",
            "created_at": NOW,
        }
    ],
    "practices": [
        {
            "title": "Digital skills vouchers for cluster members",
            "kind": "Service",
            "topic": "Skills",
            "organisation": "Cluster Essen",
            "country": "DE",
            "summary": "Vouchers that pay half of a member firm's digital training.",
            "evidence": "120 firms in two years",
            "link": "https://example.org/vouchers",
            "author": "U0ORG",
            "status": "published",
            "reject_reason": "",
            "moderated_by": "U0ORG",
            "card_channel": "C0GROUP",
            "card_ts": "1700000000.000200",
            "created_at": NOW,
            "updated_at": NOW,
            "published_at": NOW,
            "language": "en",
        },
        {
            "title": "Data sharing charter",
            "kind": "Policy",
            "topic": "Data",
            "organisation": "",
            "country": "",
            "summary": "A charter members sign before sharing data.",
            "evidence": "",
            "link": "",
            "author": "U0GST",
            "status": "pending",
            "reject_reason": "",
            "moderated_by": "",
            "card_channel": None,
            "card_ts": None,
            "created_at": NOW,
            "updated_at": NOW,
            "published_at": None,
            "language": "en",
        },
    ],
    "useful_marks": [{"practice_id": 1, "slack_id": "U0GST", "created_at": NOW}],
    "feedback": [
        {
            "meeting_id": 1,
            "slack_id": "U0GST",
            "rating": 4,
            "comment": "More time for the demos",
            "created_at": NOW,
            "updated_at": NOW,
        }
    ],
    "meeting_guests": [{"meeting_id": 1, "name": "Jón Sigurðsson", "added_by": "U0ORG", "added_at": NOW}],
    "recaps": [
        {
            "meeting_id": 1,
            "summary": "Three cluster services shown; vouchers to be piloted in two regions.",
            "slides_url": "https://example.org/essen/slides.pdf",
            "recording_url": "",
            "minutes_url": "https://example.org/essen/minutes",
            "practices": "1",
            "created_by": "U0ORG",
            "created_at": NOW,
            "updated_by": "U0ORG",
            "updated_at": NOW,
        }
    ],
    "actions": [
        {
            "title": "Draft the vouchers pilot",
            "owner_id": "U0GST",
            "due_on": (LATER + timedelta(days=30)).date(),
            "status": "open",
            "meeting_id": 1,
            "created_by": "U0ORG",
            "created_at": NOW,
            "updated_at": NOW,
        }
    ],
    "scheduled_posts": [
        {
            "key": "meeting:1@2026-12-30T08:00:00+00:00:7d",
            "kind": "reminder",
            "channel": "C0GROUP",
            "meeting_id": 1,
            "payload": "",
            "due_at": LATER - timedelta(days=7),
            "not_before": None,
            "status": "pending",
            "attempts": 0,
            "last_error": "",
            "claimed_by": "",
            "lease_until": None,
            "posted_channel": None,
            "posted_ts": None,
            "created_at": NOW,
            "updated_at": NOW,
            "sent_at": None,
        },
        {
            "key": "announce:welcome",
            "kind": "announcement",
            "channel": "C0GROUP",
            "meeting_id": None,
            "payload": '{"text": "Welcome"}',
            "due_at": NOW,
            "not_before": None,
            "status": "sent",
            "attempts": 1,
            "last_error": "",
            "claimed_by": "host:1:abc",
            "lease_until": None,
            "posted_channel": "C0GROUP",
            "posted_ts": "1700000000.000300",
            "created_at": NOW,
            "updated_at": NOW,
            "sent_at": NOW,
        },
    ],
}

# A practice's full-text columns, as the store writes them with its text (from revision 0008 on).
for _practice in DATA["practices"]:
    _practice.update(indexed_columns(_practice))


def revisions() -> list[str]:
    """Every revision, oldest first."""
    engine = make_engine("sqlite://")
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


EARLIER = revisions()[:-1]


def data_tables(engine: Engine) -> list[str]:
    return [t for t in inspect(engine).get_table_names() if t not in NOT_DATA and not t.startswith(INDEX_PREFIX)]


def fill(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Write DATA into the tables the database has now, as it has them; return what was written."""
    metadata = MetaData()
    metadata.reflect(engine)
    present = set(data_tables(engine))
    unknown = present - set(DATA)
    assert not unknown, f"tables with no test data in DATA: {sorted(unknown)}"
    written: dict[str, list[dict[str, Any]]] = {}
    for table, table_rows in DATA.items():
        if table not in present:
            continue
        columns = metadata.tables[table].columns
        for values in table_rows:
            required = {c.name for c in columns if not c.nullable and c.server_default is None and not c.primary_key}
            missing = required - set(values)
            assert not missing, f"{table}: no test value for {sorted(missing)}"
            insert(engine, table, **{k: v for k, v in values.items() if k in columns})
        written[table] = rows(engine, table)
    return written


def same(value: Any) -> Any:
    """A value as comparable across revisions (SQLite hands back naive UTC datetimes)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def keyed(engine: Engine, table: str, table_rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    keys = inspect(engine).get_pk_constraint(table)["constrained_columns"]
    return {tuple(row[k] for k in keys): row for row in table_rows}


def assert_kept(engine: Engine, before: dict[str, list[dict[str, Any]]]) -> None:
    """Every row written before is there, unchanged, column by column."""
    for table, old_rows in before.items():
        now_rows = keyed(engine, table, rows(engine, table))
        assert len(now_rows) == len(old_rows), f"{table}: {len(old_rows)} rows before, {len(now_rows)} after"
        for key, old in keyed(engine, table, old_rows).items():
            new = now_rows.get(key)
            assert new is not None, f"{table} row {key} was lost"
            changed = {c: (old[c], new[c]) for c in old if c not in INDEX_COLUMNS and same(old[c]) != same(new[c])}
            assert not changed, f"{table} row {key} changed: {changed}"


def test_every_table_of_today_has_test_data(database_url: str) -> None:
    """A new table must come with rows here, so that its upgrade is tested with data."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    assert set(data_tables(engine)) <= set(DATA)
    engine.dispose()


def test_the_newest_revision_is_the_one_the_code_names(database_url: str) -> None:
    engine = make_engine(database_url)
    assert ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head() == migrate.HEAD_REVISION
    assert migrate.current_revision(engine) is None and not migrate.is_current(engine)
    assert migrate.upgrade_if_behind(engine), "an empty store is migrated"
    assert migrate.current_revision(engine) == migrate.HEAD_REVISION and migrate.is_current(engine)
    assert not migrate.upgrade_if_behind(engine), "a store at the newest revision is left as it is"
    engine.dispose()


def test_a_store_at_the_newest_revision_is_opened_without_the_migration_tooling(tmp_path: Path) -> None:
    """The start of a bot whose store is migrated reads the revision only: Alembic is not loaded."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    script = (
        "import sys; from store import migrate; from store.db import make_engine; "
        f"ran = migrate.upgrade_if_behind(make_engine({url!r})); print(ran, 'alembic' in sys.modules)"
    )

    def start() -> str:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
        return done.stdout.strip()

    assert start() == "True True", "the first start migrates the empty store"
    assert start() == "False False"


@pytest.mark.parametrize("revision", EARLIER)
def test_upgrade_with_data_from_an_earlier_revision_loses_no_row(database_url: str, revision: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, revision)
    before = fill(engine)
    assert before, f"revision {revision} holds no data tables"

    migrate.upgrade(engine)

    assert migrate.is_current(engine)
    assert_kept(engine, before)

    # Today's store reads what the older revision held.
    with session_factory(engine)() as session:
        if "meetings" in before:
            (meeting,) = upcoming_meetings(session=session, now=NOW, limit=10)
            assert meeting.title == "Essen workshop" and meeting.capacity == 40
            tally = counts(session=session, meeting_id=meeting.id or 0)
            assert (tally.in_person, tally.online) == (1, 1)
            assert [f.question for f in list_faq(session=session)] == ["Do I pay for travel?"]
        if "practices" in before:
            found = practices_store.search(session=session, query="vouchers", limit=5)
            assert [h.practice.title for h in found.hits] == ["Digital skills vouchers for cluster members"]
        if "scheduled_posts" in before:
            keys = {p.key for p in schedule.posts(session=session, limit=10)}
            assert keys == {r["key"] for r in DATA["scheduled_posts"]}
    engine.dispose()


def test_numbers_never_reused_keeps_every_row_and_foreign_key(database_url: str) -> None:
    """Revision 0006 rebuilds the numbered tables on SQLite: from 0005 with data, every row stays,
    registrations and useful marks still belong to their meeting and practice (and go with them),
    the full-text index still finds the practices, and a deleted number is not given again."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0005")
    before = fill(engine)
    migrate.upgrade(engine, "0006")

    assert_kept(engine, before)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            schema = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            tables: dict[str, str] = {name: sql for name, sql in schema}
            assert all(
                "AUTOINCREMENT" in tables[t] for t in ("meetings", "practices", "faq_entries", "scheduled_posts")
            )
    migrate.upgrade(engine)  # the store's code speaks today's schema
    with session_factory(engine)() as session:
        found = practices_store.search(session=session, query="vouchers", limit=5)
        assert [h.practice.id for h in found.hits] == [1]
        assert practices_store.delete_practice(session=session, practice_id=2) is not None
    assert insert(engine, "practices", **DATA["practices"][1]) == 3, "the deleted practice's number is not reused"
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM practices WHERE id = 1")
        connection.exec_driver_sql("DELETE FROM meetings WHERE id = 1")
    assert rows(engine, "useful_marks") == [] and rows(engine, "registrations") == [], "the foreign keys still hold"
    engine.dispose()


def test_all_day_meetings_from_0009_keep_their_times_and_go_back(database_url: str) -> None:
    """Revision 0010: a meeting of 0009 is not all-day after the upgrade; an all-day one is kept
    as written, and going back to 0009 drops only the column."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0009")
    before = fill(engine)
    migrate.upgrade(engine, "0010")
    assert_kept(engine, before)
    assert [r["all_day"] for r in rows(engine, "meetings")] in ([False], [0])
    day = datetime(2027, 5, 11, 22, 0, tzinfo=UTC)  # 12 May 2027, 00:00 in Lisbon's summer time
    values = {**DATA["meetings"][0], "starts_at": day, "ends_at": day + timedelta(days=2), "all_day": True}
    insert(engine, "meetings", **values)
    # Read as 0010 holds them (today's model has columns of later revisions).
    assert sorted(bool(r["all_day"]) for r in rows(engine, "meetings")) == [False, True]
    migrate.downgrade(engine, "0009")
    assert "all_day" not in {c["name"] for c in inspect(engine).get_columns("meetings")}
    assert len(rows(engine, "meetings")) == 2
    engine.dispose()


def test_series_from_0010_leave_every_meeting_on_its_own_and_go_back(database_url: str) -> None:
    """Revision 0011: the meetings of 0010 belong to no series; a meeting of a series is unique by its
    series and start; going back to 0010 drops the series and the two columns only."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0010")
    before = fill(engine)
    migrate.upgrade(engine, "0011")
    assert_kept(engine, before)
    assert [(r["series_id"], r["occurrence_at"]) for r in rows(engine, "meetings")] == [(None, None)]
    series_id = insert(engine, "meeting_series", **{**DATA["meeting_series"][0], "created_at": NOW, "updated_at": NOW})
    values = {**DATA["meetings"][0], "series_id": series_id, "occurrence_at": LATER}
    insert(engine, "meetings", **values)
    with pytest.raises(IntegrityError):
        insert(engine, "meetings", **values)
    with session_factory(engine)() as session:
        meetings = upcoming_meetings(session=session, now=NOW, limit=10, next_of_series=True)
        assert [m.series_id for m in meetings] == [None, series_id]
    migrate.downgrade(engine, "0010")
    assert {"series_id", "occurrence_at"}.isdisjoint(c["name"] for c in inspect(engine).get_columns("meetings"))
    assert "meeting_series" not in inspect(engine).get_table_names()
    assert len(rows(engine, "meetings")) == 2
    engine.dispose()


def test_feedback_from_0011_is_a_new_table_and_goes_back(database_url: str) -> None:
    """Revision 0012: every row of 0011 is kept, feedback is kept once per person and meeting, and going back
    to 0011 drops the table only."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0011")
    before = fill(engine)
    migrate.upgrade(engine, "0012")
    assert_kept(engine, before)
    given = {**DATA["feedback"][0]}
    insert(engine, "feedback", **given)
    with pytest.raises(IntegrityError):
        insert(engine, "feedback", **{**given, "rating": 1})
    migrate.downgrade(engine, "0011")
    assert "feedback" not in inspect(engine).get_table_names()
    assert len(rows(engine, "meetings")) == 1
    engine.dispose()


def test_attendance_from_0012_keeps_every_registration_unattended_and_goes_back(database_url: str) -> None:
    """Revision 0013: registrations of 0012 are kept, nobody taken as there; going back drops the column only."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0012")
    before = fill(engine)
    migrate.upgrade(engine, "0013")
    assert_kept(engine, before)
    assert {r["attended_at"] for r in rows(engine, "registrations")} == {None}
    migrate.downgrade(engine, "0012")
    assert "attended_at" not in {c["name"] for c in inspect(engine).get_columns("registrations")}
    assert len(rows(engine, "registrations")) == len(before["registrations"])
    engine.dispose()


def test_after_the_meeting_from_0013_adds_guests_recaps_and_actions_and_goes_back(database_url: str) -> None:
    """Revision 0014: every row of 0013 is kept; a deleted meeting takes its guests and recap with it and leaves
    its actions, unlinked; going back to 0013 drops the three tables only."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0013")
    before = fill(engine)
    migrate.upgrade(engine, "0014")
    assert_kept(engine, before)
    for table in ("meeting_guests", "recaps", "actions"):
        for row in DATA[table]:
            insert(engine, table, **row)
    with pytest.raises(IntegrityError):
        insert(engine, "recaps", **DATA["recaps"][0])  # one recap per meeting
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM meetings")
    assert rows(engine, "meeting_guests") == [] and rows(engine, "recaps") == []
    assert [(a["title"], a["meeting_id"]) for a in rows(engine, "actions")] == [("Draft the vouchers pilot", None)]
    migrate.downgrade(engine, "0013")
    assert not {"meeting_guests", "recaps", "actions"} & set(inspect(engine).get_table_names())
    assert len(rows(engine, "people")) == len(before["people"])
    engine.dispose()


def test_personal_settings_from_0014_start_as_before_and_go_back(database_url: str) -> None:
    """Revision 0015: everyone of 0014 keeps every reminder, no digest by DM, their name unlisted; going back
    drops the three columns only."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0014")
    before = fill(engine)
    migrate.upgrade(engine, "0015")
    assert_kept(engine, before)
    assert {(r["reminders_off"], r["digest_dm"], r["listed"]) for r in rows(engine, "people")} == {("", False, False)}
    migrate.downgrade(engine, "0014")
    assert not {"reminders_off", "digest_dm", "listed"} & {c["name"] for c in inspect(engine).get_columns("people")}
    assert len(rows(engine, "people")) == len(before["people"])
    engine.dispose()


def test_store_versions_from_0015_move_with_each_change_of_a_meeting_or_series_and_go_back(database_url: str) -> None:
    """Revision 0016: the counters start at naught; a meeting or series added, removed or changed moves its own,
    once a change; a write that leaves a meeting as it was (a registration's lock, its card) moves nothing."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0015")
    before = fill(engine)
    migrate.upgrade(engine, "0016")
    assert_kept(engine, before)

    def versions() -> dict[str, int]:
        return {r["name"]: int(r["version"]) for r in rows(engine, "store_versions")}

    assert versions() == {"meetings": 0, "series": 0}
    (meeting_id,) = [r["id"] for r in rows(engine, "meetings") if r["series_id"] is None]
    sessions = session_factory(engine)
    with sessions() as session:
        lock_meeting(session, meeting_id)
        set_card(session=session, meeting_id=meeting_id, channel="C0GROUP", ts="1800000000.000100")
    assert versions() == {"meetings": 0, "series": 0}, "nothing a list shows changed"
    with sessions() as session:
        assert cancel_meeting(session=session, meeting_id=meeting_id, now=LATER) is not None
    assert versions() == {"meetings": 1, "series": 0}
    with engine.begin() as connection:
        connection.execute(text("UPDATE meeting_series SET sequence = sequence + 1"))
        connection.execute(text("DELETE FROM registrations WHERE meeting_id = :id"), {"id": meeting_id})
        connection.execute(text("DELETE FROM meetings WHERE id = :id"), {"id": meeting_id})
    assert versions() == {"meetings": 2, "series": 1}

    migrate.downgrade(engine, "0015")
    assert "store_versions" not in inspect(engine).get_table_names()
    with engine.begin() as connection:  # no trigger is left behind to move a counter that is gone
        connection.execute(text("UPDATE meetings SET sequence = sequence + 1, updated_at = updated_at"))
    engine.dispose()


def test_the_index_of_the_newest_practices_from_0016_holds_the_published_ones_and_goes_back(
    database_url: str,
) -> None:
    """Revision 0017 (SQLite): the newest practices' index starts with every published practice there is."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0016")
    before = fill(engine)
    migrate.upgrade(engine, "0017")
    assert_kept(engine, before)
    if engine.dialect.name != "sqlite":
        assert "practices_fts_recent" not in inspect(engine).get_table_names(), "PostgreSQL is unchanged"
        engine.dispose()
        return
    published = sorted(r["id"] for r in rows(engine, "practices") if r["status"] == "published")
    with engine.connect() as connection:
        held = connection.exec_driver_sql("SELECT rowid FROM practices_fts_recent ORDER BY rowid").scalars().all()
    assert held == published and published
    migrate.downgrade(engine, "0016")
    assert "practices_fts_recent" not in inspect(engine).get_table_names()
    with engine.begin() as connection:  # no trigger is left behind to write to an index that is gone
        connection.execute(text("UPDATE practices SET status = 'published', search_title = search_title || ' x'"))
        connection.execute(text("DELETE FROM useful_marks"))
        connection.execute(text("DELETE FROM practices"))
    engine.dispose()


def test_the_index_of_the_newest_practices_from_0017_on_postgresql_is_used_and_goes_back(
    database_url: str,
) -> None:
    """Revision 0018 (PostgreSQL): an index of the published practices above a floor, named by it, once the
    practices are numbered beyond 20,000; a smaller store gets none."""

    def recent_indexes() -> set[str]:
        names = {index["name"] for index in inspect(engine).get_indexes("practices")}
        return {name for name in names if name.startswith("ix_practices_search_above_")}

    engine = make_engine(database_url)
    migrate.upgrade(engine, "0017")
    before = fill(engine)
    migrate.upgrade(engine, "0018")
    assert_kept(engine, before)
    assert recent_indexes() == set(), "a few practices: no index of the newest (SQLite: unchanged)"
    migrate.downgrade(engine, "0017")
    insert(engine, "practices", **{**DATA["practices"][0], "id": 20_005, "card_channel": None, "card_ts": None})
    before = {**before, "practices": rows(engine, "practices")}
    migrate.upgrade(engine, "0018")
    assert_kept(engine, before)
    if engine.dialect.name != "postgresql":
        assert recent_indexes() == set(), "SQLite is unchanged"
        engine.dispose()
        return
    assert recent_indexes() == {"ix_practices_search_above_5"}, "the published practices above 20,005 - 20,000"
    with engine.connect() as connection:
        definition = connection.execute(
            text(
                "SELECT indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND indexname = 'ix_practices_search_above_5'"
            )
        ).scalar_one()
    assert "USING gin (search_vector)" in definition and "(id > 5)" in definition and "'published'" in definition
    migrate.downgrade(engine, "0017")
    assert recent_indexes() == set()
    engine.dispose()
