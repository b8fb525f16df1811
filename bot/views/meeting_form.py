"""The meeting form: its fields declared once, the modal organisers fill, and the checks every meeting passes.

`MEETING_FIELDS` declares each field a meeting is edited by: the draft's attribute, the form's
input (label, hint, whether it is needed, how long it may be), how its text is read, and how its
value is written back into the form. The modal, the reading of a submission, the edit pre-fill
and the preview's JSON all come from it; the store's update path reads the same attributes
(`store.meetings.EDITABLE`). The checks of a meeting as a whole serve the modal and the one-line
quick form alike, so that a meeting is valid the same way whichever door it came in by.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import format_offset, parse_offsets
from bot.language import i18n, weekdays, when
from bot.language.countries import country_name
from bot.language.i18n import N_, _, n_
from bot.language.links import is_web_link, with_scheme
from bot.language.places import country_code
from bot.language.when import WhenError, format_local, parse_end, parse_moment, parse_zone
from bot.views import blocks
from bot.views.forms import FormErrors
from store.meetings import EDITABLE, MeetingDraft, stored_length
from store.models import Meeting, MeetingKind

CALLBACK_ID = "meeting_form"
TITLE_LIMIT = stored_length("title")
TEXT_LIMIT = stored_length("venue")
CITY_LIMIT = stored_length("city")
URL_LIMIT = stored_length("join_url")
DESCRIPTION_LIMIT = 3000
MOMENT_LIMIT = 200  # a date and time as typed
CAPACITY_LIMIT = 100_000
MAX_DURATION = timedelta(days=14)
MAX_REMINDER = timedelta(days=365)  # the earliest reminder before a meeting
KIND_OPTIONS = (  # labels translated where shown
    (MeetingKind.IN_PERSON, N_("In person")),
    (MeetingKind.ONLINE, N_("Online")),
    (MeetingKind.HYBRID, N_("Hybrid")),
)
KIND_WORDS = {
    MeetingKind.IN_PERSON: N_("in person"),
    MeetingKind.ONLINE: N_("online"),
    MeetingKind.HYBRID: N_("hybrid"),
}
_UTC = ZoneInfo("UTC")


class FieldProblem(ValueError):
    """What is wrong with one field's text, in words for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Reading:
    """What reading one field may need: the clock, and the values of the fields read before it."""

    now: datetime
    read: Mapping[str, Any]
    written: Mapping[str, str] = dataclass_field(default_factory=dict)  # each field as typed, by its block

    @property
    def zone(self) -> ZoneInfo:
        """The meeting's zone; UTC while the zone given cannot be read (times are then read for their writing)."""
        name = self.read.get("timezone")
        return ZoneInfo(name) if name else _UTC

    @property
    def start(self) -> datetime:
        """The meeting's start, or now while the start given cannot be read."""
        return self.read.get("starts_at") or self.now

    @property
    def all_day(self) -> bool:
        """Whether the meeting is on dates alone: its start written "12 May 2027", its end empty or a date too."""
        start, end = (self.written.get(BY_ATTRIBUTE[name].block_id, "") for name in ("starts_at", "ends_at"))
        return when.days_alone(start, end, zone=self.zone, now=self.now)


@dataclass(frozen=True)
class Prefill:
    """What writing a value back into the form may need."""

    zone: ZoneInfo  # the meeting's own zone
    default_offsets: str  # the group's reminder offsets, for a meeting that has none of its own
    days: tuple[date, date] | None = None  # the first and last day of a meeting on dates alone


Reader = Callable[[str, Reading], Any]
Writer = Callable[[Any, Prefill], str]


def _as_typed(text: str, _reading: Reading) -> str:
    return text


