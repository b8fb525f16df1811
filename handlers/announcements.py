"""/announce: organisers' announcements, now or later.

An announcement is a row of scheduled posts before anything is posted: the form plans it (due
now, or at the time given), and the scheduler posts it with the renderer that
bot.services.announcements registers. Pending ones can be listed, edited and cancelled until
they go out.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import N_, _, n_
from bot.registry import ActionSpec, Kind
from bot.services import announcements as service
from bot.views import announcements as views
from bot.views import blocks, forms
from handlers.buttons import register_action
from handlers.errors import after_ack, error_view
from handlers.home import answer_press, publish_home
from handlers.routing import (
    Call,
    CommandRouter,
    Subcommand,
    organiser_submission,
    pressed_value,
    view_metadata,
)
from handlers.views_open import open_modal
from store.models import Person, PostStatus

logger = logging.getLogger(__name__)

WRITE = "new"  # the subcommand that opens the form; any text that names no subcommand goes there too
LIST_LIMIT = 20  # entries in one message (two blocks each, within Slack's 50)
HOME_LIMIT = 3
GONE = N_("That announcement was already posted or cancelled; nothing changed.")


class AnnounceRouter(CommandRouter):
    """/announce: `list` and `help` as subcommands; any other text is the announcement to write."""

    def match(self, text: str) -> tuple[Subcommand | None, str]:
        """Find the subcommand `text` names; text that names none fills in the form."""
        sub, args = super().match(text)
        if sub is not None and sub.words != WRITE:
            return sub, args
        write = next(s for s in self.subcommands if s.words == WRITE)
        text = text.strip()
        return write, "" if text.lower() == WRITE else text


def register(app: App, deps: Deps) -> None:
    """Register /announce, its buttons, the announcement form and the organisers' App Home section."""
    router = AnnounceRouter(
        name="/announce",
        description="Post an announcement to the group, now or later (organisers)",
        intro=N_("announcements to the group's channel, posted now or at a time you choose (organisers)."),
        default=WRITE,
    )
    router.add(
        Subcommand(
            WRITE,
            N_("write an announcement in a form: post it now or at a time, optionally with a meeting's buttons"),
            compose,
            usage=N_("[text]"),
            organiser_only=True,
            examples=("Welcome to our new members!",),
        )
    )
    router.add(
        Subcommand(
            "list", N_("announcements waiting to be posted, to edit or cancel"), list_pending, organiser_only=True
        )
    )
    router.register(app, deps)
    register_action(app, deps, views.OPEN, open_pressed(deps), "open the announcement form", organiser_only=True)
    register_action(app, deps, views.EDIT, edit_pressed(deps), "change a scheduled announcement", organiser_only=True)
    register_action(
        app, deps, views.CANCEL, cancel_pressed(deps), "cancel a scheduled announcement", organiser_only=True
    )
    deps.registry.add_action(ActionSpec(Kind.VIEW, views.CALLBACK_ID, "plan an announcement from the form", True))
    app.view(views.CALLBACK_ID)(save_form(app, deps))
    deps.home_sections.append(home_section)
    service.register_renderers(deps)


# Helpers ----------------------------------------------------------------------------------------


def _open_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    person: Person,
    initial: views.FormInitial,
    *,
    key: str | None = None,
    from_home: bool = False,
) -> None:
    """Open the announcement form for `person`, in their zone, with the meetings to choose from."""
    zone = deps.settings.zone_for(person.tz)
    meetings = service.form_meetings(deps, initial.meeting_id)
    view = views.modal(initial, meetings, zone=zone, key=key, from_home=from_home)
    open_modal(client, trigger_id, view)


def _in_home(body: dict[str, Any]) -> bool:
    """Whether the button was pressed in App Home."""
    return (body.get("view") or {}).get("type") == "home"


# The command ------------------------------------------------------------------------------------


def compose(call: Call) -> None:
    """Open the announcement form, with any text after the command filled in."""
    person = call.deps.people.resolve(call.client, call.user_id)
    initial = views.FormInitial(text=call.args[: views.TEXT_LIMIT], channel=call.deps.settings.group_channel)
    _open_form(call.deps, call.client, call.trigger_id, person, initial)


def list_pending(call: Call) -> None:
    """The announcements waiting to be posted, soonest first, with Edit and Cancel."""
    deps = call.deps
    pending = service.pending(deps)
    if not pending:
        call.reply(
            _(
                "No announcement is waiting to be posted. Write one with `/announce` (or `/announce your text`): "
                "leave *When* empty to post it at once, or give a time such as `tomorrow 9:00` to schedule it."
            )
        )
        return
    person = deps.people.resolve(call.client, call.user_id)
    zone, now = deps.settings.zone_for(person.tz), deps.clock()
    meetings = service.meetings_of(deps, pending)
    shown = pending[:LIST_LIMIT]
    heading = views.pending_heading(len(pending), limit=service.PENDING_LIMIT)
    body: list[blocks.Block] = [blocks.section(_("*{heading}*, soonest first", heading=heading))]
    for post in shown:
        body += views.entry(post, meetings.get(post.meeting_id or 0), zone=zone, now=now)
    if len(pending) > len(shown):
        body.append(
            blocks.context(
                n_(
                    "Showing the first {count}; cancel or post some to see the rest.",
                    "Showing the first {count}; cancel or post some to see the rest.",
                    len(shown),
                )
            )
        )
    lines = [
        _(
            "• {when} in <#{channel}>: {text}",
            when=views.when_token(post.due_at, zone),
            channel=post.channel,
            text=views.first_line(str(views.read_payload(post.payload).get("text") or "")),
        )
        for post in shown
    ]
    call.reply(f"{heading}:\n" + "\n".join(lines), body)


