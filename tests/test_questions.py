"""Questions in plain words: a table of real questions answered from a seeded store, and scenarios in Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot import people
from bot.config import Settings
from bot.deps import Deps, build_deps
from bot.language.matching import pick_meeting
from bot.language.understanding import MeetingHint, Topic, understand
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, LocalBot
from bot.services import outbox
from bot.services import questions as question_service
from bot.services.questions import reply_to
from bot.views.answers import DONT_KNOW
from handlers.questions import reply_thread
from store import faq as faq_store
from store import meetings as store
from store import people as people_store
from store import schedule
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind, Person, PostKind
from tests.helpers import settle, wait_delivery

# Every meeting is in the coming year, so the table stays true whatever today's date is.
YEAR = datetime.now(UTC).year + 1
NOW = datetime(YEAR, 1, 10, 12, 0, tzinfo=UTC)
WAITING = "U0WAIT"
DONT_KNOW_MARK = "<I don't know>"
NOT_FOUND_MARK = "<no such meeting>"
TITLES = (
    "Online exchange",
    "Essen workshop",
    "Toronto meeting",
    "São Paulo",
    "Madrid kick-off",
    "Reykjavik",
)


def at(zone: str, *args: int) -> datetime:
    """A moment given in a meeting's own zone, as UTC."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


def seed(sessions: sessionmaker[Session]) -> dict[str, int]:
    """The store the questions are asked against; returns the meetings' numbers by short name."""
    drafts = {
        "online": MeetingDraft(
            title="Online exchange on SME digital transformation",
            kind=MeetingKind.ONLINE,
            starts_at=at("Europe/Madrid", YEAR, 1, 28, 15, 0),
            ends_at=at("Europe/Madrid", YEAR, 1, 28, 16, 30),
            timezone="Europe/Madrid",
            join_url="https://meet.example.org/sme-exchange",
            description="Members show how their clusters help SMEs move toward Industry 4.0.",
        ),
        "essen": MeetingDraft(
            title="Essen workshop",
            kind=MeetingKind.IN_PERSON,
            starts_at=at("Europe/Berlin", YEAR, 2, 11, 9, 0),
            ends_at=at("Europe/Berlin", YEAR, 2, 12, 17, 0),
            timezone="Europe/Berlin",
            venue="Messe Essen",
            city="Essen",
            country="DE",
            agenda_url="https://example.org/essen-agenda",
            capacity=40,
            registration_deadline=at("Europe/Berlin", YEAR, 2, 1, 23, 59),
        ),
        "reykjavik": MeetingDraft(
            title="Reykjavik meeting",
            kind=MeetingKind.IN_PERSON,
            starts_at=at("Atlantic/Reykjavik", YEAR, 4, 20, 9, 0),
            ends_at=at("Atlantic/Reykjavik", YEAR, 4, 20, 17, 0),
            timezone="Atlantic/Reykjavik",
            city="Reykjavik",
            country="IS",
        ),
        "toronto": MeetingDraft(
            title="Toronto meeting",
            kind=MeetingKind.HYBRID,
            starts_at=at("America/Toronto", YEAR, 6, 15, 9, 0),
            ends_at=at("America/Toronto", YEAR, 6, 16, 17, 0),
            timezone="America/Toronto",
            city="Toronto",
            country="CA",
            capacity=2,
        ),
        "saopaulo": MeetingDraft(
            title="Cluster day in São Paulo",
            kind=MeetingKind.IN_PERSON,
            starts_at=at("America/Sao_Paulo", YEAR, 9, 10, 9, 0),
            ends_at=at("America/Sao_Paulo", YEAR, 9, 10, 18, 0),
            timezone="America/Sao_Paulo",
            city="São Paulo",
            country="BR",
        ),
        "madrid": MeetingDraft(
            title="Madrid kick-off",
            kind=MeetingKind.IN_PERSON,
            starts_at=at("Europe/Madrid", 2018, 7, 2, 9, 0),
            ends_at=at("Europe/Madrid", 2018, 7, 3, 17, 0),
            timezone="Europe/Madrid",
            venue="Ministry of Digital Agenda",
            city="Madrid",
            country="ES",
        ),
    }
    ids: dict[str, int] = {}
    created = datetime(2018, 1, 1, tzinfo=UTC)
    with sessions() as session:
        for name, draft in drafts.items():
            meeting = store.create_meeting(session=session, draft=draft, created_by="U0ORG", now=created)
            assert meeting.id is not None
            ids[name] = meeting.id
        store.cancel_meeting(session=session, meeting_id=ids["reykjavik"], now=created)

        def answer(name: str, slack_id: str, attendance: Attendance) -> None:
            store.register(session=session, meeting_id=ids[name], slack_id=slack_id, answer=attendance, now=created)

        for n in range(1, 28):
            answer("essen", f"U0P{n:02d}", Attendance.IN_PERSON)
        answer("essen", MEMBER.id, Attendance.IN_PERSON)
        answer("toronto", "U0P01", Attendance.IN_PERSON)
        answer("toronto", "U0P02", Attendance.IN_PERSON)
        answer("toronto", WAITING, Attendance.IN_PERSON)  # no place left: the waitlist
        answer("online", GUEST.id, Attendance.ONLINE)

        faq = [
            (
                "Is it free? What does it cost?",
                "The meetings are free for TCI members.",
                "cost, price, fee, free, money",
            ),
            (
                "Who pays for travel and accommodation?",
                "Participants pay their own travel, accommodation and subsistence.",
                "travel, accommodation, hotel, subsistence, expenses, flight, train",
            ),
            (
                "I am not a TCI member. Can I take part?",
                "Non-members: see https://www.tci-network.org/membership",
                "member, membership, non-member, join the network",
            ),
            ("Is there a dress code?", "No dress code. <!channel> bring business cards!", "dress, wear, clothes"),
        ]
        for question, text, keywords in faq:
            faq_store.add_faq(
                session=session, question=question, answer=text, keywords=keywords, created_by="U0ORG", now=created
            )
    return ids


