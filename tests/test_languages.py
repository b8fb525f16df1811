"""Each person reads the bot in their language; what goes to the group's channel is in the group's.

A person's language is their own choice (`/tci language`, App Home's menu), else their Slack locale,
else GROUP_LANGUAGE. These tests go through signed requests and the emulator, as Slack would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, LocalBot
from bot.localslack.records import LocalUser
from handlers.home import LANGUAGE_MENU
from store import people as people_store
from tests.conftest import make_settings
from tests.helpers import private_answer, wait_delivery

ANA = LocalUser(id="U0ANA", name="ana", real_name="Ana García", locale="es-ES")
JONAS = LocalUser(id="U0JONAS", name="jonas", real_name="Jonas Weber", locale="de-DE")


def texts(value: Any) -> str:
    return json.dumps(value or [], ensure_ascii=False)


def command(bot: LocalBot, user: str, name: str, text: str = "") -> dict[str, Any]:
    assert bot.workspace is not None
    response = bot.workspace.slash_command(user, name, text)
    assert response.status == 200
    bot.wait_idle()
    return response.json() if response.body.strip() else {}


def chosen_language(bot: LocalBot, slack_id: str) -> str | None:
    assert bot.service is not None
    with bot.service.deps.sessions() as session:
        person = people_store.get_person(session=session, slack_id=slack_id)
    return person.language if person else None


def choose_in_home(bot: LocalBot, user: str, value: str) -> None:
    """Pick `value` in App Home's language menu, as Slack sends a static_select's choice."""
    assert bot.workspace is not None
    home = bot.emulator.home_view(user)
    assert home is not None
    menu = next(block for block in home["blocks"] if (block.get("accessory") or {}).get("action_id") == LANGUAGE_MENU)
    option = next(o for o in menu["accessory"]["options"] if o["value"] == value)
    block_id = menu.get("block_id", "language")
    chosen = bot.workspace.choose_option(user, action_id=LANGUAGE_MENU, option=option, block_id=block_id, view=home)
    assert chosen.status == 200
    bot.wait_idle()


def test_a_person_with_a_spanish_slack_locale_gets_help_in_spanish(local_bot: LocalBot) -> None:
    local_bot.emulator.add_user(ANA)
    body = command(local_bot, ANA.id, "/tci", "help")
    assert "el bot de Digitization learning group" in body["text"]
    assert "lo que el grupo sabe de ti" in body["text"] and "/tci whoami" in body["text"]
    english = command(local_bot, MEMBER.id, "/tci", "help")
    assert "what the group knows about you" in english["text"], "an English locale still reads English"


def test_help_is_kept_per_language(local_bot: LocalBot) -> None:
    local_bot.emulator.add_user(ANA)
    local_bot.emulator.add_user(JONAS)
    spanish = command(local_bot, ANA.id, "/tci", "help")["text"]
    german = command(local_bot, JONAS.id, "/tci", "help")["text"]
    english = command(local_bot, MEMBER.id, "/tci", "help")["text"]
    assert "lo que el grupo sabe de ti" in spanish
    assert "was die Gruppe über dich weiß" in german
    assert "what the group knows about you" in english


def test_choosing_german_makes_an_english_locale_read_german(local_bot: LocalBot) -> None:
    command(local_bot, MEMBER.id, "/tci", "language de")
    private_answer(local_bot.emulator, MEMBER.id, "Ab jetzt schreibe ich dir auf Deutsch.")
    assert chosen_language(local_bot, MEMBER.id) == "de"
    command(local_bot, MEMBER.id, "/tci", "whoami")
    private_answer(local_bot.emulator, MEMBER.id, "Deine Zeitzone: Europe/Berlin.")
    unknown = command(local_bot, MEMBER.id, "/tci", "frobnicate")
    assert "`/tci frobnicate` kenne ich nicht." in unknown["text"]

    command(local_bot, MEMBER.id, "/tci", "language slack")
    private_answer(local_bot.emulator, MEMBER.id, "From now on I write to you in your Slack language, English.")
    assert chosen_language(local_bot, MEMBER.id) is None


def test_a_language_the_bot_does_not_speak_is_refused_with_the_list(local_bot: LocalBot) -> None:
    command(local_bot, MEMBER.id, "/tci", "language xx")
    answer = private_answer(local_bot.emulator, MEMBER.id, "I don't speak “xx”.")
    for code, name in (("en", "English"), ("de", "Deutsch"), ("es", "español"), ("fr", "français")):
        assert f"`{code}` ({name})" in (answer.text or "")
    assert "`pt` (português)" in (answer.text or "")
    assert chosen_language(local_bot, MEMBER.id) is None, "nothing was recorded"


def test_app_homes_menu_changes_the_language_and_republishes_the_home_in_it(local_bot: LocalBot) -> None:
    assert local_bot.workspace is not None
    local_bot.workspace.open_home(MEMBER.id)
    wait_delivery(local_bot.emulator, lambda d: d.kind == "home" and d.user == MEMBER.id)
    home = local_bot.emulator.home_view(MEMBER.id)
    assert home is not None
    shown = texts(home["blocks"])
    assert "You are here as: *member*" in shown
    menu = next(b for b in home["blocks"] if (b.get("accessory") or {}).get("action_id") == LANGUAGE_MENU)
    names = [option["text"]["text"] for option in menu["accessory"]["options"]]
    assert names == ["Slack's language", "English", "Deutsch", "español", "français", "português"]
    assert menu["accessory"]["initial_option"]["value"] == "slack", "no choice of one's own yet"

    choose_in_home(local_bot, MEMBER.id, "fr")
    assert local_bot.emulator.wait_for(
        lambda: (
            "Vous êtes ici en tant que : *membre*"
            in texts((local_bot.emulator.home_view(MEMBER.id) or {}).get("blocks"))
        )
    ), "the Home is published again, in French"
    assert chosen_language(local_bot, MEMBER.id) == "fr"
    french = local_bot.emulator.home_view(MEMBER.id)
    assert french is not None
    menu = next(b for b in french["blocks"] if (b.get("accessory") or {}).get("action_id") == LANGUAGE_MENU)
    assert menu["accessory"]["initial_option"]["value"] == "fr"
    assert menu["accessory"]["options"][0]["text"]["text"] == "La langue de Slack"


def test_a_new_organisers_notice_reaches_a_german_speaker_in_german(local_bot: LocalBot) -> None:
    local_bot.emulator.add_user(JONAS)
    command(local_bot, ORGANISER.id, "/tci", f"organisers add <@{JONAS.id}|jonas>")
    private_answer(local_bot.emulator, ORGANISER.id, "Now organisers, able to use the organisers' commands")
    notice = wait_delivery(
        local_bot.emulator, lambda d: d.kind == "message" and d.channel == local_bot.emulator.im_channel(JONAS.id)
    )
    assert (notice.text or "").startswith(f"<@{ORGANISER.id}> hat dich zum Organisator von Digitization")


@pytest.fixture
def spanish_group_bot(migrated_url: str, tmp_path: Path) -> Iterator[LocalBot]:
    """The local bot of a group whose language is Spanish."""
    bot = LocalBot(make_settings(migrated_url, tmp_path, GROUP_LANGUAGE="es")).start()
    try:
        yield bot
    finally:
        bot.stop()


def test_an_announcement_goes_to_the_channel_in_the_groups_language(spanish_group_bot: LocalBot) -> None:
    bot = spanish_group_bot
    assert bot.workspace is not None
    bot.emulator.add_user(JONAS)
    command(bot, ORGANISER.id, "/tci", "language de")
    command(bot, ORGANISER.id, "/announce", "Willkommen")
    opened = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id)
    assert opened.view is not None
    assert opened.view["title"]["text"] == "Neue Ankündigung", "the organiser's form is in their language"
    state = {
        "text": {"value": {"type": "plain_text_input", "value": "Willkommen, neue Mitglieder!"}},
        "when": {"value": {"type": "plain_text_input", "value": None}},
        "channel": {"value": {"type": "conversations_select", "selected_conversation": GROUP_CHANNEL}},
    }
    assert bot.workspace.submit_view(ORGANISER.id, opened.view, state).status == 200
    posted = wait_delivery(
        bot.emulator, lambda d: d.kind == "message" and d.channel == GROUP_CHANNEL and "Willkommen" in texts(d.blocks)
    )
    assert f"Anuncio de <@{ORGANISER.id}>" in texts(posted.blocks)
    assert "Ankündigung von" not in texts(posted.blocks)