def _as_text(value: Any, _prefill: Prefill) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class MeetingField:
    """One editable field of a meeting: the draft's attribute, the form's input, how its text is read and written."""

    attribute: str  # the MeetingDraft attribute (and table column) it fills
    block_id: str  # the form's input
    label: str  # marked with N_: translated where shown
    hint: str = ""  # marked with N_ too
    required: bool = False
    limit: int = 0  # characters the input takes
    multiline: bool = False
    options: tuple[tuple[str, str], ...] = ()  # a choice of (value, label) instead of typed text
    read: Reader = _as_typed  # text to value; raises FieldProblem or WhenError
    write: Writer = _as_text  # value to the text that reads back as it
    empty: Any = ""  # the value of an input left empty
    needs: tuple[str, ...] = ()  # attributes read first; while one of them is wrong, this is read for its writing only
    moment: bool = False  # an aware date and time (ISO 8601 in the preview's JSON)
    by_days: bool = False  # may be left empty for a meeting on dates alone (it ends with its first day)

    @property
    def as_typed(self) -> bool:
        """Whether the value is the text as typed (so its length is checked on any meeting, however made)."""
        return self.read is _as_typed


def _choice(text: str, _reading: Reading) -> str:
    if text not in {value for value, _label in KIND_OPTIONS}:
        raise FieldProblem(_("Choose in person, online or hybrid."))
    return text


def _moment(text: str, reading: Reading) -> datetime:
    return parse_moment(text, zone=reading.zone, now=reading.now)


def _start(text: str, reading: Reading) -> datetime:
    if reading.all_day:  # 00:00 of the first day, in the meeting's zone
        return when.day_start(when.parse_day(text, zone=reading.zone, now=reading.now), reading.zone)
    return _moment(text, reading)


def _end(text: str, reading: Reading) -> datetime:
    if reading.all_day:  # 00:00 after the last day (the first, when left empty), in the meeting's zone
        return when.end_of_days(text, start=reading.start, zone=reading.zone, now=reading.now)
    # A start written "14h" makes "16h" an end time, not sixteen hours.
    hour_words = weekdays.has_hour_word(reading.written.get(BY_ATTRIBUTE["starts_at"].block_id, ""))
    return parse_end(text, start=reading.start, zone=reading.zone, now=reading.now, hour_words=hour_words)


def _zone(text: str, _reading: Reading) -> str:
    return parse_zone(text).key


def _link(text: str, _reading: Reading) -> str:
    return with_scheme(text)  # "www.example.org/agenda" is taken as https


JOIN_HINT = N_("For online or hybrid meetings: an https:// link")
AGENDA_HINT = N_("An https:// link to the agenda")


def _country(text: str, _reading: Reading) -> str:
    found = country_code(text)
    if found is None:
        raise FieldProblem(_("I don't know that country. Use its name or two-letter code, e.g. Germany or DE."))
    return found


def _capacity(text: str, _reading: Reading) -> int:
    digits = text.replace(",", "").strip()
    if not digits.isdecimal() or not 0 < int(digits) <= CAPACITY_LIMIT:
        raise FieldProblem(_("A positive whole number of places, e.g. 40 (or leave it empty for no limit)."))
    return int(digits)


def _offsets(text: str, _reading: Reading) -> str:
    try:
        parsed = parse_offsets(text)
    except ValueError:
        parsed = ()
    if not parsed or parsed[0] > MAX_REMINDER:
        raise FieldProblem(_("Offsets like 7d,1d,1h (units d, h, m), each larger than zero and at most 365d."))
    return ",".join(format_offset(o) for o in parsed)


def _written_moment(value: datetime | None, prefill: Prefill) -> str:
    return format_local(value, prefill.zone) if value else ""


def _written_day(index: int) -> Writer:
    """The start (0) or end (1) as written: the first or last day alone for a meeting on dates alone."""
    return lambda value, fill: when.format_day(fill.days[index]) if fill.days else _written_moment(value, fill)