# (question, what the answer must contain). Asked by a member (Europe/Berlin) on 10 January, who is registered
# in person for the Essen workshop and has answered nothing else. {name} stands for that meeting's number.
QUESTIONS: list[tuple[str, str | tuple[str, ...]]] = [
    # when
    ("when is the next meeting?", "*Online exchange on SME digital transformation* (#{online}) is on"),
    ("wen is the nxt meeting", "*Online exchange on SME digital transformation* (#{online}) is on"),
    ("When's the next meeting?", ("Online exchange on SME", "Europe/Madrid")),
    ("next meeting?", "*Online exchange on SME digital transformation*"),
    ("when is the Essen meeting?", ("*Essen workshop* (#{essen}) is on", f"Thu 11 Feb {YEAR}, 09:00 CET")),
    ("hi bot, when does the Essen workshop start?", "*Essen workshop* (#{essen}) is on"),
    ("How long is the Essen workshop?", ("*Essen workshop*", f"Fri 12 Feb {YEAR}, 17:00 CET")),
    ("When is the Toronto meeting?", ("*Toronto meeting* (#{toronto}) is on", "America/Toronto")),
    ("when is the Sao Paulo meeting?", "*Cluster day in São Paulo* (#{saopaulo}) is on"),
    ("when is the meeting in February?", "*Essen workshop* (#{essen})"),
    ("what's happening on 11 Feb?", "*Essen workshop* (#{essen})"),
    ("anything on the 12th of february?", "*Essen workshop* (#{essen})"),
    ("when is the June meeting?", "*Toronto meeting* (#{toronto})"),
    ("when is meeting #{toronto}?", "*Toronto meeting* (#{toronto}) is on"),
    ("when is the online meeting?", "*Online exchange on SME digital transformation*"),
    ("when was the last meeting?", "*Madrid kick-off* (#{madrid}) was on"),
    ("were there any meetings in 2018?", "*Madrid kick-off* (#{madrid}) was on"),
    (
        "Where's the next learning group meeting?",
        "*Online exchange on SME digital transformation* (#{online}) is online.",
    ),
    ("<!channel> when is the next meeting?", "*Online exchange on SME digital transformation*"),
    # where
    ("where is the Essen meeting?", "*Essen workshop* (#{essen}) is at Messe Essen, Essen, Germany."),
    ("were is the essen workshop", "Messe Essen, Essen, Germany"),
    ("where is the next meeting?", "*Online exchange on SME digital transformation* (#{online}) is online."),
    ("Where is the meeting in Torronto?", "*Toronto meeting* (#{toronto}) is at Toronto, Canada, and online."),
    ("where was the first meeting in Madrid?", "was at Ministry of Digital Agenda, Madrid, Spain"),
    # join
    ("is there a video link?", "https://meet.example.org/sme-exchange"),
    ("where's the zoom link for the online exchange?", "https://meet.example.org/sme-exchange"),
    (
        "is there a video link for the Essen workshop?",
        "*Essen workshop* (#{essen}) is in person only; there is no video link",
    ),
    ("is the Essen meeting online?", "is in person only; there is no video link"),
    ("can I join the Toronto meeting online?", "The join link for *Toronto meeting* (#{toronto}) is not out yet"),
    # agenda
    ("what's on the agenda?", ("No agenda has been posted yet for *Online exchange", "Industry 4.0")),
    ("what's on the agneda for Essen", "https://example.org/essen-agenda"),
    ("What is the programme of the Essen workshop?", "The agenda for *Essen workshop* (#{essen})"),
    ("What is the Essen workshop about?", "https://example.org/essen-agenda"),
    ("agenda for toronto?", "No agenda has been posted yet for *Toronto meeting* (#{toronto})."),
    # registered
    ("am I registered?", "You have not answered *Online exchange on SME digital transformation*"),
    ("am i registerd for essen", "You are registered to come in person to *Essen workshop* (#{essen})"),
    ("Am I on the list for the Toronto meeting?", "You have not answered *Toronto meeting* (#{toronto}) yet"),
    # places
    ("how many places are left?", "is online only: there is no limit on places"),
    ("how many places are left for Essen?", "12 of 40 in-person places are left for *Essen workshop* (#{essen})"),
    ("How many people are coming to Essen?", "12 of 40 in-person places are left"),
    ("are there any seats left in Toronto?", ("*Toronto meeting* (#{toronto}) is full", "1 person is on the waitlist")),
    ("is the Toronto meeting full?", "is full: all 2 in-person places are taken"),
    ("how many palces left in são paulo", "There is no limit on in-person places for *Cluster day in São Paulo*"),
    # how to register
    ("how do I register?", ("To register for *Online exchange", "press *Attend online* or *Can't come*")),
    ("how can I sign up for the Essen workshop?", "press *Attend in person* or *Can't come*"),
    ("what's the registration deadline for Essen?", ("*Essen workshop*", "Registration closes")),
    # list
    ("what meetings are coming up?", ("Upcoming meetings:", "*Toronto meeting*", "*Cluster day in São Paulo*")),
    ("upcoming meetings", ("Upcoming meetings:", "*Essen workshop*")),
    ("what meetings are there in June?", ("The one upcoming meeting:", "*Toronto meeting*")),
    # the FAQ
    ("do I pay for travel?", "pay their own travel, accommodation and subsistence"),
    ("who pays for the hotel?", "pay their own travel, accommodation and subsistence"),
    ("is accomodation covered?", "pay their own travel, accommodation and subsistence"),
    ("is it free for members?", "free for TCI members"),
    ("how much does it cost?", "free for TCI members"),
    ("I'm not a member, can I come?", "https://www.tci-network.org/membership"),
    ("what should I wear?", "No dress code. &lt;!channel&gt; bring business cards!"),
    # greetings
    ("hello", "Hi <@U0MEM>!"),
    ("thanks!", "You're welcome!"),
    # what it cannot answer
    ("what's the wifi password?", DONT_KNOW_MARK),
    ("who won the match?", DONT_KNOW_MARK),
    ("what's the weather like in Essen?", DONT_KNOW_MARK),
    ("can you recommend a good restaurant?", DONT_KNOW_MARK),
    ("where is the Lisbon meeting?", (NOT_FOUND_MARK, "“Lisbon”")),
    ("the Lisbon meeting?", (NOT_FOUND_MARK, "“Lisbon”")),
    ("when is the Rome meeting?", (NOT_FOUND_MARK, "“Rome”")),
    (
        "is the Reykjavik meeting still on?",
        f"*Reykjavik meeting* (#{{reykjavik}}) was cancelled; it was planned for Tue 20 Apr {YEAR}",
    ),
    # a long question is read up to 500 characters: the city named after them is not seen
    ("when is the next meeting? " + "and so on " * 60 + "in Lisbon", "*Online exchange on SME digital transformation*"),
]


