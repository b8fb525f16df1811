"""Members' view of the meetings: the list, the next one, one in full, the past ones, App Home."""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.views import blocks
from bot.views import meetings as views
from handlers.meetings._shared import (
    CREATE,
    HOME_LIMIT,
    LIST_LIMIT,
    meeting_named,
    nothing_planned,
    organiser_buttons,
    subscribe_text,
)
from handlers.routing import (
    Call,
)
from store import meetings as store
from store.models import Attendance, Meeting, Person

logger = logging.getLogger(__name__)


def list_upcoming(call: Call) -> None:
    """List upcoming meetings with their buttons."""
    deps = call.deps
    with deps.sessions() as session:
        meetings = store.upcoming_meetings(session=session, now=deps.clock(), limit=LIST_LIMIT + 1)
        shown = meetings[:LIST_LIMIT]
        ids = [m.id for m in shown if m.id is not None]
        counts = store.counts_for(session=session, meeting_ids=ids)
        answers = store.answers_of(session=session, slack_id=call.user_id, meeting_ids=ids)
    if not shown:
        call.reply(nothing_planned(deps, call.user_id))
        return
    body: list[blocks.Block] = [
        blocks.section(f"*Upcoming meetings* ({len(shown)}{'+' if len(meetings) > len(shown) else ''})")
    ]
    for meeting in shown:
        body += [blocks.divider(), *views.entry(meeting, counts[meeting.id or 0], answers.get(meeting.id or 0))]
    if len(meetings) > len(shown):
        body.append(blocks.context(f"Showing the first {LIST_LIMIT}. `/meetings <number>` shows any one in full."))
    if deps.settings.feed_url:
        body.append(blocks.context(subscribe_text(deps)))
    text = "Upcoming meetings:\n" + "\n".join(
        f"#{m.id} {m.title}: {views.when_plain(m)}, {views.place_plain(m)}" for m in shown
    )
    call.reply(blocks.escape(text), body)


def show_next(call: Call) -> None:
    """Show the next meeting in full."""
    with call.deps.sessions() as session:
        meeting = store.next_meeting(session=session, now=call.deps.clock())
    if meeting is None:
        call.reply(nothing_planned(call.deps, call.user_id))
        return
    _show(call, meeting)


def show_one(call: Call) -> None:
    """Show one meeting in full."""
    meeting = meeting_named(call)
    if meeting is not None:
        _show(call, meeting)


def _show(call: Call, meeting: Meeting) -> None:
    with call.deps.sessions() as session:
        counts = store.counts(session=session, meeting_id=meeting.id or 0)
        mine = store.registration_of(session=session, meeting_id=meeting.id or 0, slack_id=call.user_id)
    answer = Attendance(mine.attendance) if mine else None
    now = call.deps.clock()
    body = views.details(meeting, counts, answer, now=now)
    if meeting.ends_at <= now:
        body = [b for b in body if b.get("type") != "actions"]
    if call.deps.people.is_organiser(call.user_id) and not meeting.is_cancelled and meeting.ends_at > now:
        body.append(organiser_buttons(meeting))
    text = f"{meeting.title} (#{meeting.id}): {views.when_plain(meeting)}, {views.place_plain(meeting)}"
    call.reply(blocks.escape(text), body)


def list_past(call: Call) -> None:
    """List meetings that have taken place, most recent first."""
    with call.deps.sessions() as session:
        meetings = store.past_meetings(session=session, now=call.deps.clock(), limit=LIST_LIMIT)
        counts = store.counts_for(session=session, meeting_ids=[m.id for m in meetings if m.id is not None])
    if not meetings:
        call.reply("No meetings have taken place yet.")
        return
    body: list[blocks.Block] = [blocks.section("*Past meetings*")]
    for meeting in meetings:
        count = counts[meeting.id or 0]
        came = [f"{count.in_person} in person"] if meeting.has_places else []
        came += [f"{count.online} online"] if meeting.is_online else []
        body += [
            blocks.section(f"{views.title_line(meeting)}\n{views.when_text(meeting)}\n{views.place_text(meeting)}"),
            blocks.context("Registered: " + ", ".join(came)),
        ]
    text = "Past meetings:\n" + "\n".join(f"#{m.id} {m.title}: {views.when_plain(m)}" for m in meetings)
    call.reply(blocks.escape(text), body)


def home_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """Upcoming meetings with their buttons, the reader's registrations, and organisers' buttons."""
    now = deps.clock()
    with deps.sessions() as session:
        meetings = store.upcoming_meetings(session=session, now=now, limit=HOME_LIMIT)
        ids = [m.id for m in meetings if m.id is not None]
        counts = store.counts_for(session=session, meeting_ids=ids)
        answers = store.answers_of(session=session, slack_id=person.slack_id, meeting_ids=ids)
        mine = store.registrations_of(session=session, slack_id=person.slack_id, now=now)
    body: list[blocks.Block] = [blocks.header("Upcoming meetings")]
    if person.is_organiser:
        body.append(
            blocks.actions(blocks.button("New meeting", CREATE, "new", style="primary"), block_id="meetings-organise")
        )
    if not meetings:
        body.append(blocks.section("No meetings are planned yet."))
    for meeting in meetings:
        body += views.entry(meeting, counts[meeting.id or 0], answers.get(meeting.id or 0), where="home")
        if person.is_organiser:
            body.append(organiser_buttons(meeting))
    if deps.settings.feed_url:
        body.append(blocks.context(subscribe_text(deps)))
    body.append(blocks.header("My registrations"))
    if mine:
        lines = [
            f"• {views.title_line(meeting)}: {views.ANSWER_LABELS[answer]}, {views.when_text(meeting)}"
            for meeting, answer in mine[:10]
        ]
        body.append(blocks.section("\n".join(lines)))
    else:
        body.append(blocks.section("You haven't registered for any upcoming meeting."))
    return body
