"""The weekly digest and the call for practices, as built from the store; and the demo's practices."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from bot.config import Settings
from bot.demo import seed_demo
from bot.deps import Deps, build_deps
from bot.services.digest import build_digest
from bot.views.blocks import MESSAGE_BLOCKS_LIMIT, SECTION_TEXT_LIMIT
from bot.views.digest import call_for_practices, period_text
from store import meetings as meetings_store
from store import practices as practices_store
from store.meetings import MeetingDraft
from store.models import MeetingKind, Practice, PracticeStatus
from store.practices import PracticeDraft

MADRID = ZoneInfo("Europe/Madrid")
START = datetime(2026, 11, 18, tzinfo=MADRID).astimezone(UTC)  # Wednesday 18 Nov, 00:00 in Madrid
END = START + timedelta(days=7)
NOW = END + timedelta(minutes=5)  # the scheduler posts just after the period
AUTHOR = "U0MEM"


@pytest.fixture
def deps(settings: Settings) -> Iterator[Deps]:
    """The dependencies on a fresh migrated database, with the clock just after the period."""
    built = build_deps(settings, clock=lambda: NOW)
    try:
        yield built
    finally:
        built.engine.dispose()


def share(
    session: Session,
    title: str,
    at: datetime,
    *,
    moderated: bool = False,
    organisation: str = "Ruhr Manufacturing Network",
    country: str = "DE",
) -> Practice:
    """Store a practice shared at `at` (published then, unless moderated)."""
    draft = PracticeDraft(
        title=title,
        kind="Good practice",
        topic="SME digital transformation toward Industry 4.0",
        summary="What we did and what came of it.",
        organisation=organisation,
        country=country,
        evidence="57 pilots, 21 in production.",
    )
    return practices_store.create_practice(session=session, draft=draft, author=AUTHOR, now=at, moderated=moderated)


def plan(session: Session, title: str, starts_at: datetime, *, hours: int = 2) -> int:
    """Store an online meeting starting at `starts_at`; return its number."""
    draft = MeetingDraft(
        title=title,
        kind=MeetingKind.ONLINE,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        timezone="Europe/Madrid",
        join_url="https://meet.example.org/tci",
    )
    meeting = meetings_store.create_meeting(session=session, draft=draft, created_by="U0ORG", now=START)
    return meeting.id or 0


def block_texts(payload: dict[str, Any]) -> str:
    """Every piece of text a reader sees in the blocks, one per line."""
    texts: list[str] = []
    for block in payload["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [element["text"] for element in block.get("elements", []) if "text" in element]
    return "\n".join(texts)


def test_lists_exactly_the_practices_published_in_the_period(deps: Deps) -> None:
    with deps.sessions() as session:
        share(session, "Shared the second before", START - timedelta(seconds=1))
        share(session, "Shared at the start", START)
        share(session, "Shared midweek", START + timedelta(days=3))
        share(session, "Shared the last second", END - timedelta(seconds=1))
        share(session, "Shared at the end", END)
        share(session, "Still pending", START + timedelta(days=1), moderated=True)
        rejected = share(session, "Rejected one", START + timedelta(days=1), moderated=True)
        practices_store.moderate(
            session=session, practice_id=rejected.id or 0, approve=False, moderator="U0ORG", now=START
        )
        waited = share(session, "Approved in the week", START - timedelta(days=10), moderated=True)
        practices_store.moderate(
            session=session,
            practice_id=waited.id or 0,
            approve=True,
            moderator="U0ORG",
            now=START + timedelta(days=2),
        )

    payload = build_digest(deps, start=START, end=END)

    assert payload is not None
    text = block_texts(payload)
    listed = ["Shared at the start", "Approved in the week", "Shared midweek", "Shared the last second"]
    for title in listed:
        assert f"*{title}*" in text
    for title in ("Shared the second before", "Shared at the end", "Still pending", "Rejected one"):
        assert title not in text
    # Oldest publication first, and counted in the heading and the fallback.
    assert [text.index(f"*{title}*") for title in listed] == sorted(text.index(f"*{title}*") for title in listed)
    assert "*New practices* (4)" in text
    assert payload["text"].startswith("Digitization learning group, 18–24 Nov 2026: 4 new practices")


def test_a_practice_shows_its_facts_and_useful_count(deps: Deps) -> None:
    with deps.sessions() as session:
        practice = share(session, "Industry 4.0 test bed", START + timedelta(days=1), country="PT")
        for person in ("U0ORG", "U0MEM", "U0GST"):
            practices_store.mark_useful(session=session, practice_id=practice.id or 0, slack_id=person, now=START)
        share(session, "Nobody marked this", START + timedelta(days=2))

    text = block_texts(build_digest(deps, start=START, end=END) or {})

    assert f"*Industry 4.0 test bed* (#{practice.id})" in text
    assert "Good practice · SME digital transformation toward Industry 4.0 · Portugal · Ruhr Manufacturing Network" in (
        text
    )
    assert ":bulb: 3 people found it useful" in text
    assert ":bulb: no useful-marks yet" in text


def test_links_to_the_practice_card_when_it_was_posted(deps: Deps) -> None:
    with deps.sessions() as session:
        posted = share(session, "Posted to the channel", START + timedelta(days=1))
        practices_store.set_card(session=session, practice_id=posted.id or 0, channel="C0GROUP", ts="1763900000.123456")
        share(session, "Not posted yet", START + timedelta(days=2))

    text = block_texts(build_digest(deps, start=START, end=END) or {})

    assert "*<https://slack.com/archives/C0GROUP/p1763900000123456|Posted to the channel>*" in text
    assert "*Not posted yet*" in text
    assert text.count("https://slack.com/archives/") == 1


def test_lists_the_meetings_to_come_and_not_cancelled_or_past_ones(deps: Deps) -> None:
    with deps.sessions() as session:
        plan(session, "Held during the week", START + timedelta(days=2))
        soon = plan(session, "Online exchange", END + timedelta(days=3))
        later = plan(session, "Toronto meeting", END + timedelta(days=59))
        cancelled = plan(session, "Called off", END + timedelta(days=10))
        meetings_store.cancel_meeting(session=session, meeting_id=cancelled, now=START)
        plan(session, "Beyond the window", END + timedelta(days=61))

    payload = build_digest(deps, start=START, end=END)

    assert payload is not None
    text = block_texts(payload)
    assert f"*Online exchange* (#{soon})" in text
    assert f"*Toronto meeting* (#{later})" in text
    assert text.index("Online exchange") < text.index("Toronto meeting")
    for title in ("Held during the week", "Called off", "Beyond the window"):
        assert title not in text
    # When and where, as the meeting lists write them: each reader's zone through Slack's date token.
    starts = int((END + timedelta(days=3)).timestamp())
    assert f"<!date^{starts}^" in text
    assert "<https://meet.example.org/tci|join link>" in text
    assert f"`/meetings {soon}`" in text
    # No practices in the period: the digest still goes out for the meetings, and says so.
    assert "None were shared in this period." in text
    assert payload["text"].endswith("0 new practices and 2 meetings coming up.")


def test_the_window_for_meetings_can_be_given(deps: Deps) -> None:
    with deps.sessions() as session:
        plan(session, "Next week", END + timedelta(days=6))
        plan(session, "In a fortnight", END + timedelta(days=14))

    text = block_texts(build_digest(deps, start=START, end=END, upcoming_until=END + timedelta(days=7)) or {})

    assert "Next week" in text
    assert "In a fortnight" not in text


def test_a_late_digest_lists_no_meeting_that_has_begun(settings: Settings) -> None:
    late = build_deps(settings, clock=lambda: END + timedelta(days=2))
    try:
        with late.sessions() as session:
            plan(session, "Began after the period, before the post", END + timedelta(days=1))
            plan(session, "Still to come", END + timedelta(days=5))

        text = block_texts(build_digest(late, start=START, end=END) or {})
    finally:
        late.engine.dispose()

    assert "Still to come" in text
    assert "Began after the period" not in text


def test_an_empty_week_gives_no_digest(deps: Deps) -> None:
    with deps.sessions() as session:
        share(session, "Last week's", START - timedelta(days=1))
        share(session, "Waiting", START + timedelta(days=1), moderated=True)
        plan(session, "Held during the week", START + timedelta(days=2))
        cancelled = plan(session, "Called off", END + timedelta(days=10))
        meetings_store.cancel_meeting(session=session, meeting_id=cancelled, now=START)

    assert build_digest(deps, start=START, end=END) is None


def test_practices_without_meetings_say_none_are_planned(deps: Deps) -> None:
    with deps.sessions() as session:
        share(session, "A lone practice", START + timedelta(days=1))

    payload = build_digest(deps, start=START, end=END)

    assert payload is not None
    text = block_texts(payload)
    assert "No meetings planned before 23 Jan 2027." in text
    assert "`/practice`" in text  # the closing invitation
    assert payload["text"].endswith("1 new practice and 0 meetings coming up.")


def test_names_the_group_and_the_period_in_its_zone(deps: Deps) -> None:
    with deps.sessions() as session:
        share(session, "Something", START + timedelta(days=1))

    payload = build_digest(deps, start=START, end=END)

    assert payload is not None
    assert payload["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Digitization learning group · 18–24 Nov 2026", "emoji": True},
    }


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2026, 11, 18), datetime(2026, 11, 25), "18–24 Nov 2026"),
        (datetime(2026, 11, 28), datetime(2026, 12, 5), "28 Nov – 4 Dec 2026"),
        (datetime(2026, 12, 29), datetime(2027, 1, 5), "29 Dec 2026 – 4 Jan 2027"),
        (datetime(2026, 11, 18), datetime(2026, 11, 19), "18 Nov 2026"),
    ],
)
def test_period_text(start: datetime, end: datetime, expected: str) -> None:
    assert period_text(start.replace(tzinfo=MADRID), end.replace(tzinfo=MADRID), MADRID) == expected


def test_the_period_is_read_in_the_groups_zone() -> None:
    # Midnight in Toronto is 05:00 UTC: the days are Toronto's, not UTC's.
    toronto = ZoneInfo("America/Toronto")
    start = datetime(2026, 11, 18, tzinfo=toronto).astimezone(UTC)
    assert period_text(start, start + timedelta(days=7), toronto) == "18–24 Nov 2026"


def test_text_people_wrote_cannot_ping_or_break_out(deps: Deps) -> None:
    with deps.sessions() as session:
        posted = share(
            session,
            "<!channel> wake up <!here> & <@U123>",
            START + timedelta(days=1),
            organisation="<!everyone> & Sons <https://evil.example|click>",
        )
        practices_store.set_card(session=session, practice_id=posted.id or 0, channel="C0GROUP", ts="1763900000.000100")
        share(session, "Plain <!subteam^S123> & <@U999>", START + timedelta(days=2))
        plan(session, "<!channel> meeting & <@U123>", END + timedelta(days=2))

    payload = build_digest(deps, start=START, end=END)

    assert payload is not None
    seen = block_texts(payload) + "\n" + payload["text"]
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<@U999>", "<!subteam", "<https://evil"):
        assert raw not in seen
    assert "&lt;!channel&gt; wake up &lt;!here&gt; &amp; &lt;@U123&gt;" in seen
    assert "&lt;!everyone&gt; &amp; Sons &lt;https://evil.example|click&gt;" in seen
    assert "Plain &lt;!subteam^S123&gt; &amp; &lt;@U999&gt;" in seen
    assert "&lt;!channel&gt; meeting &amp; &lt;@U123&gt;" in seen


def test_a_busy_week_stays_within_slacks_limits(deps: Deps) -> None:
    with deps.sessions() as session:
        for number in range(200):
            title = f"Practice {number:03} " + "x" * 130
            share(session, title, START + timedelta(minutes=number), organisation="&" * 200)
        for number in range(30):
            plan(session, f"Meeting {number}", END + timedelta(days=1, hours=number))

    payload = build_digest(deps, start=START, end=END)

    assert payload is not None
    body = payload["blocks"]
    assert len(body) <= MESSAGE_BLOCKS_LIMIT
    assert len(payload["text"]) <= 3000
    for block in body:
        if "text" in block and block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT_LIMIT
    text = block_texts(payload)
    assert "*New practices* (200)" in text
    assert "Practice 009" in text and "Practice 010" not in text
    assert "and 190 more: `/practice list`" in text
    assert "*Coming up* (30)" in text
    assert "and 20 more: `/meetings`" in text
    assert body[-1]["type"] == "context" and "`/practice`" in body[-1]["elements"][0]["text"]
    json.dumps(payload)  # JSON-ready as it is


def test_call_for_practices_names_the_topics_and_how_to_share(deps: Deps) -> None:
    payload = call_for_practices(deps.settings)

    text = block_texts(payload)
    for topic in deps.settings.practice_topics:
        assert f"• {topic}" in text
    assert "Digitization learning group" in text
    assert "`/practice`" in text
    assert "*Share as practice*" in text
    assert "Bad practice / lesson learned" in text
    assert "/practice" in payload["text"]
    assert len(payload["blocks"]) <= MESSAGE_BLOCKS_LIMIT


def test_call_for_practices_escapes_the_configuration_and_fits_many_topics(deps: Deps) -> None:
    topics = ("Cities & <!channel> regions", *(f"Topic {n:02} " + "y" * 60 for n in range(60)))
    configured = replace(deps.settings, group_name="Smart & <!here> group", practice_topics=topics)
    payload = call_for_practices(configured)

    seen = block_texts(payload) + "\n" + payload["text"]
    assert "<!channel>" not in seen and "<!here>" not in seen
    assert "• Cities &amp; &lt;!channel&gt; regions" in seen
    assert "Smart &amp; &lt;!here&gt; group" in seen
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT_LIMIT
            assert not block["text"]["text"].endswith("…")  # cut between topics, not inside one
    assert "more" in seen.split("*Our topics*")[1]


def test_the_demo_has_practices_and_a_moderation_queue(settings: Settings) -> None:
    today = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    demo = build_deps(settings, clock=lambda: today)
    try:
        seed_demo(demo)
        with demo.sessions() as session:
            page = practices_store.list_practices(session=session, limit=100)
            queue = practices_store.pending(session=session)
            every = practices_store.list_practices(session=session, statuses=tuple(PracticeStatus), limit=100).practices
            marks = practices_store.useful_counts(session=session, practice_ids=[p.id or 0 for p in every])
            meetings = meetings_store.upcoming_meetings(session=session, now=today)
        digest = build_digest(demo, start=today - timedelta(days=7), end=today)
    finally:
        demo.engine.dispose()

    published = page.practices
    assert 8 <= page.total <= 12
    assert len(queue) == 1 and queue[0].status == PracticeStatus.PENDING
    assert {p.country for p in published} == {"ES", "DE", "PT", "IS", "CA", "BR"}
    assert {p.topic for p in published} == set(settings.practice_topics)
    assert {p.kind for p in published} == set(settings.practice_kinds)
    assert {p.author for p in every} == {"U0ORG", "U0MEM", "U0GST"}
    assert all(p.evidence and any(ch.isdigit() for ch in p.evidence) for p in every)
    assert all(today - timedelta(days=150) < p.created_at < today for p in every)
    assert all(p.card_ts is None for p in every)  # the seed posts nothing to Slack
    assert sum(marks.values()) >= 5
    assert len(meetings) == 2  # the demo's meetings are still there
    # The latest week of the demo makes a digest.
    assert digest is not None
    assert "An open register of members' digital projects" in block_texts(digest)
    assert "cybersecurity checklist" not in block_texts(digest)


def test_the_demo_uses_the_groups_own_topics_and_kinds(tmp_path: Any, settings: Settings) -> None:
    own = replace(settings, practice_topics=("Smart cities", "Energy"), practice_kinds=("Project", "Lesson"))
    demo = build_deps(own, clock=lambda: datetime(2026, 11, 25, tzinfo=UTC))
    try:
        seed_demo(demo)
        with demo.sessions() as session:
            every = practices_store.list_practices(session=session, statuses=tuple(PracticeStatus), limit=100)
    finally:
        demo.engine.dispose()

    assert {p.topic for p in every.practices} == {"Smart cities", "Energy"}
    assert {p.kind for p in every.practices} == {"Project", "Lesson"}
