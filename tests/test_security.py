"""Security, through the real bot over signed HTTP: who may do what, signatures, re-deliveries, hostile text,
sizes, and secrets in the logs.

Each test asserts what a person would see in Slack (the emulator records every Web API call and every
answer) or what the store holds. The organiser-only actions are read from the code's own registry, so
an action added tomorrow is tested tomorrow without anyone listing it here.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

import pytest

from bot.config import Secret, Settings
from bot.deps import Deps
from bot.localslack import Delivery
from bot.localslack.emulator import LocalUser
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, PEOPLE, LocalBot
from bot.localslack.workspace import BotResponse, LocalWorkspace
from bot.logs import REDACTED, SDK_CLIENT_LOGGERS, SecretRedactor, formatter
from bot.registry import ActionSpec, Kind
from bot.sender import METADATA_EVENT
from bot.services import planning
from bot.views import announcements as announcement_views
from bot.views import meeting_form, practice_form
from bot.views import meetings as meeting_views
from bot.views import practices as practice_views
from handlers import errors, meetings
from handlers import practices as practices_handler
from handlers.routing import ACTION_REFUSAL, BY_NUMBER, CommandRouter, Subcommand, refusal
from store import faq as faq_store
from store import meetings as meetings_store
from store import practices as practices_store
from store import schedule
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind, PostKind, PostStatus, PracticeStatus
from store.practices import PracticeDraft
from store.schedule import PlannedPost
from tests.helpers import captured_request, changed_tables, settle, store_snapshot

MADRID = ZoneInfo("Europe/Madrid")
TOPIC = "Knowledge and skill development"
# Scheduled posts at test speed rather than at Slack's pace.
FAST = {"posts_per_second": 200.0, "channel_posts_per_second": 200.0}


def now() -> datetime:
    return datetime.now(UTC)


def deps_of(bot: LocalBot) -> Deps:
    assert bot.service is not None
    return bot.service.deps


def workspace_of(bot: LocalBot) -> LocalWorkspace:
    assert bot.workspace is not None
    return bot.workspace


def wait_until(predicate: Callable[[], object], *, timeout: float = 10.0, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def snapshot(bot: LocalBot) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store. Nothing is left out: a request refused, unsigned or too large must not even
    record its event id or refresh the person's profile."""
    return store_snapshot(deps_of(bot).engine)


# Form values as Slack sends them ---------------------------------------------------------------------

State = dict[str, dict[str, dict[str, Any]]]


def typed(value: str) -> dict[str, dict[str, Any]]:
    return {"value": {"type": "plain_text_input", "value": value or None}}


def chosen(value: str) -> dict[str, dict[str, Any]]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"value": {"type": "static_select", "selected_option": option}}


def channel_chosen(channel: str) -> dict[str, dict[str, Any]]:
    return {"value": {"type": "conversations_select", "selected_conversation": channel}}


def in_days(days: int, clock: str = "09:00") -> str:
    return f"{now() + timedelta(days=days):%d %b %Y} {clock}"


def meeting_state(**fields: str) -> State:
    """The meeting form filled in: a hybrid meeting next month unless told otherwise."""
    values = {
        "title": "Toronto meeting",
        "kind": MeetingKind.HYBRID,
        "starts": in_days(40),
        "ends": "17:00",
        "timezone": "America/Toronto",
        "venue": "MaRS Discovery District",
        "city": "Toronto",
        "country": "Canada",
        "join_url": "https://meet.example.org/toronto",
        "agenda_url": "https://example.org/agenda",
        "description": "Clusters and digital ecosystems.",
        "capacity": "30",
        "deadline": "",
        "reminders": "7d,1d,1h",
        **fields,
    }
    return {key: chosen(value) if key == "kind" else typed(value) for key, value in values.items()}


def practice_state(**fields: str) -> State:
    """The practice form filled in."""
    values = {
        "title": "Cluster digital maturity check",
        "kind": "Tool",
        "topic": TOPIC,
        "organisation": "Portuguese production technologies cluster",
        "country": "Portugal",
        "summary": "A one-hour self-assessment SMEs take with a cluster adviser.",
        "evidence": "340 assessments since 2024; 55 firms started a follow-up project.",
        "link": "https://example.org/maturity",
        **fields,
    }
    return {key: chosen(value) if key in ("kind", "topic") else typed(value) for key, value in values.items()}


def announcement_state(text: str = "Our next meeting is confirmed", when: str = "", meeting: str = "") -> State:
    return {
        "text": typed(text),
        "channel": channel_chosen(GROUP_CHANNEL),
        "when": typed(when),
        "meeting": chosen(meeting),
    }


def forged(view: dict[str, Any]) -> dict[str, Any]:
    """A view as a submission would carry it, with an id the emulator never issued."""
    return {"id": "V0FORGED", **view}


def meeting_modal(meeting_id: int | None) -> dict[str, Any]:
    initial = meeting_form.initial_values(None, zone="Europe/Madrid", default_offsets="7d,1d,1h")
    return forged(meeting_form.modal(initial, meeting_id=meeting_id, reply_to=GROUP_CHANNEL))


def announcement_modal(key: str | None) -> dict[str, Any]:
    initial = announcement_views.FormInitial(channel=GROUP_CHANNEL)
    return forged(announcement_views.modal(initial, [], zone=MADRID, key=key))


def practice_modal(bot: LocalBot, practice_id: int | None = None) -> dict[str, Any]:
    return forged(practice_form.modal({}, deps_of(bot).settings, practice_id=practice_id))


def rejection_modal(practice_id: int) -> dict[str, Any]:
    meta = json.dumps({"practice_id": practice_id, "home": False})
    return forged(
        {
            "type": "modal",
            "callback_id": practices_handler.REJECT_CALLBACK,
            "private_metadata": meta,
            "blocks": [{"type": "input", "block_id": "reason", "element": {"type": "plain_text_input"}}],
        }
    )


# What happened after a request ---------------------------------------------------------------------


def private_to(bot: LocalBot, delivery: Delivery, user: str) -> bool:
    """Whether only `user` sees the delivery: an ephemeral answer, a direct message, or their own modal."""
    if delivery.kind in ("response", "ephemeral"):
        return delivery.user == user
    if delivery.kind in ("message", "file"):
        return delivery.channel == bot.emulator.im_channel(user)
    if delivery.kind in ("view_open", "view_push", "view_update", "home"):
        return delivery.user == user
    return False


def said_in(value: Any) -> list[str]:
    """What an answer or a delivery says, as one string (a view's or message's text, blocks and field errors)."""
    if not value:
        return []
    if isinstance(value, dict) and "view" in value:
        value = value["view"]
    if not isinstance(value, dict):
        return [str(value)]
    parts = [str(value.get("text") or "")]
    parts += [json.dumps(value[key], ensure_ascii=False) for key in ("blocks", "errors") if value.get(key)]
    said = " ".join(part for part in parts if part)
    return [said] if said else []


@dataclass
class Attempt:
    """A request someone made, and what followed: the answer, what reached Slack, what changed in the store."""

    response: BotResponse
    deliveries: list[Delivery]
    calls: list[str]
    changed: list[str]

    def told(self, bot: LocalBot, user: str) -> list[str]:
        """Everything `user` was told privately: the acknowledgement's answer and private deliveries."""
        texts = said_in(self.response.json())
        for delivery in self.deliveries:
            if private_to(bot, delivery, user):
                texts += said_in(delivery.view) if delivery.view else said_in(delivery.raw)
        return texts

    def shown_to_others(self, bot: LocalBot, user: str) -> list[Delivery]:
        return [d for d in self.deliveries if not private_to(bot, d, user)]


