"""Input that a database refuses is refused or trimmed at the edge, the same on both engines; a mention is
only `<@U…>` as Slack sends it, and one command changes at most a stated number of people."""

from __future__ import annotations

from bot.language.markup import mentioned_users, without_control_characters
from bot.localslack import Delivery
from bot.localslack.emulator import LocalUser
from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, LocalBot
from bot.services import roles
from bot.views.forms import CONTROL_CHARACTER_ERROR
from handlers.admin import MOST_PEOPLE_AT_ONCE
from handlers.errors import SORRY
from handlers.practices import SHORTCUT
from store import faq as faq_store
from tests import test_meetings, test_practices
from tests.helpers import changed_tables, private_answer, settle, wait_delivery
from tests.test_security import snapshot, wait_for_start_up

UNSAVEABLE = "invisible control character"


def told(bot: LocalBot, user: str) -> list[str]:
    """Everything said privately to `user` so far."""
    return [d.text or "" for d in bot.emulator.deliveries if d.kind in ("response", "ephemeral") and d.user == user]


# Control characters -------------------------------------------------------------------------------


def test_a_control_character_in_a_practice_field_is_that_fields_error_and_nothing_is_stored(
    local_bot: LocalBot,
) -> None:
    view = test_practices.open_form(local_bot)
    body = test_practices.submit(
        local_bot, MEMBER.id, view, title="Cluster digital\x00 maturity check", summary="A one-hour\x07 check"
    )
    assert body["response_action"] == "errors", body
    assert body["errors"] == {"title": CONTROL_CHARACTER_ERROR, "summary": CONTROL_CHARACTER_ERROR}
    assert UNSAVEABLE in body["errors"]["title"] and "paste it as plain text" in body["errors"]["title"]
    assert test_practices.all_practices(local_bot) == [] and test_practices.cards(local_bot) == []

    # Tabs and line breaks are text like any other.
    body = test_practices.submit(local_bot, MEMBER.id, view, evidence="340 assessments\tsince 2024;\r\n55 firms")
    assert body["response_action"] == "update", body
    [practice] = test_practices.all_practices(local_bot)
    assert practice.evidence == "340 assessments\tsince 2024;\r\n55 firms"


def test_a_control_character_in_a_meeting_field_is_that_fields_error_and_nothing_is_stored(
    local_bot: LocalBot,
) -> None:
    view = test_meetings.open_form(local_bot)
    values = test_meetings.form_values(title="Essen\x00 workshop", venue="Messe\x1b Essen", ends="17:00")
    answer = local_bot.workspace.submit_view(ORGANISER.id, view, values).json()  # type: ignore[union-attr]
    assert answer["response_action"] == "errors", answer
    assert answer["errors"] == {"title": CONTROL_CHARACTER_ERROR, "venue": CONTROL_CHARACTER_ERROR}
    assert test_meetings.all_meetings(local_bot) == []


