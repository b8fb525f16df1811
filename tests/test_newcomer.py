"""What a newcomer tripped over, through Slack: each small wrong thing, as a member or organiser now sees it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.demo import as_the_bot_made_it, seed_demo
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, LocalBot
from bot.views import meetings as views
from bot.views import practices as practice_views
from store import meetings as meetings_store
from store import practices as practices_store
from store import schedule
from store.models import MeetingKind, PostKind, PracticeStatus
from tests.helpers import Clock, private_answer, wait_delivery
from tests.test_meetings import all_meetings, form_values, open_form, texts
from tests.test_series import LINE, preview, save_preview

YEAR = datetime.now(UTC).year + 1


def test_the_one_line_form_reads_how_people_attend_from_the_title_and_says_so(local_bot: LocalBot) -> None:
    shown = preview(local_bot, f"Hybrid meetup, 11 Feb {YEAR} 9:00-17:00 CET, Essen, https://meet.example.org/essen")
    said = (shown.text or "") + texts(shown.blocks)
    assert "(hybrid)" in said and "has no join link" not in said
    assert "The title says \\u201cHybrid\\u201d: I took it as a hybrid meeting." in said
    save_preview(local_bot, shown)
    [meeting] = all_meetings(local_bot)
    assert meeting.kind == MeetingKind.HYBRID and meeting.join_url == "https://meet.example.org/essen"


def test_the_forms_answer_says_what_a_start_without_its_year_was_taken_to_be(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    answer = local_bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(starts="next Thursday 10:00", ends="12:00")
    ).json()
    assert answer["response_action"] == "update", answer
    [meeting] = all_meetings(local_bot)
    said = texts(answer["view"]["blocks"])
    assert "You wrote \\u201cnext Thursday 10:00\\u201d for the start: that is " in said
    assert views.when_plain(meeting).split(",")[0] in said, "the day it was read as, in the meeting's own zone"

    view = open_form(local_bot)
    written = f"11 Feb {YEAR} 09:00"
    answer = local_bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(starts=written)
    ).json()
    assert "You wrote" not in texts(answer["view"]["blocks"]), "a date with its year needs no reading back"


def test_the_useful_button_shows_ones_own_mark_and_pressing_it_again_takes_it_back(local_bot: LocalBot) -> None:
    deps = local_bot.service.deps  # type: ignore[union-attr]
    seed_demo(deps)
    with deps.sessions() as session:
        practice = next(
            p
            for p in practices_store.list_practices(session=session, limit=50).practices
            if p.author == ORGANISER.id
            and not practices_store.marked_by(session=session, practice_id=p.id or 0, slack_id=MEMBER.id)
        )
    ws = local_bot.workspace
    assert ws is not None

    def shown() -> str:
        before = len(local_bot.emulator.deliveries)
        ws.slash_command(MEMBER.id, "/practice", str(practice.id))
        answer = wait_delivery(
            local_bot.emulator,
            lambda d: (
                local_bot.emulator.deliveries.index(d) >= before
                and d.kind in ("response", "ephemeral")
                and d.user == MEMBER.id
                and practice.title in (d.text or "")
            ),
        )
        return texts(answer.blocks)

    assert "yours" not in shown()
    ws.press_button(MEMBER.id, action_id=practice_views.USEFUL, value=str(practice.id))
    local_bot.wait_idle()
    mine = shown()
    assert "\\u00b7 yours" in mine and "you marked it useful: press *Useful* again to take your mark back" in mine
    ws.press_button(MEMBER.id, action_id=practice_views.USEFUL, value=str(practice.id))
    local_bot.wait_idle()
    assert "yours" not in shown()


def test_the_demo_is_as_the_bot_would_have_made_it_reminders_planned_and_practice_cards_posted(
    local_bot: LocalBot,
) -> None:
    deps = local_bot.service.deps  # type: ignore[union-attr]
    seed_demo(deps)
    as_the_bot_made_it(deps)
    assert local_bot.wait_idle(timeout=30)
    with deps.sessions() as session:
        published = practices_store.list_practices(session=session, limit=100).practices
        upcoming = meetings_store.upcoming_meetings(session=session, now=datetime.now(UTC))
        reminders = schedule.posts(session=session, kinds=[PostKind.REMINDER], limit=100)
    assert published and all(p.status == PracticeStatus.PUBLISHED and p.card_ts for p in published)
    cards = [m for m in local_bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]
    assert len(cards) == len(published), "one card for each practice, and nothing else"
    assert {r.meeting_id for r in reminders} == {m.id for m in upcoming}, "every upcoming meeting's reminders"


def test_an_immediate_announcement_says_when_it_appears(local_bot: LocalBot) -> None:
    from tests.test_announcements import open_form as open_announcement
    from tests.test_announcements import submit

    body = submit(local_bot, ORGANISER.id, open_announcement(local_bot), text="Doors open now")
    assert f"Posting now in <#{GROUP_CHANNEL}>: it appears there within seconds." in texts(body["view"]["blocks"])


@pytest.fixture
def bot(settings: Settings) -> Iterator[LocalBot]:
    """The bot on a December evening of 2026, after that month's first Tuesday."""
    with LocalBot(settings, clock=Clock(datetime(2026, 12, 1, 21, 0, tzinfo=UTC))) as running:
        yield running


def test_a_reader_in_the_meetings_own_zone_is_shown_its_times_once(bot: LocalBot) -> None:
    save_preview(bot, preview(bot, LINE))
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings")  # Ana reads in Madrid, the meeting's own zone
    mine = texts(private_answer(bot.emulator, ORGANISER.id, "Upcoming meetings").blocks)
    assert "there:" not in mine and "_(Europe/Madrid)_" in mine
    ws.slash_command(MEMBER.id, "/meetings")  # Bruno reads in Berlin: the meeting's times beside his
    theirs = texts(private_answer(bot.emulator, MEMBER.id, "Upcoming meetings").blocks)
    assert "_(there: 15:00\\u201317:00 CET, Europe/Madrid)_" in theirs, "the day is his too: one date on the line"
    ws.slash_command(GUEST.id, "/meetings")  # Carla reads in Toronto, where the call starts on the same day
    toronto = texts(private_answer(bot.emulator, GUEST.id, "Upcoming meetings").blocks)
    assert "_(there: 15:00\\u201317:00 CET, Europe/Madrid)_" in toronto


def test_a_misspelt_search_word_is_answered_with_the_close_word_the_practices_hold(local_bot: LocalBot) -> None:
    seed_demo(local_bot.service.deps)  # type: ignore[union-attr]
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(MEMBER.id, "/practice", "search hackaton")
    answer = private_answer(local_bot.emulator, MEMBER.id, "Did you mean")
    assert "No practice matches *hackaton*. Did you mean *hackathon*? These match it, best first" in (answer.text or "")
    assert "A hackathon without a day after" in texts(answer.blocks)
    ws.slash_command(MEMBER.id, "/practice", "search qwertyuiop")
    nothing = private_answer(local_bot.emulator, MEMBER.id, "No practice matches *qwertyuiop*")
    assert "Did you mean" not in (nothing.text or ""), "nothing close: nothing suggested"
