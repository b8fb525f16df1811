"""Organisers' changes: a new meeting (form or one line), editing, cancelling, announcing."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import format_offset
from bot.deps import Deps
from bot.language.quick_meeting import QuickMeetingError, parse_quick
from bot.services import planning
from bot.views import blocks, forms
from bot.views import meeting_form as form
from bot.views import meetings as views
from handlers.errors import after_ack, error_view
from handlers.home import answer_press
from handlers.meetings._cards import post_card, refresh_card, tell_promoted, tell_registrants
from handlers.meetings._shared import (
    ANNOUNCE,
    CANCEL_CONFIRM,
    CANCEL_KEEP,
    QUICK_DISCARD,
    QUICK_FORM,
    QUICK_SAVE,
    meeting_named,
    organiser_buttons,
    pressed_meeting,
)
from handlers.routing import (
    Call,
    organiser_submission,
    pressed_value,
    view_metadata,
)
from store import meetings as store
from store.meetings import MeetingDraft
from store.models import Meeting, Person

logger = logging.getLogger(__name__)


def add(call: Call) -> None:
    """Open the new-meeting form, or understand a one-line meeting and show it before saving."""
    person = call.deps.people.resolve(call.client, call.user_id)
    if not call.args:
        _open_form(call.deps, call.client, call.trigger_id, None, person, reply_to=call.channel_id)
        return
    settings = call.deps.settings
    try:
        quick = parse_quick(
            call.args,
            default_zone=person.tz or settings.group_timezone,
            group_zone=settings.group_timezone,
            now=call.deps.clock(),
        )
        form.check(quick.draft, now=call.deps.clock())
    except QuickMeetingError as error:
        problems = "\n".join(f"• {p}" for p in error.problems)
        call.reply(f"I couldn't make a meeting of that, so nothing was saved:\n{problems}\n{QUICK_HELP}")
        return
    except forms.FormErrors as error:
        call.reply(f"That meeting isn't right yet, so nothing was saved:\n{error.as_text(form.LABELS)}\n{QUICK_HELP}")
        return
    call.reply(*_preview(quick.draft, quick.notes))


QUICK_HELP = (
    "Write it as: title, date and times with a zone, city, capacity. For example: "
    "`/meetings add Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40`. "
    "Or type `/meetings add` alone for the form."
)


def _preview(draft: MeetingDraft, notes: tuple[str, ...]) -> tuple[str, list[blocks.Block]]:
    value = form.draft_to_json(draft)
    text = "Here is what I understood:\n" + form.summary(draft)
    body = [blocks.section(text)]
    if notes:
        body.append(blocks.context(*[blocks.escape(n) for n in notes]))
    buttons = [blocks.button("Open in the form", QUICK_FORM, value), blocks.button("Discard", QUICK_DISCARD, "x")]
    if len(value) <= 2000:  # a button's value holds at most 2,000 characters
        buttons.insert(0, blocks.button("Save", QUICK_SAVE, value, style="primary"))
    body.append(blocks.actions(*buttons, block_id="meeting-quick"))
    return text, body


def quick_save(deps: Deps) -> Any:
    """Save the meeting shown in a preview."""

    def save(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        try:
            draft = form.draft_from_json(pressed_value(body))
            form.check(draft, now=deps.clock())
        except forms.FormErrors as error:
            respond(replace_original=True, **blocks.notice(f"Not saved:\n{error.as_text(form.LABELS)}\n{QUICK_HELP}"))
            return
        except (ValueError, TypeError):
            respond(replace_original=True, **blocks.notice("That preview is out of date; nothing was saved."))
            return
        with deps.sessions() as session:
            meeting = store.create_meeting(
                session=session, draft=draft, created_by=body["user"]["id"], now=deps.clock()
            )
        planning.plan_meeting(deps, meeting.id or 0)
        text = f":white_check_mark: Saved as meeting #{meeting.id}: *{blocks.escape(meeting.title)}*."
        respond(replace_original=True, **blocks.message(text, [blocks.section(text), organiser_buttons(meeting)]))

    return save


def quick_form(deps: Deps) -> Any:
    """Open the form filled with a preview's meeting."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        draft = form.draft_from_json(pressed_value(body))
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], draft, person, meeting_id=None)

    return open_it


def discard(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
    """Remove a preview or a confirmation: nothing is saved or changed."""
    if body.get("response_url"):
        respond(delete_original=True)


def _open_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    draft: MeetingDraft | None,
    person: Person,
    *,
    meeting_id: int | None = None,
    reply_to: str = "",
) -> None:
    offsets = ",".join(format_offset(o) for o in deps.settings.reminder_offsets)
    zone = person.tz or deps.settings.group_timezone
    initial = form.initial_values(draft, zone=zone, default_offsets=offsets)
    client.views_open(trigger_id=trigger_id, view=form.modal(initial, meeting_id=meeting_id, reply_to=reply_to))


def open_new_form(deps: Deps) -> Any:
    """The App Home button that opens the new-meeting form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], None, person)

    return open_it


def open_edit_form(deps: Deps) -> Any:
    """The Edit button: the form, filled with the meeting."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None or meeting.is_cancelled:
            answer_press(deps, body, client, respond, "That meeting no longer exists or was cancelled.")
            return
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], MeetingDraft.of(meeting), person, meeting_id=meeting.id)

    return open_it


def edit(call: Call) -> None:
    """Open the form filled with the meeting."""
    meeting = meeting_named(call, usage="edit <number>")
    if meeting is None:
        return
    if meeting.is_cancelled:
        call.reply(
            f"Meeting #{meeting.id} was cancelled, so it can't be edited. Create a new one with `/meetings add`."
        )
        return
    person = call.deps.people.resolve(call.client, call.user_id)
    _open_form(
        call.deps,
        call.client,
        call.trigger_id,
        MeetingDraft.of(meeting),
        person,
        meeting_id=meeting.id,
        reply_to=call.channel_id,
    )