@dataclass
class Asked:
    """What a person sees when asking the bot something."""

    text: str
    blocks: str  # the blocks, as JSON

    @property
    def everything(self) -> str:
        """The fallback text and the blocks together."""
        return self.text + "\n" + self.blocks


def ask(deps: Deps, question: str, *, person: Person | None = None) -> Asked:
    """Ask as the listener does, and return what would be posted."""
    payload = reply_to(question, deps=deps, person=person or Person(slack_id=MEMBER.id, tz=MEMBER.tz))
    return Asked(text=payload["text"], blocks=json.dumps(payload.get("blocks") or []))


def answered_right(asked: Asked, expected: str | tuple[str, ...], ids: dict[str, int]) -> list[str]:
    """What is wrong with an answer: an empty list when it is right."""
    wanted = (expected,) if isinstance(expected, str) else expected
    problems = []
    for fragment in wanted:
        if fragment == DONT_KNOW_MARK:
            if asked.text != DONT_KNOW:
                problems.append("expected the honest I-don't-know")
            named = [title for title in TITLES if title in asked.everything]
            if named:
                problems.append(f"a don't-know answer names meetings: {named}")
        elif fragment == NOT_FOUND_MARK:
            if not asked.text.startswith("I couldn't find a meeting matching"):
                problems.append("expected: no meeting matches")
            if '"actions"' in asked.blocks:
                problems.append("a no-such-meeting answer offers another meeting's buttons")
        elif fragment.format(**ids) not in asked.text:
            problems.append(f"missing {fragment.format(**ids)!r}")
    if "<!channel>" in asked.everything or "<!here>" in asked.everything:
        problems.append("the answer could ping the channel")
    return problems