def test_nul_in_a_slash_commands_text_is_taken_out_before_it_is_stored(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(
        ORGANISER.id, "/meetings", "faq add Is there a dress\x00 code? | No\x00, come as\x07 you are. | dress"
    )
    private_answer(local_bot.emulator, ORGANISER.id, "Added FAQ")
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        [entry] = faq_store.list_faq(session=session)
    assert (entry.question, entry.answer) == ("Is there a dress code?", "No, come as you are.")
    assert not [text for text in told(local_bot, ORGANISER.id) if SORRY in text]


def test_nul_in_a_message_to_the_bot_is_taken_out_and_the_question_answered(local_bot: LocalBot) -> None:
    ws, emulator = local_bot.workspace, local_bot.emulator
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", "faq add Who pays for travel? | Participants pay their own. | travel")
    private_answer(emulator, ORGANISER.id, "Added FAQ")
    assert ws.direct_message(MEMBER.id, "tra\x00vel?").status == 200
    im = emulator.im_channel(MEMBER.id)

    def answer(delivery: Delivery) -> bool:
        return delivery.kind == "message" and delivery.channel == im

    assert "Participants pay their own" in (wait_delivery(emulator, answer).text or "")


def test_nul_in_a_message_shared_as_a_practice_is_taken_out_of_the_form(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    text = "*Open data\x00 hackathon*\nWe ran it with 40 firms\x00 and 3 universities."
    ts = local_bot.emulator.post_user_message(GROUP_CHANNEL, MEMBER.id, text)
    message = {"ts": ts, "text": text, "user": MEMBER.id}
    assert ws.message_shortcut(MEMBER.id, callback_id=SHORTCUT, message=message, channel=GROUP_CHANNEL).status == 200
    opened = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id).view
    assert opened is not None
    initial = {b["block_id"]: b["element"].get("initial_value") for b in opened["blocks"]}
    assert initial["title"] == "Open data hackathon"
    assert "We ran it with 40 firms and 3 universities." in initial["summary"]


def test_control_characters_are_taken_out_but_tabs_and_line_breaks_stay() -> None:
    assert without_control_characters("a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh\x7fi") == "abcdefgh\x7fi"
    assert without_control_characters("line\tone\r\nline two\n") == "line\tone\r\nline two\n"


# Mentions ------------------------------------------------------------------------------------------


def test_a_mention_is_only_what_slack_sends_for_one() -> None:
    text = "UNIVERSITY00001 U0MEM <@U0MEM> <@W0ABC123|ana> <@U0MEM|bruno> WORKSHOP2027 <#C0GROUP|group>"
    assert mentioned_users(text) == ["U0MEM", "W0ABC123"]
    assert mentioned_users("UNIVERSITY00001 UNIVERSITY00002 U0ABCDEFG") == []


def members_set(bot: LocalBot) -> list[str]:
    """Whom an organiser counted as a member (or stopped counting)."""
    return [person.slack_id for person in roles.members_set_by_organisers(test_practices.deps(bot))]


def test_words_that_look_like_ids_add_nobody_and_get_the_subcommands_usage(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    wait_for_start_up(local_bot)
    words = " ".join(f"UNIVERSITY{number:05d}" for number in range(1, 2502))
    assert len(words) >= 40_000
    before = snapshot(local_bot)
    assert ws.slash_command(ORGANISER.id, "/tci", f"members add {words}").status == 200
    answer = private_answer(local_bot.emulator, ORGANISER.id, "couldn't tell whom to add as a member")
    assert "`/tci members add @someone`" in (answer.text or "") and len(answer.text or "") < 500
    for words_typed, usage in (
        ("members remove bruno", "`/tci members remove @someone`"),
        ("organisers add ana", "`/tci organisers add @someone`"),
        ("organisers remove U0MEM", "`/tci organisers remove @someone`"),
    ):
        ws.slash_command(ORGANISER.id, "/tci", words_typed)
        private_answer(local_bot.emulator, ORGANISER.id, usage)
    local_bot.wait_idle()
    assert changed_tables(before, snapshot(local_bot)) == [], "nobody was added or removed"


def people(bot: LocalBot, count: int) -> list[str]:
    """`count` people of the workspace, each known to Slack."""
    ids = [f"U0P{number:04d}" for number in range(count)]
    for slack_id in ids:
        bot.emulator.add_user(LocalUser(id=slack_id, name=slack_id.lower(), real_name=f"Person {slack_id}"))
    return ids


def test_one_command_changes_at_most_the_stated_number_of_people(local_bot: LocalBot) -> None:
    ws, emulator = local_bot.workspace, local_bot.emulator
    assert ws is not None
    wait_for_start_up(local_bot)
    crowd = people(local_bot, MOST_PEOPLE_AT_ONCE + 5)
    mentions = " ".join(f"<@{slack_id}|{slack_id.lower()}>" for slack_id in crowd)
    before = snapshot(local_bot)
    for command in ("members add", "members remove", "organisers add", "organisers remove"):
        ws.slash_command(ORGANISER.id, "/tci", f"{command} {mentions}")
        hint = f"`/tci {command} @first @second …`"
        said = private_answer(emulator, ORGANISER.id, hint).text or ""
        assert f"at most {MOST_PEOPLE_AT_ONCE} people, and this one names {len(crowd)}" in said
        assert "nothing was changed" in said
    local_bot.wait_idle()
    settle(emulator)
    assert changed_tables(before, snapshot(local_bot)) == [], "nobody was added or removed"
    assert not [d for d in emulator.deliveries if d.kind == "message"], "nobody was told of a change"

    at_most = " ".join(f"<@{slack_id}>" for slack_id in crowd[:MOST_PEOPLE_AT_ONCE])
    ws.slash_command(ORGANISER.id, "/tci", f"members add {at_most}")
    private_answer(emulator, ORGANISER.id, "Now counted as members")
    assert sorted(members_set(local_bot)) == sorted(crowd[:MOST_PEOPLE_AT_ONCE])
