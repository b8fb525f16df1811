"""Who is coming: the organisers' list of attendees, and the same as a CSV file."""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.export import safe_cell
from bot.views import blocks
from bot.views import meetings as views
from handlers.home import answer_press
from handlers.meetings._shared import ATTENDEES_CSV, meeting_named, pressed_meeting
from handlers.routing import (
    Call,
)
from store import meetings as store
from store.models import Attendance, Meeting, Person

logger = logging.getLogger(__name__)


def attendees(call: Call) -> None:
    """Who answered what, privately; with `csv`, as a file too."""
    meeting = meeting_named(call, usage="attendees <number>")
    if meeting is None:
        return
    with call.deps.sessions() as session:
        rows = store.attendees(session=session, meeting_id=meeting.id or 0)
        counts = store.counts(session=session, meeting_id=meeting.id or 0)
    groups: dict[str, list[str]] = defaultdict(list)
    for registration, person in rows:
        mark = "" if person.is_member else " (not a member)"
        groups[registration.attendance].append(f"{person.mention}{mark}")
    lines = [f"*{blocks.escape(meeting.title)}* (#{meeting.id}): {views.counts_text(meeting, counts)}"]
    for attendance, label in (
        (Attendance.IN_PERSON, "In person"),
        (Attendance.ONLINE, "Online"),
        (Attendance.WAITLISTED, "Waitlist, in the order places are given"),
        (Attendance.NOT_COMING, "Not coming"),
    ):
        names = groups.get(attendance, [])
        if names:
            shown = ", ".join(f"{i}. {n}" if attendance == Attendance.WAITLISTED else n for i, n in enumerate(names, 1))
            lines.append(f"*{label}* ({len(names)}): {blocks.clip(shown, 2500)}")
    if not rows:
        lines.append("Nobody has answered yet.")
    body = [blocks.section("\n".join(lines))]
    if call.args.split()[1:2] == ["csv"]:
        send_attendees_csv(call.deps, call.client, call.user_id, meeting, rows)
        body.append(blocks.context("The CSV file is in your direct messages."))
    else:
        body.append(
            blocks.actions(blocks.button("Download as CSV", ATTENDEES_CSV, str(meeting.id)), block_id="attendees")
        )
    call.reply("\n".join(lines), body)


def attendees_rows_csv(meeting: Meeting, rows: list[tuple[Any, Person]]) -> str:
    """The attendees of a meeting as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["meeting", "slack_id", "name", "attendance", "member", "answered_at"])
    for registration, person in rows:
        writer.writerow(
            [
                meeting.id,
                person.slack_id,
                safe_cell(person.display_name),
                registration.attendance,
                "yes" if person.is_member else "no",
                registration.answered_at.isoformat(),
            ]
        )
    return out.getvalue()


def send_attendees_csv(
    deps: Deps, client: WebClient, user_id: str, meeting: Meeting, rows: list[tuple[Any, Person]]
) -> None:
    """Upload the attendees' CSV to the organiser's direct messages."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=channel,
        filename=f"meeting-{meeting.id}-attendees.csv",
        title=f"Attendees of {meeting.title}",
        content=attendees_rows_csv(meeting, rows),
        initial_comment=f"Attendees of *{blocks.escape(meeting.title)}* (#{meeting.id}).",
    )


def attendees_csv(deps: Deps) -> Any:
    """The Download as CSV button."""

    def send(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, "That meeting no longer exists.")
            return
        with deps.sessions() as session:
            rows = store.attendees(session=session, meeting_id=meeting.id or 0)
        send_attendees_csv(deps, client, body["user"]["id"], meeting, rows)
        answer_press(deps, body, client, respond, "The CSV file is in your direct messages.")

    return send