# Buttons ----------------------------------------------------------------------------------------


def open_pressed(deps: Deps) -> Any:
    """The Announce… button: an empty form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        """Open the empty form."""
        person = deps.people.resolve(client, body["user"]["id"])
        initial = views.FormInitial(channel=deps.settings.group_channel)
        _open_form(deps, client, body["trigger_id"], person, initial, from_home=_in_home(body))

    return open_it


def edit_pressed(deps: Deps) -> Any:
    """The Edit button: the form, filled with the pending announcement."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        """Open the filled form, or say the announcement is gone."""
        key = pressed_value(body)
        post = service.get(deps, key)
        if post is None or post.status != PostStatus.PENDING:
            answer_press(deps, body, client, respond, _(GONE))
            return
        person = deps.people.resolve(client, body["user"]["id"])
        initial = views.initial_of(post, deps.settings.zone_for(person.tz))
        _open_form(deps, client, body["trigger_id"], person, initial, key=key, from_home=_in_home(body))

    return open_it


def cancel_pressed(deps: Deps) -> Any:
    """The Cancel button (after Slack's confirmation): the announcement will not be posted."""

    def cancel_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        """Cancel the row if it is still pending, and say what happened."""
        key = pressed_value(body)
        post = service.cancel(deps, key)
        if post is None:
            answer_press(deps, body, client, respond, _(GONE))
            return
        line = views.first_line(str(views.read_payload(post.payload).get("text") or ""))
        told = _(
            ":wastebasket: Cancelled: “{line}” will not be posted in <#{channel}>.", line=line, channel=post.channel
        )
        answer_press(deps, body, client, respond, told)

    return cancel_it


# The form's submission --------------------------------------------------------------------------


def save_form(app: App, deps: Deps) -> Any:
    """The form's submission: checked field by field, then planned as one row and the scheduler woken."""

    def submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Check, plan and answer within the acknowledgement."""
        if not organiser_submission(deps, body, ack):
            return
        user_id = body["user"]["id"]
        view = body["view"]
        meta = view_metadata(view)
        key = meta.get("key")
        now = deps.clock()
        existing = None
        if key is not None:
            existing = service.get(deps, str(key))
            if existing is None:
                ack(
                    response_action="update",
                    view=error_view(_("That announcement no longer exists; nothing changed.")),
                )
                return
            if existing.status != PostStatus.PENDING:
                ack(response_action="update", view=views.notice_view(_(GONE)))
                return
        zone = service.stored_zone(deps, user_id)
        try:
            draft = views.parse_form(forms.submitted_values(view.get("state") or {}), zone=zone, now=now)
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        problem = service.meeting_problem(deps, draft.meeting_id, existing, now)
        if problem is not None:
            ack(response_action="errors", errors={"meeting": problem})
            return
        if not service.plan(deps, draft, user_id, existing, now):
            ack(response_action="update", view=views.notice_view(_(GONE)))
            return
        ack(
            response_action="update",
            view=views.saved_view(channel=draft.channel, due_at=draft.due_at, zone=zone, edited=existing is not None),
        )
        if meta.get("from_home"):

            def refresh(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
                """Bring the organiser's App Home up to date."""
                publish_home(client, deps, user_id)

            after_ack(app, refresh, body=body, client=client, respond=None, context=context, saved_first=True)

    return submitted


# App Home ---------------------------------------------------------------------------------------


def home_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """For organisers: the next scheduled announcements, with Edit and Cancel, and the Announce… button."""
    if not person.is_organiser:
        return []
    pending = service.pending(deps)
    shown = pending[:HOME_LIMIT]
    meetings = service.meetings_of(deps, shown)
    zone, now = deps.settings.zone_for(person.tz), deps.clock()
    body: list[blocks.Block] = [
        blocks.header(views.pending_heading(len(pending), limit=service.PENDING_LIMIT)),
        blocks.actions(views.open_button(), block_id="announce-open"),
    ]
    if not pending:
        body.append(blocks.section(_("Nothing is waiting to be posted. *Announce…* writes one, now or for later.")))
    for post in shown:
        body += views.entry(post, meetings.get(post.meeting_id or 0), zone=zone, now=now)
    if len(pending) >= service.PENDING_LIMIT:
        body.append(blocks.context(_("`/announce list` shows the first {count}.", count=len(pending))))
    elif len(pending) > len(shown):
        body.append(blocks.context(_("`/announce list` shows all {count}.", count=len(pending))))
    return body
