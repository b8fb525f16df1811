"""The Slack app manifest, derived from what the handlers register."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.registry import Registry
from bot.server import EVENTS_PATH

# The Web API methods the bot calls need these scopes whatever is registered.
BASE_SCOPES = (
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    # The scheduler reads its own earlier posts (tagged with message metadata) before posting again.
    "channels:history",
    "groups:history",
    "im:history",
    "metadata.message:read",
)
EVENT_SCOPES = {
    "app_mention": ("app_mentions:read",),
    "message.im": ("im:history",),
    "app_home_opened": (),
    "member_joined_channel": ("channels:read", "groups:read"),
}


def scopes_for(registry: Registry) -> list[str]:
    """Return the bot scopes the registered listeners need, sorted."""
    scopes = set(BASE_SCOPES) | set(registry.scopes)
    if registry.commands:
        scopes.add("commands")
    for event in registry.events:
        scopes.update(EVENT_SCOPES[event])
    return sorted(scopes)


NAME_LIMIT = 35  # Slack's limit for an app's name and its bot's display name


def app_name(group_name: str) -> str:
    """The app's name: the group's name and "bot", cut at a word to Slack's 35 characters when longer."""
    name = f"{group_name} bot"
    if len(name) <= NAME_LIMIT:
        return name
    cut = name[: NAME_LIMIT + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–")
    return cut if cut and len(cut) <= NAME_LIMIT else name[:NAME_LIMIT].rstrip()


def build_manifest(registry: Registry, settings: Settings, *, url: str | None = None) -> dict[str, Any]:
    """Return the app manifest; with `url` the app is served over HTTP there, else over Socket Mode."""
    request_url = url.rstrip("/") + EVENTS_PATH if url else None
    name = app_name(settings.group_name)
    commands = []
    for spec in registry.commands:
        command: dict[str, Any] = {
            "command": spec.name,
            "description": spec.description[:100],
            "usage_hint": spec.usage_hint[:1000],
            "should_escape": True,
        }
        if request_url:
            command["url"] = request_url
        commands.append(command)
    features: dict[str, Any] = {
        "app_home": {
            "home_tab_enabled": True,
            "messages_tab_enabled": True,
            "messages_tab_read_only_enabled": False,
        },
        "bot_user": {"display_name": name, "always_online": True},
        "slash_commands": commands,
    }
    if registry.shortcuts:
        features["shortcuts"] = [
            {"name": s.name, "type": s.type, "callback_id": s.callback_id, "description": s.description}
            for s in registry.shortcuts
        ]
    events: dict[str, Any] = {"bot_events": sorted(registry.events)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url:
        events["request_url"] = request_url
        interactivity["request_url"] = request_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Meetings, shared practices and announcements for a learning group.",
            "background_color": "#1d4f91",
        },
        "features": features,
        "oauth_config": {"scopes": {"bot": scopes_for(registry)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }
