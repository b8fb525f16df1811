"""The one-line meeting typed after `/meetings add`: what is read, what is assumed, what is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.language.quick_meeting import QuickMeeting, QuickMeetingError, parse_quick
from bot.localslack.local import ORGANISER, LocalBot
from handlers import meetings as handler
from store import meetings as store
from store.models import Meeting
from tests.helpers import wait_delivery

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
EXAMPLE = "“Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40”"
ASSUMED_TWO_HOURS = "No end time given: I assumed 2 hours."
NO_PLACE = "No place or join link given: I assumed in person."
YOUR_ZONE = "No time zone given: I used yours, Europe/Madrid. Add e.g. “zone Europe/Berlin” to choose another."


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse(text: str) -> QuickMeeting:
    return parse_quick(text, default_zone="Europe/Madrid", group_zone="Europe/Berlin", now=NOW)


def problems_of(text: str) -> list[str]:
    with pytest.raises(QuickMeetingError) as caught:
        parse(text)
    for problem in caught.value.problems:
        assert "<" not in problem
        assert ">" not in problem
        assert len(problem) < 300
    return caught.value.problems


def test_the_essen_workshop() -> None:
    quick = parse("Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40")
    draft = quick.draft
    assert draft.title == "Essen workshop"
    assert draft.kind == "in_person"
    assert (draft.city, draft.country, draft.timezone) == ("Essen", "DE", "Europe/Berlin")
    assert (draft.starts_at, draft.ends_at) == (utc(2027, 2, 11, 8, 0), utc(2027, 2, 11, 16, 0))
    assert draft.capacity == 40
    assert (draft.venue, draft.join_url, draft.agenda_url, draft.description) == ("", "", "", "")
    assert draft.registration_deadline is None
    assert quick.notes == ("Time zone taken from the city: Europe/Berlin.",)


def test_the_online_exchange() -> None:
    quick = parse(
        "Online exchange on SME digital transformation, 3 March 2027 16:00-17:30 Europe/Madrid, "
        "https://meet.example.org/tci"
    )
    draft = quick.draft
    assert draft.title == "Online exchange on SME digital transformation"
    assert draft.kind == "online"
    assert draft.timezone == "Europe/Madrid"
    assert draft.join_url == "https://meet.example.org/tci"
    assert (draft.starts_at, draft.ends_at) == (utc(2027, 3, 3, 15, 0), utc(2027, 3, 3, 16, 30))
    assert (draft.city, draft.country, draft.capacity) == ("", "", None)
    assert quick.notes == ()


@pytest.mark.parametrize(
    ("text", "expected", "notes"),
    [
        (
            "Visit, 11 Feb 2027 9:00 to 12 Feb 2027 13:00, Essen, Germany, at Messe Essen",
            {
                "starts_at": utc(2027, 2, 11, 8, 0),
                "ends_at": utc(2027, 2, 12, 12, 0),
                "city": "Essen",
                "country": "DE",
                "venue": "Messe Essen",
                "kind": "in_person",
            },
            ("Time zone taken from the city: Europe/Berlin.",),
        ),
        (
            "Talk, 12 March 2027 15:00 for 90m, Porto, hybrid, https://x.example/j, agenda https://x.example/a",
            {
                "starts_at": utc(2027, 3, 12, 15, 0),
                "ends_at": utc(2027, 3, 12, 16, 30),
                "timezone": "Europe/Lisbon",
                "kind": "hybrid",
                "join_url": "https://x.example/j",
                "agenda_url": "https://x.example/a",
            },
            ("Time zone taken from the city: Europe/Lisbon.",),
        ),
        (
            "Talk, 2027-03-12 15:00",
            {"starts_at": utc(2027, 3, 12, 14, 0), "ends_at": utc(2027, 3, 12, 16, 0), "timezone": "Europe/Madrid"},
            (YOUR_ZONE, ASSUMED_TWO_HOURS, NO_PLACE),
        ),
        (
            # Summer time: Berlin is UTC+2 in July.
            "Summer school, 8 Jul 2027 10:00-12:00, Berlin, deadline 1 Jul 2027",
            {
                "starts_at": utc(2027, 7, 8, 8, 0),
                "ends_at": utc(2027, 7, 8, 10, 0),
                "timezone": "Europe/Berlin",
                "registration_deadline": utc(2027, 7, 1, 21, 59),
            },
            ("Time zone taken from the city: Europe/Berlin.",),
        ),
        (
            "Summer school, 8 Jul 2027 10:00-12:00 CEST, venue: Hall 3, register by 1 Jul 2027 18:00",
            {
                "starts_at": utc(2027, 7, 8, 8, 0),
                "timezone": "Europe/Madrid",
                "venue": "Hall 3",
                "registration_deadline": utc(2027, 7, 1, 16, 0),
            },
            ("Time zone taken from CEST: Europe/Madrid.",),
        ),
        (
            "Webinar, 11 Feb 2027 9:00-10:00 EST, <https://meet.example.org/x?a=1&amp;b=2|join here>",
            {"starts_at": utc(2027, 2, 11, 14, 0), "timezone": "EST", "join_url": "https://meet.example.org/x?a=1&b=2"},
            ("Time zone: EST.",),
        ),
        (
            "Offset, 8 Jul 2027 10:00-12:00 +02:00, online",
            {"starts_at": utc(2027, 7, 8, 8, 0), "timezone": "Europe/Madrid", "kind": "online"},
            ("Time zone taken from +02:00: Europe/Madrid.",),
        ),
        (
            "São Paulo visit, 8 Jul 2027 10:00-12:00 BRT, Sao Paulo",
            {
                "starts_at": utc(2027, 7, 8, 13, 0),
                "city": "São Paulo",
                "country": "BR",
                "timezone": "America/Sao_Paulo",
            },
            ("Time zone taken from the city: America/Sao_Paulo.",),
        ),
        (
            "Call, 8 Jul 2027 10:00-12:00 BRT",
            {"starts_at": utc(2027, 7, 8, 13, 0), "ends_at": utc(2027, 7, 8, 15, 0), "timezone": "Europe/Madrid"},
            (
                "The times are in BRT; I show the meeting in your time zone, Europe/Madrid. "
                "Add e.g. “zone Europe/Berlin” to choose another.",
                NO_PLACE,
            ),
        ),
        (
            "Toronto meetup, 8 Jul 2027 10:00-12:00 CEST, Toronto",
            {"starts_at": utc(2027, 7, 8, 8, 0), "timezone": "America/Toronto", "country": "CA"},
            (
                "Time zone taken from the city: America/Toronto. "
                "The times were given in CEST, which is not the time there; I kept them as CEST.",
            ),
        ),
        (
            "Bilbao day, 8 Jul 2027 10:00-12:00, tz europe/lisbon, 40 places, Bilbao",
            {"starts_at": utc(2027, 7, 8, 9, 0), "timezone": "Europe/Lisbon", "capacity": 40, "city": "Bilbao"},
            ("Bilbao is in Europe/Madrid, but you chose Europe/Lisbon: I used Europe/Lisbon.",),
        ),
        (
            "Barcelona day, Feb 11, 2027 9am-5pm, Barcelona, Spain",
            {"starts_at": utc(2027, 2, 11, 8, 0), "ends_at": utc(2027, 2, 11, 16, 0), "country": "ES"},
            ("Time zone taken from the city: Europe/Madrid.",),
        ),
        (
            "Iceland trip, Thursday, 11 Feb 2027, 9:00-17:00, Reykjavik",
            {"starts_at": utc(2027, 2, 11, 9, 0), "city": "Reykjavík", "country": "IS"},
            ("Time zone taken from the city: Atlantic/Reykjavik.",),
        ),
        (
            "Small town, 11 Feb 2027 9:00-17:00, city: Kleinstadt, country: DE, zone Europe/Berlin",
            {"starts_at": utc(2027, 2, 11, 8, 0), "city": "Kleinstadt", "country": "DE", "timezone": "Europe/Berlin"},
            (),
        ),
        (
            "Lisbon lunch, tomorrow 13:00, Lisbon, in person, https://meet.example.org/l",
            {"starts_at": utc(2026, 11, 25, 13, 0), "kind": "in_person", "join_url": "https://meet.example.org/l"},
            (
                "Time zone taken from the city: Europe/Lisbon.",
                ASSUMED_TWO_HOURS,
            ),
        ),
        (
            "Madrid lunch, 11 Feb 2027 13:00-14:00, Madrid, https://meet.example.org/m",
            {"kind": "in_person"},
            (
                "Time zone taken from the city: Europe/Madrid.",
                "There is a place and a join link: I assumed in person; add “hybrid” if people can also join online.",
            ),
        ),
        (
            '"Skills, tools and more", 11 Feb 2027 9:00-11:00, venue: "Hall 3, floor 2", Madrid',
            {"title": "Skills, tools and more", "venue": "Hall 3, floor 2", "city": "Madrid"},
            ("Time zone taken from the city: Europe/Madrid.",),
        ),
        (
            "R&amp;D day &lt;3, 11 Feb 2027 9:00-11:00, Madrid",
            {"title": "R&D day <3"},
            ("Time zone taken from the city: Europe/Madrid.",),
        ),
        (
            "Toronto evening, 11 Feb 2027 18:00-20:00, Toronto, capacity: 25",
            {"starts_at": utc(2027, 2, 11, 23, 0), "ends_at": utc(2027, 2, 12, 1, 0), "capacity": 25},
            ("Time zone taken from the city: America/Toronto.",),
        ),
    ],
)
def test_each_accepted_form(text: str, expected: dict[str, Any], notes: tuple[str, ...]) -> None:
    quick = parse(text)
    for name, value in expected.items():
        assert getattr(quick.draft, name) == value, name
    assert quick.notes == notes


def test_a_default_zone_that_is_not_a_zone_falls_back_to_the_group_zone() -> None:
    quick = parse_quick("Talk, 11 Feb 2027 9:00-10:00", default_zone="Mars/Base", group_zone="Europe/Berlin", now=NOW)
    assert quick.draft.timezone == "Europe/Berlin"
    assert quick.draft.starts_at == utc(2027, 2, 11, 8, 0)
    assert quick.notes[0] == (
        "No time zone given: I used the group's, Europe/Berlin. Add e.g. “zone Europe/Berlin” to choose another."
    )


def test_a_lower_case_abbreviation_is_named_in_capitals() -> None:
    quick = parse("Talk, 8 Jul 2027 10:00-12:00 cest")
    assert quick.draft.timezone == "Europe/Madrid"
    assert quick.notes[0] == "Time zone taken from CEST: Europe/Madrid."


def test_past_and_backwards_times_are_left_to_the_caller() -> None:
    draft = parse("Old, 11 Feb 2020 9:00-8:00, Essen").draft
    assert draft.starts_at == utc(2020, 2, 11, 8, 0)
    assert draft.ends_at == utc(2020, 2, 11, 7, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [f"Please write the meeting's title, date and time, e.g. {EXAMPLE}."]),
        ('"", 11 Feb 2027 9:00', [f"Please start with the meeting's title, e.g. {EXAMPLE}."]),
        ("11 Feb 2027 9:00, Essen", [f"Please start with the meeting's title, e.g. {EXAMPLE}."]),
        ("Workshop, Essen", [f"When is it? Add a date and a time after the title, e.g. {EXAMPLE}."]),
        ("Workshop, 14-13 May 2027, Essen", ["In “14-13 May 2027” the last day comes before the first."]),
        ("Workshop, May 2027, Essen", ["“May 2027” needs a day and a time, e.g. 11 Feb 2027 9:00."]),
        (
            "Workshop, 11 Feb 2027 9:00, Essen, capacity forty",
            ["The capacity must be a whole number of places above zero, e.g. “capacity 40”, not “forty”."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, Essen, capacity 0",
            ["The capacity must be a whole number of places above zero, e.g. “capacity 40”, not “0”."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, Essen, capacity -3",
            ["The capacity must be a whole number of places above zero, e.g. “capacity 40”, not “-3”."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, javascript:alert(1)",
            [
                "“javascript:alert(1)” is not a web link I can use. "
                "Links start with https://, e.g. “https://meet.example.org/tci”."
            ],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, agenda <javascript:alert(1)|agenda>",
            [
                "“javascript:alert(1)” is not a web link I can use. "
                "Links start with https://, e.g. “https://meet.example.org/tci”."
            ],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, ftp://files.example.org/x",
            [
                "“ftp://files.example.org/x” is not a web link I can use. "
                "Links start with https://, e.g. “https://meet.example.org/tci”."
            ],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, bring snacks",
            [f"I did not understand “bring snacks”. Separate the parts with commas, e.g. {EXAMPLE}."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, <!channel>",
            [f"I did not understand “&lt;!channel&gt;”. Separate the parts with commas, e.g. {EXAMPLE}."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, a & b <i>",
            [f"I did not understand “a &amp; b &lt;i&gt;”. Separate the parts with commas, e.g. {EXAMPLE}."],
        ),
        ("<!channel>, 11 Feb 2027 9:00", ["Please leave mentions such as @channel out of the title."]),
        ("Workshop, 11 Feb 2027 9:00, at <@U123ABC>", ["Please leave mentions such as @channel out of the venue."]),
        (
            "Workshop, 11 Feb 2027 9:00, zone Europe/Berln",
            [
                "“Europe/Berln” is not a time zone I know. Did you mean Europe/Berlin, Europe/Dublin or "
                "Europe/Belfast? Use a name like Europe/Madrid."
            ],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, 12 Feb 2027 10:00",
            [
                "I found two dates, “11 Feb 2027 9:00” and “12 Feb 2027 10:00”. "
                "Give one, with its times, e.g. “11 Feb 2027 9:00-17:00”."
            ],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, Essen, Madrid",
            ["I found two cities, “Essen” and “Madrid”. Give one."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, Essen, Spain",
            ["I don't know a city called “Essen” in Spain. Check the spelling, or leave the country out."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, https://a.example/1, https://a.example/2",
            ["I found two join links. Give one, and write an agenda link as “agenda https://…”."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, deadline soon",
            [
                "I could not read the deadline “soon”. "
                "Write it like “deadline 1 Feb 2027” or “register by 1 Feb 2027 18:00”."
            ],
        ),
        (
            "Workshop, 11 Feb 2027 9:00 for ever",
            ["I could not read “ever” as a length. Write it like “90m”, “2h” or “1h30m”."],
        ),
        (
            "Workshop, 11 Feb 2027 9:00, country: Atlantis",
            ["I don't know the country “Atlantis”. Use its name or code, e.g. “Germany” or “DE”."],
        ),
        (
            "T" * 151 + ", 11 Feb 2027 9:00",
            ["The title is too long (151 characters; at most 150). Please shorten it."],
        ),
        (
            "Workshop, bring snacks, capacity none",
            [
                f"I did not understand “bring snacks”. Separate the parts with commas, e.g. {EXAMPLE}.",
                "The capacity must be a whole number of places above zero, e.g. “capacity 40”, not “none”.",
                f"When is it? Add a date and a time after the title, e.g. {EXAMPLE}.",
            ],
        ),
        (
            "x" * 5000,
            [
                "That is too long for one line (5,000 characters; at most 1,000). "
                "Type `/meetings add` alone to open the form."
            ],
        ),
        (
            "1," * 30,
            ["That line has 30 parts; a meeting needs fewer. Type `/meetings add` alone to open the form."],
        ),
    ],
)
def test_each_problem_is_explained(text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


def test_a_long_part_is_quoted_short() -> None:
    (problem,) = problems_of("Workshop, 11 Feb 2027 9:00, " + "blah " * 100)
    assert problem.startswith("I did not understand “blah blah")
    assert "…”" in problem


def test_the_error_says_every_problem() -> None:
    with pytest.raises(QuickMeetingError) as caught:
        parse("Workshop, capacity none")
    assert str(caught.value) == " ".join(caught.value.problems)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("places", "capacity"),
    [("30 plazas", 30), ("aforo 25", 25), ("30 Plätze", 30), ("Kapazität 12", 12), ("30 lugares", 30),
     ("capacidade 20", 20), ("30 places", 30), ("capacité 18", 18), ("capacity 40", 40)],
)  # fmt: skip
def test_places_are_read_in_every_language_the_bot_speaks(places: str, capacity: int) -> None:
    assert parse(f"Workshop, 15 Mar 2027 10:00-14:00, Madrid, {places}").draft.capacity == capacity


def test_the_words_of_every_language_are_read_from_its_word_list() -> None:
    from bot.language import i18n

    assert {"plazas", "plätze", "lugares", "places"} <= set(i18n.words("places"))
    assert i18n.words("no such list") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Taller, 15 Mar 2027 10:00-14:00, Valencia, lugar: Hotel Puerta, plazo 1 de marzo de 2027, 30 plazas",
            {"city": "Valencia", "country": "ES", "timezone": "Europe/Madrid", "venue": "Hotel Puerta",
             "registration_deadline": utc(2027, 3, 1, 22, 59), "capacity": 30},
        ),
        (
            "Taller, 15 Mar 2027 10:00, sede Cámara de Comercio, inscripción hasta el 1 de marzo de 2027 18:00",
            {"venue": "Cámara de Comercio", "registration_deadline": utc(2027, 3, 1, 17, 0)},
        ),
        (
            "Taller, 15 Mar 2027 10:00, Sede: Cámara, inscripcion hasta 1 de marzo de 2027, zona Europe/Lisbon",
            {"venue": "Cámara", "registration_deadline": utc(2027, 3, 1, 23, 59), "timezone": "Europe/Lisbon"},
        ),
        (
            "Oficina, 15 Mar 2027 10:00-14:00, Lisboa, local: Centro de Congressos, inscrições até 1 de março de 2027",
            {"city": "Lisbon", "country": "PT", "timezone": "Europe/Lisbon", "venue": "Centro de Congressos",
             "registration_deadline": utc(2027, 3, 1, 23, 59)},
        ),
        (
            "Oficina, 15 Mar 2027 10:00, fuso horário America/Sao_Paulo, prazo 1 de março de 2027",
            {"timezone": "America/Sao_Paulo", "registration_deadline": utc(2027, 3, 2, 2, 59)},
        ),
        (
            "Workshop, 15. März 2027 10 Uhr bis 14 Uhr, München, Ort: Messe, Anmeldeschluss 1. März 2027",
            {"city": "Munich", "country": "DE", "timezone": "Europe/Berlin", "venue": "Messe",
             "starts_at": utc(2027, 3, 15, 9, 0), "ends_at": utc(2027, 3, 15, 13, 0),
             "registration_deadline": utc(2027, 3, 1, 22, 59)},
        ),
        (
            "Workshop, 15. März 2027 10:00, Köln, anmelden bis 1. März 2027 18 Uhr",
            {"city": "Köln", "registration_deadline": utc(2027, 3, 1, 17, 0)},
        ),
        (
            "Workshop, 15. März 2027 10:00, Stadt: Kleinstadt, Land: Deutschland, Zeitzone Europe/Berlin",
            {"city": "Kleinstadt", "country": "DE", "timezone": "Europe/Berlin"},
        ),
        (
            "Atelier, 15 mars 2027 10h-14h, Genève, lieu : Palais des Nations, inscription avant le 1 mars 2027",
            {"city": "Geneva", "country": "CH", "timezone": "Europe/Zurich", "venue": "Palais des Nations",
             "starts_at": utc(2027, 3, 15, 9, 0), "ends_at": utc(2027, 3, 15, 13, 0),
             "registration_deadline": utc(2027, 3, 1, 22, 59)},
        ),
        (
            "Atelier, 15 mars 2027 10h, ville : Petiteville, pays : France, fuseau Europe/Paris",
            {"city": "Petiteville", "country": "FR", "timezone": "Europe/Paris"},
        ),
        ("Encuentro, 15 Mar 2027 10:00, en línea, https://meet.example.org/x", {"kind": "online"}),
        ("Encuentro, 15 Mar 2027 10:00, en linea", {"kind": "online"}),
        ("Encuentro, 15 Mar 2027 10:00, Madrid, híbrido, enlace https://meet.example.org/x",
         {"kind": "hybrid", "join_url": "https://meet.example.org/x"}),
        ("Encuentro, 15 Mar 2027 10:00, Madrid, presencial", {"kind": "in_person"}),
        ("Treffen, 15. März 2027 10:00, Köln, Präsenz", {"kind": "in_person"}),
        ("Treffen, 15. März 2027 10:00, Köln, hybrid, Tagesordnung https://example.org/a",
         {"kind": "hybrid", "agenda_url": "https://example.org/a"}),
        ("Réunion, 15 mars 2027 10h, en ligne, lien https://meet.example.org/x",
         {"kind": "online", "join_url": "https://meet.example.org/x"}),
        ("Réunion, 15 mars 2027 10h, Paris, hybride, ordre du jour https://example.org/a",
         {"kind": "hybrid", "agenda_url": "https://example.org/a"}),
        ("Reunião, 15 Mar 2027 10:00, Porto, presencial, pauta https://example.org/a",
         {"kind": "in_person", "agenda_url": "https://example.org/a"}),
        ("Atelier, 15 mars 2027 10h, Paris, capacite 18", {"capacity": 18}),
    ],
)  # fmt: skip
def test_the_parts_are_named_in_every_language_the_bot_speaks(text: str, expected: dict[str, Any]) -> None:
    draft = parse(text).draft
    for name, value in expected.items():
        assert getattr(draft, name) == value, name


@pytest.mark.parametrize(
    ("when", "starts", "ends"),
    [
        ("mardi prochain 14h-16h", utc(2026, 12, 1, 13, 0), utc(2026, 12, 1, 15, 0)),
        ("mardi prochain de 14h à 16h30", utc(2026, 12, 1, 13, 0), utc(2026, 12, 1, 15, 30)),
        ("próxima terça das 14h às 16h", utc(2026, 12, 1, 13, 0), utc(2026, 12, 1, 15, 0)),
        ("martes que viene de 10:00 a 12:00", utc(2026, 12, 1, 9, 0), utc(2026, 12, 1, 11, 0)),
        ("nächsten Dienstag 10 Uhr bis 12 Uhr", utc(2026, 12, 1, 9, 0), utc(2026, 12, 1, 11, 0)),
        ("mardi prochain 14h - 2h", utc(2026, 12, 1, 13, 0), utc(2026, 12, 1, 15, 0)),  # two hours, not 2 a.m.
        ("next tuesday 10:00-3h", utc(2026, 12, 1, 9, 0), utc(2026, 12, 1, 12, 0)),
        ("11 Feb 2027 noon to 14:00", utc(2027, 2, 11, 11, 0), utc(2027, 2, 11, 13, 0)),
        ("proxima terca das 14h ate 16h", utc(2026, 12, 1, 13, 0), utc(2026, 12, 1, 15, 0)),  # without accents
    ],
)
def test_start_and_end_in_every_language(when: str, starts: datetime, ends: datetime) -> None:
    draft = parse(f"Atelier, {when}, zone Europe/Berlin").draft
    assert (draft.starts_at, draft.ends_at) == (starts, ends)


def test_a_weekday_and_a_city_in_another_language() -> None:
    quick = parse("Taller, el próximo martes a las 10, Múnich")
    assert (quick.draft.city, quick.draft.timezone) == ("Munich", "Europe/Berlin")
    assert quick.draft.starts_at == utc(2026, 12, 1, 9, 0)
    assert quick.notes == ("Time zone taken from the city: Europe/Berlin.", ASSUMED_TWO_HOURS)


# Through Slack: /meetings add, the preview, "Save"; what the store holds -------------------------

CLOCK = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)  # a Tuesday: "next Tuesday" is 9 March 2027


def saved_through_slack(settings: Settings, text: str, *, locale: str) -> Meeting:
    """Type `/meetings add <text>` as an organiser whose Slack speaks `locale`, press Save, return the meeting."""
    with LocalBot(settings, clock=lambda: CLOCK) as bot:
        ws = bot.workspace
        assert ws is not None
        bot.emulator.add_user(replace(ORGANISER, locale=locale))
        ws.slash_command(ORGANISER.id, "/meetings", f"add {text}")

        def save_button(delivery: Any) -> bool:
            return delivery.user == ORGANISER.id and any(
                element.get("action_id") == handler.QUICK_SAVE
                for block in delivery.blocks or []
                if block["type"] == "actions"
                for element in block["elements"]
            )

        preview = wait_delivery(bot.emulator, save_button)
        [save] = [
            element
            for block in preview.blocks or []
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"] == handler.QUICK_SAVE
        ]
        ws.press_button(
            ORGANISER.id, action_id=handler.QUICK_SAVE, value=save["value"], message={"blocks": preview.blocks}
        )
        bot.wait_idle()
        assert bot.service is not None
        with bot.service.deps.sessions() as session:
            [meeting] = store.upcoming_meetings(session=session, now=CLOCK, limit=10)
        return meeting


@pytest.mark.parametrize(
    ("locale", "text", "zone", "local_start", "city"),
    [
        ("de-DE", "Workshop, nächsten Dienstag 10 Uhr, München", "Europe/Berlin", datetime(2027, 3, 9, 10, 0),
         "Munich"),
        ("pt-BR", "Oficina, próxima terça às 18h, Lisboa", "Europe/Lisbon", datetime(2027, 3, 9, 18, 0), "Lisbon"),
        ("fr-FR", "Atelier, mardi prochain 14h, Genève", "Europe/Zurich", datetime(2027, 3, 9, 14, 0), "Geneva"),
        ("es-ES", "Taller, el próximo martes a las 10, Valencia", "Europe/Madrid", datetime(2027, 3, 9, 10, 0),
         "Valencia"),
    ],
)  # fmt: skip
def test_a_one_line_meeting_typed_in_each_language_is_saved_at_the_time_meant(
    settings: Settings, locale: str, text: str, zone: str, local_start: datetime, city: str
) -> None:
    meeting = saved_through_slack(settings, text, locale=locale)
    assert meeting.timezone == zone
    assert meeting.starts_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local_start
    assert (meeting.ends_at - meeting.starts_at).total_seconds() == 2 * 3600, "two hours when no end is given"
    assert meeting.city == city


@pytest.mark.parametrize(
    ("when", "first", "last"),
    [
        ("12-13 May 2027", (2027, 5, 12), (2027, 5, 13)),
        ("12–13 May 2027", (2027, 5, 12), (2027, 5, 13)),
        ("12 May 2027", (2027, 5, 12), (2027, 5, 12)),
        ("12 mai 2027", (2027, 5, 12), (2027, 5, 12)),
        ("12. Mai 2027", (2027, 5, 12), (2027, 5, 12)),
        ("12. bis 13. Mai 2027", (2027, 5, 12), (2027, 5, 13)),
        ("12 a 13 de mayo de 2027", (2027, 5, 12), (2027, 5, 13)),
        ("12 de maio de 2027", (2027, 5, 12), (2027, 5, 12)),
        ("30 Apr – 2 May 2027", (2027, 4, 30), (2027, 5, 2)),
        ("2027-05-12", (2027, 5, 12), (2027, 5, 12)),
    ],
)
def test_dates_alone_make_an_all_day_meeting_from_midnight_to_midnight_in_its_zone(
    when: str, first: tuple[int, int, int], last: tuple[int, int, int]
) -> None:
    quick = parse(f"Digital summit, {when}, Lisbon, 40 places")
    draft = quick.draft
    lisbon = ZoneInfo("Europe/Lisbon")
    assert draft.all_day and draft.timezone == "Europe/Lisbon"
    start, end = draft.starts_at.astimezone(lisbon), draft.ends_at.astimezone(lisbon)
    assert (start.hour, start.minute, end.hour, end.minute) == (0, 0, 0, 0)
    assert (start.year, start.month, start.day) == first
    assert (end - start).days == (datetime(*last) - datetime(*first)).days + 1, "up to 00:00 after the last day"
    assert ASSUMED_TWO_HOURS not in quick.notes


@pytest.mark.parametrize(
    "text",
    [
        "Workshop, 11 Feb 2027, 9:00-17:00, Essen",
        "Workshop, Thursday, 11 Feb 2027, 9:00, Essen",
        "Workshop, 11 Feb 2027 0:00-8:00, Essen",
        "Workshop, 11 Feb 2027 0h-8h, Essen",
    ],
)
def test_a_date_with_times_in_the_next_part_or_written_at_midnight_is_not_all_day(text: str) -> None:
    draft = parse(text).draft
    assert not draft.all_day
    assert draft.starts_at.astimezone(ZoneInfo("Europe/Berlin")).date().isoformat() == "2027-02-11"
