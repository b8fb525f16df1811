"""The welcome: someone who joins the group channel gets one direct message, in their language, once."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from bot.config import Settings
from bot.deps import build_deps
from bot.localslack import LocalUser
from bot.localslack.local import GROUP_CHANNEL, MEMBER, LocalBot
from bot.services import welcome as service
from bot.views import meetings as views
from store import meetings as meetings_store
from store import schedule
from store.models import PostKind, PostStatus
from tests.helpers import wait_delivery
from tests.test_meetings import make_meeting

ANA = LocalUser(id="U0ANA", name="ana", real_name="Ana García", locale="es-ES", tz="Europe/Madrid")


def joined(bot: LocalBot, user: str, channel: str = GROUP_CHANNEL, **envelope: Any) -> int:
    ws = bot.workspace
    assert ws is not None
    event = {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "team": "T0"}
    status = ws.event(event, **envelope).status
    bot.wait_idle()
    return status


def welcomes(bot: LocalBot, user: str) -> list[dict[str, Any]]:
    return [
        m
        for m in bot.emulator.messages(bot.emulator.im_channel(user))
        if m.get("bot_id") and "Welcome to" in (m.get("text") or "")
    ]


def test_a_newcomer_is_welcomed_once_with_the_next_meeting_and_how_to_take_part(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot, title="Essen workshop")
    event_id = "Ev0JOIN0000001"
    assert joined(local_bot, MEMBER.id, event_id=event_id) == 200
    assert joined(local_bot, MEMBER.id, event_id=event_id, retry_num=1) == 200  # Slack's re-delivery
    assert joined(local_bot, MEMBER.id) == 200  # left and joined again
    im = local_bot.emulator.im_channel(MEMBER.id)
    wait_delivery(local_bot.emulator, lambda d: d.channel == im and "Welcome to" in (d.text or ""))
    local_bot.wait_idle()
    [message] = welcomes(local_bot, MEMBER.id)
    shown = json.dumps(message["blocks"])
    assert message["text"] == "Welcome to Digitization learning group!"
    assert "share practices, gather evidence" in shown and "*The next meeting*" in shown
    assert "Essen workshop" in shown and views.RSVP_ONLINE in shown, "the next meeting with its buttons"
    assert "`/practice`" in shown and "`/tci language es`" in shown and "`/meetings reminders off`" in shown

    # Its buttons answer the meeting, as the card's do.
    ws = local_bot.workspace
    assert ws is not None
    ws.press_button(MEMBER.id, action_id=views.RSVP_ONLINE, value=str(meeting.id))
    local_bot.wait_idle()
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert meetings_store.counts(session=session, meeting_id=meeting.id or 0).online == 1


def test_only_the_group_channel_welcomes_and_never_the_bot_itself(local_bot: LocalBot) -> None:
    local_bot.emulator.add_channel("C0OTHER", "random")
    joined(local_bot, MEMBER.id, channel="C0OTHER")
    joined(local_bot, local_bot.emulator.bot_user_id)
    assert welcomes(local_bot, MEMBER.id) == []
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert schedule.posts(session=session, kinds=[PostKind.WELCOME], limit=10) == []


def test_a_spanish_reader_is_welcomed_in_spanish_with_the_groups_own_words(settings: Settings) -> None:
    own = replace(settings, welcome_text="We map digital ecosystems through clusters.")
    with LocalBot(own) as bot:
        bot.emulator.add_user(ANA)
        joined(bot, ANA.id)
        im = bot.emulator.im_channel(ANA.id)
        delivered = wait_delivery(bot.emulator, lambda d: d.channel == im and "bienvenida" in (d.text or ""))
        message = {"text": delivered.text, "blocks": delivered.blocks}
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert message["text"] == "¡Te damos la bienvenida a Digitization learning group!", message["text"]
    assert "We map digital ecosystems through clusters." in shown, "the group's own words, as written"
    assert "*Comparte una práctica:* `/practice` abre un formulario breve" in shown
    assert "Aún no hay ninguna reunión prevista" in shown


def test_the_welcome_can_be_off(settings: Settings) -> None:
    with LocalBot(replace(settings, welcome_text=None)) as bot:
        joined(bot, MEMBER.id)
        assert welcomes(bot, MEMBER.id) == []


def test_a_welcome_owed_before_a_restart_is_sent_once_after_it(settings: Settings) -> None:
    down = build_deps(settings)  # the bot that took the event stopped before its sender sent anything
    try:
        assert service.welcome(down, slack_id=MEMBER.id)
        assert not service.welcome(down, slack_id=MEMBER.id), "owed once"
    finally:
        down.engine.dispose()
    with LocalBot(settings) as bot:
        assert bot.wait_idle(timeout=20)
        joined(bot, MEMBER.id)
        assert len(welcomes(bot, MEMBER.id)) == 1
        with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
            [row] = schedule.posts(session=session, kinds=[PostKind.WELCOME], limit=10)
        assert row.status == PostStatus.SENT
