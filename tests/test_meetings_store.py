"""The meetings store: each query, places and the waitlist, the FAQ, and migration 0002, on each engine."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from store import faq as faq_store
from store import meetings as store
from store import migrate
from store import people as people_store
from store import series as series_store
from store.db import make_engine
from store.meetings import MeetingDraft
from store.models import Attendance, Meeting, MeetingKind
from tests import revisions

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def draft(**overrides: object) -> MeetingDraft:
    values: dict[str, object] = {
        "title": "Essen workshop",
        "kind": MeetingKind.IN_PERSON,
        "starts_at": datetime(2027, 2, 11, 8, 0, tzinfo=UTC),
        "ends_at": datetime(2027, 2, 11, 16, 0, tzinfo=UTC),
        "timezone": "Europe/Berlin",
        "city": "Essen",
        "country": "DE",
        "capacity": 2,
    }
    values.update(overrides)
    return MeetingDraft(**values)  # type: ignore[arg-type]


def test_migration_0002_from_the_previous_revision_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0001")
    revisions.insert(engine, "people", slack_id="U0ORG", is_organiser=True, created_at=NOW)
    migrate.upgrade(engine, "0002")
    tables = set(inspect(engine).get_table_names())
    assert {"meetings", "registrations", "faq_entries"} <= tables
    assert [row["is_organiser"] for row in revisions.rows(engine, "people")] == [True], "rows of 0001 survive"
    revisions.meeting_with_registration(engine, "U0ORG", NOW)

    migrate.downgrade(engine, "0001")
    assert "meetings" not in inspect(engine).get_table_names()
    assert "people" in inspect(engine).get_table_names()
    engine.dispose()


def test_create_get_list_next_past_between(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        essen = store.create_meeting(session=session, draft=draft(), created_by="U0ORG", now=NOW)
        online = store.create_meeting(
            session=session,
            draft=draft(
                title="Online exchange",
                kind=MeetingKind.ONLINE,
                starts_at=NOW + timedelta(days=10),
                ends_at=NOW + timedelta(days=10, hours=1),
                capacity=None,
                join_url="https://meet.example.org/x",
            ),
            created_by="U0ORG",
            now=NOW,
        )
        madrid = store.create_meeting(
            session=session,
            draft=draft(
                title="Madrid kick-off",
                starts_at=datetime(2018, 7, 2, 7, tzinfo=UTC),
                ends_at=datetime(2018, 7, 3, 15, tzinfo=UTC),
                timezone="Europe/Madrid",
            ),
            created_by="U0ORG",
            now=NOW,
        )
        assert store.get_meeting(session=session, meeting_id=essen.id).title == "Essen workshop"
        assert store.get_meeting(session=session, meeting_id=9999) is None
        assert [m.id for m in store.upcoming_meetings(session=session, now=NOW)] == [online.id, essen.id]
        assert store.next_meeting(session=session, now=NOW).id == online.id
        assert [m.id for m in store.past_meetings(session=session, now=NOW)] == [madrid.id]
        window = store.meetings_between(session=session, start=NOW, end=NOW + timedelta(days=30))
        assert [m.id for m in window] == [online.id]
        store.cancel_meeting(session=session, meeting_id=online.id, now=NOW)
        assert [m.id for m in store.upcoming_meetings(session=session, now=NOW)] == [essen.id]
        assert store.get_meeting(session=session, meeting_id=essen.id).starts_at.tzinfo is not None


def test_places_waitlist_members_first_and_moving_up(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        people_store.save_profile(session=session, slack_id="U0GST", display_name="Guest", tz=None, is_guest=True)
        meeting = store.create_meeting(session=session, draft=draft(capacity=2), created_by="U0ORG", now=NOW)
        mid = meeting.id

        def answer(who: str, what: Attendance, minutes: int) -> store.RegistrationResult:
            return store.register(
                session=session, meeting_id=mid, slack_id=who, answer=what, now=NOW + timedelta(minutes=minutes)
            )

        assert answer("U1", Attendance.IN_PERSON, 1).attendance == Attendance.IN_PERSON
        assert answer("U2", Attendance.IN_PERSON, 2).attendance == Attendance.IN_PERSON
        assert answer("U0GST", Attendance.IN_PERSON, 3).attendance == Attendance.WAITLISTED  # a guest, first in time
        assert answer("U3", Attendance.IN_PERSON, 4).attendance == Attendance.WAITLISTED  # a member, later
        again = answer("U3", Attendance.IN_PERSON, 5)
        assert again.attendance == Attendance.WAITLISTED and not again.changed
        assert store.waitlist_position(session=session, meeting_id=mid, slack_id="U3") == 1, "members first"
        assert store.waitlist_position(session=session, meeting_id=mid, slack_id="U0GST") == 2
        assert store.counts(session=session, meeting_id=mid) == store.Counts(in_person=2, waitlisted=2)

        freed = answer("U1", Attendance.NOT_COMING, 6)
        assert freed.promoted == ("U3",), "the member moves up before the guest who asked earlier"
        assert store.counts(session=session, meeting_id=mid) == store.Counts(in_person=2, not_coming=1, waitlisted=1)
        assert answer("U2", Attendance.ONLINE, 7).promoted == ("U0GST",)
        assert store.registrant_ids(session=session, meeting_id=mid) == ["U2", "U0GST", "U3"]
        counted, answers = store.counts_and_answers(session=session, slack_id="U1", meeting_ids=[mid, mid + 1])
        assert counted == {
            mid: store.Counts(in_person=2, online=1, not_coming=1),
            mid + 1: store.Counts(),
        }
        assert answers == {mid: Attendance.NOT_COMING}, "the person's own answer, and none where they gave none"
        mine = store.registrations_of(session=session, slack_id="U3", now=NOW)
        assert [(m.id, a) for m, a in mine] == [(mid, Attendance.IN_PERSON)]
        rows = store.attendees(session=session, meeting_id=mid)
        assert {r.slack_id: r.attendance for r, _p in rows}["U1"] == Attendance.NOT_COMING


def test_a_larger_capacity_moves_people_up_and_an_edit_counts_as_a_change(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        meeting = store.create_meeting(session=session, draft=draft(capacity=1), created_by="U0ORG", now=NOW)
        for minute, who in enumerate(["U1", "U2", "U3"]):
            store.register(
                session=session,
                meeting_id=meeting.id,
                slack_id=who,
                answer=Attendance.IN_PERSON,
                now=NOW + timedelta(minutes=minute),
            )
        change = store.update_meeting(session=session, meeting_id=meeting.id, draft=draft(capacity=2), now=NOW)
        assert change.changed == ("capacity",) and change.promoted == ("U2",) and not change.time_or_place
        assert change.meeting.sequence == 1
        same = store.update_meeting(session=session, meeting_id=meeting.id, draft=draft(capacity=2), now=NOW)
        assert same.changed == () and same.meeting.sequence == 1, "saving without a change is no change"
        moved = store.update_meeting(
            session=session, meeting_id=meeting.id, draft=draft(capacity=2, city="Bochum"), now=NOW
        )
        assert moved.time_or_place and moved.meeting.sequence == 2
        assert store.update_meeting(session=session, meeting_id=4242, draft=draft(), now=NOW) is None
        store.set_card(session=session, meeting_id=meeting.id, channel="C0GROUP", ts="123.456")
        cancelled = store.cancel_meeting(session=session, meeting_id=meeting.id, now=NOW)
        assert cancelled.is_cancelled and cancelled.sequence == 3 and cancelled.card_ts == "123.456"


def test_two_people_pressing_for_the_last_place_at_once(engine: Engine, sessions: sessionmaker[Session]) -> None:
    """One gets the place and one is waitlisted, whichever engine, over many rounds."""
    rounds = 8
    with sessions() as session:
        ids = [
            store.create_meeting(session=session, draft=draft(capacity=1), created_by="U0ORG", now=NOW).id
            for _ in range(rounds)
        ]
        for who in ("UA", "UB"):
            people_store.ensure_person(session=session, slack_id=who)
        session.commit()
    outcomes: dict[tuple[int, str], Attendance] = {}
    errors: list[BaseException] = []
    for meeting_id in ids:
        barrier = threading.Barrier(2)

        def press(who: str, meeting_id: int = meeting_id, barrier: threading.Barrier = barrier) -> None:
            try:
                with sessions() as session:
                    barrier.wait()
                    result = store.register(
                        session=session, meeting_id=meeting_id, slack_id=who, answer=Attendance.IN_PERSON, now=NOW
                    )
                outcomes[(meeting_id, who)] = result.attendance
            except BaseException as error:  # surfaced below with the thread's failure
                errors.append(error)

        threads = [threading.Thread(target=press, args=(who,)) for who in ("UA", "UB")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    for meeting_id in ids:
        got = sorted([outcomes[(meeting_id, "UA")], outcomes[(meeting_id, "UB")]])
        assert got == [Attendance.IN_PERSON, Attendance.WAITLISTED]
        with sessions() as session:
            assert store.counts(session=session, meeting_id=meeting_id) == store.Counts(in_person=1, waitlisted=1)


def test_faq_add_list_remove(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        entry = faq_store.add_faq(
            session=session,
            question="Do I pay for travel?",
            answer="Participants pay their own travel, accommodation and subsistence.",
            keywords="travel, hotel",
            created_by="U0ORG",
            now=NOW,
        )
        assert [e.question for e in faq_store.list_faq(session=session)] == ["Do I pay for travel?"]
        assert faq_store.remove_faq(session=session, entry_id=entry.id).id == entry.id
        assert faq_store.remove_faq(session=session, entry_id=entry.id) is None
        assert faq_store.list_faq(session=session) == []


def test_no_answer_is_recorded_for_a_cancelled_or_started_meeting(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        meeting = store.create_meeting(session=session, draft=draft(), created_by="U0ORG", now=NOW)
        with pytest.raises(store.RegistrationClosed):
            store.register(
                session=session,
                meeting_id=meeting.id,
                slack_id="U1",
                answer=Attendance.ONLINE,
                now=meeting.starts_at,
            )
        store.cancel_meeting(session=session, meeting_id=meeting.id, now=NOW)
        with pytest.raises(store.RegistrationClosed):
            store.register(session=session, meeting_id=meeting.id, slack_id="U1", answer=Attendance.ONLINE, now=NOW)
        assert store.counts(session=session, meeting_id=meeting.id) == store.Counts()
        assert people_store.get_person(session=session, slack_id="U1") is None


def test_the_names_kept_for_questions_follow_every_change_whoever_makes_it(sessions: sessionmaker[Session]) -> None:
    """Two processes' names, each kept between questions: a meeting added, renamed, cancelled, or over is seen."""
    ours, theirs = store.UpcomingNames(), store.UpcomingNames()

    def names(kept: store.UpcomingNames, now: datetime = NOW) -> tuple[list[str], list[str]]:
        with sessions() as session:
            read = kept.read(session=session, now=now)
        return [n.title for n in read.scheduled[:10]], [n.title for n in read.cancelled[:10]]

    def as_stored(now: datetime = NOW) -> tuple[list[str], list[str]]:
        with sessions() as session:
            upcoming = store.upcoming_meetings(session=session, now=now, limit=10)
            cancelled = store.cancelled_meetings(session=session, now=now, limit=10)
        return [m.title for m in upcoming], [m.title for m in cancelled]

    with sessions() as session:
        essen = store.create_meeting(session=session, draft=draft(), created_by="U0ORG", now=NOW)
    assert names(ours) == names(theirs) == (["Essen workshop"], [])
    with sessions() as session:
        store.create_meeting(
            session=session,
            draft=draft(
                title="Lisbon lab", starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=3, hours=2)
            ),
            created_by="U0ORG",
            now=NOW,
        )
    assert names(ours) == as_stored() == (["Lisbon lab", "Essen workshop"], []), "a meeting added elsewhere"
    with sessions() as session:
        store.update_meeting(session=session, meeting_id=essen.id or 0, draft=draft(title="Essen forum"), now=NOW)
    assert names(ours) == as_stored() == (["Lisbon lab", "Essen forum"], []), "renamed"
    with sessions() as session:
        store.cancel_meeting(session=session, meeting_id=essen.id or 0, now=NOW)
    assert names(ours) == as_stored() == (["Lisbon lab"], ["Essen forum"]), "cancelled"
    later = NOW + timedelta(days=4)
    assert names(ours, later) == as_stored(later) == ([], ["Essen forum"]), "the Lisbon lab is over"
    assert names(theirs) == as_stored(), "the other process, back at the first time"
    with sessions() as session:
        assert len(ours.read(session=session, now=NOW).scheduled) == 1


