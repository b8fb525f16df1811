"""Dates, times and zones as organisers type them, read into UTC moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.durations import parse_duration
from bot.language.when import (
    WhenError,
    format_local,
    parse_deadline,
    parse_end,
    parse_moment,
    parse_zone,
    split_zone,
    zone_for_abbreviation,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday; 11:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")
TORONTO = ZoneInfo("America/Toronto")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def assert_safe(message: str) -> None:
    """A message shown in Slack: short, and with nothing that could form a mention or a link."""
    assert "<" not in message
    assert ">" not in message
    assert len(message) < 300


# parse_zone --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/MADRID ", "Europe/Madrid"),
        ("America/New York", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "GMT"),
    ],
)
def test_parse_zone_accepts_iana_names_in_any_case(text: str, key: str) -> None:
    assert parse_zone(text) == ZoneInfo(key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Europe/Berln",
            "“Europe/Berln” is not a time zone I know. Did you mean Europe/Berlin, Europe/Dublin or Europe/Belfast? "
            "Use a name like Europe/Madrid.",
        ),
        ("Berlin", "“Berlin” is not a time zone I know. Did you mean Europe/Berlin? Use a name like Europe/Madrid."),
        ("Foo/Bar", "“Foo/Bar” is not a time zone I know. Use a name like Europe/Madrid."),
        ("", "Please name a time zone, e.g. Europe/Madrid."),
        ("<!channel>", "“&lt;!channel&gt;” is not a time zone I know. Use a name like Europe/Madrid."),
    ],
)
def test_parse_zone_refuses_unknown_zones_with_suggestions(text: str, expected: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_zone(text)
    assert caught.value.message == expected
    assert_safe(caught.value.message)


def test_parse_zone_refuses_huge_text_quickly() -> None:
    with pytest.raises(WhenError) as caught:
        parse_zone("Europe/" + "x" * 5000)
    assert "is not a time zone I know" in caught.value.message
    assert_safe(caught.value.message)


# parse_moment ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11 Feb 2027 9:00", utc(2027, 2, 11, 8, 0)),
        ("2027-02-11 09:00", utc(2027, 2, 11, 8, 0)),
        ("Feb 11 2027 9am", utc(2027, 2, 11, 8, 0)),
        ("Thu 11 Feb 2027 09:00", utc(2027, 2, 11, 8, 0)),
        ("11/02/2027 09:00", utc(2027, 2, 11, 8, 0)),  # day first
        ("next tuesday 10:00", utc(2026, 12, 1, 9, 0)),
        ("tomorrow 15:00", utc(2026, 11, 25, 14, 0)),
        ("11 Feb 2027 9:00 CET", utc(2027, 2, 11, 8, 0)),
        ("11 Feb 2027 9:00 UTC", utc(2027, 2, 11, 9, 0)),
        ("11 Feb 2027 09:00 +01:00", utc(2027, 2, 11, 8, 0)),
        ("11 Feb 2027 09:00 -03:00", utc(2027, 2, 11, 12, 0)),
        ("11 Feb 2027 9:00 EST", utc(2027, 2, 11, 14, 0)),
        ("11 Feb 2027 9:00 Europe/Lisbon", utc(2027, 2, 11, 9, 0)),
        ("8 Jul 2027 9:00", utc(2027, 7, 8, 7, 0)),  # summer time: Berlin is UTC+2
        ("8 Jul 2027 9:00 CEST", utc(2027, 7, 8, 7, 0)),
    ],
)
def test_parse_moment_reads_each_form_in_the_zone(text: str, expected: datetime) -> None:
    moment = parse_moment(text, zone=BERLIN, now=NOW)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0)


def test_parse_moment_reads_relative_days_from_the_zones_own_today() -> None:
    # 10:00 UTC is 05:00 in Toronto, still the 24th there: "tomorrow" is the 25th.
    assert parse_moment("tomorrow 15:00", zone=TORONTO, now=NOW) == utc(2026, 11, 25, 20, 0)
    late = utc(2026, 11, 25, 2, 0)  # 21:00 on the 24th in Toronto
    assert parse_moment("tomorrow 15:00", zone=TORONTO, now=late) == utc(2026, 11, 25, 20, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11 Feb 2027", "“11 Feb 2027” has no time: please add a time, e.g. 11 Feb 2027 9:00."),
        ("next tuesday", "“next tuesday” has no time: please add a time, e.g. 11 Feb 2027 9:00."),
        ("Feb 2027", "“Feb 2027” needs a day and a time, e.g. 11 Feb 2027 9:00."),
        (
            "gibberish",
            "I could not read “gibberish” as a date and time. "
            "Try e.g. “11 Feb 2027 9:00”, “2027-02-11 09:00 CET” or “next tuesday 10:00”.",
        ),
        (
            "31/02/2027 09:00",
            "I could not read “31/02/2027 09:00” as a date and time. "
            "Try e.g. “11 Feb 2027 9:00”, “2027-02-11 09:00 CET” or “next tuesday 10:00”.",
        ),
        (
            "",
            "Please give a date and time, e.g. “11 Feb 2027 9:00”, “2027-02-11 09:00 CET” or “next tuesday 10:00”.",
        ),
        (
            "<!channel> 9:00",
            "I could not read “&lt;!channel&gt; 9:00” as a date and time. "
            "Try e.g. “11 Feb 2027 9:00”, “2027-02-11 09:00 CET” or “next tuesday 10:00”.",
        ),
        (
            "11 Feb 2027 " + "9" * 5000,
            "That date is too long for me. Please write it shortly, "
            "e.g. “11 Feb 2027 9:00”, “2027-02-11 09:00 CET” or “next tuesday 10:00”.",
        ),
    ],
)
def test_parse_moment_explains_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_moment(text, zone=BERLIN, now=NOW)
    assert caught.value.message == expected
    assert str(caught.value) == expected
    assert_safe(caught.value.message)


def test_parse_moment_refuses_an_unknown_zone_name() -> None:
    with pytest.raises(WhenError) as caught:
        parse_moment("11 Feb 2027 9:00 Europe/Berln", zone=BERLIN, now=NOW)
    assert "Did you mean Europe/Berlin" in caught.value.message


# parse_end ---------------------------------------------------------------------------------------

START = utc(2027, 2, 11, 8, 0)  # 09:00 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:00", utc(2027, 2, 11, 16, 0)),
        ("17.30", utc(2027, 2, 11, 16, 30)),
        ("5pm", utc(2027, 2, 11, 16, 0)),
        ("5:30 p.m.", utc(2027, 2, 11, 16, 30)),
        ("noon", utc(2027, 2, 11, 11, 0)),
        ("17:00 CET", utc(2027, 2, 11, 16, 0)),
        ("17:00 UTC", utc(2027, 2, 11, 17, 0)),
        ("3h", utc(2027, 2, 11, 11, 0)),
        ("90m", utc(2027, 2, 11, 9, 30)),
        ("2 hours", utc(2027, 2, 11, 10, 0)),
        ("1h30m", utc(2027, 2, 11, 9, 30)),
        ("1.5 h", utc(2027, 2, 11, 9, 30)),
        ("1 hour 30 minutes", utc(2027, 2, 11, 9, 30)),
        ("12 Feb 2027 13:00", utc(2027, 2, 12, 12, 0)),
        ("8:00", utc(2027, 2, 11, 7, 0)),  # before the start: the caller says so
    ],
)
def test_parse_end_reads_times_lengths_and_dates(text: str, expected: datetime) -> None:
    assert parse_end(text, start=START, zone=BERLIN, now=NOW) == expected


def test_parse_end_uses_the_start_day_in_the_zone() -> None:
    # 23:30 UTC on the 10th is already the 11th in Berlin.
    start = utc(2027, 2, 10, 23, 30)
    assert parse_end("17:00", start=start, zone=BERLIN, now=NOW) == utc(2027, 2, 11, 16, 0)


def test_parse_end_in_summer_time() -> None:
    start = utc(2027, 7, 8, 7, 0)
    assert parse_end("17:00", start=start, zone=BERLIN, now=NOW) == utc(2027, 7, 8, 15, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25:00", "“25:00” is not a time of day. Write the end like “17:00” or “5pm”."),
        (
            "later",
            "I could not read “later” as an end. Write it like “17:00”, “5pm”, “3h”, “90m” or “12 Feb 2027 13:00”.",
        ),
        (
            "<!here>",
            "I could not read “&lt;!here&gt;” as an end. "
            "Write it like “17:00”, “5pm”, “3h”, “90m” or “12 Feb 2027 13:00”.",
        ),
        (
            "x" * 5000,
            "That end time is too long for me. Please write it like “17:00”, “3h” or “12 Feb 2027 13:00”.",
        ),
    ],
)
def test_parse_end_explains_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_end(text, start=START, zone=BERLIN, now=NOW)
    assert caught.value.message == expected
    assert_safe(caught.value.message)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("3h", 180), ("90m", 90), ("90 min", 90), ("2 hours", 120), ("1h30m", 90), ("1,5h", 90), ("45 minutes", 45)],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "17:00", "h", "soon", "3 days"])
def test_parse_duration_is_none_for_other_text(text: str) -> None:
    assert parse_duration(text) is None


# parse_deadline ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Feb 2027", utc(2027, 2, 1, 22, 59)),  # the end of the day, 23:59 in Berlin
        ("1 Jul 2027", utc(2027, 7, 1, 21, 59)),  # in summer time
        ("1 Feb 2027 18:00", utc(2027, 2, 1, 17, 0)),
        ("tomorrow", utc(2026, 11, 25, 22, 59)),
    ],
)
def test_parse_deadline_reads_a_day_as_its_end(text: str, expected: datetime) -> None:
    assert parse_deadline(text, zone=BERLIN, now=NOW) == expected


# format_local ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "zone", "text"),
    [
        (utc(2027, 2, 11, 8, 0), BERLIN, "Thu 11 Feb 2027 09:00"),
        (utc(2027, 7, 8, 7, 0), BERLIN, "Thu 8 Jul 2027 09:00"),  # summer time
        (utc(2027, 3, 3, 15, 0), ZoneInfo("Europe/Madrid"), "Wed 3 Mar 2027 16:00"),
        (utc(2027, 2, 11, 23, 30), TORONTO, "Thu 11 Feb 2027 18:30"),
        (utc(2027, 10, 31, 0, 30), BERLIN, "Sun 31 Oct 2027 02:30 +02:00"),  # the hour that happens twice
        (utc(2027, 10, 31, 1, 30), BERLIN, "Sun 31 Oct 2027 02:30 +01:00"),
    ],
)
def test_format_local_reads_back_to_the_same_moment(moment: datetime, zone: ZoneInfo, text: str) -> None:
    assert format_local(moment, zone) == text
    assert parse_moment(format_local(moment, zone), zone=zone, now=NOW) == moment


# zone_for_abbreviation ---------------------------------------------------------------------------

WINTER = utc(2027, 2, 11, 8, 0)
SUMMER = utc(2027, 7, 8, 7, 0)


@pytest.mark.parametrize(
    ("abbrev", "at", "preferred", "expected"),
    [
        ("CET", WINTER, ["Europe/Berlin"], "Europe/Berlin"),
        ("cet", WINTER, ["Europe/Lisbon", "Europe/Madrid"], "Europe/Madrid"),
        ("CEST", SUMMER, ["Europe/Berlin"], "Europe/Berlin"),
        ("CEST", WINTER, ["Europe/Berlin"], None),  # not in use in February, and not a zone name
        ("CET", WINTER, ["Europe/Lisbon"], "CET"),  # Lisbon is WET; CET is a zone name of its own
        ("WET", WINTER, ["Europe/Lisbon"], "Europe/Lisbon"),
        ("GMT", WINTER, ["Europe/London"], "Europe/London"),
        ("EST", WINTER, ["America/Toronto"], "America/Toronto"),
        ("EST", WINTER, [], "EST"),
        ("MST", WINTER, [], "MST"),
        ("UTC", WINTER, [], "UTC"),
        ("BRT", WINTER, ["America/Sao_Paulo"], "America/Sao_Paulo"),  # tzdata calls it "-03"
        ("BRT", WINTER, ["Europe/Berlin"], None),
        ("XYZ", WINTER, ["Europe/Berlin"], None),
        ("", WINTER, ["Europe/Berlin"], None),
        ("CET", WINTER, ["Not/AZone", "Europe/Paris"], "Europe/Paris"),
    ],
)
def test_zone_for_abbreviation(abbrev: str, at: datetime, preferred: list[str], expected: str | None) -> None:
    assert zone_for_abbreviation(abbrev, at, preferred=preferred) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11 Feb 2027 9:00 CET", ("11 Feb 2027 9:00", "CET")),
        ("9:00-17:00 cet", ("9:00-17:00", "cet")),
        ("11 Feb 2027 9:00 +01:00", ("11 Feb 2027 9:00", "+01:00")),
        ("11 Feb 2027 9:00 Europe/Madrid", ("11 Feb 2027 9:00", "Europe/Madrid")),
        ("11 Feb 2027 9am", ("11 Feb 2027 9am", "")),
        ("11 Feb 2027 9 am", ("11 Feb 2027 9 am", "")),
        ("tomorrow", ("tomorrow", "")),
    ],
)
def test_split_zone(text: str, expected: tuple[str, str]) -> None:
    assert split_zone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 de marzo de 2027 10:00", utc(2027, 3, 15, 9, 0)),
        ("15. März 2027 10:00", utc(2027, 3, 15, 9, 0)),
        ("15 de março de 2027 10:00", utc(2027, 3, 15, 9, 0)),
        ("15 mars 2027 10:00", utc(2027, 3, 15, 9, 0)),
        ("11 febrero 2027 9:00 CET", utc(2027, 2, 11, 8, 0)),
        ("mañana 15:00", utc(2026, 11, 25, 14, 0)),
        ("morgen 15:00", utc(2026, 11, 25, 14, 0)),
        ("amanhã 15:00", utc(2026, 11, 25, 14, 0)),
        ("demain 15:00", utc(2026, 11, 25, 14, 0)),
    ],
)
def test_parse_moment_reads_dates_in_every_language_the_bot_speaks(text: str, expected: datetime) -> None:
    assert parse_moment(text, zone=BERLIN, now=NOW) == expected


# weekdays and times of day in every language ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nächsten Dienstag 10 Uhr", utc(2026, 12, 1, 9, 0)),
        ("kommenden Freitag um 14 Uhr", utc(2026, 11, 27, 13, 0)),
        ("Dienstag 10 Uhr", utc(2026, 12, 1, 9, 0)),
        ("am nächsten Dienstag um 9.30 Uhr", utc(2026, 12, 1, 8, 30)),
        ("próxima terça às 18h", utc(2026, 12, 1, 17, 0)),
        ("próxima terça-feira às 18:30", utc(2026, 12, 1, 17, 30)),
        ("terça que vem 18h", utc(2026, 12, 1, 17, 0)),
        ("mardi prochain 14h", utc(2026, 12, 1, 13, 0)),
        ("mardi prochain à 14h30", utc(2026, 12, 1, 13, 30)),
        ("le mardi 14 h", utc(2026, 12, 1, 13, 0)),
        ("el próximo martes a las 10", utc(2026, 12, 1, 9, 0)),
        ("martes que viene 10:00", utc(2026, 12, 1, 9, 0)),
        ("próximo lunes 9h", utc(2026, 11, 30, 8, 0)),
        ("Miércoles 9h", utc(2026, 11, 25, 8, 0)),
        ("miercoles 9h", utc(2026, 11, 25, 8, 0)),
        ("next tuesday 10:00", utc(2026, 12, 1, 9, 0)),
        ("next tuesday at 10", utc(2026, 12, 1, 9, 0)),
        ("tomorrow 15:00", utc(2026, 11, 25, 14, 0)),
        ("demain 14h", utc(2026, 11, 25, 13, 0)),
        ("mañana a las 18", utc(2026, 11, 25, 17, 0)),
        ("morgen um 10 Uhr", utc(2026, 11, 25, 9, 0)),
        ("el 15 de marzo de 2027 a las 10", utc(2027, 3, 15, 9, 0)),
        ("am 15. März 2027 um 10 Uhr", utc(2027, 3, 15, 9, 0)),
        ("le 15 mars 2027 à 14h", utc(2027, 3, 15, 13, 0)),
        ("no dia 15 de março de 2027 às 18h", utc(2027, 3, 15, 17, 0)),
        ("jeudi 11 février 2027 9h", utc(2027, 2, 11, 8, 0)),  # a weekday beside a date is the date's
        ("mardi prochain 14h CET", utc(2026, 12, 1, 13, 0)),
    ],
)
def test_parse_moment_reads_weekdays_and_hours_in_every_language(text: str, expected: datetime) -> None:
    assert parse_moment(text, zone=BERLIN, now=NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["next tuesday 10:00", "nächsten Dienstag 10 Uhr", "mardi prochain 10h", "el próximo martes a las 10",
     "próxima terça às 10h", "tuesday 10:00", "Dienstag 10 Uhr", "martes 10:00"],
)  # fmt: skip
def test_next_weekday_on_that_weekday_is_a_week_on_in_every_language(text: str) -> None:
    # NOW is a Tuesday, 11:00 in Berlin.
    assert parse_moment(text, zone=BERLIN, now=NOW) == utc(2026, 12, 1, 9, 0)


@pytest.mark.parametrize(
    "text",
    ["next thursday 10:00", "nächsten Donnerstag 10 Uhr", "jeudi prochain 10h", "el próximo jueves a las 10",
     "próxima quinta às 10h", "quinta-feira que vem 10h", "jueves que viene 10:00"],
)  # fmt: skip
def test_next_weekday_later_this_week_is_this_weeks_in_every_language(text: str) -> None:
    assert parse_moment(text, zone=BERLIN, now=NOW) == utc(2026, 11, 26, 9, 0)


@pytest.mark.parametrize(
    "text", ["this tuesday 18:00", "ce mardi 18h", "diesen Dienstag 18 Uhr", "este martes a las 18", "esta terça 18h"]
)
def test_this_weekday_is_today_on_that_weekday(text: str) -> None:
    assert parse_moment(text, zone=BERLIN, now=NOW) == utc(2026, 11, 24, 17, 0)


@pytest.mark.parametrize(
    ("text", "same_as"),
    [("18h", "18:00"), ("14 h", "14:00"), ("10 Uhr", "10:00"), ("14h30", "14:30"), ("9 heures", "9:00")],
)
def test_an_hour_alone_is_a_time_of_day_never_hours_from_now(text: str, same_as: str) -> None:
    assert parse_moment(text, zone=BERLIN, now=NOW) == parse_moment(same_as, zone=BERLIN, now=NOW)
    assert parse_moment("18h", zone=BERLIN, now=NOW) == utc(2026, 11, 24, 17, 0)  # today, 18:00 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vendredi prochain", utc(2026, 11, 27, 22, 59)),
        ("nächsten Freitag", utc(2026, 11, 27, 22, 59)),
        ("el próximo viernes", utc(2026, 11, 27, 22, 59)),
        ("sexta que vem 18h", utc(2026, 11, 27, 17, 0)),
    ],
)
def test_parse_deadline_reads_weekdays_in_every_language(text: str, expected: datetime) -> None:
    assert parse_deadline(text, zone=BERLIN, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "hour_words", "expected"),
    [
        ("18 Uhr", False, utc(2027, 2, 11, 17, 0)),
        ("14h30", False, utc(2027, 2, 11, 13, 30)),
        ("16h", True, utc(2027, 2, 11, 15, 0)),  # after a start written "9h"
        ("3h", True, utc(2027, 2, 11, 11, 0)),  # three o'clock is before the start: a length
        ("16h", False, utc(2027, 2, 12, 0, 0)),  # after "9:00", "16h" stays sixteen hours
    ],
)
def test_parse_end_reads_hours_as_times_of_day(text: str, hour_words: bool, expected: datetime) -> None:
    assert parse_end(text, start=START, zone=BERLIN, now=NOW, hour_words=hour_words) == expected


def test_every_language_has_the_same_date_word_lists_and_babels_weekday_names() -> None:
    from bot.language import i18n, weekdays

    english = {name for name in i18n.word_lists("en") if name.startswith("date_")}
    assert english == {"date_next", "date_next_after", "date_this", "date_on", "date_at", "date_hour", "date_until"}
    for language in i18n.available():
        assert english <= set(i18n.word_lists(language)), language
    names = weekdays.weekday_names()
    assert (names["dienstag"], names["terca-feira"], names["terca"], names["mardi"], names["martes"]) == (1, 1, 1, 1, 1)
    assert "mar" not in names, "a month's abbreviation too (marzo, March)"


ITALIAN = """
date_next = ["prossimo", "prossima"]
date_next_after = ["prossimo", "prossima"]
date_this = ["questo", "questa"]
date_on = []
date_at = ["alle", "alla"]
date_hour = []
date_until = ["alle"]
"""


def _forget_words() -> None:
    from bot.language import i18n, weekdays

    i18n.words.cache_clear()
    for cached in (weekdays.month_names, weekdays.weekday_names, weekdays._hour_time, weekdays._at_hour,
                   weekdays._at_time, weekdays._on_day, weekdays._weekday, weekdays._written_date):  # fmt: skip
        cached.cache_clear()


def test_a_language_added_with_its_word_lists_is_read_with_no_code_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Italian, were its catalogs and its dates.toml added: Babel names its weekdays, the list its little words."""
    import tomllib

    from bot.language import i18n

    spoken, lists = i18n.available(), i18n.word_lists
    monkeypatch.setattr(i18n, "available", lambda: (*spoken, "it"))
    monkeypatch.setattr(
        i18n, "word_lists", lambda language: tomllib.loads(ITALIAN) if language == "it" else lists(language)
    )
    _forget_words()
    try:
        assert parse_moment("martedì prossimo alle 10", zone=BERLIN, now=NOW) == utc(2026, 12, 1, 9, 0)
        assert parse_moment("giovedì alle 18", zone=BERLIN, now=NOW) == utc(2026, 11, 26, 17, 0)
    finally:
        monkeypatch.undo()
        _forget_words()


@pytest.mark.parametrize(
    ("written", "minutes"),
    [
        ("2 Stunden", 120),
        ("1 Std. 30 Min.", 90),
        ("1 hora y 30 minutos", 90),
        ("90 minutos", 90),
        ("2 horas e 30 minutos", 150),
        ("2 heures", 120),
        ("1 heure et 15 minutes", 75),
        ("2 hours", 120),
    ],
)
def test_an_end_given_as_a_length_in_any_language(written: str, minutes: int) -> None:
    start = utc(2027, 3, 2, 9, 0)
    assert parse_end(written, start=start, zone=BERLIN, now=NOW) == start + timedelta(minutes=minutes)


def test_a_one_line_meeting_for_a_length_in_any_language() -> None:
    from bot.language.quick_meeting._times import read_times

    for written in (
        "2 Mar 2027 10:00 für 2 Stunden",
        "2 Mar 2027 10:00 durante 2 horas",
        "2 Mar 2027 10:00 pendant 2 heures",
    ):
        times = read_times(written, BERLIN, NOW)
        assert times.end is not None and times.end - times.start == timedelta(hours=2), written
