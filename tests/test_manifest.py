"""The manifest is derived from what the code registers, and every part of it is served."""

from __future__ import annotations

import pytest

from bot.localslack.local import MEMBER, LocalBot
from bot.manifest import build_manifest


def test_manifest_lists_exactly_what_is_registered(local_bot: LocalBot) -> None:
    registry = local_bot.service.deps.registry  # type: ignore[union-attr]
    manifest = build_manifest(registry, local_bot.settings)
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [c.name for c in registry.commands]
    assert set(commands) == {"/tci", "/meetings", "/practice", "/actions", "/announce"}
    events = ["app_home_opened", "app_mention", "member_joined_channel", "message.im"]
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == events
    assert manifest["settings"]["socket_mode_enabled"] is True
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert {"commands", "chat:write", "app_mentions:read", "im:history", "users:read"} <= set(scopes)
    for command in manifest["features"]["slash_commands"]:
        assert len(command["description"]) <= 100 and command["should_escape"] is True


def test_http_manifest_points_every_request_url_at_the_events_path(local_bot: LocalBot) -> None:
    registry = local_bot.service.deps.registry  # type: ignore[union-attr]
    manifest = build_manifest(registry, local_bot.settings, url="https://bot.example.org/")
    url = "https://bot.example.org/slack/events"
    assert all(c["url"] == url for c in manifest["features"]["slash_commands"])
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False


@pytest.mark.parametrize("command", ["/tci", "/meetings", "/practice", "/actions", "/announce"])
def test_every_manifest_command_is_served(local_bot: LocalBot, command: str) -> None:
    response = local_bot.workspace.slash_command(MEMBER.id, command, "help")
    assert response.status == 200 and command in response.json()["text"]


def test_a_command_not_in_the_manifest_is_not_served(local_bot: LocalBot) -> None:
    assert local_bot.workspace.slash_command(MEMBER.id, "/nonexistent", "").status == 404


def test_a_long_group_name_is_cut_at_a_word_and_said_so() -> None:
    from bot.manifest import NAME_LIMIT, app_name

    assert app_name("Digitization learning group") == "Digitization learning group bot"
    cut = app_name("TCI Network Digitization and Industry Learning Group")
    assert cut == "TCI Network Digitization and" and len(cut) <= NAME_LIMIT
    assert len(app_name("Supercalifragilisticexpialidociousness group")) <= NAME_LIMIT