def attempt(bot: LocalBot, send: Callable[..., BotResponse], *args: Any, **kwargs: Any) -> Attempt:
    """Make a request (`send(*args, **kwargs)`) and wait for the work it started; keep what it led to."""
    before = snapshot(bot)
    deliveries, calls = len(bot.emulator.deliveries), len(bot.emulator.calls)
    response = send(*args, **kwargs)
    assert bot.wait_idle(), "the bot's work did not finish"
    return Attempt(
        response=response,
        deliveries=list(bot.emulator.deliveries[deliveries:]),
        calls=[call.method for call in bot.emulator.calls[calls:]],
        changed=changed_tables(before, snapshot(bot)),
    )


def describe(delivery: Delivery) -> str:
    text = delivery.text or json.dumps(delivery.blocks or delivery.view or {}, ensure_ascii=False)
    return f"{delivery.kind} in {delivery.channel or delivery.user}: {text[:120]!r}"


# 1. Organiser-only actions, from the registry ---------------------------------------------------------


@dataclass(frozen=True)
class World:
    """One of each thing the organisers' actions act on."""

    meeting_id: int
    faq_id: int
    practice_id: int  # a member's practice waiting for approval
    announcement_key: str  # an announcement due in two days
    quick_draft: str  # a meeting typed on one line, as its preview's Save button carries it


def wait_for_start_up(bot: LocalBot) -> None:
    """Wait for the scheduler's first sweep, which plans the digest and the call for practices, so that
    the store holds still unless a request changes it."""

    def planned() -> bool:
        with deps_of(bot).sessions() as session:
            posts = schedule.posts(session=session, kinds=[PostKind.DIGEST, PostKind.CALL])
        return {post.kind for post in posts} == {PostKind.DIGEST, PostKind.CALL}

    wait_until(planned, what="the scheduler's first sweep")


def build_world(bot: LocalBot) -> World:
    """Create the data the organiser-only actions need to be meaningful, and refresh everyone's profile first,
    so that what a request does later is all there is to see."""
    wait_for_start_up(bot)
    deps = deps_of(bot)
    start = now().replace(microsecond=0) + timedelta(days=30)
    with deps.sessions() as session:
        meeting = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Essen workshop",
                kind=MeetingKind.HYBRID,
                starts_at=start,
                ends_at=start + timedelta(hours=8),
                timezone="Europe/Berlin",
                city="Essen",
                country="DE",
                join_url="https://meet.example.org/essen",
                capacity=20,
            ),
            created_by=ORGANISER.id,
            now=now(),
        )
        meetings_store.register(
            session=session, meeting_id=meeting.id or 0, slack_id=MEMBER.id, answer=Attendance.IN_PERSON, now=now()
        )
        faq = faq_store.add_faq(
            session=session,
            question="Do I pay for travel?",
            answer="Yes: participants pay their own travel.",
            keywords="travel",
            created_by=ORGANISER.id,
            now=now(),
        )
        practice = practices_store.create_practice(
            session=session,
            draft=PracticeDraft(
                title="Digital skills academy", kind="Initiative", topic=TOPIC, summary="Training for cluster SMEs."
            ),
            author=MEMBER.id,
            now=now(),
            moderated=True,
        )
        key = "announce:security-pending"
        schedule.plan(
            session=session,
            posts=[
                PlannedPost(
                    key=key,
                    kind=PostKind.ANNOUNCEMENT,
                    channel=GROUP_CHANNEL,
                    due_at=now() + timedelta(days=2),
                    payload=json.dumps({"text": "Reading group on Thursday", "by": ORGANISER.id}),
                )
            ],
            now=now(),
        )
    quick = MeetingDraft(
        title="Lisbon workshop",
        kind=MeetingKind.IN_PERSON,
        starts_at=start + timedelta(days=30),
        ends_at=start + timedelta(days=30, hours=8),
        timezone="Europe/Lisbon",
        city="Lisbon",
        country="PT",
    )
    planning.plan_meeting(deps, meeting.id or 0)  # its reminders, as the form would plan them
    assert bot.service is not None
    for person in PEOPLE.values():
        deps.people.resolve(bot.service.client, person.id)
    assert meeting.id and faq.id and practice.id and practice.status == PracticeStatus.PENDING
    return World(meeting.id, faq.id, practice.id, key, meeting_form.draft_to_json(quick))


def subcommand_text(words: str, world: World) -> str:
    """A subcommand with arguments that would change or show something, were the person allowed."""
    arguments = {
        "organisers add": f"<@{GUEST.id}|carla>",
        "organisers remove": f"<@{GUEST.id}|carla>",
        "members add": f"<@{GUEST.id}|carla>",
        "members remove": f"<@{MEMBER.id}|bruno>",
        "faq add": "Is there a dress code? | No, come as you are. | dress, clothes",
        "faq remove": str(world.faq_id),
        "add": "Lisbon workshop, 11 Feb 2031 9:00-17:00 WET, Lisbon, capacity 30",
        "attendees": f"{world.meeting_id} csv",
        "export": "json all",
        "new": "Our next meeting is confirmed",
    }.get(words, str(world.meeting_id))
    return arguments if words == BY_NUMBER else f"{words} {arguments}"


def button_value(action_id: str, world: World) -> str:
    """What the real button carries: a meeting's number, a practice's, an announcement's key, or a draft."""
    if action_id in (meetings.QUICK_SAVE, meetings.QUICK_FORM):
        return world.quick_draft
    if action_id.startswith("practice_"):
        return str(world.practice_id)
    if action_id.startswith("announce_"):
        return world.announcement_key
    return str(world.meeting_id)


def submissions(callback_id: str, world: World) -> list[tuple[str, dict[str, Any], State]]:
    """Forged submissions of a form: the view as the real form carries it, filled in plausibly."""
    if callback_id == meeting_form.CALLBACK_ID:
        return [
            ("creating", meeting_modal(None), meeting_state()),
            ("editing", meeting_modal(world.meeting_id), meeting_state(title="Essen workshop, moved")),
        ]
    if callback_id == practices_handler.REJECT_CALLBACK:
        return [("rejecting", rejection_modal(world.practice_id), {"reason": typed("Out of the group's scope")})]
    if callback_id == announcement_views.CALLBACK_ID:
        return [
            ("planning", announcement_modal(None), announcement_state()),
            ("editing", announcement_modal(world.announcement_key), announcement_state("Changed text")),
        ]
    blank = {"type": "modal", "callback_id": callback_id, "private_metadata": "{}", "blocks": []}
    return [("submitting", forged(blank), {})]


Trial = tuple[str, Attempt]


def run_subcommand(bot: LocalBot, spec: ActionSpec, user: str, world: World) -> list[Trial]:
    command, _, words = spec.id.partition(" ")
    text = subcommand_text(words, world)
    return [(f"`{command} {text}`", attempt(bot, workspace_of(bot).slash_command, user, command, text))]


