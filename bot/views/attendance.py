"""Who came, as organisers mark it: the form of the registrants with a box each and the walk-ins, and the
figures of attendance over the meetings held."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.language import i18n
from bot.language.countries import country_name
from bot.language.i18n import N_, _, n_
from bot.language.markup import has_control_characters
from bot.views import blocks
from bot.views.meetings import day_words, title_line
from store.attendance import EXPECTED, MeetingFigures
from store.models import Attendance, Meeting, Person, Registration

MARK = "meeting_mark_attendance"  # the button on the attendees list
FORM = "meeting_attendance"
CAME = "came"  # the boxes' blocks are came_0, came_1, ...: ten people each, as Slack allows
WALK_INS = "walk_ins"
GUESTS = "guests"
PER_GROUP = 10
MAX_GROUPS = 90  # a modal holds 100 blocks
GUEST_NAME = 100
MAX_GUESTS = 200
GUESTS_LIMIT = 3000  # Slack's longest plain-text input
ONLINE = "online"  # the key of an online meeting's "country" in the figures
WAITING = (Attendance.WAITLISTED, Attendance.OFFERED)
NOT_IN_WORKSPACE = N_("Someone chosen here is not in this Slack workspace: choose people from the list.")
GUEST_HINT = N_("One name per line, for people who are not in this Slack workspace.")


def form(meeting: Meeting, rows: Sequence[tuple[Registration, Person]], guests: Sequence[str]) -> dict[str, Any]:
    """The attendance form: every registrant with a box (ticked for those marked there), then walk-ins."""
    listed = [(r, p) for r, p in rows if r.attendance in EXPECTED or r.attendance in WAITING or r.attended_at]
    groups = [listed[i : i + PER_GROUP] for i in range(0, len(listed), PER_GROUP)][:MAX_GROUPS]
    intro = _(
        "Tick who was at {title} ({day}). Those who said *I'm here* are ticked already; untick anyone who was not.",
        title=title_line(meeting),
        day=day_words(meeting.starts_at.date(), "long"),
    )
    body: list[blocks.Block] = [blocks.section(intro)]
    for number, group in enumerate(groups):
        options = [_option(r, p) for r, p in group]
        element: blocks.Block = {"type": "checkboxes", "action_id": "value", "options": options}
        ticked = [o for o, (r, _p) in zip(options, group, strict=True) if r.attended_at is not None]
        if ticked:
            element["initial_options"] = ticked
        label = _("Registered") if number == 0 else _("Registered, continued")
        body.append(blocks.input_block(f"{CAME}_{number}", label, element, optional=True))
    if not groups:
        body.append(blocks.context(_("Nobody registered; add those who came below.")))
    users: blocks.Block = {"type": "multi_users_select", "action_id": "value"}
    body.append(blocks.input_block(WALK_INS, _("Came without registering, from the workspace"), users, optional=True))
    body.append(
        blocks.text_input(
            GUESTS,
            _("Came without registering, not in Slack"),
            _(GUEST_HINT),
            False,
            GUESTS_LIMIT,
            True,
            "\n".join(guests),
        )
    )
    return blocks.modal(
        _("Attendance"),
        body,
        callback_id=FORM,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps({"meeting_id": meeting.id}),
    )


def _option(registration: Registration, person: Person) -> blocks.Block:
    name = f"<@{person.slack_id}>"
    if registration.attendance == Attendance.ONLINE:
        text = _("{person} (online)", person=name)
    elif registration.attendance in WAITING:
        text = _("{person} (waitlist)", person=name)
    else:
        text = name
    return {"text": {"type": "mrkdwn", "text": text}, "value": person.slack_id}


@dataclass(frozen=True)
class Marking:
    """What the form says: who was there (from the workspace), and the guests by name."""

    came: set[str]
    guests: list[str]


def read(state: dict[str, Any]) -> Marking | dict[str, str]:
    """The form's answer, or each field's problem (block id to message)."""
    values = state.get("values") or {}
    came: set[str] = set()
    walk_ins: set[str] = set()
    for block_id, actions in values.items():
        element = (actions or {}).get("value") or {}
        if block_id.startswith(f"{CAME}_"):
            came |= {str(o.get("value")) for o in element.get("selected_options") or [] if o.get("value")}
        elif block_id == WALK_INS:
            walk_ins |= {str(u) for u in element.get("selected_users") or [] if u}
    typed = str(((values.get(GUESTS) or {}).get("value") or {}).get("value") or "")
    names = list(dict.fromkeys(" ".join(line.split()) for line in typed.splitlines() if line.strip()))
    if has_control_characters(typed):
        return {GUESTS: _("A name holds an invisible control character: type the names again, one per line.")}
    too_long = next((n for n in names if len(n) > GUEST_NAME), None)
    if too_long is not None:
        return {
            GUESTS: _(
                "A name is at most {limit} characters ({name}…); write one name per line.",
                limit=GUEST_NAME,
                name=too_long[:30],
            )
        }
    if len(names) > MAX_GUESTS:
        return {GUESTS: _("At most {limit} names; these are {count}.", limit=MAX_GUESTS, count=len(names))}
    return Marking(came=came | walk_ins, guests=names)


def saved_text(meeting: Meeting, came: int, no_shows: int, guests: int) -> str:
    """What the form says once saved."""
    return _(
        "Attendance of {title} saved · there, from the workspace: {came} · there, by name: {guests} · "
        "registered and not there: {no_shows}",
        title=title_line(meeting),
        came=i18n.format_number(came),
        guests=i18n.format_number(guests),
        no_shows=i18n.format_number(no_shows),
    )


def stats_message(figures: Sequence[MeetingFigures]) -> tuple[str, list[blocks.Block]]:
    """The figures over the meetings held: each meeting, the totals, and by country, as text."""
    if not figures:
        text = _("No meeting has taken place yet: the figures start with the first one.")
        return text, [blocks.section(text)]
    heading = n_("Attendance at the last meeting", "Attendance at the last {count} meetings", len(figures))
    lines = [_meeting_line(f) for f in reversed(figures)]
    body: list[blocks.Block] = [blocks.header(heading), blocks.section(blocks.clip("\n".join(lines[:40]), 2900))]
    totals = _total(figures)
    body.append(blocks.section(_("*In all*: {figures}", figures=totals)))
    countries: dict[str, list[MeetingFigures]] = {}
    for f in figures:
        key = f.meeting.country if f.meeting.country else ONLINE
        countries.setdefault(key, []).append(f)
    by_country = [
        _("*{country}*: {figures}", country=_place(code), figures=_total(group))
        for code, group in sorted(countries.items(), key=lambda item: -len(item[1]))
    ]
    body.append(blocks.section(blocks.clip(_("*By country*\n{lines}", lines="\n".join(by_country)), 2900)))
    body.append(blocks.context(_("A no-show is someone registered who was not marked there; walk-ins are in *came*.")))
    return heading, body


def _place(code: str) -> str:
    return _("Online") if code == ONLINE else (country_name(code) or code)


def _meeting_line(f: MeetingFigures) -> str:
    day = day_words(f.meeting.starts_at.date(), "date")
    if not f.taken:
        return _(
            "{title}, {day} · registered: {registered} · attendance not taken",
            title=title_line(f.meeting),
            day=day,
            registered=i18n.format_number(f.registered),
        )
    return _(
        "{title}, {day} · registered: {registered} · came: {came} ({rate}) · no-shows: {no_shows} · "
        "members: {members} · non-members: {non_members}",
        title=title_line(f.meeting),
        day=day,
        registered=i18n.format_number(f.registered),
        came=i18n.format_number(f.came),
        rate=i18n.format_share(f.rate) if f.rate is not None else "–",
        no_shows=i18n.format_number(f.no_shows),
        members=i18n.format_number(f.members),
        non_members=i18n.format_number(f.non_members),
    )


def _total(group: Sequence[MeetingFigures]) -> str:
    taken = [f for f in group if f.taken]
    registered = sum(f.registered for f in taken)
    shows = sum(f.registered - f.no_shows for f in taken)
    return n_(
        "{count} meeting · registered: {registered} · came: {came} · attendance rate: {rate} · no-shows: "
        "{no_shows} · members: {members} · non-members: {non_members}",
        "{count} meetings · registered: {registered} · came: {came} · attendance rate: {rate} · no-shows: "
        "{no_shows} · members: {members} · non-members: {non_members}",
        len(group),
        registered=i18n.format_number(sum(f.registered for f in group)),
        came=i18n.format_number(sum(f.came for f in group)),
        rate=i18n.format_share(shows / registered) if registered else "–",
        no_shows=i18n.format_number(sum(f.no_shows for f in taken)),
        members=i18n.format_number(sum(f.members for f in group)),
        non_members=i18n.format_number(sum(f.non_members for f in group)),
    )