def save_form(app: App, deps: Deps) -> Any:
    """The form's submission: checked field by field, saved, then cards and registrants brought up to date."""

    def submitted(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
        if not organiser_submission(deps, body, ack):
            return
        user_id = body["user"]["id"]
        view = body["view"]
        meeting_id = view_metadata(view).get("meeting_id")
        now = deps.clock()
        old = None
        if meeting_id:
            with deps.sessions() as session:
                old = store.get_meeting(session=session, meeting_id=int(meeting_id))
            if old is None or old.is_cancelled:
                ack(response_action="update", view=error_view("That meeting no longer exists or was cancelled."))
                return
        try:
            draft = form.parse_form(
                forms.submitted_values(view.get("state") or {}), now=now, keep_start=old.starts_at if old else None
            )
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        change = None
        with deps.sessions() as session:
            if old is not None:
                change = store.update_meeting(session=session, meeting_id=old.id or 0, draft=draft, now=now)
                meeting = change.meeting if change else old
            else:
                meeting = store.create_meeting(session=session, draft=draft, created_by=user_id, now=now)
        ack(response_action="update", view=saved_view(meeting, edited=old is not None))

        def bring_up_to_date(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
            planning.plan_meeting(deps, meeting.id or 0)  # its reminders: planned, moved or unchanged
            if change is None or not change.changed:
                return
            refresh_card(deps, client, meeting.id or 0)
            if change.time_or_place:
                tell_registrants(deps, client, meeting, changed=True)
            tell_promoted(deps, client, meeting, change.promoted)

        after_ack(app, bring_up_to_date, body=body, client=client, respond=None, context=context)

    return submitted


def saved_view(meeting: Meeting, *, edited: bool) -> dict[str, Any]:
    """The modal shown once a meeting is saved: what was saved and what to do next."""
    verb = "Changes saved" if edited else "Meeting saved"
    text = (
        f":white_check_mark: {verb}: *{blocks.escape(meeting.title)}* is meeting #{meeting.id}.\n"
        f"{views.when_text(meeting)}\n{views.place_text(meeting)}"
    )
    body = [blocks.section(text)]
    if not meeting.card_ts:
        body.append(
            blocks.actions(blocks.button("Announce in the group channel", ANNOUNCE, str(meeting.id), style="primary"))
        )
    else:
        body.append(blocks.context("Its card in the group channel has been updated."))
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": verb},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": body,
    }


def cancel(call: Call) -> None:
    """Ask the organiser to confirm cancelling a meeting."""
    meeting = meeting_named(call, usage="cancel <number>")
    if meeting is None:
        return
    if meeting.is_cancelled:
        call.reply(f"Meeting #{meeting.id} is already cancelled. Nothing was changed.")
        return
    with call.deps.sessions() as session:
        told = len(store.registrant_ids(session=session, meeting_id=meeting.id or 0))
    text = (
        f"Cancel *{blocks.escape(meeting.title)}* (#{meeting.id}), {views.when_text(meeting)}? "
        f"The {told} people registered will be told, and its card will say it is cancelled."
    )
    confirm = blocks.button("Cancel the meeting", CANCEL_CONFIRM, str(meeting.id), style="danger")
    confirm["confirm"] = {
        "title": {"type": "plain_text", "text": "Cancel this meeting?"},
        "text": {"type": "plain_text", "text": blocks.clip(f"{meeting.title} will be cancelled for everyone.", 300)},
        "confirm": {"type": "plain_text", "text": "Cancel it"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    keep = blocks.button("Keep it", CANCEL_KEEP, str(meeting.id))
    call.reply(blocks.escape(f"Cancel {meeting.title}?"), [blocks.section(text), blocks.actions(confirm, keep)])


def confirm_cancel(deps: Deps) -> Any:
    """Cancel the meeting, update its card, and tell the registrants."""

    def cancel_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        before = pressed_meeting(deps, body)
        if before is None or before.is_cancelled:
            respond(replace_original=True, **blocks.notice("That meeting is already cancelled or gone."))
            return
        with deps.sessions() as session:
            meeting = store.cancel_meeting(session=session, meeting_id=before.id or 0, now=deps.clock())
        assert meeting is not None
        planning.plan_meeting(deps, meeting.id or 0)  # its pending reminders and announcements are cancelled
        refresh_card(deps, client, meeting.id or 0)
        told = tell_registrants(deps, client, meeting, changed=True)
        respond(
            replace_original=True,
            **blocks.notice(
                f":x: *{blocks.escape(meeting.title)}* (#{meeting.id}) is cancelled. "
                f"I told the {told} people registered{' and updated its card' if meeting.card_ts else ''}."
            ),
        )

    return cancel_it


def announce(call: Call) -> None:
    """Post the meeting's card to the group channel."""
    meeting = meeting_named(call, usage="announce <number>")
    if meeting is not None:
        call.reply(post_card(call.deps, call.client, meeting))


def announce_pressed(deps: Deps) -> Any:
    """The Announce button (in App Home, a saved meeting's modal, or a preview)."""

    def announce_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        meeting = pressed_meeting(deps, body)
        text = post_card(deps, client, meeting) if meeting else "That meeting no longer exists."
        view = body.get("view") or {}
        if view.get("type") == "modal":
            done = {
                "type": "modal",
                "title": {"type": "plain_text", "text": "Announced"},
                "close": {"type": "plain_text", "text": "Done"},
                "blocks": [blocks.section(text)],
            }
            client.views_update(view_id=view["id"], view=done)
            return
        answer_press(deps, body, client, respond, text)

    return announce_it
