"""Who is coming: the organisers' list of attendees, and the same as a CSV file."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language import i18n
from bot.language.i18n import N_, _
from bot.services import meetings as service
from bot.views import attendance as attendance_views
from bot.views import blocks
from bot.views import meetings as views
from handlers.buttons import ActionWork
from handlers.home import answer_press
from handlers.meetings._attendance import may_mark
from handlers.meetings._shared import ATTENDEES_CSV, meeting_named, pressed_meeting
from handlers.routing import Call
from store.models import Attendance

GROUPS = (  # labels translated where shown
    (Attendance.IN_PERSON, N_("In person")),
    (Attendance.ONLINE, N_("Online")),
    (Attendance.OFFERED, N_("Offered a freed place, waiting for their answer")),
    (Attendance.WAITLISTED, N_("Waitlist, in the order places are given")),
    (Attendance.NOT_COMING, N_("Not coming")),
)
CSV_SENT = N_("The CSV file is in your direct messages.")


def attendees_lines(found: service.Attendees) -> list[str]:
    """The attendees by answer, the waitlist numbered in the order places are given."""
    meeting = found.meeting
    groups: dict[str, list[str]] = defaultdict(list)
    came = [person.mention for registration, person in found.rows if registration.attended_at is not None]
    for registration, person in found.rows:
        if person.is_member:
            name = person.mention
        elif found.provisional and registration.attendance == Attendance.IN_PERSON:
            name = _("{person} (not a member; provisional place)", person=person.mention)
        else:
            name = _("{person} (not a member)", person=person.mention)
        groups[registration.attendance].append(name)
    lines = [f"*{blocks.escape(meeting.title)}* (#{meeting.id}): {views.counts_text(meeting, found.counts)}"]
    for attendance, label in GROUPS:
        names = groups.get(attendance, [])
        if names:
            shown = ", ".join(f"{i}. {n}" if attendance == Attendance.WAITLISTED else n for i, n in enumerate(names, 1))
            count = i18n.format_number(len(names))
            lines.append(f"*{_(label)}* ({count}): {blocks.clip(shown, 2500)}")
    if came:
        shown = blocks.clip(", ".join(came), 2500)
        lines.append(_("*There* ({count}): {people}", count=i18n.format_number(len(came)), people=shown))
    if found.guests:
        shown = blocks.clip(", ".join(blocks.escape(name) for name in found.guests), 2500)
        count = i18n.format_number(len(found.guests))
        lines.append(_("*There without registering, not in Slack* ({count}): {people}", count=count, people=shown))
    if not found.rows:
        lines.append(_("Nobody has answered yet."))
    return lines


def attendees(call: Call) -> None:
    """Who answered what, privately; with `csv`, as a file too."""
    meeting = meeting_named(call, usage="attendees <number>")
    if meeting is None:
        return
    found = service.attendees(call.deps, meeting=meeting)
    lines = attendees_lines(found)
    body = [blocks.section("\n".join(lines))]
    if call.args.split()[1:2] == ["csv"]:
        service.send_attendees_csv(call.client, call.user_id, found)
        body.append(blocks.context(_(CSV_SENT)))
    else:
        buttons = [blocks.button(_("Download as CSV"), ATTENDEES_CSV, str(meeting.id))]
        if may_mark(call.deps, meeting):
            buttons.insert(0, blocks.button(_("Mark attendance"), attendance_views.MARK, str(meeting.id)))
        body.append(blocks.actions(*buttons, block_id="attendees"))
    call.reply("\n".join(lines), body)


def attendees_csv(deps: Deps) -> ActionWork:
    """The Download as CSV button."""

    def send(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, _("That meeting no longer exists."))
            return
        service.send_attendees_csv(client, body["user"]["id"], service.attendees(deps, meeting=meeting))
        answer_press(deps, body, client, respond, _(CSV_SENT))

    return send
