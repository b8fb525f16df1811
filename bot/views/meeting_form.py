"""The meeting form: the modal organisers fill, and the checks every meeting passes before it is saved.

The same checks serve the modal and the one-line quick form, so that a meeting is valid the
same way whichever door it came in by.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import format_offset, parse_offsets
from bot.language.countries import country_name
from bot.language.links import is_web_link
from bot.language.places import country_code
from bot.language.when import WhenError, format_local, parse_end, parse_moment, parse_zone
from bot.views import blocks
from bot.views.forms import FormErrors
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingKind

CALLBACK_ID = "meeting_form"
TITLE_LIMIT = 150
TEXT_LIMIT = 255
CITY_LIMIT = 100
URL_LIMIT = 2000
DESCRIPTION_LIMIT = 3000
CAPACITY_LIMIT = 100_000
MAX_DURATION = timedelta(days=14)
MAX_REMINDER = timedelta(days=365)  # the earliest reminder before a meeting

# (block id, label, hint, required, max length, multiline)
FIELDS: tuple[tuple[str, str, str, bool, int, bool], ...] = (
    ("title", "Title", "e.g. Essen workshop", True, TITLE_LIMIT, False),
    ("starts", "Starts", "A date and time, e.g. 11 Feb 2027 9:00 or next Tuesday 10:00", True, 200, False),
    ("ends", "Ends", "A time on the same day (17:00), a length (3h, 90m) or a date and time", True, 200, False),
    ("timezone", "Time zone", "The meeting's own zone, e.g. Europe/Berlin", True, 64, False),
    ("venue", "Venue", "e.g. Messe Essen, Hall 3", False, TEXT_LIMIT, False),
    ("city", "City", "e.g. Essen", False, CITY_LIMIT, False),
    ("country", "Country", "A name or code, e.g. Germany or DE", False, 60, False),
    ("join_url", "Join link", "For online or hybrid meetings: an https:// link", False, URL_LIMIT, False),
    ("agenda_url", "Agenda link", "An https:// link to the agenda", False, URL_LIMIT, False),
    ("description", "Description", "What the meeting is about; who should come", False, DESCRIPTION_LIMIT, True),
    ("capacity", "In-person places", "A whole number; leave empty for no limit", False, 6, False),
    ("deadline", "Registration deadline", "Optional, e.g. 1 Feb 2027 18:00", False, 200, False),
    ("reminders", "Reminders before it", "Comma-separated, units d h m, e.g. 7d,1d,1h", False, 100, False),
)
KIND_OPTIONS = ((MeetingKind.IN_PERSON, "In person"), (MeetingKind.ONLINE, "Online"), (MeetingKind.HYBRID, "Hybrid"))


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def initial_values(draft: MeetingDraft | None, *, zone: str, default_offsets: str) -> dict[str, str]:
    """What the form shows first: the meeting's values when editing, sensible defaults when creating."""
    if draft is None:
        return {"timezone": zone, "reminders": default_offsets, "kind": MeetingKind.IN_PERSON}
    tz = ZoneInfo(draft.timezone)
    return {
        "title": draft.title,
        "kind": draft.kind,
        "starts": format_local(draft.starts_at, tz),
        "ends": format_local(draft.ends_at, tz),
        "timezone": draft.timezone,
        "venue": draft.venue,
        "city": draft.city,
        "country": country_name(draft.country),
        "join_url": draft.join_url,
        "agenda_url": draft.agenda_url,
        "description": draft.description,
        "capacity": "" if draft.capacity is None else str(draft.capacity),
        "deadline": format_local(draft.registration_deadline, tz) if draft.registration_deadline else "",
        "reminders": draft.reminder_offsets or default_offsets,
    }


def modal(initial: dict[str, str], *, meeting_id: int | None, reply_to: str = "") -> dict[str, Any]:
    """The meeting modal, filled with `initial`; private metadata says which meeting it edits."""
    kind = initial.get("kind") or MeetingKind.IN_PERSON
    kind_block = {
        "type": "input",
        "block_id": "kind",
        "label": {"type": "plain_text", "text": "Kind"},
        "element": {
            "type": "static_select",
            "action_id": "value",
            "options": [_option(value, label) for value, label in KIND_OPTIONS],
            "initial_option": next(_option(v, label) for v, label in KIND_OPTIONS if v == kind),
        },
    }
    inputs = [blocks.text_input(*spec, initial=initial.get(spec[0], "")) for spec in FIELDS]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"meeting_id": meeting_id, "reply_to": reply_to}),
        "title": {"type": "plain_text", "text": "Edit meeting" if meeting_id else "New meeting"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [inputs[0], kind_block, *inputs[1:]],
    }


