"""The App Home tab: built from sections each area contributes, with the menu of the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language import i18n
from bot.language.i18n import _
from bot.services import languages
from bot.views import blocks
from handlers.buttons import register_action
from handlers.errors import ack_then, tell_privately
from store.models import Person

# A home section: the person looking and the dependencies in, blocks out.
HomeSection = Callable[[Person, Deps], list[blocks.Block]]
HOME_BLOCKS_LIMIT = 100
LANGUAGE_MENU = "home_language"  # the action of the language menu


def register(app: App, deps: Deps) -> None:
    """Register app_home_opened."""
    deps.registry.add_event("app_home_opened")

    def publish(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        event = body["event"]
        if event.get("tab", "home") != "home":
            return
        publish_home(client, deps, event["user"])

    app.event("app_home_opened")(ack_then(app, publish))
    register_action(
        app, deps, LANGUAGE_MENU, choose_language(deps), "choose the language the bot writes in", writes=True
    )


def choose_language(deps: Deps) -> Any:
    """The language menu: record the choice, then publish the Home again in the language now read."""

    def choose(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> Any:
        user_id = body["user"]["id"]
        picked = ((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value")
        if not isinstance(picked, str) or languages.choose(deps, user_id, picked) is None:
            return None

        def republish() -> None:
            with i18n.speaking(languages.of_person(deps, client, user_id)):
                publish_home(client, deps, user_id)

        return republish

    return choose


def welcome_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """The top of the home tab: who the bot is, who the reader is to the group, and the language menu."""
    if person.is_organiser:
        role = _("You are here as: *organiser*")
    elif person.is_member:
        role = _("You are here as: *member*")
    else:
        role = _("You are here as: *guest*")
    about = [role, _("Your time zone: {zone}", zone=person.tz)] if person.tz else [role]
    return [
        blocks.header(deps.settings.group_name),
        blocks.section(
            _(
                "Meetings, shared practices and announcements for the group, all in Slack.\n"
                "`/meetings` · `/practice` · `/tci help`"
            )
        ),
        blocks.context(*about),
        language_menu(person),
    ]


def language_menu(person: Person) -> blocks.Block:
    """The menu of the languages the bot speaks, each by its own name, with the reader's choice chosen."""
    options = [blocks.option(_("Slack's language"), languages.FOLLOW_SLACK)]
    options += [blocks.option(i18n.name_of(code), code) for code in i18n.available()]
    chosen = i18n.supported(person.language) or languages.FOLLOW_SLACK
    menu = blocks.static_select(options, placeholder=_("Language"), initial=chosen, action_id=LANGUAGE_MENU)
    return blocks.section(_(":globe_with_meridians: The language I write to you in"), accessory=menu)


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
