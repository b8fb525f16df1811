"""Block Kit for announcements: the form, the message the scheduler posts, and the pending list.

Pure functions: data in, JSON-ready dicts out. The organiser's text is always escaped, so an
announcement shows as written and can never ping `@channel`, `@here` or anyone through the bot.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.language import i18n
from bot.language.i18n import _, n_
from bot.language.when import WhenError, format_local, parse_moment
from bot.views import blocks
from bot.views import meetings as meeting_views
from bot.views.forms import FormErrors
from store.models import Meeting, ScheduledPost

CALLBACK_ID = "announce_form"
OPEN = "announce_open"
EDIT = "announce_edit"
CANCEL = "announce_cancel"

TEXT_LIMIT = 3000
WHEN_LIMIT = 200
MAX_AHEAD = timedelta(days=365)
# A time typed as "now" (or a few seconds ago) means now, not the past.
NOW_GRACE = timedelta(minutes=1)
OPTION_LIMIT = 75  # a select option's text
OPTIONS_LIMIT = 100  # a select's options
FIRST_LINE_LIMIT = 150
WHEN_EXAMPLES = "tomorrow 9:00, 3 Dec 14:00, in 2 hours, 2026-12-03 14:00 CET"

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class Draft:
    """An announcement as the form describes it; `due_at` is None for "post now"."""

    text: str
    channel: str
    due_at: datetime | None
    meeting_id: int | None


@dataclass(frozen=True)
class FormInitial:
    """What the form shows first: empty for a new announcement, the row's values when editing."""

    text: str = ""
    channel: str = ""
    when: str = ""
    meeting_id: int | None = None


# The form -------------------------------------------------------------------------------------


def meeting_option(meeting: Meeting) -> dict[str, Any]:
    """A meeting as a select option: `#12 Essen workshop · Thu 11 Feb 2027`."""
    date = i18n.format_day(meeting_views.local(meeting.starts_at, meeting), "EEE d MMM y")
    prefix, suffix = f"#{meeting.id} ", f" · {date}"
    room = OPTION_LIMIT - len(prefix) - len(suffix)
    title = " ".join(meeting.title.split())
    label = f"{prefix}{blocks.clip(title, max(room, 1))}{suffix}"
    return blocks.option(label[:OPTION_LIMIT], str(meeting.id))


def modal(
    initial: FormInitial, meetings: list[Meeting], *, zone: ZoneInfo, key: str | None = None, from_home: bool = False
) -> dict[str, Any]:
    """The announcement form; private metadata carries the key of the row it edits."""
    channel_element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "value",
        "default_to_current_conversation": False,
        "filter": {"include": ["public", "private"]},
        "placeholder": blocks.plain(_("Choose a channel")),
    }
    if initial.channel:
        channel_element["initial_conversation"] = initial.channel
    body: list[blocks.Block] = [
        blocks.text_input(
            "text",
            _("Text"),
            _(
                "Shown as you write it; at most {limit} characters. Mentions such as @channel do not ping.",
                limit=i18n.format_number(TEXT_LIMIT),
            ),
            True,
            TEXT_LIMIT,
            True,
            initial.text,
        ),
        blocks.input_block(
            "channel",
            _("Channel"),
            channel_element,
            hint=_("Where to post it; the group's channel unless you choose another."),
        ),
        blocks.text_input(
            "when",
            _("When"),
            _(
                "Leave empty to post now, or e.g. {examples}. Times without a zone are in {zone}.",
                examples=WHEN_EXAMPLES,
                zone=zone.key,
            ),
            False,
            WHEN_LIMIT,
            False,
            initial.when,
        ),
    ]
    options = [meeting_option(m) for m in meetings[:OPTIONS_LIMIT]]
    if options:  # Slack refuses a select without options
        select = blocks.static_select(options, placeholder=_("No meeting"), initial=str(initial.meeting_id))
        hint = _("Optional: its buttons (register, calendar) go under the text.")
        body.append(blocks.input_block("meeting", _("Meeting"), select, optional=True, hint=hint))
    return blocks.modal(
        _("Edit announcement") if key else _("New announcement"),
        body,
        callback_id=CALLBACK_ID,
        private_metadata=json.dumps({"key": key, "from_home": from_home}),
        submit=_("Save") if key else _("Announce"),
        close=_("Cancel"),
    )