def form_view(
    source: Meeting | MeetingDraft | None,
    *,
    zone: str,
    default_offsets: str,
    meeting_id: int | None = None,
    reply_to: str = "",
) -> dict[str, Any]:
    """The meeting form, filled with a stored meeting, a draft, or the defaults for a new one."""
    draft = MeetingDraft.of(source) if isinstance(source, Meeting) else source
    return modal(
        initial_values(draft, zone=zone, default_offsets=default_offsets), meeting_id=meeting_id, reply_to=reply_to
    )


class _Problem(ValueError):
    """What is wrong with one field's text, in words for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _capacity(text: str) -> int | None:
    digits = text.replace(",", "").strip()
    if not digits.isdecimal() or not 0 < int(digits) <= CAPACITY_LIMIT:
        raise _Problem("A positive whole number of places, e.g. 40 (or leave it empty for no limit).")
    return int(digits)


def _country(text: str) -> str:
    found = country_code(text)
    if found is None:
        raise _Problem("I don't know that country. Use its name or two-letter code, e.g. Germany or DE.")
    return found


def _offsets(text: str) -> str:
    try:
        parsed = parse_offsets(text)
    except ValueError:
        parsed = ()
    if not parsed or parsed[0] > MAX_REMINDER:
        raise _Problem("Offsets like 7d,1d,1h (units d, h, m), each larger than zero and at most 365d.")
    return ",".join(format_offset(o) for o in parsed)


def parse_form(values: dict[str, str], *, now: datetime, keep_start: datetime | None = None) -> MeetingDraft:
    """Turn the form's text into a meeting, or raise FormErrors naming every field that is wrong, all at once.

    Each field is read, and the meeting as a whole is checked, in one pass: a field that cannot be read
    does not hide the problems of the others. Times are read in the meeting's zone; when the zone itself
    is wrong they are still read (in UTC) for what is wrong with how they are written.
    `keep_start` is an edited meeting's start: it may stay where it is even if it has passed.
    """
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for block_id, label, _hint, required, limit, _multi in FIELDS:
        text = values.get(block_id, "")
        if required and not text:
            errors[block_id] = f"{label} is needed."
        elif len(text) > limit:
            errors[block_id] = f"At most {limit} characters, please (this has {len(text)})."
        else:
            texts[block_id] = text
    kind = values.get("kind") or MeetingKind.IN_PERSON
    if kind not in set(MeetingKind):
        errors["kind"] = "Choose in person, online or hybrid."

    def read(block_id: str, reader: Any) -> Any:
        if block_id not in texts or not texts[block_id]:
            return None
        try:
            return reader(texts[block_id])
        except (WhenError, _Problem) as error:
            errors[block_id] = error.message
            return None

    zone = read("timezone", parse_zone)
    where = zone or ZoneInfo("UTC")
    starts_at = read("starts", lambda text: parse_moment(text, zone=where, now=now))
    ends_at = read("ends", lambda text: parse_end(text, start=starts_at or now, zone=where, now=now))
    deadline = read("deadline", lambda text: parse_moment(text, zone=where, now=now))
    if zone is None:  # read for how they are written only: in another zone they are other moments
        starts_at = ends_at = deadline = None
    if starts_at is None:
        ends_at = None
    fields: dict[str, Any] = {
        "title": values.get("title", ""),
        "kind": kind if "kind" not in errors else None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": zone.key if zone else None,
        "venue": values.get("venue", ""),
        "city": values.get("city", ""),
        "country": read("country", _country) or "",
        "join_url": values.get("join_url", ""),
        "agenda_url": values.get("agenda_url", ""),
        "description": values.get("description", ""),
        "capacity": read("capacity", _capacity),
        "registration_deadline": deadline,
        "reminder_offsets": read("reminders", _offsets) or "",
    }
    editing = keep_start is not None and starts_at == keep_start
    for block_id, message in _problems(fields, now=now, editing=editing).items():
        errors.setdefault(block_id, message)
    if errors:
        raise FormErrors(errors)
    return MeetingDraft(**fields)


LABELS = {block_id: label for block_id, label, *_ in FIELDS} | {"kind": "Kind"}


def check(draft: MeetingDraft, *, now: datetime, editing: bool = False) -> None:
    """Raise FormErrors unless the meeting makes sense: times in order and ahead, links, limits."""
    errors = _problems(draft.values(), now=now, editing=editing)
    if errors:
        raise FormErrors(errors)


def _problems(fields: dict[str, Any], *, now: datetime, editing: bool) -> dict[str, str]:
    """What is wrong with a meeting as a whole, by the form's field; a value that could not be read is None."""
    errors: dict[str, str] = {}
    title = fields["title"]
    if not title.strip():
        errors["title"] = "A title is needed, e.g. Essen workshop."
    elif len(title) > TITLE_LIMIT:
        errors["title"] = f"At most {TITLE_LIMIT} characters, please."
    starts_at, ends_at = fields["starts_at"], fields["ends_at"]
    if starts_at is not None and starts_at <= now and not editing:
        errors["starts"] = "The start is in the past: give a date and time still to come."
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors["ends"] = "The end must come after the start."
        elif ends_at - starts_at > MAX_DURATION:
            errors["ends"] = "A meeting lasts at most 14 days: check the end date."
    deadline = fields["registration_deadline"]
    if deadline is not None and starts_at is not None and deadline > starts_at:
        errors["deadline"] = "The registration deadline must be before the meeting starts."
    if fields["kind"] == MeetingKind.IN_PERSON and fields["join_url"]:
        errors["join_url"] = "An in-person meeting has no join link: choose hybrid or online, or leave it empty."
    for field, label in (("join_url", "join link"), ("agenda_url", "agenda link")):
        url = fields[field]
        if url and not is_web_link(url):
            errors.setdefault(field, f"The {label} must be a web address starting with https:// (or http://).")
        elif len(url) > URL_LIMIT:
            errors.setdefault(field, f"At most {URL_LIMIT} characters, please.")
    capacity = fields["capacity"]
    if capacity is not None and not 0 < capacity <= CAPACITY_LIMIT:
        errors["capacity"] = "A positive whole number of places, e.g. 40."
    description = fields["description"]
    if len(description) > DESCRIPTION_LIMIT:
        errors["description"] = f"At most {DESCRIPTION_LIMIT} characters, please (this has {len(description)})."
    for field, limit in (("venue", TEXT_LIMIT), ("city", CITY_LIMIT)):
        if len(fields[field]) > limit:
            errors[field] = f"At most {limit} characters, please."
    return errors


