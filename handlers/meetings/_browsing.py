"""Members' view of the meetings: the list, the next one, one in full, the past ones, App Home."""

from __future__ import annotations

from bot.deps import Deps
from bot.language import i18n, repeats
from bot.language.i18n import _, n_
from bot.language.repeats import Repeat
from bot.services import meetings as service
from bot.services import recaps
from bot.views import blocks
from bot.views import meetings as views
from bot.views import recaps as recap_views
from handlers.meetings._shared import (
    CREATE,
    HOME_LIMIT,
    LIST_LIMIT,
    meeting_named,
    nothing_planned,
    organiser_buttons,
    subscribe_text,
)
from handlers.routing import Call
from store.meetings import Counts
from store.models import Meeting, Person


def list_upcoming(call: Call) -> None:
    """List upcoming meetings with their buttons."""
    deps = call.deps
    listing = service.upcoming(deps, slack_id=call.user_id, limit=LIST_LIMIT)
    shown = listing.meetings
    if not shown:
        call.reply(nothing_planned(deps, call.user_id))
        return
    count = i18n.format_number(len(shown))
    if listing.more:
        heading = _("*Upcoming meetings* ({count}+)", count=count)
    else:
        heading = _("*Upcoming meetings* ({count})", count=count)
    body: list[blocks.Block] = [blocks.section(heading)]
    now = deps.clock()
    for meeting in shown:
        answer = listing.answers.get(meeting.id or 0)
        body += [
            blocks.divider(),
            *views.entry(meeting, listing.counts_of(meeting), answer, now=now, rule=listing.rule_of(meeting)),
        ]
    if listing.more:
        shown_all = n_(
            "Showing the first {count}. `/meetings &lt;number&gt;` shows any one in full.",
            "Showing the first {count}. `/meetings &lt;number&gt;` shows any one in full.",
            LIST_LIMIT,
        )
        body.append(blocks.context(shown_all))
    if deps.settings.feed_url:
        body.append(blocks.context(subscribe_text(deps)))
    text = _("Upcoming meetings:") + "\n" + "\n".join(_plain_line(m, listing.rule_of(m)) for m in shown)
    call.reply(blocks.escape(text), body)


def _plain_line(meeting: Meeting, rule: Repeat | None) -> str:
    line = f"#{meeting.id} {meeting.title}: {views.when_plain(meeting)}, {views.place_plain(meeting)}"
    return f"{line} ({repeats.describe(rule)})" if rule is not None else line


def show_next(call: Call) -> None:
    """Show the next meeting in full."""
    meeting = service.next_meeting(call.deps)
    if meeting is None:
        call.reply(nothing_planned(call.deps, call.user_id))
        return
    _show(call, meeting)


def show_one(call: Call) -> None:
    """Show one meeting in full."""
    meeting = meeting_named(call)
    if meeting is not None:
        _show(call, meeting)


def _show(call: Call, meeting: Meeting) -> None:
    found = service.details(call.deps, meeting=meeting, slack_id=call.user_id)
    now = call.deps.clock()
    body = views.details(meeting, found.counts, found.answer, now=now, rule=found.rule)
    if meeting.ends_at <= now:
        body = [b for b in body if b.get("type") != "actions"]
    recap = recaps.recap_of(call.deps, meeting)
    if recap.recap is not None:
        lines = recap_views.recap_section(recap.recap, recap.practices, recap.actions)
        body.append(blocks.section(blocks.clip("\n".join(lines), 2900)))
    organiser = call.deps.people.is_organiser(call.user_id)
    if organiser and not meeting.is_cancelled and meeting.ends_at > now:
        body.append(organiser_buttons(meeting))
    if organiser and not recaps.may_recap(meeting, now):
        label = _("Edit the recap") if recap.recap else _("Write the recap")
        body.append(blocks.actions(blocks.button(label, recap_views.OPEN, str(meeting.id)), block_id="recap-edit"))
    text = f"{meeting.title} (#{meeting.id}): {views.when_plain(meeting)}, {views.place_plain(meeting)}"
    call.reply(blocks.escape(text), body)


def list_past(call: Call) -> None:
    """List meetings that have taken place, most recent first."""
    listing = service.past(call.deps, limit=LIST_LIMIT)
    if not listing.meetings:
        call.reply(_("No meetings have taken place yet."))
        return
    body: list[blocks.Block] = [blocks.section(_("*Past meetings*"))]
    for meeting in listing.meetings:
        body += [
            blocks.section(
                f"{views.title_line(meeting)}\n{views.when_text(meeting)}\n{views.place_text(meeting, over=True)}"
            ),
            blocks.context(_registered(meeting, listing.counts_of(meeting))),
        ]
    lines = "\n".join(f"#{m.id} {m.title}: {views.when_plain(m)}" for m in listing.meetings)
    text = _("Past meetings:") + "\n" + lines
    call.reply(blocks.escape(text), body)


def _registered(meeting: Meeting, count: Counts) -> str:
    """How many had registered for a past meeting, as its kind counts them."""
    in_person, online = count.in_person, count.online
    if meeting.has_places and meeting.is_online:
        return _(
            "Registered: {in_person} in person, {online} online",
            in_person=i18n.format_number(in_person),
            online=i18n.format_number(online),
        )
    if meeting.is_online:
        return _("Registered: {online} online", online=i18n.format_number(online))
    return _("Registered: {in_person} in person", in_person=i18n.format_number(in_person))


def home_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """Upcoming meetings with their buttons, the reader's registrations, and organisers' buttons."""
    found = service.home(deps, slack_id=person.slack_id, limit=HOME_LIMIT)
    listing = found.upcoming
    body: list[blocks.Block] = [blocks.header(_("Upcoming meetings"))]
    if person.is_organiser:
        new = blocks.button(_("New meeting"), CREATE, "new", style="primary")
        body.append(blocks.actions(new, block_id="meetings-organise"))
    if not listing.meetings:
        body.append(blocks.section(_("No meetings are planned yet.")))
    now = deps.clock()
    for meeting in listing.meetings:
        answer = listing.answers.get(meeting.id or 0)
        rule = listing.rule_of(meeting)
        body += views.entry(meeting, listing.counts_of(meeting), answer, where="home", now=now, rule=rule)
        if person.is_organiser:
            body.append(organiser_buttons(meeting))
    if listing.more:
        body.append(blocks.context(_("More meetings are planned: `/meetings` lists them all.")))
    if deps.settings.feed_url:
        body.append(blocks.context(subscribe_text(deps)))
    body.append(blocks.header(_("My registrations")))
    if found.mine:
        lines = [
            f"• {views.title_line(meeting)}: {views.answer_label(answer)}, {views.when_text(meeting)}"
            for meeting, answer in found.mine[:10]
        ]
        body.append(blocks.section("\n".join(lines)))
    else:
        body.append(blocks.section(_("You haven't registered for any upcoming meeting.")))
    return body
