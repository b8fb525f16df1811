"""/meetings: the group's meetings. Listing, registering, calendars, and organisers' changes.

Every message about a meeting stays true: the announcement card is updated in place when
registrations or the meeting change, and registrants are told when its time or place moves
or it is cancelled.
"""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.language.i18n import N_
from bot.registry import ActionSpec, Kind
from bot.views import meeting_form as form
from bot.views import meetings as views
from bot.views import offers
from bot.views import reminders as reminder_views
from handlers.buttons import register_action
from handlers.meetings._announcing import announce, announce_pressed, cancel, confirm_cancel
from handlers.meetings._attendance import register_attendance
from handlers.meetings._attendance import stats as attendance_stats
from handlers.meetings._attendees import attendees, attendees_csv
from handlers.meetings._browsing import home_section, list_past, list_upcoming, show_next, show_one
from handlers.meetings._faq import add_faq, list_faq, reminders, remove_faq, translate_faq
from handlers.meetings._feedback import register_feedback
from handlers.meetings._feedback import show_results as feedback_results
from handlers.meetings._organising import (
    add,
    discard,
    edit,
    open_edit_form,
    open_new_form,
    quick_form,
    quick_save,
    save_form,
)
from handlers.meetings._recap import recap_command, register_recap
from handlers.meetings._registration import here_pressed, offer_pressed, rsvp, send_calendar_file, show_position
from handlers.meetings._shared import (
    ANNOUNCE,
    ATTENDEES_CSV,
    CANCEL_CONFIRM,
    CANCEL_FOLLOWING,
    CANCEL_KEEP,
    CREATE,
    EDIT,
    QUICK_DISCARD,
    QUICK_FORM,
    QUICK_SAVE,
)
from handlers.routing import BY_NUMBER, CommandRouter, Subcommand

__all__ = [
    "ANNOUNCE",
    "ATTENDEES_CSV",
    "CANCEL_CONFIRM",
    "CANCEL_FOLLOWING",
    "CANCEL_KEEP",
    "CREATE",
    "EDIT",
    "QUICK_DISCARD",
    "QUICK_FORM",
    "QUICK_SAVE",
    "register",
]


