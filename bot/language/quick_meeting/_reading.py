"""What the parts of a one-line meeting said so far, filled in part by part."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.language.places import City
from bot.language.quick_meeting._times import Times
from bot.language.repeats import Repeat

EXAMPLE = "“Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40”"  # a command, as typed: not translated


@dataclass
class Reading:
    """What the parts of the line said so far."""

    title: str = ""
    when: str = ""
    times: Times | None = None  # the times as first read, in the organiser's zone
    city: City | None = None
    city_name: str = ""
    country: str = ""
    venue: str = ""
    join_url: str = ""
    agenda_url: str = ""
    capacity: int | None = None
    deadline: str = ""
    zone: ZoneInfo | None = None
    kind: str = ""
    repeat: Repeat | None = None  # "every first Tuesday": the rule as written, its day not yet fitted
    repeat_count: int | None = None  # "10 times"
    repeat_until: str = ""  # "until 30 Jun 2027": the last date as written
    when_problem: bool = False  # the date was given but could not be read, and the person was told why
    problems: list[str] = field(default_factory=list)