def run_button(bot: LocalBot, spec: ActionSpec, user: str, world: World) -> list[Trial]:
    press, value = workspace_of(bot).press_button, button_value(spec.id, world)
    home = {"id": "V0HOME", "type": "home", "blocks": []}
    return [
        ("pressed in a message", attempt(bot, press, user, action_id=spec.id, value=value)),
        ("pressed in App Home", attempt(bot, press, user, action_id=spec.id, value=value, view=home)),
    ]


def run_submission(bot: LocalBot, spec: ActionSpec, user: str, world: World) -> list[Trial]:
    submit = workspace_of(bot).submit_view
    return [(label, attempt(bot, submit, user, view, values)) for label, view, values in submissions(spec.id, world)]


def run_shortcut(bot: LocalBot, spec: ActionSpec, user: str, world: World) -> list[Trial]:
    text = "Our cluster ran a digital skills academy."
    message = {"type": "message", "ts": bot.emulator.post_user_message(GROUP_CHANNEL, MEMBER.id, text), "text": text}
    shortcut = workspace_of(bot).message_shortcut
    return [("on a message", attempt(bot, shortcut, user, callback_id=spec.id, message=message, channel=GROUP_CHANNEL))]


# How a person does each kind of thing; a kind without an entry here fails the coverage test below.
EXERCISERS: dict[Kind, Callable[[LocalBot, ActionSpec, str, World], list[Trial]]] = {
    Kind.SUBCOMMAND: run_subcommand,
    Kind.ACTION: run_button,
    Kind.VIEW: run_submission,
    Kind.SHORTCUT: run_shortcut,
}


def expected_refusals(spec: ActionSpec) -> tuple[str, ...]:
    """The refusal a person is told: a subcommand names itself (or its command, when it is the default)."""
    if spec.kind == Kind.SUBCOMMAND:
        return refusal(spec.id), refusal(spec.id.split(" ", 1)[0])
    return (ACTION_REFUSAL,)


def refusal_problems(bot: LocalBot, trial: Attempt, user: str, refusals: tuple[str, ...]) -> list[str]:
    """What is wrong with how a refused request went; nothing when it was refused as it should be."""
    problems = []
    if trial.response.status != 200:
        problems.append(f"HTTP {trial.response.status}")
    if trial.changed:
        problems.append("the store changed: " + ", ".join(trial.changed))
    if others := trial.shown_to_others(bot, user):
        problems.append("others saw: " + "; ".join(describe(d) for d in others))
    told = trial.told(bot, user)
    if not any(text in said for said in told for text in refusals):
        problems.append(f"was not told the refusal (told: {[t[:160] for t in told]})")
    if extra := [said[:160] for said in told if not any(text in said for text in refusals)]:
        problems.append(f"was told more than the refusal: {extra}")
    if opened := [call for call in trial.calls if call.startswith(("views.", "files.", "chat.update", "chat.delete"))]:
        problems.append("the bot called " + ", ".join(opened))
    return problems


def organiser_effects(bot: LocalBot, world: World, kind: Kind) -> list[str]:
    """Whether a representative organiser-only action of `kind` did its work for the organiser."""
    with deps_of(bot).sessions() as session:
        practice = practices_store.get_practice(session=session, practice_id=world.practice_id)
        meeting = meetings_store.get_meeting(session=session, meeting_id=world.meeting_id)
        questions = [entry.question for entry in faq_store.list_faq(session=session)]
        meeting_count = len(meetings_store.upcoming_meetings(session=session, now=now(), limit=100))
    assert practice is not None and meeting is not None
    expected = {
        Kind.SUBCOMMAND: [("`/meetings faq add` added the question", "Is there a dress code?" in questions)],
        Kind.ACTION: [
            ("Approve published the practice", practice.status == PracticeStatus.PUBLISHED),
            ("Cancel the meeting cancelled it", meeting.is_cancelled),
        ],
        Kind.VIEW: [
            ("the reason's form rejected the practice", practice.status == PracticeStatus.REJECTED),
            ("the meeting form created a meeting", meeting_count == 2),
        ],
    }.get(kind, [])
    return [f"the organiser: {what} failed" for what, done in expected if not done]


def test_every_kind_of_organiser_only_action_has_a_way_to_be_tried(local_bot: LocalBot) -> None:
    """Whatever kind of thing the registry can mark organiser-only, this file knows how a person does it,
    and the registry does mark commands, buttons and forms as organisers' own."""
    assert set(Kind) <= EXERCISERS.keys(), f"no way to try {set(Kind) - EXERCISERS.keys()}"
    kinds = {spec.kind for spec in deps_of(local_bot).registry.organiser_only()}
    assert kinds >= {Kind.SUBCOMMAND, Kind.ACTION, Kind.VIEW}, kinds


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_organiser_only_actions_are_refused_to_members_and_guests(local_bot: LocalBot, kind: Kind) -> None:
    """A member or a guest who tries any organiser-only action (typed, pressed, or forged as a form
    submission) is told privately that only organisers can, nobody else sees anything, and the store is
    as it was; the organiser doing the same is not refused."""
    specs = [spec for spec in deps_of(local_bot).registry.organiser_only() if spec.kind == kind]
    world = build_world(local_bot)
    exercise = EXERCISERS[kind]
    problems = []
    for spec in specs:
        for person in (MEMBER, GUEST):
            for label, trial in exercise(local_bot, spec, person.id, world):
                found = refusal_problems(local_bot, trial, person.id, expected_refusals(spec))
                problems += [f"{spec.id} by {person.name}, {label}: {problem}" for problem in found]
    assert not problems, "\n".join(problems)

    for spec in specs:
        for label, trial in exercise(local_bot, spec, ORGANISER.id, world)[:1]:
            told = trial.told(local_bot, ORGANISER.id)
            if trial.response.status != 200 or any(r in said for said in told for r in expected_refusals(spec)):
                problems.append(f"{spec.id} by the organiser, {label}: refused (HTTP {trial.response.status}, {told})")
    problems += organiser_effects(local_bot, world, kind)
    assert not problems, "\n".join(problems)


# 2. Signatures --------------------------------------------------------------------------------------------

OTHER_SECRET = "a-signing-secret-of-another-app"


def signed_with(secret: str, body: str, timestamp: int) -> dict[str, str]:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def forgeries(ws: LocalWorkspace, body: str) -> dict[str, dict[str, Any]]:
    """Ways a request can fail Slack's signature check, as options to `LocalWorkspace.post`."""
    at = int(time.time())
    return {
        "no signature": {"signed": False},
        "a signature but no timestamp": {
            "signed": False,
            "headers": {"X-Slack-Signature": ws.sign(body, timestamp=at)["X-Slack-Signature"]},
        },
        "a wrong signature": {"headers": {"X-Slack-Signature": "v0=" + "0" * 64}},
        "another app's signature": {"signed": False, "headers": signed_with(OTHER_SECRET, body, at)},
        "the signature of another body": {"signed": False, "headers": ws.sign(body + "&extra=1", timestamp=at)},
        "a timestamp over five minutes old": {"timestamp": at - 5 * 60 - 30},
        "a timestamp over five minutes ahead": {"timestamp": at + 5 * 60 + 30},
    }


# Each request would change the store (and post something) if the bot took it.
SIGNED_REQUESTS: dict[str, Callable[[LocalWorkspace, World], object]] = {
    "slash command": lambda ws, world: ws.slash_command(ORGANISER.id, "/tci", f"organisers add <@{GUEST.id}|carla>"),
    "button press": lambda ws, world: ws.press_button(
        ORGANISER.id, action_id=practice_views.APPROVE, value=str(world.practice_id)
    ),
    "form submission": lambda ws, world: ws.submit_view(ORGANISER.id, announcement_modal(None), announcement_state()),
    "event": lambda ws, world: ws.direct_message(MEMBER.id, "when is the next meeting?"),
}


