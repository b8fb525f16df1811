"""Questions in plain words, answered from the store only: meetings, the asker's registrations, the FAQ.

The question is understood by bot.language.understanding, and the answer put in words by
bot.views.answers; nothing is guessed: what the store does not hold gets an honest "I don't know".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.language import i18n
from bot.language.i18n import _
from bot.language.matching import Named, better_named, match_faq, meetings_matching, pick_meeting
from bot.language.understanding import Question, Topic, recap_part, understand
from bot.posts import Delivery, RenderContext, Renderer, Skip
from bot.services import languages, outbox, personal
from bot.services import meetings as meeting_service
from bot.views import blocks
from bot.views.answers import More, answer
from bot.views.faults import SORRY
from store import faq as faq_store
from store import meetings as meetings_store
from store import people as people_store
from store import recaps as recaps_store
from store.db import StoreUnavailable, on_its_own, reading
from store.meetings import Counts
from store.models import Attendance, FaqEntry, FaqTranslation, Meeting, Person, ScheduledPost

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
        Topic.ATTENDEES,
        Topic.TIME_IN,
        Topic.RECAP,
    }
)
IN_PROGRESS_LIMIT = 5  # meetings looked at for "is there a meeting now?"


@dataclass(frozen=True)
class Interpretation:
    """What a question was understood to ask, and what the store holds for it."""

    question: Question
    language: str  # the language the answer is written in
    meeting: Meeting | None = None
    counts: Counts | None = None
    my_answer: Attendance | None = None
    faq: FaqEntry | None = None
    upcoming: tuple[Meeting, ...] = ()
    more: More = field(default_factory=More)


def interpret(text: str, *, deps: Deps, person: Person, client: WebClient | None = None) -> Interpretation:
    """Understand a question and find in the store what answers it: the meeting, the FAQ entry, the asker's answer.

    `client` lets the organisers be named by their Slack names when the store has none for them yet.
    """
    now = deps.clock()
    question = understand(
        text, now=now, zone=deps.settings.zone_for(person.tz), ignore=deps.settings.group_name.split()
    )
    hint = question.hint
    topic = question.topic
    meeting = counts = faq = None
    my_answer: Attendance | None = None
    more = More()
    # Only a question that names a meeting, or asks for the list, needs more than the next meeting.
    limit = UPCOMING_LIMIT if hint.specific or topic == Topic.LIST else IN_PROGRESS_LIMIT
    with deps.sessions() as opened:
        session = reading(opened)
        # The meeting is chosen among the meetings' names, then read whole; a list, or "now", shows the
        # meetings to come, so those are read whole at once.
        listing = topic in (Topic.LIST, Topic.NOW)
        upcoming = meetings_store.upcoming_meetings(session=session, now=now, limit=limit) if listing else []
        kept = None if listing else deps.meeting_names.read(session=session, now=now)
        names: Sequence[Named] = upcoming if kept is None else kept.scheduled[:limit]
        wants_meetings = topic == Topic.LIST or topic in ABOUT_ONE_MEETING
        named_upcoming = meetings_matching(hint, names) if hint.specific and wants_meetings else names
        chosen: Named | None = None
        if topic == Topic.LIST and not named_upcoming:
            # "Were there meetings in 2018?": nothing coming up fits, so the most recent one that does.
            earlier = meetings_matching(hint, meetings_store.past_names(session=session, now=now, limit=PAST_LIMIT))
            if earlier:
                question, chosen = replace(question, topic=Topic.WHEN), earlier[0]
        elif topic in ABOUT_ONE_MEETING:
            past: Sequence[Named] = []
            if topic == Topic.RECAP:  # a recap is of a meeting held: "the slides from Essen" are last time's
                hint = replace(hint, past=True)
            if hint.past or not named_upcoming:
                past = meetings_store.past_names(session=session, now=now, limit=PAST_LIMIT)
            # The upcoming meetings that fit were found above: choose among those rather than match again.
            chosen = pick_meeting(hint, named_upcoming or names, past)
            if hint.specific:
                # A question naming a meeting that was cancelled is answered about it, never about another.
                cancelled = (kept or deps.meeting_names.read(session=session, now=now)).cancelled[:PAST_LIMIT]
                chosen = better_named(hint, cancelled, chosen) or chosen
        if chosen is None:
            meeting = None
        elif kept is not None:  # read whole once while no meeting changes, as the names are
            meeting = deps.meeting_names.meeting(session=session, meeting_id=chosen.id or 0, names=kept)
        else:
            meeting = session.get(Meeting, chosen.id)
        if meeting is not None and meeting.id is not None:
            every, answers = meetings_store.counts_and_answers(
                session=session, slack_id=person.slack_id, meeting_ids=[meeting.id]
            )
            counts, my_answer = every[meeting.id], answers.get(meeting.id)
            if my_answer == Attendance.WAITLISTED:
                position = meetings_store.waitlist_position(
                    session=session, meeting_id=meeting.id, slack_id=person.slack_id
                )
                more = replace(more, position=position)
        if question.topic in ABOUT_ONE_MEETING and (meeting is None or meeting.is_cancelled) and not listing:
            # The answer says which meetings are to come instead.
            upcoming = meetings_store.upcoming_meetings(session=session, now=now, limit=limit)
        if topic == Topic.MINE:
            mine = meetings_store.registrations_of(session=session, slack_id=person.slack_id, now=now)
            more = replace(more, mine=tuple(mine))
        elif topic == Topic.ORGANISERS:
            more = replace(more, organisers=tuple(people_store.list_organisers(session=session)))
        elif topic == Topic.NOW:
            more = replace(more, in_progress=tuple(m for m in upcoming if m.starts_at <= now))
            upcoming = [m for m in upcoming if m.starts_at > now]
        elif topic in (Topic.FAQ, Topic.UNKNOWN):
            translations = faq_store.translations(session=session)
            faq = match_faq(
                question.text, faq_store.list_faq(session=session), also=question.words, translations=translations
            )
            if faq is not None:
                more = _faq_in(faq, translations.get(faq.id or 0, {}), question.language, deps)
    if meeting is not None and meeting.series_id is not None:
        more = replace(more, rule=meeting_service.series_rule(deps, meeting))
    if topic == Topic.ATTENDEES and meeting is not None:
        more = replace(more, named=tuple(personal.listed_coming(deps, meeting.id or 0, besides=person.slack_id)))
    if topic == Topic.RECAP and meeting is not None:
        with deps.sessions() as session:
            recap = recaps_store.get_recap(session=session, meeting_id=meeting.id or 0)
        more = replace(more, recap=recap, recap_part=recap_part(question.words))
    if more.organisers and client is not None:
        named = (p if p.display_name else deps.people.resolve(client, p.slack_id) for p in more.organisers)
        more = replace(more, organisers=tuple(named))
    return Interpretation(
        question=question,
        language=question.language,
        meeting=meeting,
        counts=counts,
        my_answer=my_answer,
        faq=faq,
        upcoming=tuple(upcoming),
        more=more,
    )


def _faq_in(faq: FaqEntry, translations: Mapping[str, FaqTranslation], language: str, deps: Deps) -> More:
    """The entry in the answer's language: its translation, or itself with the language it is written in."""
    if language in translations:
        return More(faq_text=(translations[language].question, translations[language].answer))
    own = faq.language or languages.group_language(deps)
    return More() if own == language else More(faq_untranslated=own)


