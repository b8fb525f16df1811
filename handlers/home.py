"""The App Home tab: built from sections each area contributes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.views import blocks
from handlers.errors import ack_then, tell_privately
from store.models import Person

# A home section: the person looking and the dependencies in, blocks out.
HomeSection = Callable[[Person, Deps], list[blocks.Block]]
HOME_BLOCKS_LIMIT = 100


def register(app: App, deps: Deps) -> None:
    """Register app_home_opened."""
    deps.registry.add_event("app_home_opened")

    def publish(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        event = body["event"]
        if event.get("tab", "home") != "home":
            return
        publish_home(client, deps, event["user"])

    app.event("app_home_opened")(ack_then(app, publish))


def welcome_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """The top of the home tab: who the bot is and who the reader is to the group."""
    role = "organiser" if person.is_organiser else ("member" if person.is_member else "guest")
    return [
        blocks.header(deps.settings.group_name),
        blocks.section(
            "Meetings, shared practices and announcements for the group, all in Slack.\n"
            "`/meetings` · `/practice` · `/tci help`"
        ),
        blocks.context(f"You are here as: *{role}*" + (f" · your time zone: {person.tz}" if person.tz else "")),
    ]


def publish_home(client: WebClient, deps: Deps, user_id: str, *, notice: str = "") -> None:
    """Publish the home tab of `user_id`, with `notice` at the top (the answer to something they pressed)."""
    person = deps.people.resolve(client, user_id)
    client.views_publish(user_id=person.slack_id, view=home_view(person, deps, notice=notice))


def home_view(person: Person, deps: Deps, *, notice: str = "") -> dict[str, Any]:
    """The home tab of `person`: every registered section, in order, within Slack's block limit."""
    sections: list[HomeSection] = [welcome_section, *deps.home_sections]
    view_blocks: list[blocks.Block] = [blocks.section(notice)] if notice else []
    for build in sections:
        part = build(person, deps)
        if not part:
            continue
        if view_blocks:
            part = [blocks.divider(), *part]
        if len(view_blocks) + len(part) > HOME_BLOCKS_LIMIT:
            break
        view_blocks.extend(part)
    return {"type": "home", "blocks": view_blocks}


def answer_press(deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond, text: str) -> None:
    """Answer a button press privately: at the top of App Home when pressed there, else as `tell_privately` does."""
    container = body.get("container") or {}
    if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
        publish_home(client, deps, body["user"]["id"], notice=text)
        return
    tell_privately(client, body, text, respond)
