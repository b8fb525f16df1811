"""Meetings that repeat, written and named in Spanish, Portuguese, German and French.

A rule is read from the words of every language at once (the `repeat_*` lists of each `dates.toml`), the
times after it left to the date and time reader; it is named in the reader's language with the catalogs'
whole phrases. The English rules read as they did before these words came in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.language import repeats, when
from bot.language.i18n import _, n_, speaking
from bot.language.repeats import Pattern, Repeat
from bot.localslack.local import ORGANISER, LocalBot
from tests.helpers import private_answer
from tests.test_series import save_preview

WEEKLY, FORTNIGHTLY = Pattern.WEEKLY, Pattern.FORTNIGHTLY
NTH, DATE = Pattern.MONTHLY_WEEKDAY, Pattern.MONTHLY_DATE
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MADRID = ZoneInfo("Europe/Madrid")

# A rule as people write it, the time after it: the rule read, and the rest left for the time reader.
WRITTEN: dict[str, dict[str, tuple[Repeat, str]]] = {
    "es": {
        "cada primer martes 15:00 CET": (Repeat(NTH, weekday=TUE, nth=1), "15:00 CET"),
        "el primer martes de cada mes a las 15:00": (Repeat(NTH, weekday=TUE, nth=1), "a las 15:00"),
        "el primer martes del mes a las 10": (Repeat(NTH, weekday=TUE, nth=1), "a las 10"),
        "el tercer jueves de cada mes 18:00": (Repeat(NTH, weekday=THU, nth=3), "18:00"),
        "todos los martes a las 10": (Repeat(WEEKLY, weekday=TUE), "a las 10"),
        "todos los sábados 10:00": (Repeat(WEEKLY, weekday=SAT), "10:00"),
        "cada dos semanas el viernes 9:00": (Repeat(FORTNIGHTLY, weekday=FRI), "9:00"),
        "cada 2 semanas 9:00": (Repeat(FORTNIGHTLY), "9:00"),
        "cada dos martes 18h": (Repeat(FORTNIGHTLY, weekday=TUE), "18h"),
        "quincenal 9:00": (Repeat(FORTNIGHTLY), "9:00"),
        "cada quince días el jueves 9:00": (Repeat(FORTNIGHTLY, weekday=THU), "9:00"),
        "mensual el día 12 15:00": (Repeat(DATE, monthday=12), "15:00"),
        "cada mes el día 12 a las 15:00": (Repeat(DATE, monthday=12), "a las 15:00"),
        "el último viernes de cada mes 16:00": (Repeat(NTH, weekday=FRI, nth=-1), "16:00"),
        "semanal 10:00": (Repeat(WEEKLY), "10:00"),
    },
    "pt": {
        "toda primeira terça-feira 15h": (Repeat(NTH, weekday=TUE, nth=1), "15h"),
        "na primeira terça-feira de cada mês às 15h": (Repeat(NTH, weekday=TUE, nth=1), "às 15h"),
        "no primeiro sábado de cada mês 10h": (Repeat(NTH, weekday=SAT, nth=1), "10h"),
        "no segundo sábado de cada mês 10h": (Repeat(NTH, weekday=SAT, nth=2), "10h"),
        "todas as terças às 18h": (Repeat(WEEKLY, weekday=TUE), "às 18h"),
        "todos os sábados 10:00": (Repeat(WEEKLY, weekday=SAT), "10:00"),
        "toda segunda-feira às 9h": (Repeat(WEEKLY, weekday=MON), "às 9h"),
        "a cada duas semanas na sexta 9h": (Repeat(FORTNIGHTLY, weekday=FRI), "9h"),
        "a cada dois sábados 10h": (Repeat(FORTNIGHTLY, weekday=SAT), "10h"),
        "quinzenal às 9h": (Repeat(FORTNIGHTLY), "às 9h"),
        "mensal no dia 12 15h": (Repeat(DATE, monthday=12), "15h"),
        "todo mês no dia 12 às 15h": (Repeat(DATE, monthday=12), "às 15h"),
        "na última sexta-feira de cada mês 16h": (Repeat(NTH, weekday=FRI, nth=-1), "16h"),
    },
    "de": {
        "jeden ersten Dienstag 15 Uhr": (Repeat(NTH, weekday=TUE, nth=1), "15 Uhr"),
        "jeden ersten Dienstag im Monat um 15 Uhr": (Repeat(NTH, weekday=TUE, nth=1), "um 15 Uhr"),
        "jeden zweiten Dienstag im Monat 15:00": (Repeat(NTH, weekday=TUE, nth=2), "15:00"),
        "am letzten Freitag im Monat um 16 Uhr": (Repeat(NTH, weekday=FRI, nth=-1), "um 16 Uhr"),
        "jeden letzten Freitag des Monats 16:00": (Repeat(NTH, weekday=FRI, nth=-1), "16:00"),
        "jeden Dienstag 15 Uhr": (Repeat(WEEKLY, weekday=TUE), "15 Uhr"),
        "immer dienstags um 15 Uhr": (Repeat(WEEKLY, weekday=TUE), "um 15 Uhr"),
        "alle zwei Wochen am Freitag 9 Uhr": (Repeat(FORTNIGHTLY, weekday=FRI), "9 Uhr"),
        "jede zweite Woche 9:00": (Repeat(FORTNIGHTLY), "9:00"),
        "14-tägig am Freitag 9 Uhr": (Repeat(FORTNIGHTLY, weekday=FRI), "9 Uhr"),
        "vierzehntägig 9 Uhr": (Repeat(FORTNIGHTLY), "9 Uhr"),
        "monatlich am 12. um 15 Uhr": (Repeat(DATE, monthday=12), "um 15 Uhr"),
        "jeden Monat am 12. 15:00": (Repeat(DATE, monthday=12), "15:00"),
        "wöchentlich 10 Uhr": (Repeat(WEEKLY), "10 Uhr"),
    },
    "fr": {
        "chaque premier mardi 15h": (Repeat(NTH, weekday=TUE, nth=1), "15h"),
        "le premier mardi de chaque mois à 15h": (Repeat(NTH, weekday=TUE, nth=1), "à 15h"),
        "tous les premiers mardis du mois 15h": (Repeat(NTH, weekday=TUE, nth=1), "15h"),
        "le 2e jeudi du mois 18h30": (Repeat(NTH, weekday=THU, nth=2), "18h30"),
        "le dernier vendredi du mois 16h": (Repeat(NTH, weekday=FRI, nth=-1), "16h"),
        "tous les mardis 15h": (Repeat(WEEKLY, weekday=TUE), "15h"),
        "toutes les deux semaines le vendredi 9h": (Repeat(FORTNIGHTLY, weekday=FRI), "9h"),
        "un vendredi sur deux à 9h": (Repeat(FORTNIGHTLY, weekday=FRI), "à 9h"),
        "tous les quinze jours le jeudi 9h": (Repeat(FORTNIGHTLY, weekday=THU), "9h"),
        "tous les mois le 12 15h": (Repeat(DATE, monthday=12), "15h"),
        "mensuel le 12 à 15h": (Repeat(DATE, monthday=12), "à 15h"),
        "tous les mois le 1er 10h": (Repeat(DATE, monthday=1), "10h"),
        "hebdomadaire 10h": (Repeat(WEEKLY), "10h"),
    },
}

# The English phrases of test_series.py's test_the_rule_is_read_and_named_as_people_write_it, in full.
ENGLISH = {
    "every first Tuesday 15:00 CET": (Repeat(NTH, weekday=TUE, nth=1), "15:00 CET", "every first Tuesday"),
    "every other Thursday at 10:00": (Repeat(FORTNIGHTLY, weekday=THU), "at 10:00", "every other Thursday"),
    "every 2 weeks on Friday 9:00": (Repeat(FORTNIGHTLY, weekday=FRI), "9:00", "every other Friday"),
    "every last Friday of the month 16:00": (Repeat(NTH, weekday=FRI, nth=-1), "16:00", "every last Friday"),
    "monthly on the 12th 15:00": (Repeat(DATE, monthday=12), "15:00", "every month on day 12"),
    "every Wednesday 9:00": (Repeat(WEEKLY, weekday=WED), "9:00", "every Wednesday"),
}

# How many meetings in all, and the series' last day, as written in each language.
COUNTS = {
    "es": {"10 veces": 10, "1 vez": 1, "durante 6 reuniones": 6},
    "pt": {"10 vezes": 10, "1 vez": 1, "durante 6 encontros": 6},
    "de": {"10 Mal": 10, "1 Mal": 1, "für 6 Termine": 6},
    "fr": {"10 fois": 10, "1 fois": 1, "pendant 6 réunions": 6},
}
UNTIL = {
    "es": {"hasta el 30 de junio de 2027": "30 de junio de 2027", "hasta 30 jun 2027": "30 jun 2027"},
    "pt": {"até 30 de junho de 2027": "30 de junho de 2027", "até o dia 30/06/2027": "30/06/2027"},
    "de": {"bis 30. Juni 2027": "30. Juni 2027", "bis zum 30.06.2027": "30.06.2027"},
    "fr": {"jusqu'au 30 juin 2027": "30 juin 2027", "jusqu’au 30 juin 2027": "30 juin 2027"},
}

# Each rule, named in the reader's language.
NAMED: dict[str, list[tuple[Repeat, str]]] = {
    "es": [
        (Repeat(WEEKLY, weekday=TUE), "todos los martes"),
        (Repeat(WEEKLY, weekday=SAT), "todos los sábados"),
        (Repeat(FORTNIGHTLY, weekday=THU), "cada dos jueves"),
        (Repeat(NTH, weekday=TUE, nth=1), "el primer martes de cada mes"),
        (Repeat(NTH, weekday=TUE, nth=2), "el segundo martes de cada mes"),
        (Repeat(NTH, weekday=FRI, nth=-1), "el último viernes de cada mes"),
        (Repeat(DATE, monthday=12), "cada mes el día 12"),
        (Repeat(WEEKLY, weekday=TUE, count=6), "todos los martes, 6 veces en total"),
        (Repeat(WEEKLY, weekday=TUE, count=1), "todos los martes, 1 vez en total"),
        (Repeat(NTH, weekday=TUE, nth=1, until=date(2027, 6, 30)),
         "el primer martes de cada mes, hasta el 30 jun 2027"),
    ],
    "pt": [
        (Repeat(WEEKLY, weekday=TUE), "todas as terças-feiras"),
        (Repeat(WEEKLY, weekday=SAT), "todos os sábados"),
        (Repeat(FORTNIGHTLY, weekday=THU), "a cada duas quintas-feiras"),
        (Repeat(FORTNIGHTLY, weekday=SUN), "a cada dois domingos"),
        (Repeat(NTH, weekday=TUE, nth=1), "na primeira terça-feira de cada mês"),
        (Repeat(NTH, weekday=SAT, nth=1), "no primeiro sábado de cada mês"),
        (Repeat(NTH, weekday=FRI, nth=-1), "na última sexta-feira de cada mês"),
        (Repeat(DATE, monthday=12), "todo mês no dia 12"),
        (Repeat(WEEKLY, weekday=SAT, count=6), "todos os sábados, 6 vezes no total"),
        (Repeat(WEEKLY, weekday=SAT, count=1), "todos os sábados, 1 vez no total"),
        (Repeat(DATE, monthday=12, until=date(2027, 6, 30)), "todo mês no dia 12, até 30 de jun. de 2027"),
    ],
    "de": [
        (Repeat(WEEKLY, weekday=TUE), "jeden Dienstag"),
        (Repeat(FORTNIGHTLY, weekday=THU), "alle zwei Wochen am Donnerstag"),
        (Repeat(NTH, weekday=TUE, nth=1), "jeden ersten Dienstag im Monat"),
        (Repeat(NTH, weekday=TUE, nth=2), "jeden zweiten Dienstag im Monat"),
        (Repeat(NTH, weekday=FRI, nth=-1), "jeden letzten Freitag im Monat"),
        (Repeat(DATE, monthday=12), "jeden Monat am 12."),
        (Repeat(WEEKLY, weekday=TUE, count=6), "jeden Dienstag, 6 Mal insgesamt"),
        (Repeat(DATE, monthday=12, until=date(2027, 6, 30)), "jeden Monat am 12., bis 30.06.2027"),
    ],
    "fr": [
        (Repeat(WEEKLY, weekday=TUE), "tous les mardis"),
        (Repeat(FORTNIGHTLY, weekday=THU), "un jeudi sur deux"),
        (Repeat(NTH, weekday=TUE, nth=1), "le premier mardi de chaque mois"),
        (Repeat(NTH, weekday=TUE, nth=2), "le deuxième mardi de chaque mois"),
        (Repeat(NTH, weekday=FRI, nth=-1), "le dernier vendredi de chaque mois"),
        (Repeat(DATE, monthday=12), "tous les mois le 12"),
        (Repeat(WEEKLY, weekday=TUE, count=6), "tous les mardis, 6 fois au total"),
        (Repeat(NTH, weekday=TUE, nth=1, until=date(2027, 6, 30)),
         "le premier mardi de chaque mois, jusqu'au 30 juin 2027"),
    ],
}  # fmt: skip


def not_read_back(language: str, repeat: Repeat) -> bool:
    """A name the bot gives that it cannot read back: in Portuguese a weekday's plural ends in "-feiras" (the reader
    tries a name without one trailing "s" only), and the feminine "segunda", "quarta" and "quinta" are weekdays."""
    if language != "pt" or repeat.weekday is None or repeat.weekday >= SAT:
        return False
    return repeat.pattern in (WEEKLY, FORTNIGHTLY) or repeat.nth in (2, 4, 5)


def every_rule() -> Iterator[Repeat]:
    for weekday in range(7):
        yield Repeat(WEEKLY, weekday=weekday)
        yield Repeat(FORTNIGHTLY, weekday=weekday)
        for nth in (1, 2, 3, 4, 5, -1):
            yield Repeat(NTH, weekday=weekday, nth=nth)
    for monthday in (1, 12, 31):
        yield Repeat(DATE, monthday=monthday)


def cases(table: dict[str, dict[str, Any]]) -> list[Any]:
    """One case a phrase, named by its language and the phrase."""
    return [
        pytest.param(language, text, expected, id=f"{language}: {text}")
        for language, phrases in table.items()
        for text, expected in phrases.items()
    ]


# Read ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "text", "expected"), cases(WRITTEN))
def test_a_rule_written_in_each_language_is_read_and_its_time_left_for_the_time_reader(
    language: str, text: str, expected: tuple[Repeat, str]
) -> None:
    written = repeats.read(text)
    assert written is not None, text
    assert (written.repeat, written.rest) == expected


def misread(text: str, meant: Repeat | None, rest: str, why: str) -> Any:
    """A phrase and what it means, marked as not read so by `repeats.read` yet."""
    return pytest.param(text, meant, rest, id=text, marks=pytest.mark.xfail(strict=True, reason=why))


@pytest.mark.parametrize(
    ("text", "meant", "rest"),
    [
        ("na última sexta-feira do mês 16h", Repeat(NTH, weekday=FRI, nth=-1), "16h"),  # "do" is no Thursday here
        ("todas as terças-feiras 18h", Repeat(WEEKLY, weekday=TUE), "18h"),
        ("na segunda terça-feira de cada mês 10h", Repeat(NTH, weekday=TUE, nth=2), "10h"),
        ("dienstags 15 Uhr", Repeat(WEEKLY, weekday=TUE), "15 Uhr"),
        ("jeden zweiten Dienstag 10 Uhr", Repeat(FORTNIGHTLY, weekday=TUE), "10 Uhr"),
        ("jeden ersten Dienstag im Monat 15 Uhr", Repeat(NTH, weekday=TUE, nth=1), "15 Uhr"),
        ("na primeira terça-feira de cada mês às 10", Repeat(NTH, weekday=TUE, nth=1), "às 10"),
        ("tous les quinze jours 10h", Repeat(FORTNIGHTLY), "10h"),
        ("monthly on the 1st 15:00", Repeat(DATE, monthday=1), "15:00"),
        ("tous les deux mois 10h", None, ""),  # every other month: no rule the bot keeps
        ("every other month 10:00", None, ""),
        ("cada dos meses 10:00", None, ""),
        misread("alle 14 Tage 9 Uhr", Repeat(FORTNIGHTLY), "9 Uhr", "a number above 4 is no interval"),
    ],
)  # fmt: skip
def test_phrases_that_need_more_than_their_words_are_read_as_meant(text: str, meant: Repeat | None, rest: str) -> None:
    written = repeats.read(text)
    if meant is None:
        assert written is None
    else:
        assert written is not None and (written.repeat, written.rest) == (meant, rest)


@pytest.mark.parametrize(("language", "text", "count"), cases(COUNTS))
def test_the_number_of_meetings_is_read_in_each_language(language: str, text: str, count: int) -> None:
    assert repeats.read_count(text) == count


@pytest.mark.parametrize(("language", "text", "day"), cases(UNTIL))
def test_the_last_date_is_read_in_each_language_and_the_date_reader_reads_it(
    language: str, text: str, day: str
) -> None:
    assert repeats.read_until(text) == day
    assert when.parse_day(day, zone=MADRID, now=datetime(2026, 12, 1, tzinfo=UTC)) == date(2027, 6, 30)


@pytest.mark.parametrize(
    "text",
    [
        "Taller de Essen", "Todos juntos", "Tous ensemble", "Sur place", "Alle zusammen", "Oficina de Lisboa",
        "el próximo martes a las 10", "nächsten Dienstag 10 Uhr", "mardi prochain 14h", "próxima terça às 18h",
    ],
)  # fmt: skip
def test_titles_places_and_dates_in_those_languages_are_no_rule(text: str) -> None:
    assert repeats.read(text) is None
    assert repeats.read_count(text) is None and repeats.read_until(text) is None


def test_the_english_rules_read_as_before_the_words_of_the_other_languages_came_in() -> None:
    for text, (repeat, rest, words) in ENGLISH.items():
        written = repeats.read(text)
        assert written is not None and (written.repeat, written.rest) == (repeat, rest), text
        fitted = written.repeat.fitted(date(2027, 1, 12))
        with speaking("en"):
            assert repeats.describe(Repeat.of_rule(fitted.rule(MADRID), MADRID)) == words, text
    assert repeats.read("Essen") is None and repeats.read("Messe Essen, Hall 3") is None
    assert repeats.read_count("10 times") == 10 and repeats.read_until("until 30 Jun 2027") == "30 Jun 2027"


# Named --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "repeat", "words"),
    [
        pytest.param(language, repeat, words, id=f"{language}: {words}")
        for language in NAMED
        for repeat, words in NAMED[language]
    ],
)
def test_each_rule_is_named_in_the_readers_language(language: str, repeat: Repeat, words: str) -> None:
    with speaking(language):
        assert repeats.describe(repeat) == words


@pytest.mark.parametrize("language", ["es", "pt", "de", "fr"])
def test_the_name_of_a_rule_reads_back_as_the_same_rule(language: str) -> None:
    for repeat in every_rule():
        if not_read_back(language, repeat):
            continue
        with speaking(language):
            words = repeats.describe(repeat)
        written = repeats.read(f"{words} 15:00")
        assert written is not None and (written.repeat, written.rest) == (repeat, "15:00"), words


@pytest.mark.parametrize(
    ("language", "count", "until", "rule"),
    [
        ("es", "10 veces", "hasta el 30 jun 2027", "cada primer martes 15:00"),
        ("pt", "10 vezes", "até 30 jun 2027", "toda primeira terça-feira 15:00"),
        ("de", "10 Mal", "bis 30. Juni 2027", "jeden ersten Dienstag im Monat 15:00"),
        ("fr", "10 fois", "jusqu'au 30 juin 2027", "chaque premier mardi 15:00"),
    ],
)
def test_the_examples_the_messages_give_are_read_as_they_say(language: str, count: str, until: str, rule: str) -> None:
    with speaking(language):
        hint = _("For a series: a last date (30 Jun 2027) or a number of times (10 times); empty to go on")
        last_date = _("I could not read the series' last date {date}. Write it like “until 30 Jun 2027”.", date="x")
        no_rule = _(
            "“10 times” and “until …” are for a meeting that repeats: add how, e.g. “every first Tuesday 15:00”."
        )
        prefilled = n_("{count} time", "{count} times", 10)
    assert count in hint and until in last_date and rule in no_rule, (hint, last_date, no_rule)
    assert repeats.read_count(count) == 10 and repeats.read_count(prefilled) == 10
    written_until = repeats.read_until(until)
    assert written_until is not None
    assert when.parse_day(written_until, zone=MADRID, now=datetime(2026, 12, 1, tzinfo=UTC)) == date(2027, 6, 30)
    written = repeats.read(rule)
    assert written is not None and written.repeat == Repeat(NTH, weekday=TUE, nth=1) and written.rest == "15:00"


# Through Slack ------------------------------------------------------------------------------------------


@pytest.fixture
def bot(settings: Settings) -> Iterator[LocalBot]:
    clock = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # a Tuesday evening: December's first Tuesday is over
    with LocalBot(settings, clock=lambda: clock) as running:
        yield running


def test_a_spanish_organiser_types_a_series_and_is_answered_in_spanish_with_the_rule_named_in_spanish(
    bot: LocalBot,
) -> None:
    ws = bot.workspace
    assert ws is not None
    bot.emulator.add_user(replace(ORGANISER, locale="es-ES"))
    line = (
        "Llamada mensual de digitalización, el primer martes de cada mes a las 15:00 Europe/Madrid, en línea, "
        "https://meet.example.org/tci, 6 veces"
    )
    ws.slash_command(ORGANISER.id, "/meetings", f"add {line}")
    shown = private_answer(bot.emulator, ORGANISER.id, "Esto es lo que he entendido")
    said = shown.text or ""
    assert "Se repite: el primer martes de cada mes, 6 veces en total" in said, said
    assert "Del mar, 5 ene 2027 15:00 al mar, 5 ene 2027 17:00 (Europe/Madrid)" in said, said
    assert "La primera reunión es el primer día que da la regla" in said + json.dumps(
        shown.blocks or [], ensure_ascii=False
    )

    saved = save_preview(bot, shown, says=":repeat: Se repite")
    assert "Se repite el primer martes de cada mes, 6 veces en total. Por ahora existen 2 reuniones de la serie" in (
        saved.text or ""
    ), saved.text
