"""When a meeting is, in words: written once for each language and reader's zone, and kept, with no reader
ever shown what was written for another."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.language import i18n
from bot.views import meeting_dates as dates
from store.models import Meeting, MeetingKind

TORONTO = "America/Toronto"
STARTS = datetime(2027, 3, 4, 14, 0, tzinfo=UTC)  # 09:00 in Toronto, 14:00 in Lisbon
LANGUAGES = ("en", "es", "de")
READERS = (None, TORONTO, "Europe/Lisbon", "Asia/Tokyo")


def meeting(starts_at: datetime = STARTS, *, all_day: bool = False) -> Meeting:
    ends_at = starts_at + (timedelta(days=2) if all_day else timedelta(hours=2))
    return Meeting(
        id=7,
        title="Data spaces clinic",
        kind=MeetingKind.ONLINE,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=TORONTO,
        all_day=all_day,
    )


def written(held: Meeting, language: str, reader: str | None) -> tuple[str, str]:
    with i18n.speaking(language, zone=reader):
        return dates.when_text(held), dates.when_plain(held)


def forget() -> None:
    for kept in (dates._when_text, dates._when_plain, dates._day_words, dates._days_words):
        kept.cache_clear()


def test_each_language_and_reader_gets_its_own_words_whatever_was_written_before() -> None:
    held = [meeting(), meeting(datetime(2027, 3, 4, 5, 0, tzinfo=UTC), all_day=True)]
    forget()
    fresh = {}
    for each, language, reader in itertools.product(held, LANGUAGES, READERS):
        fresh[(id(each), language, reader)] = written(each, language, reader)
        forget()  # each written with nothing kept
    for each, language, reader in reversed(list(itertools.product(held, LANGUAGES, READERS))):
        assert written(each, language, reader) == fresh[(id(each), language, reader)], (language, reader)
    assert dates._when_text.cache_info().hits == 0, "each language and reader is written once"
    for each, language, reader in itertools.product(held, LANGUAGES, READERS):
        assert written(each, language, reader) == fresh[(id(each), language, reader)], (language, reader)
    assert dates._when_text.cache_info().hits == len(held) * len(LANGUAGES) * len(READERS), "then kept"

    toronto, lisbon = fresh[(id(held[0]), "en", TORONTO)][0], fresh[(id(held[0]), "en", "Europe/Lisbon")][0]
    assert toronto.endswith("_(America/Toronto)_"), "the reader's own zone is said once"
    assert "there: 09:00–11:00 EST, America/Toronto" in lisbon, "the same day for the reader: the times alone"
    assert "jueves" in fresh[(id(held[0]), "es", None)][0] and "Donnerstag" in fresh[(id(held[0]), "de", None)][0]
    assert fresh[(id(held[1]), "en", None)][1] == "Thu 4 – Fri 5 Mar 2027", "a meeting on dates alone: its days"


def test_the_same_instant_written_in_any_zone_gives_the_same_words_and_a_move_gives_new_ones() -> None:
    forget()
    in_utc = written(meeting(), "en", "Europe/Lisbon")
    in_toronto = written(meeting(STARTS.astimezone(ZoneInfo(TORONTO))), "en", "Europe/Lisbon")
    assert in_toronto == in_utc
    moved = written(meeting(STARTS + timedelta(hours=1)), "en", "Europe/Lisbon")
    assert moved != in_utc and "10:00–12:00 EST" in moved[1]


def test_a_day_is_written_from_its_date_whether_given_a_date_or_a_moment() -> None:
    forget()
    with i18n.speaking("en"):
        assert dates.day_words(date(2027, 3, 4), "short") == "Thu 4 Mar 2027"
        late = datetime(2027, 3, 4, 23, 30, tzinfo=ZoneInfo(TORONTO))  # already the 5th in UTC
        assert dates.day_words(late, "short") == "Thu 4 Mar 2027"
        assert dates.day_words(late.astimezone(UTC), "short") == "Fri 5 Mar 2027"