@pytest.fixture
def deps(settings: Settings) -> Iterator[Deps]:
    """The bot's dependencies on a fresh store, with the clock on 10 January of the coming year."""
    deps = build_deps(settings, clock=lambda: NOW)
    try:
        yield deps
    finally:
        deps.engine.dispose()


@pytest.fixture
def ids(deps: Deps) -> dict[str, int]:
    """The seeded meetings' numbers."""
    return seed(deps.sessions)


@pytest.mark.parametrize(("question", "expected"), QUESTIONS, ids=[q[:50] for q, _ in QUESTIONS])
def test_question(deps: Deps, ids: dict[str, int], question: str, expected: str | tuple[str, ...]) -> None:
    asked = ask(deps, question.format(**ids))
    assert not answered_right(asked, expected, ids), asked.text


def test_share_of_questions_answered_correctly(deps: Deps, ids: dict[str, int]) -> None:
    assert len(QUESTIONS) >= 45
    wrong = {}
    for question, expected in QUESTIONS:
        problems = answered_right(ask(deps, question.format(**ids)), expected, ids)
        if problems:
            wrong[question] = problems
    ok, total = len(QUESTIONS) - len(wrong), len(QUESTIONS)
    print(f"questions answered correctly: {ok}/{total}")
    assert not wrong, wrong


def test_registered_people_see_their_own_answer(deps: Deps, ids: dict[str, int]) -> None:
    guest = Person(slack_id=GUEST.id, tz=GUEST.tz)
    assert "You are registered to join *Online exchange" in ask(deps, "am I registered?", person=guest).text
    waiting = ask(deps, "am I registered for Toronto?", person=Person(slack_id=WAITING, tz=None))
    assert "You are number 1 on the waitlist for an in-person place at *Toronto meeting*" in waiting.text
    stranger = ask(deps, "am I registered for the Essen workshop?", person=Person(slack_id="U0NEW", tz=None))
    assert "You have not answered *Essen workshop*" in stranger.text
    assert "meeting_rsvp_in_person" in stranger.blocks, "the answer carries the buttons to register"


