"""The meeting form's inputs for a series: how a new meeting repeats, and which meetings an edit changes.

"Repeats" chooses the rule (the day is the start's: a start on the first Tuesday makes "every first
Tuesday"), "Ends" how long it goes on: a last date, a number of times, or nothing for a series that goes
on. An edit of a series' meeting asks whether it changes that meeting, it and the following ones, or all.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NoReturn
from zoneinfo import ZoneInfo

from bot.language import repeats, when
from bot.language.i18n import N_, _, n_
from bot.language.repeats import Pattern, Repeat, RepeatError
from bot.language.when import WhenError
from bot.views import blocks
from store.meetings import MeetingDraft

REPEATS = "repeats"
REPEAT_END = "repeat_end"
SCOPE = "scope"
END_LIMIT = 100


class Scope(StrEnum):
    """Which meetings of a series an edit changes."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


SCOPE_OPTIONS = (
    (Scope.THIS, N_("Only this meeting")),
    (Scope.FOLLOWING, N_("This meeting and the following ones")),
    (Scope.ALL, N_("Every meeting of the series still to come")),
)


def repeat_inputs(repeat: Repeat | None = None) -> list[blocks.Block]:
    """The new-meeting form's "Repeats" and "Series ends" inputs, filled with `repeat` (a preview's)."""
    options = [blocks.option(_(label), value) for value, label in repeats.PATTERN_OPTIONS]
    choice = blocks.static_select(options, initial=repeat.pattern if repeat else Pattern.NONE)
    end = ""
    if repeat is not None and repeat.count is not None:
        end = n_("{count} time", "{count} times", repeat.count)
    elif repeat is not None and repeat.until is not None:
        end = when.format_day(repeat.until)
    return [
        blocks.input_block(REPEATS, _("Repeats"), choice, optional=True),
        blocks.text_input(
            REPEAT_END,
            _("Series ends"),
            _("For a series: a last date (30 Jun 2027) or a number of times (10 times); empty to go on"),
            False,
            END_LIMIT,
            False,
            end,
        ),
    ]


def scope_input(described: str) -> blocks.Block:
    """The edit form's choice of which meetings of the series change."""
    options = [blocks.option(_(label), value) for value, label in SCOPE_OPTIONS]
    return blocks.input_block(
        SCOPE,
        _("Change"),
        blocks.static_select(options, initial=Scope.THIS),
        hint=_("This meeting is one of a series: {rule}.", rule=described),
    )


def scope_of(values: dict[str, str]) -> Scope:
    """The scope an edit chose (this meeting, when the form had no such choice)."""
    try:
        return Scope(values.get(SCOPE) or Scope.THIS)
    except ValueError:
        return Scope.THIS


def read_repeat(values: dict[str, str], draft: MeetingDraft | None, *, now: datetime) -> Repeat | None:
    """The rule the form chose, fitted to the meeting's start; None when it does not repeat.

    Raise RepeatProblems naming the inputs that are wrong. `draft` is None while the meeting itself has problems:
    the rule is then read for how it is written only.
    """
    chosen = values.get(REPEATS) or Pattern.NONE
    end = values.get(REPEAT_END, "")
    problems: dict[str, str] = {}
    if len(end) > END_LIMIT:
        problems[REPEAT_END] = _("At most {limit} characters, please.", limit=END_LIMIT)
    try:
        pattern = Pattern(chosen)
    except ValueError:
        _fail({**problems, REPEATS: _("Choose how the meeting repeats from the list.")})
    if pattern == Pattern.NONE and end and not problems:
        problems[REPEATS] = _("Choose how the meeting repeats, or leave “Series ends” empty.")
    if problems:
        _fail(problems)
    if pattern == Pattern.NONE:
        return None
    if draft is None:
        return None
    zone = ZoneInfo(draft.timezone)
    repeat = Repeat(pattern).fitted(draft.starts_at.astimezone(zone).date())
    try:
        repeat = _ended(repeat, end, zone, now)
        repeats.check(repeat, draft.starts_at, zone)
    except RepeatError as error:
        _fail({REPEAT_END: error.message})
    return repeat


def _ended(repeat: Repeat, text: str, zone: ZoneInfo, now: datetime) -> Repeat:
    """The rule with the end written in "Series ends": "10 times", "until 30 Jun 2027", "30 Jun 2027"."""
    if not text:
        return repeat
    count = repeats.read_count(text)
    if count is not None:
        return repeat.with_end(count=count, until=None)
    day_text = repeats.read_until(text) or text
    try:
        last = when.parse_day(day_text, zone=zone, now=now)
    except WhenError:
        raise RepeatError(
            _("Write when the series ends as a last date (30 Jun 2027) or a number of times (10 times).")
        ) from None
    return repeat.with_end(count=None, until=last)


class RepeatProblems(ValueError):
    """What is wrong with the series' inputs, by input."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _fail(errors: dict[str, str]) -> NoReturn:
    raise RepeatProblems(errors)