@pytest.mark.parametrize("kind", list(SIGNED_REQUESTS))
def test_requests_without_a_valid_recent_signature_get_401_and_change_nothing(local_bot: LocalBot, kind: str) -> None:
    """A request that is unsigned, signed wrongly, signed for another body, or signed more than five
    minutes from now (either way) is answered 401: nothing is stored and nothing reaches Slack. The same
    request signed properly does its work."""
    ws, emulator = workspace_of(local_bot), local_bot.emulator
    world = build_world(local_bot)
    local_bot.wait_idle()
    body, content_type = captured_request(ws, lambda w: SIGNED_REQUESTS[kind](w, world))
    before, deliveries, calls = snapshot(local_bot), len(emulator.deliveries), len(emulator.calls)
    statuses = {name: ws.post(body, content_type, **options).status for name, options in forgeries(ws, body).items()}
    assert statuses == dict.fromkeys(statuses, 401), statuses
    local_bot.wait_idle()
    settle(emulator, quiet=0.2)
    assert changed_tables(before, snapshot(local_bot)) == []
    assert emulator.deliveries[deliveries:] == [] and [c.method for c in emulator.calls[calls:]] == []

    assert ws.post(body, content_type).status == 200
    local_bot.wait_idle()
    assert changed_tables(before, snapshot(local_bot)), "signed properly, the same request does its work"


# 3. Events delivered again ---------------------------------------------------------------------------------


def question_event(bot: LocalBot, where: str, text: str) -> dict[str, Any]:
    """A question as Slack delivers it: in a direct message, or mentioning the bot in the group channel."""
    emulator = bot.emulator
    if where == "direct message":
        channel = emulator.im_channel(MEMBER.id)
    else:
        channel, text = GROUP_CHANNEL, f"<@{emulator.bot_user_id}> {text}"
    ts = emulator.post_user_message(channel, MEMBER.id, text)
    event = {"type": "message" if where == "direct message" else "app_mention", "user": MEMBER.id, "text": text}
    event |= {"ts": ts, "event_ts": ts, "channel": channel, "team": emulator.team_id}
    if where == "direct message":
        event["channel_type"] = "im"
    return event


def answers_to(bot: LocalBot, event: dict[str, Any], since: int) -> list[Delivery]:
    """The bot's answers to a question since delivery number `since`: in the DM, or in the mention's thread."""
    return [
        d
        for d in bot.emulator.deliveries[since:]
        if d.kind == "message"
        and d.channel == event["channel"]
        and (event.get("channel_type") == "im" or d.thread_ts == event["ts"])
    ]


@pytest.mark.parametrize("where", ["direct message", "mention"])
def test_an_event_delivered_again_is_answered_once(local_bot: LocalBot, where: str) -> None:
    """Slack re-sends an event it thinks was lost (with or without X-Slack-Retry-Num, even several copies at
    once): the person gets one answer, and the answer is written once."""
    ws = workspace_of(local_bot)
    ways: dict[str, Callable[[dict[str, Any], str], list[int]]] = {
        "again and again": lambda event, event_id: [ws.event(event, event_id=event_id).status for _ in range(3)],
        "as Slack's retries": lambda event, event_id: [
            ws.event(event, event_id=event_id, retry_num=retry).status for retry in (None, 1, 2, 3)
        ],
        "from eight threads at once": lambda event, event_id: at_once(
            8, lambda n: ws.event(event, event_id=event_id, retry_num=n % 3 or None).status
        ),
    }
    for number, (how, deliver) in enumerate(ways.items()):
        event = question_event(local_bot, where, "when is the next meeting?")
        event_id, since = f"Ev0SAME{number}", len(local_bot.emulator.deliveries)
        assert set(deliver(event, event_id)) == {200}, how
        local_bot.wait_idle()
        settle(local_bot.emulator, quiet=0.25)
        answers = answers_to(local_bot, event, since)
        assert len(answers) == 1, f"delivered {how}: {[describe(d) for d in answers]}"
        # A question's delivery is recorded by its answer's row in the outbox, keyed by the event id.
        recorded = [row for row in snapshot(local_bot)["scheduled_posts"] if f"answer:{event_id}" in row]
        assert len(recorded) == 1, how


def at_once(count: int, send: Callable[[int], int]) -> list[int]:
    """Run `send` from `count` threads released together; return what each got."""
    start = threading.Barrier(count)

    def go(number: int) -> int:
        start.wait()
        return send(number)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(go, range(count)))


# 4. Hostile text: shown as written, never a ping or a link -------------------------------------------------

# Every kind of Slack markup a person could slip into a field. The mention and the links are of a fake
# user and fake sites, so that the bot's own mentions (of the organiser, of the channel) are told apart.
CORE = "<!channel> <!here> <!everyone> <@U0EVIL> <!subteam^S0EVIL> <https://evil.example|click me> *b* &amp;"
SHORT = "<!here> <@U0EVIL> <https://evil.example|click me> &amp;"  # for fields of 100 characters
NO_PIPE = CORE.replace("|click me", "")  # where | separates parts, as in `/meetings faq add q | a`
# A link field's value that tries to break out of the link the bot makes of it.
EVIL_URL = "https://links.example/a?b=<!channel>&c=<@U0EVIL>|click-me"
ODD = LocalUser(id="U0ODD", name=f"Zqname {SHORT}", real_name=f"Zqname {SHORT}", tz="Europe/Rome")

HOSTILE_MARKUP = {
    "a broadcast": re.compile(r"<!(?:channel|here|everyone|subteam)"),
    "a mention of U0EVIL": re.compile(r"<@U0EVIL"),
    "a link to evil.example": re.compile(r"<https?://evil\.example"),
    "a link labelled by the sender": re.compile(r"<[^<>|]*\|click[ -]me>"),
}