def reply_to(text: str, *, deps: Deps, person: Person, client: WebClient | None = None) -> dict[str, Any]:
    """Answer a question in plain words from the store: the message payload to post."""
    found = interpret(text, deps=deps, person=person, client=client)
    with i18n.speaking(found.language):
        return answer(
            found.question,
            meeting=found.meeting,
            counts=found.counts,
            my_answer=found.my_answer,
            faq=found.faq,
            upcoming=found.upcoming,
            user_id=person.slack_id,
            now=deps.clock(),
            more=found.more,
        )


def owe_answer(deps: Deps, *, channel: str, text: str, asker: str, thread_ts: str | None, event_id: str) -> None:
    """Write the question for the sender to answer, once, where it was asked (one row, before the 200)."""
    now = deps.clock()
    asked = outbox.question(channel, text=text, asker=asker, thread_ts=thread_ts, event_id=event_id, now=now)
    with deps.sessions() as session:
        outbox.owe(on_its_own(session), [asked], now=now)  # one row: one statement
    deps.send_now()


def answer_renderer(deps: Deps, client: WebClient) -> Renderer:
    """The renderer of QUESTION rows: the answer, from the store as it is when the sender takes the row.

    The asker is read as `deps.people` knows them (their profile asked of Slack with `client` when it is
    unknown or old), kept in mind for a minute between their questions. A question that cannot be answered
    (a fault of the bot's, not of the store) is told so in its thread rather than left without a word.
    """

    def render(row: ScheduledPost, _context: RenderContext) -> Delivery:
        asked = outbox.payload_of(row)
        text, asker, thread = asked.get("question"), asked.get("asker"), asked.get("thread_ts")
        if not isinstance(text, str) or not isinstance(asker, str) or not asker:
            return Skip("no question to answer")
        thread_ts = thread if isinstance(thread, str) and thread else None
        person = deps.people.asker(client, asker)
        # A question too short to tell its language is answered in the asker's, as a request would be.
        with i18n.speaking(languages.of_person(deps, client, asker)):
            try:
                message = reply_to(text, deps=deps, person=person, client=client)
            except StoreUnavailable:
                raise  # the sender tries again later
            except Exception:
                logger.exception("could not answer the question of post %s", row.key)
                message = blocks.notice(_(SORRY))
        return outbox.as_reply(message, thread_ts)

    return render