MEETING_FIELDS: tuple[MeetingField, ...] = (
    MeetingField("title", "title", N_("Title"), N_("e.g. Essen workshop"), required=True, limit=TITLE_LIMIT),
    MeetingField(
        "kind", "kind", N_("Kind"), required=True, options=KIND_OPTIONS, read=_choice, empty=MeetingKind.IN_PERSON
    ),
    MeetingField(
        "starts_at",
        "starts",
        N_("Starts"),
        N_("A date and time, e.g. 11 Feb 2027 9:00 or next Tuesday 10:00; a date alone for an all-day meeting"),
        required=True,
        limit=MOMENT_LIMIT,
        read=_start,
        write=_written_day(0),
        needs=("timezone",),
        moment=True,
    ),
    MeetingField(
        "ends_at",
        "ends",
        N_("Ends"),
        N_("A time on the same day (17:00), a length (3h, 90m), a date and time; or an all-day meeting's last day"),
        required=True,
        limit=MOMENT_LIMIT,
        read=_end,
        write=_written_day(1),
        needs=("timezone", "starts_at"),
        moment=True,
        by_days=True,
    ),
    MeetingField(
        "timezone",
        "timezone",
        N_("Time zone"),
        N_("The meeting's own zone, e.g. Europe/Berlin"),
        required=True,
        limit=stored_length("timezone"),
        read=_zone,
    ),
    MeetingField("venue", "venue", N_("Venue"), N_("e.g. Messe Essen, Hall 3"), limit=TEXT_LIMIT),
    MeetingField("city", "city", N_("City"), N_("e.g. Essen"), limit=CITY_LIMIT),
    MeetingField(
        "country",
        "country",
        N_("Country"),
        N_("A name or code, e.g. Germany or DE"),
        limit=60,
        read=_country,
        write=lambda code, _prefill: country_name(code),
    ),
    MeetingField("join_url", "join_url", N_("Join link"), JOIN_HINT, limit=URL_LIMIT, read=_link),
    MeetingField("agenda_url", "agenda_url", N_("Agenda link"), AGENDA_HINT, limit=URL_LIMIT, read=_link),
    MeetingField(
        "description",
        "description",
        N_("Description"),
        N_("What the meeting is about; who should come"),
        limit=DESCRIPTION_LIMIT,
        multiline=True,
    ),
    MeetingField(
        "capacity",
        "capacity",
        N_("In-person places"),
        N_("A whole number; leave empty for no limit"),
        limit=len(str(CAPACITY_LIMIT)),
        read=_capacity,
        empty=None,
    ),
    MeetingField(
        "registration_deadline",
        "deadline",
        N_("Registration deadline"),
        N_("Optional, e.g. 1 Feb 2027 18:00"),
        limit=MOMENT_LIMIT,
        read=_moment,
        write=_written_moment,
        empty=None,
        needs=("timezone",),
        moment=True,
    ),
    MeetingField(
        "reminder_offsets",
        "reminders",
        N_("Reminders before it"),
        N_("Comma-separated, units d h m, e.g. 7d,1d,1h"),
        limit=stored_length("reminder_offsets"),
        read=_offsets,
        write=lambda offsets, prefill: offsets or prefill.default_offsets,
    ),
)
if {f.attribute for f in MEETING_FIELDS} | {"all_day"} != set(EDITABLE):  # all_day: from how the times are written
    raise RuntimeError("the meeting form's fields and MeetingDraft's differ")

BY_ATTRIBUTE = {f.attribute: f for f in MEETING_FIELDS}
# The typed fields as (block id, label, hint, required, max length, multiline), as `blocks.text_input` takes them.
FIELDS: tuple[tuple[str, str, str, bool, int, bool], ...] = tuple(
    (f.block_id, f.label, f.hint, f.required, f.limit, f.multiline) for f in MEETING_FIELDS if not f.options
)


def _reading_order(declared: tuple[MeetingField, ...]) -> tuple[MeetingField, ...]:
    """The fields in an order that reads each after the fields it needs."""
    placed: list[MeetingField] = []
    while len(placed) < len(declared):
        names = {f.attribute for f in placed}
        ready = [f for f in declared if f not in placed and set(f.needs) <= names]
        if not ready:
            raise RuntimeError("the meeting form's fields need each other in a circle")
        placed += ready
    return tuple(placed)