def test_registration_closed_after_the_deadline(settings: Settings) -> None:
    deps = build_deps(settings, clock=lambda: NOW + timedelta(days=25))
    try:
        seed(deps.sessions)
        asked = ask(deps, "how do I register for Essen?")
    finally:
        deps.engine.dispose()
    assert "Registration for *Essen workshop*" in asked.text and "closed on" in asked.text
    assert "meeting_rsvp_in_person" not in asked.blocks


def test_nothing_planned_yet(deps: Deps) -> None:
    assert ask(deps, "when is the next meeting?").text.startswith("There are no upcoming meetings planned yet.")
    assert ask(deps, "when was the last meeting?").text.startswith("No meeting has taken place yet.")
    assert ask(deps, "is it free?").text == DONT_KNOW, "no FAQ yet: no guess"


# Understanding on its own: no store.


def hint_of(text: str) -> MeetingHint:
    return understand(text, now=NOW, zone=ZoneInfo("Europe/Berlin")).hint


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("where can I find the link?", Topic.JOIN),
        ("wher is it", Topic.WHERE),
        ("is there a waitlist?", Topic.PLACES),
        ("am I on the waitlist?", Topic.REGISTERED),
        ("how do I join the network?", Topic.FAQ),
        ("what can you do?", Topic.GREETING),
        ("May I join online?", Topic.JOIN),
        ("x" * 600 + " when is the next meeting", Topic.UNKNOWN),
    ],
)
def test_topics(text: str, topic: Topic) -> None:
    assert understand(text, now=NOW, zone=ZoneInfo("Europe/Berlin")).topic == topic


def test_hints_read_months_dates_and_markup() -> None:
    assert hint_of("the March meeting").month == 3
    assert hint_of("May I ask something?").month is None
    assert (hint_of("on 11 Feb 2027").day, hint_of("on 11 Feb 2027").month, hint_of("on 11 Feb 2027").year) == (
        11,
        2,
        2027,
    )
    today = NOW.date()
    assert hint_of("anything today?").between == (today, today)
    assert hint_of("<@U0BOT> <https://example.org/x|the Porto meeting>").words == ("porto",)
    assert hint_of("where was it?").past


def test_pick_meeting_never_guesses_a_named_one(deps: Deps, ids: dict[str, int]) -> None:
    with deps.sessions() as session:
        upcoming = store.upcoming_meetings(session=session, now=NOW, limit=200)
        past = store.past_meetings(session=session, now=NOW, limit=50)
    assert pick_meeting(hint_of("the Lisbon meeting"), upcoming, past) is None
    assert pick_meeting(hint_of("the São Paulo meeting"), upcoming, past).id == ids["saopaulo"]  # type: ignore[union-attr]
    assert pick_meeting(hint_of("the previous meeting"), upcoming, past).id == ids["madrid"]  # type: ignore[union-attr]
    assert pick_meeting(hint_of("the meeting in December"), upcoming, past) is None


# Scenarios: the real Bolt app, signed events, answers through the emulator.


def user_message_ts(bot: LocalBot, channel: str, user: str, text: str) -> str:
    """The ts of the message the person just wrote."""
    found = [m for m in bot.emulator.messages(channel) if m["user"] == user and text in (m["text"] or "")]
    assert found, "the message was not recorded"
    return str(found[-1]["ts"])


