"""Organisers' changes: a new meeting (the form or one line), and editing one in the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.config import format_offset
from bot.deps import Deps
from bot.language import repeats
from bot.language.i18n import N_, _, n_
from bot.language.quick_meeting import QuickMeeting, QuickMeetingError
from bot.services import meetings as service
from bot.views import blocks, forms, meeting_preview, series_form
from bot.views import meeting_form as form
from bot.views import meetings as views
from handlers.buttons import ActionWork
from handlers.errors import after_ack, error_view
from handlers.home import answer_press
from handlers.meetings._shared import (
    ANNOUNCE,
    QUICK_DISCARD,
    QUICK_FORM,
    QUICK_SAVE,
    meeting_named,
    organiser_buttons,
    pressed_number,
)
from handlers.routing import Call, organiser_submission, pressed_value, view_metadata
from handlers.views_open import open_modal
from store.models import Meeting

QUICK_HELP = N_(
    "Write it as: title, date and times with a zone, city, capacity. For example: "
    "`/meetings add Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40`. "
    "Or type `/meetings add` alone for the form."
)
GONE = N_("That meeting no longer exists or was cancelled.")


def add(call: Call) -> None:
    """Open the new-meeting form, or understand a one-line meeting and show it before saving."""
    person = call.deps.people.resolve(call.client, call.user_id)
    if not call.args:
        _open_form(call.deps, call.client, call.trigger_id, None, person.tz, reply_to=call.channel_id)
        return
    zone = call.deps.settings.zone_for(person.tz).key
    try:
        quick = service.read_quick(call.deps, text=call.args, zone=zone)
    except QuickMeetingError as error:
        problems = "\n".join(f"• {p}" for p in error.problems)
        call.reply(
            _(
                "I couldn't make a meeting of that, so nothing was saved:\n{problems}\n{help}",
                problems=problems,
                help=_(QUICK_HELP),
            )
        )
        return
    except forms.FormErrors as error:
        call.reply(
            _(
                "That meeting isn't right yet, so nothing was saved:\n{problems}\n{help}",
                problems=error.as_text(form.labels()),
                help=_(QUICK_HELP),
            )
        )
        return
    call.reply(*_preview(quick))


def _preview(quick: QuickMeeting) -> tuple[str, list[blocks.Block]]:
    value = meeting_preview.preview_value(quick.draft, quick.repeat)
    text = _("Here is what I understood:\n{summary}", summary=meeting_preview.summary(quick.draft, quick.repeat))
    body = [blocks.section(text)]
    if quick.notes:
        body.append(blocks.context(*[blocks.escape(n) for n in quick.notes]))
    buttons = [
        blocks.button(_("Open in the form"), QUICK_FORM, value),
        blocks.button(_("Discard"), QUICK_DISCARD, "x"),
    ]
    if len(value) <= 2000:  # a button's value holds at most 2,000 characters
        buttons.insert(0, blocks.button(_("Save"), QUICK_SAVE, value, style="primary"))
    body.append(blocks.actions(*buttons, block_id="meeting-quick"))
    return text, body


def quick_save(deps: Deps) -> ActionWork:
    """Save the meeting shown in a preview."""

    def save(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        try:
            saved = service.create_from_preview(deps, value=pressed_value(body), created_by=body["user"]["id"])
        except forms.FormErrors as error:
            problems = error.as_text(form.labels())
            said = _("Not saved:\n{problems}\n{help}", problems=problems, help=_(QUICK_HELP))
            respond(replace_original=True, **blocks.notice(said))
            return
        except ValueError:
            respond(replace_original=True, **blocks.notice(_("That preview is out of date; nothing was saved.")))
            return
        meeting = saved.meeting
        text = _(
            ":white_check_mark: Saved as meeting #{number}: *{title}*.",
            number=meeting.id,
            title=blocks.escape(meeting.title),
        )
        if saved.repeat is not None:
            text = "\n".join((text, meeting_preview.series_text(saved.repeat, 1 + len(saved.others))))
        respond(replace_original=True, **blocks.message(text, [blocks.section(text), organiser_buttons(meeting)]))

    return save


def quick_form(deps: Deps) -> ActionWork:
    """Open the form filled with a preview's meeting."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        draft, repeat = meeting_preview.read_preview(pressed_value(body))
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], draft, person.tz, extra=series_form.repeat_inputs(repeat))

    return open_it