READING_ORDER = _reading_order(MEETING_FIELDS)


def labels() -> dict[str, str]:
    """Each input's label by its block id, in the language spoken now (to name the fields a problem is in)."""
    return {f.block_id: _(f.label) for f in MEETING_FIELDS}


def initial_values(draft: MeetingDraft | None, *, zone: str, default_offsets: str) -> dict[str, str]:
    """What the form shows first: the meeting's values when editing, sensible defaults when creating."""
    if draft is None:
        return {"timezone": zone, "reminders": default_offsets, "kind": MeetingKind.IN_PERSON}
    zone_info = ZoneInfo(draft.timezone)
    days = when.days_of(draft.starts_at, draft.ends_at, zone_info) if draft.all_day else None
    prefill = Prefill(zone=zone_info, default_offsets=default_offsets, days=days)
    return {f.block_id: f.write(getattr(draft, f.attribute), prefill) for f in MEETING_FIELDS}


def _input(field: MeetingField, initial: str) -> blocks.Block:
    label, hint = _(field.label), _(field.hint) if field.hint else ""
    if field.options:
        options = [blocks.option(_(text), value) for value, text in field.options]
        select = blocks.static_select(options, initial=initial or str(field.empty))
        return blocks.input_block(field.block_id, label, select, optional=not field.required, hint=hint)
    return blocks.text_input(field.block_id, label, hint, field.required, field.limit, field.multiline, initial)


def modal(
    initial: dict[str, str], *, meeting_id: int | None, reply_to: str = "", extra: Sequence[blocks.Block] = ()
) -> dict[str, Any]:
    """The meeting modal, filled with `initial`; `extra` inputs follow the time zone (how it repeats, or which
    meetings of its series an edit changes); private metadata says which meeting it edits."""
    inputs = [_input(f, initial.get(f.block_id, "")) for f in MEETING_FIELDS]
    after = [f.attribute for f in MEETING_FIELDS].index("timezone") + 1
    return blocks.modal(
        _("Edit meeting") if meeting_id else _("New meeting"),
        [*inputs[:after], *extra, *inputs[after:]],
        callback_id=CALLBACK_ID,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps({"meeting_id": meeting_id, "reply_to": reply_to}),
    )


# What the form can be opened with: a stored meeting, a draft (a preview's), or nothing for a new meeting.
FormSource = Meeting | MeetingDraft | None


def form_view(
    source: FormSource,
    *,
    zone: str,
    default_offsets: str,
    meeting_id: int | None = None,
    reply_to: str = "",
    extra: Sequence[blocks.Block] = (),
) -> dict[str, Any]:
    """The meeting form, filled with a stored meeting, a draft, or the defaults for a new one."""
    draft = MeetingDraft.of(source) if isinstance(source, Meeting) else source
    initial = initial_values(draft, zone=zone, default_offsets=default_offsets)
    return modal(initial, meeting_id=meeting_id, reply_to=reply_to, extra=extra)


def parse_form(values: dict[str, str], *, now: datetime, keep_start: datetime | None = None) -> MeetingDraft:
    """Turn the form's text into a meeting, or raise FormErrors naming every field that is wrong, all at once.

    Each field is read, and the meeting as a whole is checked, in one pass: a field that cannot be read
    does not hide the problems of the others. Times are read in the meeting's zone; when the zone itself
    is wrong they are still read (in UTC) for what is wrong with how they are written.
    `keep_start` is an edited meeting's start: it may stay where it is even if it has passed.
    """
    errors: dict[str, str] = {}
    read: dict[str, Any] = {}
    reading = Reading(now=now, read=read, written=values)
    for field in READING_ORDER:
        text = values.get(field.block_id, "")
        read[field.attribute] = field.empty
        by_days = field.by_days and reading.all_day  # an all-day meeting's end may be left empty
        if field.required and not text and not field.options and not by_days:
            errors[field.block_id] = _("{field} is needed.", field=_(field.label))
        elif len(text) > field.limit and not field.options:
            errors[field.block_id] = too_long(field.limit, len(text))
        elif text or by_days:
            try:
                read[field.attribute] = field.read(text, reading)
            except (WhenError, FieldProblem) as error:
                errors[field.block_id] = error.message
        if field.block_id in errors or any(BY_ATTRIBUTE[name].block_id in errors for name in field.needs):
            read[field.attribute] = None  # unknown, or read only for how it is written
    read["all_day"] = reading.all_day
    editing = keep_start is not None and read["starts_at"] == keep_start
    for block_id, message in _problems(read, now=now, editing=editing).items():
        errors.setdefault(block_id, message)
    if errors:
        raise FormErrors(errors)
    return MeetingDraft(**read)


