"""The practices store: migration 0003, search on each engine, moderation, useful-marks, figures, lists."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from store import meetings as meetings_store
from store import migrate
from store import practices as store
from store.db import make_engine, session_factory
from store.models import PracticeStatus
from store.practices import _search as search_module
from store.practices._search import CANDIDATES
from tests import revisions

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TOPIC = "Knowledge and skill development"


def draft(**overrides: str) -> store.PracticeDraft:
    values = {
        "title": "Digital skills academy",
        "kind": "Initiative",
        "topic": TOPIC,
        "summary": "Short courses for the cluster's small firms.",
        "organisation": "Basque ICT cluster",
        "country": "ES",
        "evidence": "120 firms trained.",
    }
    values.update(overrides)
    return store.PracticeDraft(**values)


def add(
    sessions: sessionmaker[Session], *, author: str = "U0MEM", moderated: bool = False, at: datetime = NOW, **kw: str
) -> int:
    with sessions() as session:
        practice = store.create_practice(session=session, draft=draft(**kw), author=author, now=at, moderated=moderated)
    assert practice.id is not None
    return practice.id


def found(sessions: sessionmaker[Session], query: str) -> list[int]:
    with sessions() as session:
        return [hit.practice.id or 0 for hit in store.search(session=session, query=query).hits]


def test_migration_0003_from_the_previous_revision_with_data_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0002")
    sessions = session_factory(engine)
    revisions.insert(engine, "people", slack_id="U0MEM", created_at=NOW)
    meeting_id = revisions.meeting_with_registration(engine, "U0MEM", NOW + timedelta(days=30))

    migrate.upgrade(engine, "0003")
    assert {"practices", "useful_marks"} <= set(inspect(engine).get_table_names())
    assert [r["meeting_id"] for r in revisions.rows(engine, "registrations")] == [meeting_id], "0002's rows survive"
    migrate.upgrade(engine, "head")  # the store's models are today's
    with sessions() as session:
        assert meetings_store.counts(session=session, meeting_id=meeting_id).online == 1
    practice_id = add(sessions, title="Robotics testbed")
    assert found(sessions, "robotics") == [practice_id], "the index works from the first row"
    migrate.downgrade(engine, "0002")
    names = set(inspect(engine).get_table_names())
    assert "practices" not in names and "practices_fts" not in names and "meetings" in names
    migrate.upgrade(engine, "head")
    assert found(sessions, "robotics") == []
    engine.dispose()


def test_search_weighs_titles_matches_prefixes_and_follows_every_change(sessions: sessionmaker[Session]) -> None:
    in_body = add(sessions, title="Voucher scheme", summary="Vouchers that pay for robotics advice.")
    in_title = add(sessions, title="Robotics testbed", summary="A shared line for trials.")
    pending = add(sessions, title="Robotics pending", moderated=True)
    assert found(sessions, "robotics") == [in_title, in_body]
    assert found(sessions, "ROBOT") == [in_title, in_body], "a word matches as the start of longer words"
    assert pending not in found(sessions, "pending")
    assert set(found(sessions, "Basque")) == {in_body, in_title}, "the organisation is searched too"

    with sessions() as session:
        store.update_practice(
            session=session,
            practice_id=in_body,
            draft=draft(title="Voucher scheme", summary="Advice on cloud."),
            now=NOW,
        )
    assert found(sessions, "robotics") == [in_title], "the index follows an edit"
    assert found(sessions, "cloud") == [in_body]
    with sessions() as session:
        store.delete_practice(session=session, practice_id=in_title)
    assert found(sessions, "robotics") == [], "and a deletion"


def test_every_word_first_then_any_word_and_no_operator_from_input(sessions: sessionmaker[Session]) -> None:
    both = add(sessions, title="Cloud ERP for SMEs", summary="Adoption programme.")
    one = add(sessions, title="Cloud first policy", summary="Public procurement.")
    with sessions() as session:
        every = store.search(session=session, query="cloud erp")
        some = store.search(session=session, query="cloud quantum")
        assert [h.practice.id for h in every.hits] == [both] and every.every_word
        assert {h.practice.id for h in some.hits} == {both, one} and not some.every_word
        for hostile in (
            '" OR 1=1 --',
            "NEAR(cloud erp)",
            "cloud* AND NOT",
            "title:cloud",
            "'); DROP TABLE practices; --",
            "!&|:*",
        ):
            store.search(session=session, query=hostile)  # never a syntax error
        assert store.search(session=session, query="  ").hits == []
        hit = store.search(session=session, query="procurement").hits[0]
        assert f"{store.MATCH_START}procurement{store.MATCH_END}" in hit.snippet.lower()
    assert set(found(sessions, "cloud")) == {both, one}


def test_moderation_decides_once(sessions: sessionmaker[Session]) -> None:
    waiting = add(sessions, moderated=True)
    with sessions() as session:
        assert store.pending_count(session=session) == 1
        approved = store.moderate(session=session, practice_id=waiting, approve=True, moderator="U0ORG", now=NOW)
        assert approved is not None and approved.status == PracticeStatus.PUBLISHED and approved.published_at == NOW
        assert store.moderate(session=session, practice_id=waiting, approve=False, moderator="U0ORG2", now=NOW) is None
        assert store.pending(session=session) == []
    rejected = add(sessions, moderated=True)
    with sessions() as session:
        done = store.moderate(
            session=session, practice_id=rejected, approve=False, moderator="U0ORG", now=NOW, reason="figures?"
        )
        assert done is not None and done.reject_reason == "figures?"
        again = store.update_practice(session=session, practice_id=rejected, draft=draft(), now=NOW, moderated=True)
        assert again is not None and again.status == PracticeStatus.PENDING and again.reject_reason == ""


def test_two_organisers_approving_at_once_approve_once(engine: Engine, sessions: sessionmaker[Session]) -> None:
    def decide(practice_id: int, approve: bool, barrier: threading.Barrier, results: list[object]) -> None:
        with sessions() as session:
            barrier.wait()
            results.append(
                store.moderate(session=session, practice_id=practice_id, approve=approve, moderator="U", now=NOW)
            )

    for _ in range(5):
        waiting = add(sessions, moderated=True)
        barrier = threading.Barrier(2)
        results: list[object] = []
        threads = [threading.Thread(target=decide, args=(waiting, flag, barrier, results)) for flag in (True, False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(result is not None for result in results) == 1


def test_useful_marks_toggle_and_count_once_per_person(sessions: sessionmaker[Session]) -> None:
    practice = add(sessions)
    with sessions() as session:
        assert store.mark_useful(session=session, practice_id=practice, slack_id="U1", now=NOW) == (True, 1)
        assert store.mark_useful(session=session, practice_id=practice, slack_id="U2", now=NOW) == (True, 2)
        assert store.mark_useful(session=session, practice_id=practice, slack_id="U1", now=NOW) == (False, 1)
        assert store.useful_counts(session=session, practice_ids=[practice, 999]) == {practice: 1}
        store.delete_practice(session=session, practice_id=practice)
        assert store.useful_count(session=session, practice_id=practice) == 0


def test_lists_filter_and_page_newest_first(sessions: sessionmaker[Session]) -> None:
    ids = [add(sessions, at=NOW + timedelta(minutes=i), country="DE" if i % 2 else "PT") for i in range(12)]
    add(sessions, author="U0OTHER", moderated=True, kind="Tool")
    with sessions() as session:
        first = store.list_practices(session=session, limit=5)
        assert [p.id for p in first.practices] == ids[::-1][:5] and first.total == 12 and first.has_more
        last = store.list_practices(session=session, offset=10, limit=5)
        assert [p.id for p in last.practices] == ids[1::-1] and not last.has_more
        assert store.list_practices(session=session, country="DE").total == 6
        assert store.list_practices(session=session, kind="Tool").total == 0, "pending ones are not listed"
        mine = store.list_practices(session=session, author="U0OTHER", statuses=tuple(PracticeStatus))
        assert mine.total == 1


def test_figures_and_the_practices_of_a_period(sessions: sessionmaker[Session]) -> None:
    add(sessions, at=datetime(2026, 9, 30, 23, 30, tzinfo=UTC), country="DE")
    add(sessions, at=datetime(2026, 10, 1, 0, 30, tzinfo=UTC), country="DE", kind="Tool")
    add(sessions, at=datetime(2026, 10, 2, tzinfo=UTC), country="", topic="Entrepreneurship and start-ups")
    add(sessions, moderated=True)
    with sessions() as session:
        figures = store.figures(session=session)
        assert figures.total == 3
        assert figures.by_country == [("DE", 2), ("", 1)]
        assert figures.by_month == [("2026-09", 1), ("2026-10", 2)]
        assert dict(figures.by_kind) == {"Initiative": 2, "Tool": 1}
        assert ("Entrepreneurship and start-ups", "", 1) in figures.by_topic_and_country
        week = store.published_between(
            session=session, start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2026, 10, 2, tzinfo=UTC)
        )
        assert [p.kind for p in week] == ["Tool"]


def test_the_passage_is_where_most_of_the_words_are_and_never_the_organisations_name(
    sessions: sessionmaker[Session],
) -> None:
    filler = " ".join(["The programme ran with the regional chamber and two universities."] * 4)
    add(
        sessions,
        title="Vouchers for cluster members",
        organisation="Skills Network",
        summary=f"A digital first step. {filler} Then came digital skills bootcamps for managers of small firms.",
        evidence="Measured with a test.",
    )
    add(
        sessions,
        title="Digital skills academy",
        organisation="Digital Skills Network",
        summary="Short courses for the cluster's small firms.",
        evidence="120 firms trained.",
    )
    with sessions() as session:
        hits = {hit.practice.title: hit.snippet for hit in store.search(session=session, query="digital skills").hits}
    marked = f"{store.MATCH_START}digital{store.MATCH_END} {store.MATCH_START}skills{store.MATCH_END} bootcamps"
    assert marked in hits["Vouchers for cluster members"], "the window with both words, not the first word's"
    assert hits["Digital skills academy"] == "Short courses for the cluster's small firms.", (
        "words only in the title and the organisation, which are shown beside every hit: the summary's start"
    )


def test_the_words_a_misspelling_is_compared_with_follow_new_and_edited_practices(
    sessions: sessionmaker[Session],
) -> None:
    seconds = [0.0]
    vocabulary = store.Vocabulary(clock=lambda: seconds[0])

    def suggested(query: str) -> dict[str, str]:
        with sessions() as session:
            return store.search(session=session, query=query, vocabulary=vocabulary).corrected

    add(sessions, title="Hackathon for small firms")
    assert suggested("hackaton") == {"hackaton": "hackathon"}
    assert suggested("bootcmp") == {}, "no practice holds it yet"
    add(sessions, title="Bootcamp on data")  # a newer practice: its words are read at once
    assert suggested("bootcmp") == {"bootcmp": "bootcamp"}

    older = add(sessions, title="Cooperation", summary="Shared laboratories.")
    add(sessions, title="Another practice", summary="Nothing more.")
    assert suggested("workshopz") == {}, "no practice holds it yet"
    with sessions() as session:
        store.update_practice(
            session=session,
            practice_id=older,
            draft=draft(title="Cooperation", summary="Shared workshops."),
            now=NOW,
        )
    assert suggested("workshopz") == {}, "an edit of an older practice is read within a minute, not at once"
    seconds[0] += 61
    assert suggested("workshopz") == {"workshopz": "workshops"}


def test_the_index_of_the_newest_practices_holds_every_published_one_from_its_oldest_on(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the index of the newest practices is SQLite's, where bm25 weighs the words")

    def held() -> set[int]:
        with engine.connect() as connection:
            return set(connection.exec_driver_sql("SELECT rowid FROM practices_fts_recent").scalars())

    def tidied() -> int:
        with sessions() as session:
            return store.tidy(session)

    first = add(sessions, title="Robotics testbed")
    second = add(sessions, title="Voucher scheme", summary="Vouchers that pay for robotics advice.")
    earlier_waiting = add(sessions, title="Quantum readiness", moderated=True)
    waiting = add(sessions, title="Cloud adoption", moderated=True)
    assert held() == {first, second}, "the published ones only"
    with sessions() as session:
        store.moderate(session=session, practice_id=waiting, approve=True, moderator="U0ORG", now=NOW)
        store.update_practice(session=session, practice_id=second, draft=draft(summary="Advice on cloud."), now=NOW)
    assert held() == {first, second, waiting}, "published from the queue, it joins; edited, it stays"
    with engine.connect() as connection:
        words = "SELECT rowid FROM practices_fts_recent WHERE practices_fts_recent MATCH 'cloud' ORDER BY rowid"
        assert list(connection.exec_driver_sql(words).scalars()) == [second, waiting], "with its words as they are"
    with sessions() as session:
        store.delete_practice(session=session, practice_id=first)
    assert held() == {second, waiting}
    assert tidied() == 0, "well under RECENT: nothing to take out"

    # Tidied to the newest one, the index keeps `waiting`; `earlier_waiting`, older, published now, stays out.
    monkeypatch.setattr(search_module, "RECENT", 1)
    monkeypatch.setattr(search_module, "RECENT_SLACK", 0)
    assert tidied() == 1
    assert held() == {waiting}
    with sessions() as session:
        store.moderate(session=session, practice_id=earlier_waiting, approve=True, moderator="U0ORG", now=NOW)
    assert held() == {waiting}
    assert found(sessions, "quantum") == [earlier_waiting], "found in the index of every practice"
    assert found(sessions, "cloud") == [waiting, second]
    newest = add(sessions, title="Cloud skills")
    assert held() == {waiting, newest}


def test_on_postgresql_a_common_words_newest_matches_are_found_above_the_floor_and_tidy_raises_it(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index of the newest practices; SQLite has its own")

    def held() -> list[str]:
        with engine.connect() as connection:
            listed = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'practices'"
            return sorted(
                n for n in connection.execute(text(listed)).scalars() if n.startswith(search_module.RECENT_INDEX)
            )

    def tidied() -> int:
        with sessions() as session:
            return store.tidy(session)

    older = add(sessions, title="Quantum readiness", summary="A cluster's first steps.")
    newer = [add(sessions, title=f"Cluster programme {n}", summary="Support for members.") for n in range(12)]
    assert held() == [], "no more than RECENT practices: the whole index serves"
    assert tidied() == 0 and held() == []
    every = found(sessions, "cluster")
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    monkeypatch.setattr(search_module, "RECENT", 5)
    monkeypatch.setattr(search_module, "RECENT_SLACK", 2)
    assert set(found(sessions, "cluster")) == set(newer[-3:]), "the newest three matches, above the floor"
    assert found(sessions, "quantum") == [older], "fewer than three above the floor: looked for among all"
    assert set(every) >= set(newer[-3:])

    assert tidied() == 8 and held() == ["ix_practices_search_above_8"], "13 practices: the newest 5 above 8"
    assert tidied() == 0, "still within RECENT_SLACK"
    newest = [add(sessions, title=f"Cluster cohort {n}", summary="More support.") for n in range(3)]
    assert tidied() == 3 and held() == ["ix_practices_search_above_11"]
    assert set(found(sessions, "cluster")) == set(newest)
    assert found(sessions, "quantum") == [older]


def test_a_word_most_practices_hold_is_ranked_among_the_newest_and_a_title_comes_first(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        for number in range(CANDIDATES + 50):
            store.create_practice(
                session=session,
                draft=draft(title=f"Programme {number}", summary="Support for the cluster's members."),
                author="U0MEM",
                now=NOW,
                moderated=False,
            )
    titled = add(sessions, title="Cluster mapping", summary="A map of the members.")
    add(sessions, title="Programme after", summary="More support for the cluster's members.")
    with sessions() as session:
        result = store.search(session=session, query="cluster")
    assert result.every_word and len(result.hits) == 10
    assert result.hits[0].practice.id == titled, "the title weighs most"