def hostile(tag: str, core: str = CORE) -> str:
    """Text a person types into a field: a word to find it by, then every kind of markup."""
    return f"{tag} {core}"


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every string Slack reads as mrkdwn in a payload: text objects, fallbacks and file comments.

    Plain-text objects (headers, buttons, labels, confirmations) and input values are never parsed for
    mentions or links, so they are left out: what people typed may appear there as it is.
    """
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key in ("text", "initial_comment") and isinstance(item, str):
                yield item
            else:
                yield from mrkdwn_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_texts(item)


class Scenario:
    """People of the local workspace acting in turn; every answer the bot gives them is kept."""

    def __init__(self, bot: LocalBot) -> None:
        self.bot = bot
        self.ws = workspace_of(bot)
        self.answers: list[Any] = []

    def _kept(self, response: BotResponse) -> Any:
        assert response.status == 200, response.body
        body = response.json()
        if body is not None:
            self.answers.append(body)
        assert self.bot.wait_idle()
        return body

    def command(self, user: str, command: str, text: str = "") -> Any:
        return self._kept(self.ws.slash_command(user, command, text))

    def press(self, user: str, action_id: str, value: str, **where: Any) -> Any:
        return self._kept(self.ws.press_button(user, action_id=action_id, value=value, **where))

    def submit(self, user: str, view: dict[str, Any], values: State) -> Any:
        return self._kept(self.ws.submit_view(user, view, values))

    def ask(self, user: str, text: str) -> None:
        self._kept(self.ws.direct_message(user, text))

    def mention(self, user: str, text: str) -> None:
        self._kept(self.ws.mention(user, text))

    def share(self, user: str, message: dict[str, Any]) -> None:
        """Run the message shortcut "Share as practice" on a message of the group channel."""
        shortcut = practices_handler.SHORTCUT
        self._kept(self.ws.message_shortcut(user, callback_id=shortcut, message=message, channel=GROUP_CHANNEL))

    def home(self, user: str) -> dict[str, Any]:
        self._kept(self.ws.open_home(user))
        view = self.bot.emulator.home_view(user)
        assert view is not None
        return view

    def opens(self, user: str, act: Callable[[], object]) -> dict[str, Any]:
        """Do `act`, and return the modal it opened for `user`."""
        mark = len(self.bot.emulator.deliveries)
        act()
        found = [d.view for d in self.bot.emulator.deliveries[mark:] if d.kind == "view_open" and d.user == user]
        assert found and found[-1] is not None, "no modal opened"
        return found[-1]

    def card(self, contains: str) -> dict[str, Any]:
        """The newest message of the bot in the group channel that contains `contains`."""
        found = [m for m in self.bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id") and contains in json.dumps(m)]
        assert found, f"no message with {contains!r} in the group channel"
        return found[-1]

    def shown(self) -> list[tuple[str, str]]:
        """(where, text) for every mrkdwn text the bot showed: its answers, and everything it sent to Slack."""
        texts = [(f"answer {n}", text) for n, answer in enumerate(self.answers) for text in mrkdwn_texts(answer)]
        for delivery in self.bot.emulator.deliveries:
            where = f"{delivery.kind} in {delivery.channel or '-'} for {delivery.user or 'everyone there'}"
            texts += [(where, text) for text in mrkdwn_texts(delivery.raw)]
        return texts

    def assert_harmless(self, *tags: str) -> None:
        """Nothing shown pings, mentions or links from what people typed; and each tagged text was shown
        (escaped, as written), so the check covered it."""
        shown = self.shown()
        found = [
            f"{where}: {name} in {text[:300]!r}"
            for where, text in shown
            for name, pattern in HOSTILE_MARKUP.items()
            if pattern.search(text)
        ]
        assert not found, "\n".join(found)
        missing = [tag for tag in tags if not any(f"{tag} &lt;!" in text for _, text in shown)]
        assert not missing, f"never shown, escaped: {missing}"


def scheduled(bot: LocalBot, channel: str) -> list[dict[str, Any]]:
    """The scheduler's posts in a channel (they carry its metadata)."""
    return [m for m in bot.emulator.messages(channel) if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]


def plan_now(bot: LocalBot, *posts: PlannedPost) -> None:
    """Plan posts due now and wake the scheduler."""
    deps = deps_of(bot)
    with deps.sessions() as session:
        schedule.plan(session=session, posts=list(posts), now=now())
    deps.wake()


@pytest.fixture
def fast_bot(settings: Settings) -> Iterator[LocalBot]:
    """The bot with the scheduler at test speed and moderation on, and a person whose Slack name is hostile."""
    bot = LocalBot(replace(settings, moderation=True, **FAST)).start()  # type: ignore[arg-type]
    bot.emulator.add_user(ODD)
    try:
        yield bot
    finally:
        bot.stop()


def test_hostile_text_in_meetings_is_shown_as_written(fast_bot: LocalBot) -> None:
    """Whatever an organiser types into a meeting (form or one line) shows as written everywhere the
    meeting appears: its card, lists, details, answers to presses, direct messages, App Home, answers to
    questions, reminders and the digest; none of it pings, mentions anyone or becomes a link."""
    bot, s = fast_bot, Scenario(fast_bot)
    form = s.opens(ORGANISER.id, lambda: s.command(ORGANISER.id, "/meetings", "add"))
    fields = {
        "title": hostile("Zqtitle"),
        "venue": hostile("Zqvenue"),
        "city": hostile("Zqcity", SHORT),
        "description": f"{hostile('Zqdesc')}\n> {CORE}",
        "join_url": EVIL_URL,
        "agenda_url": EVIL_URL + "&agenda=1",
        "starts": in_days(10),
        "timezone": "Europe/Berlin",
        "country": "Germany",
        "capacity": "1",
    }
    assert s.submit(ORGANISER.id, form, meeting_state(**fields))["response_action"] == "update"
    with deps_of(bot).sessions() as session:
        [meeting] = meetings_store.upcoming_meetings(session=session, now=now(), limit=10)
    assert meeting.title == fields["title"] and meeting.join_url == EVIL_URL, "stored as typed"
    number = str(meeting.id)

    s.command(ORGANISER.id, "/meetings", f"announce {number}")
    card = s.card("Zqtitle")
    s.press(MEMBER.id, meeting_views.RSVP_IN_PERSON, number, message=card)
    s.press(GUEST.id, meeting_views.RSVP_IN_PERSON, number, message=card)  # the waitlist
    s.press(ODD.id, meeting_views.RSVP_ONLINE, number, message=card)
    s.press(MEMBER.id, meeting_views.RSVP_NOT_COMING, number, message=card)  # the guest moves up
    s.press(GUEST.id, meeting_views.CALENDAR_FILE, number, message=card)
    for text in ("", "next", number):
        s.command(MEMBER.id, "/meetings", text)
    for text in (number, f"attendees {number}", f"attendees {number} csv", f"cancel {number}"):
        s.command(ORGANISER.id, "/meetings", text)
    for person in (MEMBER, ORGANISER, ODD):
        s.home(person.id)
    s.command(ODD.id, "/tci", "whoami")

    edited = meeting_state(**{**fields, "starts": in_days(11)})  # moved: the registered are told
    assert s.submit(ORGANISER.id, meeting_modal(meeting.id), edited)["response_action"] == "update"
    for question in (
        "when is the next meeting?",
        "where is the next meeting?",
        "is there a video link?",
        "what's on the agenda?",
        "how many places are left?",
        "am I registered?",
        "how do I register?",
        f"where is the {CORE} meeting?",
    ):
        s.ask(GUEST.id, question)
    s.mention(MEMBER.id, f"what's on the agenda? {CORE}")

    # One line, as Slack sends it: mentions as markup (refused), and typed < > & escaped (kept as written).
    s.command(ORGANISER.id, "/meetings", f"add Zqquick {CORE}, {in_days(50)}-17:00 CET, Essen")
    typed_line = (
        "Zqline &lt;!channel&gt; &lt;@U0EVIL&gt; &lt;https://evil.example|click me&gt; &amp;amp;, "
        f"{in_days(50)}-17:00 CET, Essen, capacity 40, venue Zqplace &lt;!here&gt;, hybrid, "
        "join <https://links.example/q?a=&lt;!channel&gt;>"
    )
    preview = s.command(ORGANISER.id, "/meetings", f"add {typed_line}")
    assert preview is None
    previews = [d for d in bot.emulator.deliveries if d.kind == "response" and "Zqline" in json.dumps(d.raw)]
    save = next(
        e for b in previews[-1].blocks or [] for e in b.get("elements", []) if e.get("action_id") == meetings.QUICK_SAVE
    )
    s.press(ORGANISER.id, meetings.QUICK_SAVE, save["value"])

    with deps_of(bot).sessions() as session:
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting.id or 0)
    assert meeting is not None
    base = planning.meeting_key(meeting)
    plan_now(
        bot,
        PlannedPost(f"{base}:now", PostKind.REMINDER, GROUP_CHANNEL, now(), meeting.id, json.dumps({"offset": "1h"})),
        PlannedPost(f"{base}:starting", PostKind.STARTING, GROUP_CHANNEL, now(), meeting.id),
        PlannedPost("digest:security", PostKind.DIGEST, GROUP_CHANNEL, now()),
    )
    wait_until(lambda: len(scheduled(bot, GROUP_CHANNEL)) >= 3, what="the reminder, starting post and digest")
    wait_until(lambda: scheduled(bot, bot.emulator.im_channel(GUEST.id)), what="the guest's direct reminder")
    s.assert_harmless("Zqtitle", "Zqvenue", "Zqcity", "Zqdesc", "Zqline", "Zqplace", "Zqname")