def too_long(limit: int, length: int) -> str:
    """The problem of a text longer than its field takes."""
    return _(
        "At most {limit} characters, please (this has {length}).",
        limit=i18n.format_number(limit),
        length=i18n.format_number(length),
    )


def check(draft: MeetingDraft, *, now: datetime, editing: bool = False) -> None:
    """Raise FormErrors unless the meeting makes sense: times in order and ahead, links, limits."""
    errors = _problems(draft.values(), now=now, editing=editing)
    if errors:
        raise FormErrors(errors)


def _problems(values: Mapping[str, Any], *, now: datetime, editing: bool) -> dict[str, str]:
    """What is wrong with a meeting as a whole, by the form's input; a value that could not be read is None."""
    errors: dict[str, str] = {}
    if values["title"] is not None and not values["title"].strip():
        errors["title"] = _("A title is needed, e.g. Essen workshop.")
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    if starts_at is not None and starts_at <= now and not editing:
        errors["starts_at"] = _("The start is in the past: give a date and time still to come.")
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = _("The end must come after the start.")
        elif ends_at - starts_at > MAX_DURATION:
            errors["ends_at"] = n_(
                "A meeting lasts at most {count} day: check the end date.",
                "A meeting lasts at most {count} days: check the end date.",
                MAX_DURATION.days,
            )
    deadline = values["registration_deadline"]
    if deadline is not None and starts_at is not None and deadline > starts_at:
        errors["registration_deadline"] = _("The registration deadline must be before the meeting starts.")
    if values["kind"] == MeetingKind.IN_PERSON and values["join_url"]:
        errors["join_url"] = _("An in-person meeting has no join link: choose hybrid or online, or leave it empty.")
    if values["join_url"] and not is_web_link(values["join_url"]):
        errors.setdefault("join_url", _("The join link must be a web address starting with https:// (or http://)."))
    if values["agenda_url"] and not is_web_link(values["agenda_url"]):
        errors.setdefault("agenda_url", _("The agenda link must be a web address starting with https:// (or http://)."))
    capacity = values["capacity"]
    if capacity is not None and not 0 < capacity <= CAPACITY_LIMIT:
        errors["capacity"] = _("A positive whole number of places, e.g. 40.")
    for field in MEETING_FIELDS:
        text = values[field.attribute]
        if field.as_typed and text is not None and len(text) > field.limit:
            errors.setdefault(field.attribute, too_long(field.limit, len(text)))
    return {BY_ATTRIBUTE[name].block_id: message for name, message in errors.items()}


def draft_to_json(draft: MeetingDraft) -> str:
    """The draft as compact JSON (for a button's value while the organiser confirms)."""
    values = draft.values()
    for field in MEETING_FIELDS:
        if field.moment and values[field.attribute] is not None:
            values[field.attribute] = values[field.attribute].isoformat()
    return json.dumps(values, separators=(",", ":"))


def draft_from_json(text: str) -> MeetingDraft:
    """The draft a button carried."""
    values = json.loads(text)
    for field in MEETING_FIELDS:
        if field.moment and values.get(field.attribute):
            values[field.attribute] = datetime.fromisoformat(values[field.attribute])
    return MeetingDraft(**values)
