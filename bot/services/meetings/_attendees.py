"""Who is coming: the attendees of a meeting by answer, and the same as a CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import _
from bot.services.export import safe_cell
from bot.services.meetings._priority import provisional, with_provisional
from bot.views import blocks
from store import attendance as attendance_store
from store import meetings as store
from store.meetings import Counts
from store.models import Meeting, Person, Registration

CSV_COLUMNS = ("meeting", "slack_id", "name", "attendance", "member", "answered_at", "attended", "attended_at")


@dataclass(frozen=True)
class Attendees:
    """Everyone who answered a meeting, the waitlist in the order it is served, and the counts."""

    meeting: Meeting
    rows: list[tuple[Registration, Person]]
    counts: Counts
    provisional: bool = False  # non-members' in-person places still give way to members
    guests: tuple[str, ...] = ()  # came without registering, not in the workspace: their names


def attendees(deps: Deps, *, meeting: Meeting) -> Attendees:
    """Everyone who answered the meeting, by answer, with the counts."""
    with deps.sessions() as session:
        rows = store.attendees(session=session, meeting_id=meeting.id or 0)
        counts = with_provisional(deps, session, meeting, store.counts(session=session, meeting_id=meeting.id or 0))
        guests = tuple(attendance_store.guests(session=session, meeting_id=meeting.id or 0))
    held = meeting.capacity is not None and provisional(deps, meeting, deps.clock())
    return Attendees(meeting=meeting, rows=rows, counts=counts, provisional=held, guests=guests)


def attendees_csv(found: Attendees) -> str:
    """The attendees of a meeting as CSV text (cells a spreadsheet would run are made inert)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for registration, person in found.rows:
        writer.writerow(
            [
                found.meeting.id,
                person.slack_id,
                safe_cell(person.display_name),
                registration.attendance,
                "yes" if person.is_member else "no",
                registration.answered_at.isoformat(),
                "yes" if registration.attended_at else "no",
                registration.attended_at.isoformat() if registration.attended_at else "",
            ]
        )
    for name in found.guests:  # came without registering, not in the workspace
        writer.writerow([found.meeting.id, "", safe_cell(name), "guest", "no", "", "yes", ""])
    return out.getvalue()


def send_attendees_csv(client: WebClient, user_id: str, found: Attendees) -> None:
    """Upload the attendees' CSV to the organiser's direct messages."""
    meeting = found.meeting
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=channel,
        filename=f"meeting-{meeting.id}-attendees.csv",
        title=_("Attendees of {title}", title=meeting.title),
        content=attendees_csv(found),
        initial_comment=_("Attendees of *{title}* (#{number}).", title=blocks.escape(meeting.title), number=meeting.id),
    )
