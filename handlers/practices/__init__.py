"""/practice: share practices through a form, find them, discuss them, moderate and export them.

The listeners live in private modules by role: `_sharing` (the form, the message shortcut,
editing), `_browsing` (lists, search, one practice), `_useful` (the Useful button), `_moderation`
(deleting, the queue, approving and rejecting) and `_figures` (stats and the export). What they
do is in `bot.services.practices`; what they show is in `bot.views.practices` and `practice_form`.
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.language.i18n import N_
from bot.registry import ActionSpec, Kind, ShortcutSpec
from bot.services import practices as service
from bot.views import blocks
from bot.views import practice_form as form
from bot.views import practices as views
from handlers.buttons import register_action
from handlers.practices._browsing import details_pressed, list_practices, mine, page_pressed, search, show_one
from handlers.practices._common import practice_id_in
from handlers.practices._figures import export_command, stats
from handlers.practices._moderation import (
    approve_pressed,
    confirm_delete,
    delete,
    delete_pressed,
    keep,
    queue,
    reject_pressed,
    save_rejection,
)
from handlers.practices._sharing import SHORTCUT, edit, open_edit_form, open_share_form, save_form, share, share_message
from handlers.practices._useful import useful_pressed
from handlers.routing import BY_NUMBER, CommandRouter, Subcommand
from store.models import Person

REASON_LIMIT = views.REASON_LIMIT
REJECT_CALLBACK = views.REJECT_CALLBACK

# Names other modules and tests read from here.
__all__ = ["REASON_LIMIT", "REJECT_CALLBACK", "SHORTCUT", "home_section", "practice_id_in", "register"]


def register(app: App, deps: Deps) -> None:
    """Register /practice, its buttons, the practice form, the message shortcut and the App Home section."""
    router = CommandRouter(
        name="/practice",
        description="Share a practice, or find the group's practices",
        intro=N_("initiatives, good and bad practices, and the evidence behind them, shared among members."),
        default="share",
    )
    sub = router.add
    sub(Subcommand("share", N_("share a practice (a form)"), share))
    sub(
        Subcommand(
            "list",
            N_("the newest practices, or those of one topic, kind or country"),
            list_practices,
            usage=N_("list [topic|kind|country]"),
            examples=("list Spain", "list tool"),
        )
    )
    sub(
        Subcommand(
            "search",
            N_("find practices by their words, best match first"),
            search,
            usage=N_("search <words>"),
            examples=("search digital skills",),
        )
    )
    sub(Subcommand("mine", N_("the practices you shared, published or not"), mine))
    sub(Subcommand(BY_NUMBER, N_("one practice in full"), show_one, examples=("12",)))
    sub(Subcommand("edit", N_("change a practice you shared (a form, filled in)"), edit, usage=N_("edit <number>")))
    sub(
        Subcommand("delete", N_("delete a practice you shared, after you confirm"), delete, usage=N_("delete <number>"))
    )
    sub(Subcommand("stats", N_("practices by topic, kind, country and month, with a chart"), stats))
    sub(Subcommand("queue", N_("practices waiting for approval"), queue, organiser_only=True))
    sub(
        Subcommand(
            "export",
            N_("every practice as a CSV or JSON file, sent to your direct messages"),
            export_command,
            usage=N_("export csv|json [all]"),
            organiser_only=True,
        )
    )
    router.register(app, deps)
    deps.registry.scopes.update({"files:write", "chat:write"})

    register_action(app, deps, views.SHARE, open_share_form(deps), "open the share-a-practice form")
    register_action(app, deps, views.USEFUL, useful_pressed(deps), "mark a practice useful", writes=True)
    register_action(app, deps, views.EDIT, open_edit_form(deps), "open a practice's form (author or organiser)")
    register_action(app, deps, views.DELETE, delete_pressed(deps), "ask to delete a practice (author or organiser)")
    register_action(
        app, deps, views.DELETE_CONFIRM, confirm_delete(deps), "delete a practice (author or organiser)", writes=True
    )
    register_action(app, deps, views.DELETE_KEEP, keep, "keep a practice after all")
    register_action(app, deps, views.PAGE, page_pressed(deps), "turn to older practices")
    register_action(app, deps, views.PAGE_NEWER, page_pressed(deps), "turn to newer practices")
    register_action(app, deps, views.DETAILS, details_pressed(deps), "see a practice in full")
    register_action(
        app, deps, views.APPROVE, approve_pressed(deps), "approve a practice", organiser_only=True, writes=True
    )
    register_action(app, deps, views.REJECT, reject_pressed(deps), "reject a practice", organiser_only=True)
    deps.registry.add_action(ActionSpec(Kind.VIEW, form.CALLBACK_ID, "save a practice from the form"))
    app.view(form.CALLBACK_ID)(save_form(app, deps))
    deps.registry.add_action(ActionSpec(Kind.VIEW, views.REJECT_CALLBACK, "reject a practice with a reason", True))
    app.view(views.REJECT_CALLBACK)(save_rejection(app, deps))
    deps.registry.add_shortcut(
        ShortcutSpec(SHORTCUT, "Share as practice", "Share this message as a practice with the group")
    )
    deps.registry.add_action(ActionSpec(Kind.SHORTCUT, SHORTCUT, "share a message as a practice"))
    app.shortcut(SHORTCUT)(share_message(app, deps))
    deps.home_sections.append(home_section)


# App Home -------------------------------------------------------------------------------------


def home_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """The newest practices and the Share button; for organisers, the moderation queue."""
    lists = service.home_lists(deps, organiser=person.is_organiser)
    return views.home_section(
        lists.newest,
        lists.useful,
        waiting=lists.queue.waiting if lists.queue else None,
        waiting_count=lists.queue.count if lists.queue else 0,
        moderation=deps.settings.moderation,
    )