def test_a_meeting_kept_for_questions_is_read_again_once_any_meeting_changed(sessions: sessionmaker[Session]) -> None:
    """The meeting a question chose is read whole once, and again after any change another process makes."""
    names = store.UpcomingNames()
    with sessions() as session:
        essen = store.create_meeting(session=session, draft=draft(), created_by="U0ORG", now=NOW)

    def chosen(now: datetime = NOW) -> Meeting:
        with sessions() as session:
            found = names.meeting(session=session, meeting_id=essen.id or 0, names=names.read(session=session, now=now))
            assert found is not None
            return found

    first = chosen()
    assert chosen() is first, "kept while no meeting changed"
    with sessions() as session:
        store.update_meeting(
            session=session,
            meeting_id=essen.id or 0,
            draft=draft(title="Essen forum", capacity=30),
            now=NOW + timedelta(minutes=1),
        )
    assert (chosen().title, chosen().capacity) == ("Essen forum", 30), "changed elsewhere"
    with sessions() as session:
        store.cancel_meeting(session=session, meeting_id=essen.id or 0, now=NOW + timedelta(minutes=2))
    cancelled = chosen()
    assert cancelled.is_cancelled
    with sessions() as session:
        store.create_meeting(session=session, draft=draft(title="Lisbon lab"), created_by="U0ORG", now=NOW)
    assert chosen() is not cancelled, "a meeting added: every meeting kept is read again"


