"""/actions: the concrete actions the group agreed, who owns them and by when; owners mark them done."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.services import actions as service
from bot.services import meetings as meetings_service
from bot.views import actions as views
from bot.views import blocks
from bot.views import recaps as recap_views
from handlers.buttons import WritingWork, register_action
from handlers.home import answer_press
from handlers.routing import Call, CommandRouter, Subcommand, meeting_number, pressed_value
from store.after_models import ActionStatus
from store.models import Person


def register(app: App, deps: Deps) -> None:
    """Register /actions, the Done and Drop buttons, and the owners' messages."""
    service.register_renderers(deps)
    router = CommandRouter(
        name="/actions",
        description=N_("The actions agreed: open ones, yours, a meeting's"),
        intro=N_("the concrete actions the group agreed: what, who owns it and by when."),
        default="list",
    )
    router.add(Subcommand("list", N_("every open action, the soonest due first"), list_all))
    router.add(Subcommand("mine", N_("the open actions you own, with buttons to mark them done"), list_mine))
    router.add(
        Subcommand(
            "meeting",
            N_("the actions agreed at one meeting"),
            list_meeting,
            usage=N_("meeting <number>"),
            examples=("meeting 3",),
        )
    )
    router.register(app, deps)
    register_action(app, deps, views.DONE, closed(deps, ActionStatus.DONE), "mark an action done", writes=True)
    register_action(app, deps, views.DROP, closed(deps, ActionStatus.DROPPED), "drop an action", writes=True)
    deps.home_sections.append(home_section)


def _reply(call: Call, found: service.Listed, *, heading: str, empty: str) -> None:
    today = call.deps.clock().astimezone(call.deps.settings.tz).date()
    text, body = views.list_message(
        found.actions, found.meetings, heading=heading, empty=empty, today=today, user_id=call.user_id
    )
    call.reply(text, body)


def list_all(call: Call) -> None:
    """`/actions`: every open action."""
    found = service.listed(call.deps)
    _reply(call, found, heading=_("Open actions"), empty=_("No open actions: the recap of a meeting adds them."))


def list_mine(call: Call) -> None:
    """`/actions mine`: the asker's open actions."""
    found = service.listed(call.deps, owner=call.user_id)
    _reply(call, found, heading=_("Your open actions"), empty=_("You own no open actions."))


def list_meeting(call: Call) -> None:
    """`/actions meeting <number>`: the open actions agreed at one meeting."""
    number = meeting_number(call.args)
    meeting = meetings_service.find_meeting(call.deps, meeting_id=number) if number is not None else None
    if meeting is None:
        call.reply(_("Which meeting? Give its number, e.g. `/actions meeting 3`; `/meetings past` lists those held."))
        return
    found = service.listed(call.deps, meeting_id=meeting.id)
    title = blocks.escape(meeting.title)
    _reply(
        call,
        found,
        heading=_("Open actions from {meeting} (#{number})", meeting=title, number=meeting.id),
        empty=_("No open actions from {meeting} (#{number}).", meeting=title, number=meeting.id),
    )


def closed(deps: Deps, status: ActionStatus) -> WritingWork:
    """Done or Drop: by the action's owner (or an organiser), written before the press is acknowledged."""

    def mark(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> Callable[[], None]:
        value = pressed_value(body)
        number = int(value) if value.isdigit() and len(value) <= 9 else 0
        closing = service.close(deps, action_id=number, by=body["user"]["id"], status=status)
        action = closing.action
        if closing.outcome == service.Closed.GONE or action is None:
            said = _("That action no longer exists.")
        elif closing.outcome == service.Closed.NOT_YOURS:
            said = _("Only the owner of an action, or an organiser, can mark it; nothing was changed.")
        else:
            said = views.closed_text(action, changed=closing.outcome == service.Closed.CHANGED)

        def tell() -> None:
            if body.get("response_url") and closing.outcome in (service.Closed.CHANGED, service.Closed.ALREADY):
                respond(replace_original=True, **blocks.notice(said))
            else:
                answer_press(deps, body, client, respond, said)

        return tell

    return mark


HOME_ACTIONS = 5
HOME_RECAPS = 3


def home_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """App Home: the reader's open actions; for organisers, the meetings held lately, to recap."""
    found = service.listed(deps, owner=person.slack_id, limit=HOME_ACTIONS + 1)
    today = deps.clock().astimezone(deps.settings.tz).date()
    body: list[blocks.Block] = [blocks.header(_("My actions"))]
    if found.actions:
        lines = [f"• {views.line(a, found.meetings, today=today)}" for a in found.actions[:HOME_ACTIONS]]
        body.append(blocks.section(blocks.clip("\n".join(lines), 2900)))
        body.append(blocks.context(_("`/actions mine` lists them with buttons to mark them done.")))
    else:
        body.append(blocks.section(_("You own no open actions.")))
    if person.is_organiser:
        held = meetings_service.past(deps, limit=HOME_RECAPS).meetings
        if held:
            buttons = [
                blocks.button(_("Recap #{number}", number=m.id), recap_views.OPEN, str(m.id))
                for m in held
                if not m.is_cancelled
            ]
            if buttons:
                body.append(blocks.section(_("Write or edit the recap of a meeting held lately:")))
                body.append(blocks.actions(*buttons, block_id="home-recaps"))
    return body