def test_hostile_text_in_practices_is_shown_as_written(fast_bot: LocalBot) -> None:
    """What a member types into a practice (or shares from a message) and an organiser's reason for
    rejecting one show as written in the card, lists, search, details, the moderation queue, direct
    messages, App Home and the digest: no pings, no mentions, no links of the sender's making."""
    bot, s = fast_bot, Scenario(fast_bot)
    values = {
        "title": hostile("Zptitle"),
        "organisation": hostile("Zporg"),
        "summary": f"{hostile('Zpsummary')}\n{CORE}",
        "evidence": hostile("Zpevidence"),
        "link": EVIL_URL,
        "country": "Spain",
    }
    form = s.opens(MEMBER.id, lambda: s.command(MEMBER.id, "/practice"))
    assert s.submit(MEMBER.id, form, practice_state(**values))["response_action"] == "update"
    rejected = {**values, "title": hostile("Zprejected")}
    assert s.submit(MEMBER.id, practice_modal(bot), practice_state(**rejected))["response_action"] == "update"
    with deps_of(bot).sessions() as session:
        first, second = sorted(practices_store.pending(session=session), key=lambda p: p.id or 0)
    assert first.link == EVIL_URL, "stored as typed"

    s.command(ORGANISER.id, "/practice", "queue")
    home = s.home(ORGANISER.id)
    s.opens(ORGANISER.id, lambda: s.press(ORGANISER.id, practice_views.DETAILS, str(first.id), view=home))
    s.press(ORGANISER.id, practice_views.APPROVE, str(first.id))
    reason = s.opens(ORGANISER.id, lambda: s.press(ORGANISER.id, practice_views.REJECT, str(second.id)))
    assert s.submit(ORGANISER.id, reason, {"reason": typed(hostile("Zpreason"))})["response_action"] == "update"

    card = s.card("Zptitle")
    s.press(MEMBER.id, practice_views.USEFUL, str(first.id), message=card)
    s.press(GUEST.id, practice_views.USEFUL, str(first.id))
    for text in ("list", "list Spain", "search Zptitle", "mine", str(first.id), str(second.id), f"delete {first.id}"):
        s.command(MEMBER.id, "/practice", text)
    s.command(ORGANISER.id, "/practice", "stats")
    s.opens(MEMBER.id, lambda: s.command(MEMBER.id, "/practice", f"edit {first.id}"))

    # Sharing a message: Slack sends its mentions and links as markup; the form turns them into words.
    said = f"Zpshared our cluster's academy {CORE.replace('evil.example', 'shared.example')}"
    ts = bot.emulator.post_user_message(GROUP_CHANNEL, MEMBER.id, said)
    message = {"type": "message", "ts": ts, "user": MEMBER.id, "text": said}
    shared = s.opens(MEMBER.id, lambda: s.share(MEMBER.id, message))
    prefilled = {b["block_id"]: b["element"].get("initial_value", "") for b in shared["blocks"] if b["type"] == "input"}
    assert "<!channel>" not in prefilled["summary"] and "@channel" in prefilled["summary"]
    state = practice_state(**{k: v for k, v in prefilled.items() if k in ("title", "summary", "link")})
    assert s.submit(MEMBER.id, shared, state)["response_action"] == "update"
    with deps_of(bot).sessions() as session:
        [third] = practices_store.pending(session=session)
    s.press(ORGANISER.id, practice_views.APPROVE, str(third.id))
    for person in (MEMBER, ORGANISER):
        s.home(person.id)

    plan_now(bot, PlannedPost("digest:security", PostKind.DIGEST, GROUP_CHANNEL, now()))
    wait_until(lambda: scheduled(bot, GROUP_CHANNEL), what="the digest")
    s.assert_harmless("Zptitle", "Zporg", "Zpsummary", "Zpevidence", "Zprejected", "Zpreason")


def test_hostile_text_in_announcements_faq_and_commands_is_shown_as_written(fast_bot: LocalBot) -> None:
    """Announcements (posted now and scheduled), FAQ questions and answers, questions people ask, and
    whatever follows a command that the bot repeats back, all show as written and ping nobody."""
    bot, s = fast_bot, Scenario(fast_bot)
    start = now().replace(microsecond=0) + timedelta(days=20)
    with deps_of(bot).sessions() as session:
        meeting = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title=hostile("Zatitle"),
                kind=MeetingKind.ONLINE,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                timezone="Europe/Madrid",
                join_url=EVIL_URL,
            ),
            created_by=ORGANISER.id,
            now=now(),
        )
    form = s.opens(ORGANISER.id, lambda: s.command(ORGANISER.id, "/announce", hostile("Zaopened")))
    now_text = f"{hostile('Zanow')}\n\n> {CORE}\n• {SHORT}"
    assert (
        s.submit(ORGANISER.id, form, announcement_state(now_text, meeting=str(meeting.id)))["response_action"]
        == "update"
    )
    later = announcement_state(
        hostile("Zalater"), when=f"{now().astimezone(MADRID) + timedelta(days=2):%d %b %Y %H:%M}"
    )
    assert s.submit(ORGANISER.id, announcement_modal(None), later)["response_action"] == "update"
    wait_until(lambda: any("Zanow" in json.dumps(m) for m in scheduled(bot, GROUP_CHANNEL)), what="the announcement")
    s.command(ORGANISER.id, "/announce", "list")
    s.home(ORGANISER.id)
    with deps_of(bot).sessions() as session:
        [pending] = schedule.posts(session=session, statuses=[PostStatus.PENDING], kinds=[PostKind.ANNOUNCEMENT])
    s.opens(ORGANISER.id, lambda: s.press(ORGANISER.id, announcement_views.EDIT, pending.key))
    s.press(ORGANISER.id, announcement_views.CANCEL, pending.key)

    s.command(
        ORGANISER.id, "/meetings", f"faq add {hostile('Zfaqq', NO_PIPE)} travel? | {hostile('Zfaqa', NO_PIPE)} | travel"
    )
    s.command(MEMBER.id, "/meetings", "faq")
    s.ask(MEMBER.id, "do I pay for travel?")
    s.mention(GUEST.id, "what about travel?")
    s.ask(MEMBER.id, hostile("Zask"))
    s.mention(MEMBER.id, hostile("Zask"))

    for user, command, text in (
        (MEMBER.id, "/tci", CORE),
        (MEMBER.id, "/meetings", CORE),
        (MEMBER.id, "/practice", CORE),
        (MEMBER.id, "/practice", f"list {CORE}"),
        (MEMBER.id, "/practice", f"list Zelist {CORE}"),
        (MEMBER.id, "/practice", f"search Zesearch {CORE}"),
        (MEMBER.id, "/practice", f"edit {CORE}"),
        (MEMBER.id, "/meetings", f"reminders {CORE}"),
        (ORGANISER.id, "/meetings", f"edit {CORE}"),
        (ORGANISER.id, "/meetings", f"attendees Zeattendees {CORE}"),
        (ORGANISER.id, "/meetings", f"faq add {CORE}"),
        (ORGANISER.id, "/meetings", f"add {CORE}"),
        (ORGANISER.id, "/tci", f"organisers add Zewho {CORE.replace('<@U0EVIL> ', '')}"),
        (ORGANISER.id, "/practice", f"export {CORE}"),
    ):
        s.command(user, command, text)
    s.assert_harmless("Zanow", "Zalater", "Zatitle", "Zfaqq", "Zfaqa", "Zelist", "Zewho")