def test_the_meetings_kept_for_lists_follow_every_change_whoever_makes_it(sessions: sessionmaker[Session]) -> None:
    """Two processes' lists, each kept between requests: a meeting added, renamed, cancelled or over, and a series
    split in two (which makes another meeting the next of its series), are seen as the store has them."""
    ours, theirs = store.UpcomingList(), store.UpcomingList()

    def listed(kept: store.UpcomingList, now: datetime = NOW, limit: int = 10) -> list[str]:
        with sessions() as session:
            return [m.title for m in kept.meetings(session=session, now=now, limit=limit)]

    def as_stored(now: datetime = NOW, limit: int = 10) -> list[str]:
        with sessions() as session:
            found = store.upcoming_meetings(session=session, now=now, limit=limit, next_of_series=True)
            return [m.title for m in found]

    with sessions() as session:
        essen = store.create_meeting(session=session, draft=draft(), created_by="U0ORG", now=NOW)
    assert listed(ours) == listed(theirs) == ["Essen workshop"]
    lisbon = draft(title="Lisbon lab", starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=3, hours=2))
    with sessions() as session:
        store.create_meeting(session=session, draft=lisbon, created_by="U0ORG", now=NOW)
    assert listed(ours) == as_stored() == ["Lisbon lab", "Essen workshop"], "a meeting added elsewhere"
    with sessions() as session:
        store.update_meeting(session=session, meeting_id=essen.id or 0, draft=draft(title="Essen forum"), now=NOW)
    assert listed(ours) == as_stored() == ["Lisbon lab", "Essen forum"], "renamed"
    assert listed(ours, limit=1) == as_stored(limit=1) == ["Lisbon lab"], "each length read once, then kept"

    first = NOW + timedelta(days=7)
    weekly = draft(title="Weekly clinic", starts_at=first, ends_at=first + timedelta(hours=1), city="Porto")
    with sessions() as session:
        series = series_store.create_series(
            session=session, rule="FREQ=WEEKLY", template=weekly, created_by="U0ORG", now=NOW
        )
        made = series_store.add_meetings(
            session=session, series=series, starts=[first, first + timedelta(days=7)], created_by="U0ORG", now=NOW
        )
    assert listed(ours) == as_stored() == ["Lisbon lab", "Weekly clinic", "Essen forum"], "a series by its next one"
    with sessions() as session:
        kept = series_store.get_series(session=session, series_id=series.id or 0)
        assert kept is not None
        second = session.get(type(made[1]), made[1].id)
        assert second is not None
        split = series_store.split(
            session=session, series=kept, ended_rule="FREQ=WEEKLY;COUNT=1", rule="FREQ=WEEKLY", template=weekly, now=NOW
        )
        series_store.move_to(session=session, meeting=second, series=split, occurrence_at=second.starts_at, now=NOW)
    expected = ["Lisbon lab", "Weekly clinic", "Weekly clinic", "Essen forum"]
    assert listed(ours) == as_stored() == expected, "the second meeting is now the next of a series of its own"

    with sessions() as session:
        store.cancel_meeting(session=session, meeting_id=essen.id or 0, now=NOW)
    assert listed(ours) == as_stored() == expected[:-1], "cancelled"
    later = NOW + timedelta(days=4)
    assert listed(ours, later) == as_stored(later) == ["Weekly clinic", "Weekly clinic"], "the Lisbon lab is over"
    assert listed(theirs) == as_stored(), "the other process, back at the first time"