def register(app: App, deps: Deps) -> None:
    """Register /meetings, its buttons, the meeting form and the meetings' App Home section."""
    router = CommandRouter(
        name="/meetings",
        description=N_("Upcoming meetings: details, registration, calendar"),
        intro=N_("the group's meetings: when and where they are, registering, and adding them to your calendar."),
        default="list",
    )
    sub = router.add
    sub(
        Subcommand(
            "list", N_("upcoming meetings, with buttons to register and add them to your calendar"), list_upcoming
        )
    )
    sub(Subcommand("next", N_("the next meeting in full"), show_next))
    sub(Subcommand(BY_NUMBER, N_("one meeting in full"), show_one, examples=("3",)))
    sub(Subcommand("past", N_("meetings that have taken place"), list_past))
    sub(
        Subcommand(
            "add",
            N_("create a meeting: a form, or one line with natural dates"),
            add,
            usage=N_("add [title, date time-time zone, city, capacity N]"),
            organiser_only=True,
            examples=("add Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40",),
        )
    )
    sub(
        Subcommand(
            "edit", N_("change a meeting (a form, filled in)"), edit, usage=N_("edit <number>"), organiser_only=True
        )
    )
    sub(
        Subcommand(
            "cancel",
            N_("cancel a meeting, after you confirm"),
            cancel,
            usage=N_("cancel <number>"),
            organiser_only=True,
        )
    )
    sub(
        Subcommand(
            "announce",
            N_("post the meeting's card, with its buttons, to the group channel"),
            announce,
            usage=N_("announce <number>"),
            organiser_only=True,
            writes=True,
        )
    )
    sub(
        Subcommand(
            "attendees",
            N_("who is coming, online, waiting and not coming; add `csv` for a file"),
            attendees,
            usage=N_("attendees <number> [csv]"),
            organiser_only=True,
        )
    )
    sub(
        Subcommand(
            "recap",
            N_("write what a meeting left: a summary, slides, recording, minutes, practices and actions agreed"),
            recap_command,
            usage=N_("recap <number>"),
            organiser_only=True,
        )
    )
    sub(
        Subcommand(
            "stats",
            N_("attendance over the meetings held: registered, came, no-shows, members, by country; with a chart"),
            attendance_stats,
            organiser_only=True,
        )
    )
    sub(
        Subcommand(
            "reminders",
            N_("whether meeting reminders come to you by direct message; `off` or `on` to change it"),
            reminders,
            usage=N_("reminders [off|on]"),
            examples=("reminders off",),
            writes=True,
        )
    )
    sub(
        Subcommand(
            "feedback",
            N_("what the people who took part thought: the ratings, their average and the comments"),
            feedback_results,
            usage=N_("feedback <number>"),
            organiser_only=True,
        )
    )
    sub(Subcommand("faq", N_("the group's frequently asked questions"), list_faq))
    sub(
        Subcommand(
            "faq add",
            N_("add a question and its answer"),
            add_faq,
            usage=N_("faq add question | answer | keywords"),
            organiser_only=True,
            writes=True,
        )
    )
    sub(
        Subcommand(
            "faq translate",
            N_("add an entry's question and answer in another language"),
            translate_faq,
            usage=N_("faq translate <number> <language> question | answer | keywords"),
            organiser_only=True,
            writes=True,
        )
    )
    sub(
        Subcommand(
            "faq remove",
            N_("remove a question"),
            remove_faq,
            usage=N_("faq remove <number>"),
            organiser_only=True,
            writes=True,
        )
    )
    router.register(app, deps)
    deps.registry.scopes.add("files:write")  # calendar files and attendee lists go to direct messages

    for action_id, answer in views.RSVP_ACTIONS.items():
        register_action(app, deps, action_id, rsvp(deps), f"answer a meeting: {answer}", writes=True)
    register_action(app, deps, offers.OFFER_TAKE, offer_pressed(deps, take=True), "take an offered place", writes=True)
    register_action(
        app, deps, offers.OFFER_DECLINE, offer_pressed(deps, take=False), "pass an offered place on", writes=True
    )
    register_feedback(app, deps)
    register_attendance(app, deps)
    register_recap(app, deps)
    register_action(app, deps, reminder_views.IM_HERE, here_pressed(deps), "say one is at a meeting", writes=True)
    register_action(app, deps, views.CALENDAR_FILE, send_calendar_file(deps), "get a meeting's calendar file")
    register_action(app, deps, views.WAITLIST_POSITION, show_position(deps), "see one's place in the waitlist")
    app.action(views.GOOGLE_CALENDAR)(opened_link)
    register_action(app, deps, QUICK_SAVE, quick_save(deps), "save a meeting typed on one line", organiser_only=True)
    register_action(app, deps, QUICK_FORM, quick_form(deps), "finish a meeting in the form", organiser_only=True)
    register_action(app, deps, QUICK_DISCARD, discard, "discard a meeting typed on one line")
    register_action(
        app, deps, CANCEL_CONFIRM, confirm_cancel(deps), "cancel a meeting", organiser_only=True, writes=True
    )
    register_action(
        app,
        deps,
        CANCEL_FOLLOWING,
        confirm_cancel(deps, following=True),
        "cancel a meeting and the later ones of its series",
        organiser_only=True,
        writes=True,
    )
    register_action(app, deps, CANCEL_KEEP, discard, "keep a meeting after all")
    register_action(app, deps, ANNOUNCE, announce_pressed(deps), "announce a meeting", organiser_only=True, writes=True)
    register_action(app, deps, CREATE, open_new_form(deps), "open the new-meeting form", organiser_only=True)
    register_action(app, deps, EDIT, open_edit_form(deps), "open a meeting's form", organiser_only=True)
    register_action(app, deps, ATTENDEES_CSV, attendees_csv(deps), "download attendees as CSV", organiser_only=True)
    deps.registry.add_action(ActionSpec(Kind.VIEW, form.CALLBACK_ID, "save a meeting from the form", True))
    app.view(form.CALLBACK_ID)(save_form(app, deps))
    deps.home_sections.append(home_section)


def opened_link(ack: Ack) -> None:
    """A link button (Google Calendar): Slack opens the page itself, so the press is only acknowledged."""
    ack()
