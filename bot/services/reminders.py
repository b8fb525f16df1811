"""Meeting reminders as the scheduler posts them: in the channel, by direct message, and "starting now"."""

from __future__ import annotations

from datetime import timedelta

from bot.config import format_offset
from bot.deps import Deps
from bot.posts import Message, RenderContext, Skip
from bot.services import personal, planning
from bot.views import reminders as views
from store import meetings as meetings_store
from store import people as people_store
from store import schedule
from store.models import Meeting, PostKind, ScheduledPost

STARTING_USEFUL_FOR = timedelta(minutes=15)  # a "starting now" post later than this is skipped
HERE_WITH_REMINDER = timedelta(hours=1)  # a reminder this close to the start carries *I'm here*


def register_renderers(deps: Deps) -> None:
    """Register the renderers of the three kinds of meeting post."""

    def upcoming(row: ScheduledPost, context: RenderContext) -> Meeting | Skip:
        meeting = context.meeting(row.meeting_id)
        if meeting is None or meeting.is_cancelled:
            return Skip("the meeting was cancelled")
        if meeting.starts_at <= context.now:
            return Skip("the meeting had already begun")
        return meeting

    def channel_reminder(row: ScheduledPost, context: RenderContext) -> Message | Skip:
        meeting = upcoming(row, context)
        if isinstance(meeting, Skip):
            return meeting
        fan_out(deps, row, meeting)
        context.look_again()  # claim the direct reminders in this run
        return views.channel_reminder(meeting, context.now)

    def direct_reminder(row: ScheduledPost, context: RenderContext) -> Message | Skip:
        meeting = upcoming(row, context)
        if isinstance(meeting, Skip):
            return meeting
        with deps.sessions() as session:
            person = people_store.get_person(session=session, slack_id=row.channel)
        if not personal.wants_reminder(person, format_offset(meeting.starts_at - row.due_at)):
            return Skip("the person turned this meeting reminder off", expected=True)
        here = meeting.starts_at - context.now <= HERE_WITH_REMINDER  # the last reminder: "I'm here" with it
        return views.direct_reminder(meeting, context.now, person.tz if person else None, here=here)

    def starting(row: ScheduledPost, context: RenderContext) -> Message | Skip:
        meeting = context.meeting(row.meeting_id)
        if meeting is None or meeting.is_cancelled:
            return Skip("the meeting was cancelled")
        if context.now - meeting.starts_at > STARTING_USEFUL_FOR:
            return Skip("the meeting started more than 15 minutes ago")
        return views.starting_now(meeting)

    deps.renderers.add(PostKind.REMINDER, channel_reminder)
    deps.renderers.add(PostKind.REMINDER_DM, direct_reminder)
    deps.renderers.add(PostKind.STARTING, starting)


def fan_out(deps: Deps, row: ScheduledPost, meeting: Meeting) -> None:
    """Plan one direct reminder per registered person before the channel post: rows first."""
    with deps.sessions() as session:
        people = meetings_store.reminder_recipients(session=session, meeting_id=meeting.id or 0)
        posts = planning.direct_reminders(row.key, meeting.id or 0, row.due_at, people)
        schedule.plan(session=session, posts=posts, now=deps.clock())