def test_a_mention_is_answered_in_its_thread_with_the_right_meeting(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    ws, emu = local_bot.workspace, local_bot.emulator
    ws.mention(MEMBER.id, "where is the Essen workshop?")
    ts = user_message_ts(local_bot, GROUP_CHANNEL, MEMBER.id, "where is the Essen workshop?")
    reply = wait_delivery(emu, lambda d: d.kind == "message" and d.channel == GROUP_CHANNEL and d.thread_ts == ts)
    assert "*Essen workshop*" in (reply.text or "") and "Messe Essen" in (reply.text or "")

    # In a thread, the answer goes to that thread.
    event = {
        "type": "app_mention",
        "user": MEMBER.id,
        "text": "<@U0BOT> and how many places are left?",
        "channel": GROUP_CHANNEL,
        "ts": "1800000000.000200",
        "thread_ts": ts,
        "event_ts": "1800000000.000200",
    }
    ws.event(event)
    wait_delivery(emu, lambda d: d.kind == "message" and d.thread_ts == ts and "places" in (d.text or ""))


def test_a_direct_message_is_answered_in_the_direct_message(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    ws, emu = local_bot.workspace, local_bot.emulator
    ws.direct_message(MEMBER.id, "am I registered for Essen?")
    dm = wait_delivery(emu, lambda d: d.kind == "message" and d.channel == emu.im_channel(MEMBER.id))
    assert "You are registered to come in person to *Essen workshop*" in (dm.text or "")
    assert dm.thread_ts is None
    assert not [d for d in emu.deliveries if d.kind == "message" and d.channel == GROUP_CHANNEL]


def test_special_mentions_in_a_question_or_the_faq_never_ping(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    ws, emu = local_bot.workspace, local_bot.emulator
    ws.mention(MEMBER.id, "<!channel> where is the <!here> Lisbon meeting? <!everyone>")
    ws.direct_message(MEMBER.id, "what should I wear?")
    wait_delivery(emu, lambda d: d.kind == "message" and "couldn't find" in (d.text or ""))
    wait_delivery(emu, lambda d: d.kind == "message" and "dress code" in (d.text or ""))
    settle(emu)
    for delivery in emu.deliveries:
        shown = (delivery.text or "") + json.dumps(delivery.blocks or [])
        assert "<!channel>" not in shown and "<!here>" not in shown and "<!everyone>" not in shown


def toronto_mention(ts: str) -> dict[str, str]:
    """The member asking the bot, in the group channel, when the Toronto meeting is."""
    text = "<@U0BOT> when is the Toronto meeting?"
    return {"type": "app_mention", "user": MEMBER.id, "text": text, "channel": GROUP_CHANNEL, "ts": ts, "event_ts": ts}


def test_a_redelivered_question_is_answered_once(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    ws, emu = local_bot.workspace, local_bot.emulator
    event = toronto_mention("1800000000.000300")
    for retry in (None, 1, 2):
        assert ws.event(event, event_id="Ev0QUESTION", retry_num=retry).status == 200
    wait_delivery(emu, lambda d: d.kind == "message" and d.thread_ts == "1800000000.000300")
    settle(emu)
    replies = [d for d in emu.deliveries if d.kind == "message" and d.thread_ts == "1800000000.000300"]
    assert len(replies) == 1 and "*Toronto meeting*" in (replies[0].text or "")


def test_the_question_is_written_before_its_200_and_answered_after_it(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    ws, emu = local_bot.workspace, local_bot.emulator
    event = toronto_mention("1800000000.000400")
    assert ws.event(event, event_id="Ev0ASKED").status == 200
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        row = schedule.get_post(session=session, key=outbox.answer_key("Ev0ASKED"))
    assert row is not None and row.kind == PostKind.QUESTION, "the 200 came after the question was written"
    assert json.loads(row.payload)["question"].endswith("when is the Toronto meeting?")
    reply = wait_delivery(emu, lambda d: d.kind == "message" and d.thread_ts == "1800000000.000400")
    assert "*Toronto meeting*" in (reply.text or "")


def test_a_question_the_bot_fails_to_answer_is_told_so_in_its_thread(
    local_bot: LocalBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> dict[str, object]:
        raise RuntimeError("a fault of the bot's")

    monkeypatch.setattr(question_service, "reply_to", broken)
    ws, emu = local_bot.workspace, local_bot.emulator
    assert ws.mention(MEMBER.id, "when is the next meeting?").status == 200
    reply = wait_delivery(emu, lambda d: d.kind == "message" and d.thread_ts is not None)
    assert "Sorry, something went wrong on my side" in (reply.text or "")


def test_reply_thread() -> None:
    assert reply_thread({"ts": "1.1", "channel": "C1"}) == "1.1"
    assert reply_thread({"ts": "1.2", "thread_ts": "1.1", "channel": "C1"}) == "1.1"
    assert reply_thread({"ts": "1.3", "channel": "D1", "channel_type": "im"}) is None
    assert reply_thread({"ts": "1.4", "thread_ts": "1.1", "channel": "D1", "channel_type": "im"}) == "1.1"


# Questions written after the matcher, never tuned against: the share answered right is the honest figure
# for questions the bot has not seen. The test fails only if the share falls below HELD_OUT_FLOOR.
HELD_OUT: list[tuple[str, str | tuple[str, ...]]] = [
    ("What date is the workshop in Essen?", "*Essen workshop* (#{essen})"),
    ("which day is the toronto one", "*Toronto meeting* (#{toronto})"),
    ("Remind me when we meet next", "*Online exchange on SME digital transformation*"),
    ("what time does the online exchange start", "*Online exchange on SME digital transformation* (#{online})"),
    ("address of the Essen venue please", "Messe Essen, Essen, Germany"),
    ("In which city is the September meeting?", "São Paulo"),
    ("Do you have the link to join the SME exchange?", "https://meet.example.org/sme-exchange"),
    ("how do I get into the online call", "https://meet.example.org/sme-exchange"),
    ("is there an agenda for Essen yet?", "https://example.org/essen-agenda"),
    ("have I signed up for essen?", "You are registered to come in person to *Essen workshop*"),
    ("Is there still room at the Essen workshop?", "12 of 40 in-person places are left"),
    ("any free spots for toronto?", "*Toronto meeting* (#{toronto}) is full"),
    ("How do I book a place in Toronto?", "press *Attend in person*"),
    ("list the meetings please", "Upcoming meetings:"),
    ("Does attending cost anything?", "free for TCI members"),
    ("will my flights be paid for?", "pay their own travel"),
    ("Can non-members attend?", "https://www.tci-network.org/membership"),
    ("what's the parking situation at the venue", DONT_KNOW_MARK),
    ("tell me a joke", DONT_KNOW_MARK),
    ("when is the Berlin meeting?", (NOT_FOUND_MARK, "“Berlin”")),
]
HELD_OUT_FLOOR = 0.7


def test_share_of_unseen_questions_answered_correctly(deps: Deps, ids: dict[str, int]) -> None:
    wrong = {}
    for question, expected in HELD_OUT:
        asked = ask(deps, question.format(**ids))
        problems = answered_right(asked, expected, ids)
        if problems:
            wrong[question] = (problems, asked.text[:160])
    ok, total = len(HELD_OUT) - len(wrong), len(HELD_OUT)
    print(f"unseen questions answered correctly: {ok}/{total} ({ok / total:.0%})")
    for question, (problems, said) in wrong.items():
        print(f"  wrong: {question!r}: {problems}; said {said!r}")
    assert ok / total >= HELD_OUT_FLOOR, wrong


def test_someone_asking_again_within_a_minute_is_read_from_the_store_once(
    deps: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender keeps an asker in mind for a minute between their questions; a language chosen is seen at once."""
    with deps.sessions() as session:
        people_store.save_profile(
            session=session,
            slack_id="U0ASKER",
            display_name="Asker",
            tz="Europe/Madrid",
            is_guest=False,
            checked_at=NOW,
        )
    client = WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/")  # the profile is fresh: Slack is not asked
    clock = [1_000.0]
    monkeypatch.setattr(people.time, "monotonic", lambda: clock[0])

    def moved(zone: str) -> None:  # as another process refreshing the profile from Slack would
        with deps.sessions() as session:
            people_store.save_profile(
                session=session, slack_id="U0ASKER", display_name="Asker", tz=zone, is_guest=False, checked_at=NOW
            )

    assert deps.people.asker(client, "U0ASKER").tz == "Europe/Madrid"
    moved("America/Toronto")
    clock[0] += people.ASKER_MEMORY_SECONDS - 1
    assert deps.people.asker(client, "U0ASKER").tz == "Europe/Madrid"
    clock[0] += 2
    assert deps.people.asker(client, "U0ASKER").tz == "America/Toronto"
    moved("Atlantic/Reykjavik")
    deps.people.forget_language("U0ASKER")
    assert deps.people.asker(client, "U0ASKER").tz == "Atlantic/Reykjavik"