def draft_to_json(draft: MeetingDraft) -> str:
    """The draft as compact JSON (for a button's value while the organiser confirms)."""
    values = draft.values()
    for key in ("starts_at", "ends_at", "registration_deadline"):
        if values[key] is not None:
            values[key] = values[key].isoformat()
    return json.dumps(values, separators=(",", ":"))


def draft_from_json(text: str) -> MeetingDraft:
    """The draft a button carried."""
    values = json.loads(text)
    for key in ("starts_at", "ends_at", "registration_deadline"):
        if values.get(key):
            values[key] = datetime.fromisoformat(values[key])
    return MeetingDraft(**values)


def summary(draft: MeetingDraft) -> str:
    """What the bot understood, to show before saving."""
    tz = ZoneInfo(draft.timezone)
    lines = [
        f"*{blocks.escape(draft.title)}* ({dict(KIND_OPTIONS)[MeetingKind(draft.kind)].lower()})",
        f"From {format_local(draft.starts_at, tz)} to {format_local(draft.ends_at, tz)} ({draft.timezone})",
    ]
    where = ", ".join(blocks.escape(p) for p in (draft.venue, draft.city, country_name(draft.country)) if p)
    if where:
        lines.append(f"Where: {where}")
    if draft.join_url:
        lines.append(f"Join link: {blocks.escape(draft.join_url)}")
    if draft.capacity is not None:
        lines.append(f"In-person places: {draft.capacity}")
    if draft.registration_deadline is not None:
        lines.append(f"Register by: {format_local(draft.registration_deadline, tz)}")
    return "\n".join(lines)