def initial_of(post: ScheduledPost, zone: ZoneInfo) -> FormInitial:
    """The form's first values for a pending announcement."""
    payload = read_payload(post.payload)
    return FormInitial(
        text=str(payload.get("text") or ""),
        channel=post.channel,
        when=format_local(post.due_at, zone),
        meeting_id=post.meeting_id,
    )


def parse_form(values: dict[str, str], *, zone: ZoneInfo, now: datetime) -> Draft:
    """Turn the form into an announcement, or raise FormErrors naming each field that is wrong."""
    errors: dict[str, str] = {}
    text = values.get("text", "")
    if not text.strip():
        errors["text"] = _("Write the announcement.")
    elif len(text) > TEXT_LIMIT:
        errors["text"] = n_(
            "At most {limit} characters, please (this has {count}).",
            "At most {limit} characters, please (this has {count}).",
            len(text),
            limit=i18n.format_number(TEXT_LIMIT),
        )
    channel = values.get("channel", "")
    if not _CHANNEL_ID.match(channel):
        errors["channel"] = _("Choose the channel to post in.")
    due_at: datetime | None = None
    when = values.get("when", "")
    if when:
        try:
            due_at = check_when(parse_moment(when, zone=zone, now=now), zone=zone, now=now)
        except WhenError as error:
            errors["when"] = error.message
    meeting_id: int | None = None
    meeting = values.get("meeting", "")
    if meeting:
        if meeting.isdecimal() and len(meeting) <= 9:
            meeting_id = int(meeting)
        else:
            errors["meeting"] = _("Choose one of the meetings, or none.")
    if errors:
        raise FormErrors(errors)
    return Draft(text=text, channel=channel, due_at=due_at, meeting_id=meeting_id)


