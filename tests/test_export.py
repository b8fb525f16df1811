"""Exports and the figures' chart: what an organiser gets in the file is what the store holds, on each engine."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot import cli
from bot.services import export
from bot.views.charts import practices_chart
from store import meetings as meetings_store
from store import migrate
from store import people as people_store
from store import practices as practices_store
from store.db import make_engine, session_factory
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind, Practice
from store.practices import PracticeDraft

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TRICKY_SUMMARY = 'Line one, with a comma;\nline "two" quoted <!channel> @here\r\nSão Paulo, Zürich, 東京 — 100 % ✓'
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(autouse=True)
def _keep_pytest_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    # The commands point the root logger at stderr; in-process, that would take pytest's handlers away.
    monkeypatch.setattr(cli, "configure_logging", lambda *args, **kwargs: None)


def tci_bot(database_url: str, tmp_path: Path, *args: str) -> Result:
    env = {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING"}
    return CliRunner().invoke(cli.main, list(args), env=env)


def error_line(result: Result) -> str:
    """The command failed with exactly one line on stderr, and no traceback."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def share(engine: Engine, when: datetime, *, moderated: bool = False, **fields: str) -> Practice:
    values = {"title": "Open data portal", "kind": "Initiative", "topic": "Data", "summary": "What we did."}
    values.update(fields)
    author = values.pop("author", "U0ANA")
    with session_factory(engine)() as session:
        return practices_store.create_practice(
            session=session, draft=PracticeDraft(**values), author=author, now=when, moderated=moderated
        )


def seed_practices(engine: Engine) -> dict[str, Practice]:
    """One practice of each status, the published ones with text that is hard to carry through a file."""
    with session_factory(engine)() as session:
        people_store.save_profile(session=session, slack_id="U0ANA", display_name="Ana Müller", tz=None, is_guest=False)
    tricky = share(
        engine,
        NOW,
        title='Ça marche: «data» for SMEs, "really"',
        organisation='Cluster "Nord", e.V.',
        country="DE",
        summary=TRICKY_SUMMARY,
        evidence="Before, after:\n- 30 firms\n- 12 % faster",
        link="https://example.org/a?b=1&c=2",
    )
    formula = share(engine, NOW + timedelta(hours=1), title=FORMULA_TITLE, author="U0BRUNO", topic="Skills")
    pending = share(engine, NOW + timedelta(hours=2), moderated=True, title="Waiting", country="PT")
    rejected = share(engine, NOW + timedelta(hours=3), moderated=True, title="Refused", country="ES")
    with session_factory(engine)() as session:
        practices_store.mark_useful(session=session, practice_id=tricky.id or 0, slack_id="U0BRUNO", now=NOW)
        practices_store.mark_useful(session=session, practice_id=tricky.id or 0, slack_id="U0CARLA", now=NOW)
        practices_store.moderate(
            session=session, practice_id=rejected.id or 0, approve=False, moderator="U0ANA", now=NOW, reason="off topic"
        )
    return {"tricky": tricky, "formula": formula, "pending": pending, "rejected": rejected}


def expected_json(practice: Practice, *, author_name: str = "", useful: int = 0, country_name: str = "") -> dict:
    """A practice as the JSON export should hold it, from the stored practice."""
    return {
        "id": practice.id,
        "title": practice.title,
        "kind": practice.kind,
        "topic": practice.topic,
        "organisation": practice.organisation,
        "country": practice.country,
        "country_name": country_name,
        "summary": practice.summary,
        "evidence": practice.evidence,
        "link": practice.link,
        "author": practice.author,
        "author_name": author_name,
        "status": practice.status,
        "useful": useful,
        "created_at": practice.created_at.isoformat(),
        "updated_at": practice.updated_at.isoformat(),
        "published_at": practice.published_at.isoformat() if practice.published_at else None,
    }


def as_csv(row: dict[str, Any]) -> dict[str, str]:
    """The same row as CSV text gives it back (before any formula is neutralised)."""
    return {key: "" if value is None else str(value) for key, value in row.items()}


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def read_json_lines(text: str) -> list[Any]:
    """Parse the export as a whole, and check that it holds one object per line."""
    whole = json.loads(text)
    lines = text.splitlines()
    if whole:
        assert lines[0] == "[" and lines[-1] == "]"
        assert [json.loads(line.removesuffix(",")) for line in lines[1:-1]] == whole
    return whole