# 5. Sizes ----------------------------------------------------------------------------------------------------

BIG = ("digital skills " * 7000)[:100_000]


def post_whole(bot: LocalBot, body: str, content_type: str) -> str:
    """Send a signed request over a plain socket, all of it even if the server stops reading; return the
    answer's status line and body. (A server may answer a body too large before reading it, and close.)"""
    data = body.encode()
    headers = {"Host": "127.0.0.1", "Content-Type": content_type, "Content-Length": str(len(data))}
    headers |= workspace_of(bot).sign(body)
    head = "POST /slack/events HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    assert bot.service is not None and bot.service.http is not None
    with socket.create_connection(("127.0.0.1", bot.service.http.port), timeout=10) as connection:
        connection.sendall(head.encode())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.decode("utf-8", errors="replace")


def test_a_huge_request_body_is_refused_cleanly(local_bot: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    """A 2 MB request, even one signed properly, is refused with 413 before the bot reads it: no
    traceback, nothing stored, nothing posted."""
    emulator = local_bot.emulator
    wait_for_start_up(local_bot)
    before, deliveries = snapshot(local_bot), len(emulator.deliveries)
    form = "payload=" + "a" * 2_000_000
    event = json.dumps(
        {"type": "event_callback", "event_id": "Ev0HUGE", "event": {"type": "app_mention", "text": "a" * 2_000_000}}
    )
    with caplog.at_level(logging.WARNING):
        answers = [post_whole(local_bot, form, "application/x-www-form-urlencoded")]
        answers.append(post_whole(local_bot, event, "application/json"))
    for answer in answers:
        assert answer.startswith("HTTP/1.1 413 ") and "Traceback" not in answer, answer[:300]
    local_bot.wait_idle()
    assert changed_tables(before, snapshot(local_bot)) == [] and emulator.deliveries[deliveries:] == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_slash_command_of_100000_characters_gets_a_private_answer(local_bot: LocalBot) -> None:
    """Every command and subcommand, followed by 100,000 characters, from a member and from an organiser:
    a private answer (or the person's own form) at once, never an error or a 500, and nothing stored."""
    build_world(local_bot)
    registry = deps_of(local_bot).registry
    typed_lines = [(command.name, BIG) for command in registry.commands]
    typed_lines += [(command.name, "x" * 100_000) for command in registry.commands]
    for spec in registry.actions:
        if spec.kind == Kind.SUBCOMMAND:
            command, _, words = spec.id.partition(" ")
            typed_lines.append((command, f"{'7' if words == BY_NUMBER else words} {BIG}"))
    problems = []
    for command, text in typed_lines:
        for person in (MEMBER, ORGANISER):
            started = time.monotonic()
            trial = attempt(local_bot, workspace_of(local_bot).slash_command, person.id, command, text)
            took = time.monotonic() - started
            told = trial.told(local_bot, person.id)
            where = f"{command} {text[:20]}… by {person.name}"
            if trial.response.status != 200 or took > 5:
                problems.append(f"{where}: HTTP {trial.response.status} after {took:.1f} s")
            if trial.changed:
                problems.append(f"{where}: the store changed: {trial.changed}")
            if others := trial.shown_to_others(local_bot, person.id):
                problems.append(f"{where}: others saw {[describe(d) for d in others]}")
            if not told:
                problems.append(f"{where}: no private answer")
            if any(sorry in said for said in told for sorry in (errors.SORRY, errors.STORE_DOWN)):
                problems.append(f"{where}: an error: {told}")
    assert not problems, "\n".join(problems)


def limit_filler(block_id: str, length: int) -> str:
    """A valid value of exactly `length` characters for a free-text or link field."""
    if block_id.endswith("url") or block_id == "link":
        start = "https://example.org/"
        return start + "a" * (length - len(start))
    return "a" * length


FREE_FIELDS = {"title", "venue", "city", "description", "organisation", "summary", "evidence"}
LINK_FIELDS = {"join_url", "agenda_url", "link"}


def test_forged_form_fields_are_held_to_their_limits(local_bot: LocalBot) -> None:
    """Slack stops people typing past a field's limit, but a forged submission need not: every field of
    the meeting and practice forms, the announcement and the rejection reason is held to the same limit
    on the bot's side. At the limit the form is saved; one character more, or half a megabyte, and the
    form says which field is too long and nothing is stored."""
    ws, problems = workspace_of(local_bot), []
    world = build_world(local_bot)
    forms = [
        ("meeting", ORGANISER.id, meeting_form.FIELDS, lambda: meeting_modal(None), meeting_state),
        ("practice", MEMBER.id, practice_form.FIELDS, lambda: practice_modal(local_bot), practice_state),
    ]
    for name, user, fields, modal, state in forms:
        limits = {b["block_id"]: b["element"].get("max_length") for b in modal()["blocks"] if b["type"] == "input"}
        for block_id, _label, _hint, _required, limit, _multiline in fields:
            if limits.get(block_id) != limit:
                problems.append(f"{name} form: {block_id} allows {limits.get(block_id)} in Slack, {limit} here")
            lengths = [limit + 1, 500_000] if block_id not in FREE_FIELDS | LINK_FIELDS else [limit, limit + 1, 500_000]
            for length in lengths:
                values = state(**{block_id: limit_filler(block_id, length)})
                trial = attempt(local_bot, ws.submit_view, user, modal(), values)
                answer = trial.response.json() or {}
                saved = answer.get("response_action") == "update" and bool(trial.changed)
                refused = answer.get("response_action") == "errors" and block_id in answer.get("errors", {})
                if length == limit and not saved:
                    problems.append(f"{name} form: {block_id} of {length} (the limit) not saved: {answer}")
                if length > limit and (not refused or trial.changed):
                    problems.append(f"{name} form: {block_id} of {length} not refused: {answer} {trial.changed}")

    for length in (announcement_views.TEXT_LIMIT, announcement_views.TEXT_LIMIT + 1, 500_000):
        values = announcement_state("a" * length, when=in_days(3))
        trial = attempt(local_bot, ws.submit_view, ORGANISER.id, announcement_modal(None), values)
        answer = trial.response.json() or {}
        if (length <= announcement_views.TEXT_LIMIT) != bool(trial.changed) or (
            length > announcement_views.TEXT_LIMIT and "text" not in answer.get("errors", {})
        ):
            problems.append(f"announcement of {length}: {answer} {trial.changed}")

    limit = practices_handler.REASON_LIMIT
    for length in (limit + 1, 500_000, limit):  # the reason within the limit last: it rejects the practice
        reason = {"reason": typed("a" * length)}
        trial = attempt(local_bot, ws.submit_view, ORGANISER.id, rejection_modal(world.practice_id), reason)
        answer = trial.response.json() or {}
        if (length <= limit) != bool(trial.changed) or (length > limit and "reason" not in answer.get("errors", {})):
            problems.append(f"rejection reason of {length}: {answer} {trial.changed}")
    assert not problems, "\n".join(problems)


def test_a_one_line_meeting_is_held_to_its_length(local_bot: LocalBot) -> None:
    """`/meetings add` on one line reads up to 1,000 characters; one more and the organiser is told the
    line is too long and to use the form, privately, with nothing saved."""
    from bot.language.quick_meeting import MAX_LENGTH

    ws = workspace_of(local_bot)
    build_world(local_bot)
    line = f"Essen workshop, {in_days(60)}-17:00 CET, Essen, hybrid, join https://meet.example.org/"
    line += "a" * (MAX_LENGTH - len(line))
    at_limit = attempt(local_bot, ws.slash_command, ORGANISER.id, "/meetings", f"add {line}")
    over = attempt(local_bot, ws.slash_command, ORGANISER.id, "/meetings", f"add {line}a")
    assert any("Here is what I understood" in said for said in at_limit.told(local_bot, ORGANISER.id))
    assert any("too long for one line (1,001 characters" in said for said in over.told(local_bot, ORGANISER.id))
    assert at_limit.changed == [] and over.changed == [], "a preview saves nothing"


# 6. Secrets never in the logs ----------------------------------------------------------------------------------


def http_status(url: str, **headers: str) -> int:
    """The status of a GET to the bot's own HTTP server."""
    try:
        with urlopen(Request(url, headers=headers), timeout=5) as response:
            return int(response.status)
    except HTTPError as error:
        return error.code


CALENDAR_TOKEN = "calendar-token-4f1d0c9a7b"
METRICS_TOKEN = "metrics-token-9e2b7a5c13"


def test_secrets_never_reach_the_logs(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    """With every logger at DEBUG (Slack's libraries included), commands, a message carrying the
    calendar feed's address, a failing Web API call, an unexpected error, a refused signature, the
    calendar feed, the metrics and a scheduled post leave no token or secret in any log record.
    (SLACK_APP_TOKEN is for Socket Mode; the local bot serves HTTP, so there is none to leak here.)"""
    configured = replace(
        settings,
        calendar_token=Secret(CALENDAR_TOKEN),
        metrics_token=Secret(METRICS_TOKEN),
        public_url="https://bot.example.org",
        **FAST,  # type: ignore[arg-type]
    )
    caplog.set_level(logging.DEBUG)
    for name in ("slack_sdk", "slack_bolt", "bot", "handlers", "apscheduler", "cheroot", *SDK_CLIENT_LOGGERS):
        caplog.set_level(logging.DEBUG, logger=name)
    with LocalBot(configured) as bot:
        s, ws, emulator = Scenario(bot), workspace_of(bot), bot.emulator
        world = build_world(bot)
        secrets = {
            "the bot token": bot.settings.bot_token.reveal(),
            "the signing secret": bot.settings.signing_secret.reveal(),
            "the calendar token": CALENDAR_TOKEN,
            "the metrics token": METRICS_TOKEN,
        }

        def explode(call: object) -> None:
            raise RuntimeError(f"could not reach {bot.settings.feed_url}")

        router = CommandRouter(name="/boom", description="fails", intro="fails on purpose")
        router.add(Subcommand("now", "fail", explode))
        router.register(bot.service.app, deps_of(bot))  # type: ignore[arg-type, union-attr]

        s.command(MEMBER.id, "/tci", "whoami")
        s.command(MEMBER.id, "/meetings", "")  # its answer links to the calendar feed, token included
        s.command(MEMBER.id, "/boom", "now")
        emulator.fail_next("chat.postMessage", status=200, error="channel_not_found")
        s.ask(MEMBER.id, "when is the next meeting?")
        s.command(GUEST.id, "/meetings", f"{world.meeting_id}")
        assert ws.post("command=/tci&text=whoami", "application/x-www-form-urlencoded", signed=False).status == 401
        assert http_status(f"{bot.base_url}/calendar.ics?token={CALENDAR_TOKEN}") == 200
        assert http_status(f"{bot.base_url}/calendar.ics?token=not-{CALENDAR_TOKEN}") == 403
        assert http_status(f"{bot.base_url}/metrics", Authorization=f"Bearer {METRICS_TOKEN}") == 200
        form = s.opens(ORGANISER.id, lambda: s.command(ORGANISER.id, "/announce", "Posted by the scheduler"))
        s.submit(ORGANISER.id, form, announcement_state("Posted by the scheduler"))
        wait_until(lambda: scheduled(bot, GROUP_CHANNEL), what="the announcement")
        sent = json.dumps([d.raw for d in emulator.deliveries if d.kind != "file"], ensure_ascii=False)

    assert CALENDAR_TOKEN in sent, "the feed's address did reach Slack, where members subscribe to it"
    assert REDACTED in caplog.text, "and where it was logged, it was masked"
    assert any(r.name.startswith("slack_sdk") and r.levelno == logging.DEBUG for r in caplog.records)
    assert any("Traceback" in (r.exc_text or "") for r in caplog.records), "the unexpected error was logged"
    leaks = [
        f"{name} in {record.name} {record.levelname}: {text[:200]!r}"
        for record in caplog.records
        for text in (record.getMessage(), record.exc_text or "", record.stack_info or "")
        for name, secret in secrets.items()
        if secret in text
    ]
    leaks += [f"{name} in the captured log text" for name, secret in secrets.items() if secret in caplog.text]
    assert not leaks, "\n".join(leaks)


def test_the_masking_covers_arguments_tracebacks_and_addresses(caplog: pytest.LogCaptureFixture) -> None:
    """A secret passed as an argument, quoted in an exception or written into an address is masked in
    the record itself, so text and JSON logs alike show the mark; once the bot stops, nothing is masked."""
    secret = "s3cret/value+1234"
    redactor = SecretRedactor([Secret(secret), Secret("short")])
    log = logging.getLogger("tests.security")
    caplog.set_level(logging.INFO, logger="tests.security")
    redactor.install()
    try:
        log.info("token %s, in an address https://bot.example.org/feed?token=%s", secret, quote(secret, safe=""))
        try:
            raise RuntimeError(f"the server refused {secret}")
        except RuntimeError:
            log.exception("could not post; short stays short")
    finally:
        redactor.uninstall()
    log.info("after the bot stopped: %s", secret)
    masked, failed, after = caplog.records
    assert masked.getMessage() == f"token {REDACTED}, in an address https://bot.example.org/feed?token={REDACTED}"
    assert secret not in (failed.exc_text or "") and "RuntimeError: the server refused [redacted]" in failed.exc_text
    assert "short stays short" in failed.getMessage()
    assert secret not in formatter("json").format(failed) and secret not in formatter("text").format(failed)
    assert after.getMessage() == f"after the bot stopped: {secret}"