def check_when(moment: datetime, *, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The time to post at, None for now, or WhenError for a time that has passed or is too far ahead."""
    moment = moment.replace(microsecond=0)
    if moment <= now:
        if now - moment <= NOW_GRACE:
            return None
        raise WhenError(
            _(
                "That time has passed ({when}, {zone}); give a later time, or leave it empty to post now.",
                when=format_local(moment, zone),
                zone=zone.key,
            )
        )
    if moment - now > MAX_AHEAD:
        raise WhenError(
            _(
                "That is more than a year ahead ({when}, {zone}); give a time within a year.",
                when=format_local(moment, zone),
                zone=zone.key,
            )
        )
    return moment


def saved_view(*, channel: str, due_at: datetime | None, zone: ZoneInfo, edited: bool) -> dict[str, Any]:
    """The modal shown once the announcement is planned: what will happen, and when."""
    if due_at is None and edited:
        text = _("Changes saved. :mega: Posting now in <#{channel}>: it appears there within seconds.", channel=channel)
    elif due_at is None:
        text = _(":mega: Posting now in <#{channel}>: it appears there within seconds.", channel=channel)
    elif edited:
        text = _(
            "Changes saved. :calendar: Scheduled for {when} in <#{channel}>.",
            when=when_token(due_at, zone),
            channel=channel,
        )
    else:
        text = _(":calendar: Scheduled for {when} in <#{channel}>.", when=when_token(due_at, zone), channel=channel)
    body = [
        blocks.section(text),
        blocks.context(_("`/announce list` shows what is scheduled, to change or cancel it.")),
    ]
    return blocks.modal(_("Announcement"), body, close=_("Done"))


def notice_view(text: str) -> dict[str, Any]:
    """A modal that replaces the form with a short answer (nothing was changed)."""
    return blocks.notice_modal(_("Announcement"), text)


def when_token(moment: datetime, zone: ZoneInfo) -> str:
    """A date and time shown in each reader's zone, with the organiser's zone as the fallback."""
    return meeting_views.date_token(moment, "{date_short_pretty} {time}", f"{format_local(moment, zone)} {zone.key}")


# The message the scheduler posts ----------------------------------------------------------------


def read_payload(payload: str) -> dict[str, Any]:
    """A row's payload as the bot wrote it (anything else reads as empty)."""
    try:
        data = json.loads(payload or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def text_sections(text: str, limit: int = blocks.SECTION_TEXT_LIMIT) -> list[str]:
    """The text escaped, in pieces that each fit a section; cut at line ends where it can be."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        escaped = blocks.escape(line)
        if len(current) + len(escaped) <= limit:
            current += escaped
            continue
        if current:
            pieces.append(current)
            current = ""
        for char in line:  # a line longer than a section: cut it, never inside an escape
            bit = blocks.escape(char)
            if len(current) + len(bit) > limit:
                pieces.append(current)
                current = ""
            current += bit
    if current:
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def message(payload: dict[str, Any], meeting: Meeting | None) -> dict[str, Any]:
    """The announcement as posted: the text as written, who sent it, and the meeting's buttons."""
    text = str(payload.get("text") or "")
    author = str(payload.get("by") or "")
    body: list[blocks.Block] = [blocks.section(piece) for piece in text_sections(text)]
    if _USER_ID.match(author):
        body.append(blocks.context(_("Announcement from <@{user}>", user=author)))
    if meeting is not None and not meeting.is_cancelled:
        body.append(blocks.context(f"{meeting_views.title_line(meeting)} · {meeting_views.when_text(meeting)}"))
        body.extend(meeting_views.meeting_actions(meeting))
    fallback = blocks.escape(" ".join(text.split()) or _("Announcement"))
    return blocks.message(fallback, body)


# Pending announcements --------------------------------------------------------------------------


def first_line(text: str) -> str:
    """The first line of the text that has words, shortened and escaped for mrkdwn."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return blocks.escape(blocks.clip(line, FIRST_LINE_LIMIT))


def entry(post: ScheduledPost, meeting: Meeting | None, *, zone: ZoneInfo, now: datetime) -> list[blocks.Block]:
    """A pending announcement: when, where, its first line, its meeting, and Edit and Cancel buttons."""
    payload = read_payload(post.payload)
    if post.due_at <= now:
        due = _("*due now* in <#{channel}>", channel=post.channel)
    else:
        due = _("*{when}* in <#{channel}>", when=when_token(post.due_at, zone), channel=post.channel)
    lines = [due, first_line(str(payload.get("text") or "")) or _("_(no text)_")]
    if post.meeting_id is not None and meeting is not None:
        lines.append(_(":calendar: With the buttons of {meeting}", meeting=meeting_views.title_line(meeting)))
    elif post.meeting_id is not None:
        lines.append(_(":calendar: With the buttons of meeting #{number} (gone)", number=post.meeting_id))
    ask = blocks.confirm(
        _("Cancel announcement?"),
        _("It will not be posted. To post it after all, write it again with /announce."),
        yes=_("Cancel it"),
        no=_("Keep it"),
        danger=True,
    )
    cancel = blocks.button(_("Cancel"), CANCEL, post.key, style="danger", confirm=ask)
    return [
        blocks.section("\n".join(lines)),
        blocks.actions(blocks.button(_("Edit"), EDIT, post.key), cancel, block_id=f"announcement-{post.key}"),
    ]


def open_button() -> blocks.Block:
    """The Announce… button, which opens the form."""
    return blocks.button(_("Announce…"), OPEN, "new", style="primary")


def pending_heading(pending: int, *, limit: int) -> str:
    """`Scheduled announcements (3)`; `(50+)` when there may be more than the `limit` read."""
    if pending >= limit:
        return _("Scheduled announcements ({count}+)", count=pending)
    return _("Scheduled announcements ({count})", count=pending)