def test_practices_export_to_csv_and_json_holds_exactly_what_is_stored(engine: Engine, tmp_path: Path) -> None:
    seeded = seed_practices(engine)
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "out"
    out.mkdir()
    tricky = expected_json(seeded["tricky"], author_name="Ana Müller", useful=2, country_name="Germany")
    formula = expected_json(seeded["formula"])
    assert tricky["published_at"] == "2026-11-20T09:30:00+00:00"

    result = tci_bot(url, tmp_path, "export", "practices", "--format", "csv", "--out", str(out / "p.csv"))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"wrote 2 practices to {out / 'p.csv'}"
    header, rows = read_csv(out / "p.csv")
    assert header == list(export.PRACTICE_COLUMNS) and header.index("country_name") == header.index("country") + 1
    assert rows == [as_csv(tricky), as_csv(formula | {"title": "'" + FORMULA_TITLE})]
    assert rows[0]["summary"] == TRICKY_SUMMARY

    result = tci_bot(url, tmp_path, "export", "practices", "--format", "json", "--out", str(out / "p.json"))
    assert result.exit_code == 0, result.output
    assert read_json_lines((out / "p.json").read_text(encoding="utf-8")) == [tricky, formula]
    assert sorted(path.name for path in out.iterdir()) == ["p.csv", "p.json"]  # no temporary file left


def test_status_chooses_which_practices(engine: Engine, tmp_path: Path) -> None:
    seeded = seed_practices(engine)
    url = engine.url.render_as_string(hide_password=False)

    def exported(*status: str) -> list[tuple[int, str]]:
        result = tci_bot(url, tmp_path, "export", "practices", "--format", "json", "--out", "-", *status)
        assert result.exit_code == 0, result.output
        return [(row["id"], row["title"]) for row in read_json_lines(result.stdout)]

    def ids(*names: str) -> list[tuple[int, str]]:
        return [(seeded[name].id or 0, seeded[name].title) for name in names]

    assert exported() == ids("tricky", "formula")
    assert exported("--status", "published") == ids("tricky", "formula")
    assert exported("--status", "pending") == ids("pending")
    assert exported("--status", "rejected") == ids("rejected")
    assert exported("--status", "all") == ids("tricky", "formula", "pending", "rejected")

    result = tci_bot(url, tmp_path, "export", "practices", "--status", "draft", "--out", str(tmp_path / "x.csv"))
    assert "--status should be one of published, pending, rejected, all" in error_line(result)


