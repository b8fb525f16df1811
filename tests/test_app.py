"""Scenario tests: signed requests through the real Bolt app, answers through the emulator."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from bot.config import Settings
from bot.localslack.local import GUEST, MEMBER, ORGANISER, LocalBot
from handlers.routing import CommandRouter, Subcommand
from store import people as people_store
from store.models import Person
from tests.helpers import private_answer, settle, wait_delivery


def person(bot: LocalBot, slack_id: str) -> Person | None:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return people_store.get_person(session=session, slack_id=slack_id)


def test_help_is_answered_in_the_acknowledgement(local_bot: LocalBot) -> None:
    started = time.monotonic()
    response = local_bot.workspace.slash_command(MEMBER.id, "/tci", "help")
    elapsed = time.monotonic() - started
    assert response.status == 200 and elapsed < 3
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "/tci whoami" in body["text"] and "/tci organisers" in body["text"]
    assert "organisers add" not in body["text"], "members are not shown organisers' subcommands"


def test_organisers_see_their_subcommands_in_help(local_bot: LocalBot) -> None:
    body = local_bot.workspace.slash_command(ORGANISER.id, "/tci", "").json()
    assert "/tci organisers add @someone" in body["text"]
    assert "/tci members remove @someone" in body["text"]


@pytest.mark.parametrize("command", ["/meetings", "/practice", "/actions", "/announce"])
def test_every_command_answers_help(local_bot: LocalBot, command: str) -> None:
    body = local_bot.workspace.slash_command(MEMBER.id, command, "help").json()
    assert body["text"].startswith(f"{command}:")


def test_unknown_subcommand_gets_usage_privately(local_bot: LocalBot) -> None:
    body = local_bot.workspace.slash_command(MEMBER.id, "/tci", "frobnicate now").json()
    assert body["response_type"] == "ephemeral"
    assert "I don't know `/tci frobnicate`" in body["text"] and "`whoami`" in body["text"]


def test_unknown_subcommand_says_where_help_is(local_bot: LocalBot) -> None:
    body = local_bot.workspace.slash_command(MEMBER.id, "/tci", "frobnicate").json()
    assert "`/tci help`" in body["text"] and "frobnicate" in body["text"]


def test_bad_signature_and_stale_requests_get_401_and_change_nothing(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    form = urlencode(
        {
            "command": "/tci",
            "text": "organisers add <@U0MEM>",
            "user_id": ORGANISER.id,
            "channel_id": "C0GROUP",
            "team_id": "T0LOCAL",
            "response_url": "",
            "trigger_id": "x",
        }
    )
    kind = "application/x-www-form-urlencoded"
    assert ws.post(form, kind, signed=False).status == 401
    assert ws.post(form, kind, headers={"X-Slack-Signature": "v0=" + "0" * 64}).status == 401
    assert ws.post(form, kind, timestamp=int(time.time()) - 6 * 60).status == 401
    assert ws.post(form, kind, timestamp=int(time.time()) + 6 * 60).status == 401
    settle(local_bot.emulator)
    assert person(local_bot, MEMBER.id) is None
    assert not local_bot.emulator.deliveries


def test_member_cannot_add_an_organiser(local_bot: LocalBot) -> None:
    body = local_bot.workspace.slash_command(MEMBER.id, "/tci", f"organisers add <@{GUEST.id}|carla>").json()
    assert "Only the group's organisers" in body["text"]
    settle(local_bot.emulator)
    assert person(local_bot, GUEST.id) is None
    assert not local_bot.emulator.calls_to("chat.postMessage")


def test_organiser_adds_and_removes_an_organiser(local_bot: LocalBot) -> None:
    ws, emu = local_bot.workspace, local_bot.emulator
    assert ws.slash_command(ORGANISER.id, "/tci", f"organisers add <@{MEMBER.id}|bruno>").json() is None
    private_answer(emu, ORGANISER.id, "Now organisers, able to use the organisers' commands: <@U0MEM>")
    dm = wait_delivery(emu, lambda d: d.kind == "message" and d.channel == emu.im_channel(MEMBER.id))
    assert "made you an organiser" in (dm.text or "")
    assert person(local_bot, MEMBER.id).is_organiser  # type: ignore[union-attr]

    ws.slash_command(MEMBER.id, "/tci", f"organisers remove <@{ORGANISER.id}|ana>")
    private_answer(emu, MEMBER.id, "No longer organisers: <@U0ORG>")
    assert not person(local_bot, ORGANISER.id).is_organiser  # type: ignore[union-attr]


def test_the_last_organiser_cannot_be_removed(local_bot: LocalBot) -> None:
    local_bot.workspace.slash_command(ORGANISER.id, "/tci", f"organisers remove <@{ORGANISER.id}>")
    private_answer(local_bot.emulator, ORGANISER.id, "no organiser, so nothing was changed")
    assert person(local_bot, ORGANISER.id).is_organiser  # type: ignore[union-attr]


def test_add_without_a_mention_explains_how(local_bot: LocalBot) -> None:
    local_bot.workspace.slash_command(ORGANISER.id, "/tci", "organisers add bruno")
    private_answer(local_bot.emulator, ORGANISER.id, "Mention them with @")
    assert person(local_bot, MEMBER.id) is None


def test_guests_are_members_only_when_an_organiser_says_so(local_bot: LocalBot) -> None:
    ws, emu = local_bot.workspace, local_bot.emulator
    ws.slash_command(GUEST.id, "/tci", "whoami")
    private_answer(emu, GUEST.id, "*not a member*")
    ws.slash_command(ORGANISER.id, "/tci", f"members add <@{GUEST.id}>")
    private_answer(emu, ORGANISER.id, "Now counted as members")
    ws.slash_command(GUEST.id, "/tci", "whoami")
    answer = private_answer(emu, GUEST.id, "a *member* of the group")
    assert "America/Toronto" in (answer.text or "")

    ws.slash_command(MEMBER.id, "/tci", "whoami")
    private_answer(emu, MEMBER.id, "a *member* of the group")
    ws.slash_command(ORGANISER.id, "/tci", f"members remove <@{MEMBER.id}>")
    private_answer(emu, ORGANISER.id, "No longer counted as members")
    assert not person(local_bot, MEMBER.id).is_member  # type: ignore[union-attr]


def test_redelivered_event_is_handled_once(local_bot: LocalBot) -> None:
    ws, emu = local_bot.workspace, local_bot.emulator
    event = {
        "type": "app_mention",
        "user": MEMBER.id,
        "text": "<@U0BOT> hello",
        "channel": "C0GROUP",
        "ts": "1700000000.000100",
        "event_ts": "1700000000.000100",
    }
    assert ws.event(event, event_id="Ev0SAME").status == 200
    assert ws.event(event, event_id="Ev0SAME", retry_num=1).status == 200
    assert ws.event(event, event_id="Ev0SAME", retry_num=2).status == 200
    wait_delivery(emu, lambda d: d.kind == "message" and d.thread_ts == "1700000000.000100")
    settle(emu)
    replies = [d for d in emu.deliveries if d.kind == "message" and d.thread_ts == "1700000000.000100"]
    assert len(replies) == 1


def test_mention_is_answered_in_its_thread_and_dm_in_the_dm(local_bot: LocalBot) -> None:
    ws, emu = local_bot.workspace, local_bot.emulator
    ws.mention(MEMBER.id, "what can you do?")
    reply = wait_delivery(emu, lambda d: d.kind == "message" and d.channel == "C0GROUP")
    assert reply.thread_ts and "/meetings" in (reply.text or "")
    ws.direct_message(MEMBER.id, "hello")
    dm = wait_delivery(emu, lambda d: d.kind == "message" and d.channel == emu.im_channel(MEMBER.id))
    assert "/practice" in (dm.text or "") and dm.thread_ts is None


def test_app_home_is_published_with_the_readers_role(local_bot: LocalBot) -> None:
    local_bot.workspace.open_home(ORGANISER.id)
    wait_delivery(local_bot.emulator, lambda d: d.kind == "home" and d.user == ORGANISER.id)
    view = local_bot.emulator.home_view(ORGANISER.id)
    assert view is not None
    text = json.dumps(view["blocks"])
    assert "Digitization learning group" in text and "*organiser*" in text and "Europe/Madrid" in text


def test_unexpected_errors_are_logged_and_told_privately(local_bot: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    def explode(call: object) -> None:
        raise RuntimeError("kaboom")

    router = CommandRouter(name="/boom", description="fails", intro="fails on purpose")
    router.add(Subcommand("now", "fail", explode))
    router.register(local_bot.service.app, local_bot.service.deps)  # type: ignore[arg-type, union-attr]
    with caplog.at_level(logging.ERROR):
        response = local_bot.workspace.slash_command(MEMBER.id, "/boom", "now")
        assert response.status == 200
        answer = private_answer(local_bot.emulator, MEMBER.id, "something went wrong on my side")
    assert "kaboom" not in (answer.text or "") and "Traceback" not in (answer.text or "")
    assert any("kaboom" in (r.exc_text or "") for r in caplog.records), "the traceback is logged"


def test_health_check(local_bot: LocalBot) -> None:
    with urlopen(local_bot.base_url + "/healthz") as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok", "database": "ok"}


def test_unknown_paths_are_404(local_bot: LocalBot) -> None:
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as error:
        urlopen(local_bot.base_url + "/nope")
    assert error.value.code == 404


def test_a_start_with_no_organiser_warns_how_to_name_the_first(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.deps import build_deps
    from bot.runtime import prepare_store

    deps = build_deps(replace(settings, organiser_ids=()))
    try:
        with caplog.at_level(logging.WARNING, logger="bot.runtime"):
            prepare_store(deps)
        assert "the group has no organiser" in caplog.text and "ORGANISER_IDS" in caplog.text
        caplog.clear()
        deps_named = build_deps(replace(settings, organiser_ids=("U0ORG",)))
        with caplog.at_level(logging.WARNING, logger="bot.runtime"):
            prepare_store(deps_named)
        assert "no organiser" not in caplog.text
        deps_named.engine.dispose()
    finally:
        deps.engine.dispose()
