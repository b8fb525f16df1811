"""Questions in plain words: mentions of the bot in a channel and direct messages to it.

A question is understood (handlers.understanding), answered from the store only (meetings, the
asker's registrations, the organisers' FAQ; handlers.answers), and the answer goes to the thread
of the mention, or to the direct message.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.understanding import Topic, match_faq, meetings_matching, pick_meeting, understand
from bot.views.answers import answer
from handlers.errors import ack_then
from store import faq as faq_store
from store import meetings as meetings_store
from store.models import Attendance, Meeting, Person

logger = logging.getLogger(__name__)

UPCOMING_LIMIT = 200
PAST_LIMIT = 50
# Topics answered about one meeting; the others are answered from the list, the FAQ, or nothing.
ABOUT_ONE_MEETING = frozenset(
    {
        Topic.WHEN,
        Topic.WHERE,
        Topic.JOIN,
        Topic.AGENDA,
        Topic.REGISTERED,
        Topic.PLACES,
        Topic.HOW_TO_REGISTER,
    }
)


def register(app: App, deps: Deps) -> None:
    """Register the app_mention and direct-message listeners."""
    deps.registry.add_event("app_mention")
    deps.registry.add_event("message.im")

    def answer_question(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        event = body["event"]
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        person = deps.people.resolve(client, event["user"])
        payload = reply_to(event.get("text") or "", deps=deps, person=person)
        client.chat_postMessage(
            channel=event["channel"], thread_ts=reply_thread(event), unfurl_links=False, unfurl_media=False, **payload
        )

    app.event("app_mention")(ack_then(app, answer_question))
    app.event({"type": "message", "channel_type": "im"})(ack_then(app, answer_question))


def reply_thread(event: dict[str, Any]) -> str | None:
    """Where the answer goes: a mention's thread; in a direct message, its thread only if it was in one."""
    if event.get("thread_ts"):
        return str(event["thread_ts"])
    if event.get("channel_type") == "im":
        return None
    return str(event["ts"])


def zone_of(person: Person, deps: Deps) -> ZoneInfo:
    """The asker's own time zone, or the group's."""
    if person.tz:
        try:
            return ZoneInfo(person.tz)
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown time zone %r for %s", person.tz, person.slack_id)
    return deps.settings.tz


def reply_to(text: str, *, deps: Deps, person: Person) -> dict[str, Any]:
    """Answer a question in plain words from the store: the message payload to post."""
    now = deps.clock()
    question = understand(text, now=now, zone=zone_of(person, deps), ignore=deps.settings.group_name.split())
    hint = question.hint
    meeting = counts = faq = None
    my_answer: Attendance | None = None
    # Only a question that names a meeting, or asks for the list, needs more than the next meeting.
    limit = UPCOMING_LIMIT if hint.specific or question.topic == Topic.LIST else 1
    with deps.sessions() as session:
        upcoming = meetings_store.upcoming_meetings(session=session, now=now, limit=limit)
        wants_meetings = question.topic == Topic.LIST or question.topic in ABOUT_ONE_MEETING
        named_upcoming = meetings_matching(hint, upcoming) if hint.specific and wants_meetings else upcoming
        if question.topic == Topic.LIST and not named_upcoming:
            # "Were there meetings in 2018?": nothing coming up fits, so the most recent one that does.
            earlier = meetings_matching(hint, meetings_store.past_meetings(session=session, now=now, limit=PAST_LIMIT))
            if earlier:
                question, meeting = replace(question, topic=Topic.WHEN), earlier[0]
        elif question.topic in ABOUT_ONE_MEETING:
            past: list[Meeting] = []
            if hint.past or not named_upcoming:
                past = meetings_store.past_meetings(session=session, now=now, limit=PAST_LIMIT)
            # The upcoming meetings that fit were found above: choose among those rather than match again.
            meeting = pick_meeting(hint, named_upcoming or upcoming, past)
            if meeting is not None and meeting.id is not None:
                counts = meetings_store.counts(session=session, meeting_id=meeting.id)
                registration = meetings_store.registration_of(
                    session=session, meeting_id=meeting.id, slack_id=person.slack_id
                )
                my_answer = Attendance(registration.attendance) if registration else None
        elif question.topic in (Topic.FAQ, Topic.UNKNOWN):
            faq = match_faq(question.text, faq_store.list_faq(session=session))
    return answer(
        question,
        meeting=meeting,
        counts=counts,
        my_answer=my_answer,
        faq=faq,
        upcoming=upcoming,
        user_id=person.slack_id,
        now=now,
    )