def test_an_empty_store_gives_a_header_and_an_empty_list(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    for what, columns in (("practices", export.PRACTICE_COLUMNS), ("registrations", export.REGISTRATION_COLUMNS)):
        result = tci_bot(url, tmp_path, "export", what, "--out", str(tmp_path / f"{what}.csv"))
        assert result.exit_code == 0, result.output
        assert result.stderr.strip() == f"wrote 0 {what} to {tmp_path / f'{what}.csv'}"
        assert (tmp_path / f"{what}.csv").read_bytes().decode() == ",".join(columns) + "\r\n"
        result = tci_bot(url, tmp_path, "export", what, "--format", "json", "--out", "-")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == []
        assert result.stderr.strip() == f"wrote 0 {what} to standard output"


def test_default_file_is_named_by_what_and_the_day(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share(engine, NOW)
    monkeypatch.chdir(tmp_path)
    result = tci_bot(engine.url.render_as_string(hide_password=False), tmp_path, "export", "practices")
    assert result.exit_code == 0, result.output
    written = [path for path in tmp_path.iterdir() if path.name.startswith("practices-")]
    assert len(written) == 1 and written[0].suffix == ".csv"
    assert result.stderr.strip() == f"wrote 1 practice to {written[0].name}"


def test_bad_format_or_unwritable_path_fails_in_one_line_and_leaves_no_file(engine: Engine, tmp_path: Path) -> None:
    share(engine, NOW)
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "out"
    out.mkdir()

    result = tci_bot(url, tmp_path, "export", "practices", "--format", "xlsx", "--out", str(out / "p.xlsx"))
    assert error_line(result) == "error: --format should be one of csv, json (not 'xlsx')"
    result = tci_bot(url, tmp_path, "export", "registrations", "--format", "xml", "--out", str(out / "r.xml"))
    assert "--format should be one of csv, json" in error_line(result)

    missing = out / "no such folder" / "p.csv"
    result = tci_bot(url, tmp_path, "export", "practices", "--out", str(missing))
    assert error_line(result) == f"error: cannot write {missing}: there is no folder {missing.parent}"
    result = tci_bot(url, tmp_path, "export", "practices", "--out", str(out))
    assert error_line(result) == f"error: cannot write {out}: it is a folder; give a file name"
    assert list(out.iterdir()) == []


def test_a_failure_half_way_leaves_the_previous_file_untouched(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share(engine, NOW)
    share(engine, NOW + timedelta(minutes=1), title="Second")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "practices.csv"
    target.write_text("the previous export\n", encoding="utf-8")
    real = practices_store.export_rows

    def broken(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        rows = real(*args, **kwargs)
        yield next(rows)
        rows.close()
        raise OperationalError("FETCH FORWARD", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(practices_store, "export_rows", broken)
    url = engine.url.render_as_string(hide_password=False)
    result = tci_bot(url, tmp_path, "export", "practices", "--out", str(target))
    assert "refused: OperationalError" in error_line(result)
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert [path.name for path in out.iterdir()] == ["practices.csv"]


def test_a_database_behind_the_code_is_refused(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "p.csv"
    result = tci_bot(database_url, tmp_path, "export", "practices", "--out", str(target))
    if database_url.startswith("sqlite"):  # no file there: say so, and do not create an empty one
        assert "there is no database at" in error_line(result)
        assert not Path(database_url.removeprefix("sqlite:///")).exists()
    else:
        assert "run `tci-bot db upgrade` first" in error_line(result)
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0002")
    engine.dispose()
    result = tci_bot(database_url, tmp_path, "export", "registrations", "--out", str(target))
    line = error_line(result)
    assert "the database is at revision 0002 but this version needs" in line
    assert "run `tci-bot db upgrade` first" in line
    assert not target.exists()


def test_registrations_export(engine: Engine, tmp_path: Path) -> None:
    sessions = session_factory(engine)
    essen_start = datetime(2027, 2, 11, 8, 0, tzinfo=UTC)
    online_start = datetime(2027, 1, 14, 15, 0, tzinfo=UTC)
    with sessions() as session:
        for slack_id, name, guest in (("U0ANA", 'Ana, "the organiser"', False), ("U0GUEST", "=Gast", True)):
            people_store.save_profile(session=session, slack_id=slack_id, display_name=name, tz=None, is_guest=guest)
        people_store.save_profile(session=session, slack_id="U0MEMBER", display_name="Zoë", tz=None, is_guest=True)
        people_store.set_membership(session=session, slack_id="U0MEMBER", member=True)
        essen = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Essen workshop",
                kind=MeetingKind.IN_PERSON,
                starts_at=essen_start,
                ends_at=essen_start + timedelta(hours=8),
                timezone="Europe/Berlin",
                capacity=1,
            ),
            created_by="U0ANA",
            now=NOW,
        )
        online = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Online: data, AI & SMEs",
                kind=MeetingKind.ONLINE,
                starts_at=online_start,
                ends_at=online_start + timedelta(hours=1),
                timezone="Europe/Madrid",
            ),
            created_by="U0ANA",
            now=NOW,
        )
        answers = [
            (essen.id, "U0ANA", Attendance.IN_PERSON),
            (essen.id, "U0GUEST", Attendance.IN_PERSON),  # the one place is taken: waitlisted
            (online.id, "U0MEMBER", Attendance.ONLINE),
            (online.id, "U0GUEST", Attendance.NOT_COMING),
        ]
        for minute, (meeting_id, slack_id, answer) in enumerate(answers):
            meetings_store.register(
                session=session,
                meeting_id=meeting_id or 0,
                slack_id=slack_id,
                answer=answer,
                now=NOW + timedelta(minutes=minute),
            )

    def row(
        meeting: Any, slack_id: str, name: str, attendance: str, member: bool, minute: int, outcome: str
    ) -> dict[str, Any]:
        return {
            "meeting_id": meeting.id,
            "meeting_title": meeting.title,
            "meeting_starts_at": meeting.starts_at.isoformat(),
            "meeting_status": meeting.status,
            "slack_id": slack_id,
            "name": name,
            "attendance": attendance,
            "member": member,
            "answered_at": (NOW + timedelta(minutes=minute)).isoformat(),
            "attended_at": None,
            "outcome": outcome,
        }

    expected = [  # the earlier meeting first
        row(online, "U0MEMBER", "Zoë", "online", True, 2, "registered"),
        row(online, "U0GUEST", "=Gast", "not_coming", False, 3, "not coming"),
        row(essen, "U0ANA", 'Ana, "the organiser"', "in_person", True, 0, "registered"),
        row(essen, "U0GUEST", "=Gast", "waitlisted", False, 1, "waitlisted"),
    ]
    assert expected[0]["meeting_starts_at"] == "2027-01-14T15:00:00+00:00"
    url = engine.url.render_as_string(hide_password=False)

    result = tci_bot(url, tmp_path, "export", "registrations", "--format", "json", "--out", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"wrote 4 registrations to {tmp_path / 'r.json'}"
    assert read_json_lines((tmp_path / "r.json").read_text(encoding="utf-8")) == expected

    result = tci_bot(url, tmp_path, "export", "registrations", "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    header, rows = read_csv(tmp_path / "r.csv")
    assert header == list(export.REGISTRATION_COLUMNS)
    as_text = [as_csv(r | {"member": "yes" if r["member"] else "no"}) for r in expected]
    assert rows == [r | {"name": "'=Gast"} if r["name"] == "=Gast" else r for r in as_text]


def test_write_practices_writes_each_row_before_reading_the_next(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for minute in range(3):
        share(engine, NOW + timedelta(minutes=minute), title=f"Practice {minute}")
    real = practices_store.export_rows
    for fmt in export.FORMATS:
        out = io.StringIO()
        lines_when_read: list[int] = []

        def watched(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
            for row in real(*args, **kwargs):
                lines_when_read.append(len(out.getvalue().splitlines()))  # noqa: B023 (used within the loop)
                yield row

        monkeypatch.setattr(practices_store, "export_rows", watched)
        assert export.write_practices(engine, fmt, out) == 3
        # The header (or the opening bracket), then one more line for each row, before the next row is read.
        assert lines_when_read == [1, 2, 3], fmt


def test_a_failed_write_closes_the_rows_at_once(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    share(engine, NOW)
    share(engine, NOW + timedelta(minutes=1), title="Second")
    real = practices_store.export_rows
    closed: list[bool] = []

    def watched(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        try:
            yield from real(*args, **kwargs)
        finally:
            closed.append(True)

    class DiskFull(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell() > 0:
                raise OSError(28, "No space left on device")
            return super().write(text)

    monkeypatch.setattr(practices_store, "export_rows", watched)
    with pytest.raises(OSError, match="No space left") as failure:
        export.write_practices(engine, "json", DiskFull())
    # Released at once, while the traceback (which keeps the writer's frames) is still held: not at collection.
    assert failure.traceback and closed == [True]


def test_safe_cell_and_file_names() -> None:
    for dangerous in ("=1+1", "+33 6 12", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert export.safe_cell(dangerous) == "'" + dangerous
    for harmless in ("", "Open data", "'quoted", "1-2", "a=b", " =x"):
        assert export.safe_cell(harmless) == harmless
    assert export.export_filename("practices", "csv", datetime(2026, 11, 25, 23, 0, tzinfo=UTC)) == (
        "practices-2026-11-25.csv"
    )
    assert export.export_filename("registrations", "json", NOW) == "registrations-2026-11-20.json"
    with pytest.raises(ValueError, match="unknown export format"):
        export.export_filename("practices", "xlsx", NOW)
    with pytest.raises(ValueError, match="unknown export format"):
        export.write_practices(make_engine("sqlite://"), "xml", io.StringIO())


def test_chart_of_practices_by_topic_and_country(engine: Engine) -> None:
    with session_factory(engine)() as session:
        assert practices_chart(practices_store.figures(session=session), group_name="Digitization") is None
    countries = ["DE", "ES", "IT", "FR", "NL", "BE", "PT", "SE", "PL", "AT", "", "GB"]
    topics = ["Digital transformation of SMEs and public administrations in the regions", "Data & AI", "Skills"]
    for i, country in enumerate(countries * 2):
        share(engine, NOW + timedelta(minutes=i), topic=topics[i % len(topics)], country=country)
    share(engine, NOW, moderated=True, topic="Only pending")
    with session_factory(engine)() as session:
        figures = practices_store.figures(session=session)
    assert figures.total == 24
    png = practices_chart(figures, group_name="Digitization learning group")
    assert png is not None and png.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 800)


def test_export_all_writes_every_practice_and_registration_into_one_folder(engine: Engine, tmp_path: Path) -> None:
    """The backup an organiser can open: every practice of every status and every registration."""
    seeded = seed_practices(engine)
    url = engine.url.render_as_string(hide_password=False)
    folder = tmp_path / "backup"
    result = tci_bot(url, tmp_path, "export", "--all", "--format", "json", "--out", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"wrote 4 practices to {folder / 'practices.json'}",
        f"wrote 0 registrations to {folder / 'registrations.json'}",
        f"wrote 0 feedback to {folder / 'feedback.json'}",
        f"wrote 0 recaps to {folder / 'recaps.json'}",
        f"wrote 0 actions to {folder / 'actions.json'}",
    ]
    titles = {p["title"] for p in json.loads((folder / "practices.json").read_text(encoding="utf-8"))}
    assert titles == {p.title for p in seeded.values()}
    assert json.loads((folder / "registrations.json").read_text(encoding="utf-8")) == []

    result = tci_bot(url, tmp_path, "export", "--all", "practices")
    assert error_line(result).startswith("error: --all writes every export")
    result = tci_bot(url, tmp_path, "export")
    assert result.exit_code == 2 and "--all" in result.output, "bare `export` shows its help"