def discard(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    """Remove a preview or a confirmation: nothing is saved or changed."""
    if body.get("response_url"):
        respond(delete_original=True)


def _open_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    source: form.FormSource,
    tz: str | None,
    *,
    meeting_id: int | None = None,
    reply_to: str = "",
    extra: list[blocks.Block] | None = None,
) -> None:
    """Open the meeting form for `source` (a meeting, a draft, or None for a new one) in the person's zone.

    A new meeting's form asks how it repeats; a series' meeting's, which of its meetings the edit changes.
    """
    if extra is None and meeting_id is None:
        extra = series_form.repeat_inputs()
    elif extra is None and isinstance(source, Meeting):
        rule = service.series_rule(deps, source)
        extra = [series_form.scope_input(repeats.describe(rule))] if rule is not None else []
    view = form.form_view(
        source,
        zone=deps.settings.zone_for(tz).key,
        default_offsets=",".join(format_offset(o) for o in deps.settings.reminder_offsets),
        meeting_id=meeting_id,
        reply_to=reply_to,
        extra=extra or (),
    )
    open_modal(client, trigger_id, view)


def open_new_form(deps: Deps) -> ActionWork:
    """The App Home button that opens the new-meeting form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], None, person.tz)

    return open_it


def open_edit_form(deps: Deps) -> ActionWork:
    """The Edit button: the form, filled with the meeting."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        meeting = service.editable(deps, meeting_id=pressed_number(body))
        if meeting is None:
            answer_press(deps, body, client, respond, _(GONE))
            return
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], meeting, person.tz, meeting_id=meeting.id)

    return open_it


def edit(call: Call) -> None:
    """Open the form filled with the meeting."""
    meeting = meeting_named(call, usage="edit <number>")
    if meeting is None:
        return
    if meeting.is_cancelled:
        call.reply(
            _(
                "Meeting #{number} was cancelled, so it can't be edited. Create a new one with `/meetings add`.",
                number=meeting.id,
            )
        )
        return
    person = call.deps.people.resolve(call.client, call.user_id)
    _open_form(
        call.deps, call.client, call.trigger_id, meeting, person.tz, meeting_id=meeting.id, reply_to=call.channel_id
    )


def save_form(app: App, deps: Deps) -> Callable[..., None]:
    """The form's submission: checked field by field, saved, then cards and registrants brought up to date."""

    def submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if not organiser_submission(deps, body, ack):
            return
        view = body["view"]
        meeting_id = view_metadata(view).get("meeting_id")
        try:
            saved = service.save_form(
                deps,
                meeting_id=int(meeting_id) if meeting_id else None,
                values=forms.submitted_values(view.get("state") or {}),
                user_id=body["user"]["id"],
            )
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        if saved is None:
            ack(response_action="update", view=error_view(_(GONE)))
            return
        ack(response_action="update", view=saved_view(saved))

        def bring_up_to_date(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
            service.plan_saved(deps, saved)

        after_ack(app, bring_up_to_date, body=body, client=client, respond=None, context=context, saved_first=True)

    return submitted


def saved_view(saved: service.Saved) -> dict[str, Any]:
    """The modal shown once a meeting is saved: what was saved and what to do next."""
    meeting: Meeting = saved.meeting
    values = {
        "title": blocks.escape(meeting.title),
        "number": meeting.id,
        "when": views.when_text(meeting),
        "place": views.place_text(meeting),
    }
    if saved.edited:
        heading = _("Changes saved")
        text = _(":white_check_mark: Changes saved: *{title}* is meeting #{number}.\n{when}\n{place}", **values)
    else:
        heading = _("Meeting saved")
        text = _(":white_check_mark: Meeting saved: *{title}* is meeting #{number}.\n{when}\n{place}", **values)
    if saved.repeat is not None:
        text = "\n".join((text, meeting_preview.series_text(saved.repeat, 1 + len(saved.others))))
    elif saved.others:
        text = "\n".join(
            (
                text,
                n_(
                    "The change was made to {count} more meeting of the series.",
                    "The change was made to {count} more meetings of the series.",
                    len(saved.others),
                ),
            )
        )
    body = [blocks.section(text)]
    if read_as := meeting_preview.read_as_text(saved.written_start, saved.meeting):
        body.append(blocks.context(read_as))
    if not meeting.card_ts:
        announce = blocks.button(_("Announce in the group channel"), ANNOUNCE, str(meeting.id), style="primary")
        body.append(blocks.actions(announce))
    else:
        body.append(blocks.context(_("Its card in the group channel is being brought up to date.")))
    return blocks.modal(heading, body, close=_("Done"))
