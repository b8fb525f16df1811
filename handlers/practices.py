"""/practice: share practices through a form, find them, discuss them, moderate and export them."""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.language.countries import country_name
from bot.language.places import country_code
from bot.registry import ActionSpec, Kind, ShortcutSpec
from bot.services import export
from bot.views import blocks, charts, forms
from bot.views import practice_form as form
from bot.views import practices as views
from handlers.errors import after_ack, error_view
from handlers.home import answer_press, publish_home
from handlers.routing import (
    BY_NUMBER,
    Call,
    CommandRouter,
    Subcommand,
    meeting_number,
    organiser_submission,
    pressed_value,
    register_action,
    view_metadata,
)
from store import practices as store
from store.models import Person, Practice, PracticeStatus
from store.people import list_organisers

logger = logging.getLogger(__name__)

SHORTCUT = "share_as_practice"
REJECT_CALLBACK = "practice_reject_reason"
PAGE_SIZE = 10
SEARCH_LIMIT = 10
HOME_NEWEST = 5
HOME_QUEUE = 3
REASON_LIMIT = 1000
ALL_STATUSES = tuple(PracticeStatus)


def register(app: App, deps: Deps) -> None:
    """Register /practice, its buttons, the practice form, the message shortcut and the App Home section."""
    router = CommandRouter(
        name="/practice",
        description="Share a practice, or find the group's practices",
        intro="initiatives, good and bad practices, and the evidence behind them, shared among members.",
        default="share",
    )
    sub = router.add
    sub(Subcommand("share", "share a practice (a form)", share))
    sub(
        Subcommand(
            "list",
            "the newest practices, or those of one topic, kind or country",
            list_practices,
            usage="list [topic|kind|country]",
            examples=("list Spain", "list tool"),
        )
    )
    sub(
        Subcommand(
            "search",
            "find practices by their words, best match first",
            search,
            usage="search <words>",
            examples=("search digital skills",),
        )
    )
    sub(Subcommand("mine", "the practices you shared, published or not", mine))
    sub(Subcommand(BY_NUMBER, "one practice in full", show_one, examples=("12",)))
    sub(Subcommand("edit", "change a practice you shared (a form, filled in)", edit, usage="edit <number>"))
    sub(Subcommand("delete", "delete a practice you shared, after you confirm", delete, usage="delete <number>"))
    sub(Subcommand("stats", "practices by topic, kind, country and month, with a chart", stats))
    sub(Subcommand("queue", "practices waiting for approval", queue, organiser_only=True))
    sub(
        Subcommand(
            "export",
            "every practice as a CSV or JSON file, sent to your direct messages",
            export_command,
            usage="export csv|json [all]",
            organiser_only=True,
        )
    )
    router.register(app, deps)
    deps.registry.scopes.update({"files:write", "chat:write"})

    register_action(app, deps, views.SHARE, open_share_form(deps), "open the share-a-practice form")
    register_action(app, deps, views.USEFUL, useful_pressed(deps), "mark a practice useful")
    register_action(app, deps, views.EDIT, open_edit_form(deps), "open a practice's form (author or organiser)")
    register_action(app, deps, views.DELETE, delete_pressed(deps), "ask to delete a practice (author or organiser)")
    register_action(app, deps, views.DELETE_CONFIRM, confirm_delete(deps), "delete a practice (author or organiser)")
    register_action(app, deps, views.DELETE_KEEP, keep, "keep a practice after all")
    register_action(app, deps, views.PAGE, page_pressed(deps), "turn a page of practices")
    register_action(app, deps, views.DETAILS, details_pressed(deps), "see a practice in full")
    register_action(app, deps, views.APPROVE, approve_pressed(deps), "approve a practice", organiser_only=True)
    register_action(app, deps, views.REJECT, reject_pressed(deps), "reject a practice", organiser_only=True)
    deps.registry.add_action(ActionSpec(Kind.VIEW, form.CALLBACK_ID, "save a practice from the form"))
    app.view(form.CALLBACK_ID)(save_form(app, deps))
    deps.registry.add_action(ActionSpec(Kind.VIEW, REJECT_CALLBACK, "reject a practice with a reason", True))
    app.view(REJECT_CALLBACK)(save_rejection(app, deps))
    deps.registry.add_shortcut(
        ShortcutSpec(SHORTCUT, "Share as practice", "Share this message as a practice with the group")
    )
    deps.registry.add_action(ActionSpec(Kind.SHORTCUT, SHORTCUT, "share a message as a practice"))
    app.shortcut(SHORTCUT)(share_message(app, deps))
    deps.home_sections.append(home_section)


# Who may see and change what -----------------------------------------------------------------


def can_change(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Whether `user_id` may edit or delete the practice: its author or an organiser."""
    return practice.author == user_id or deps.people.is_organiser(user_id)


def can_see(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Published practices are for everyone; the others for their author and the organisers."""
    return practice.status == PracticeStatus.PUBLISHED or can_change(deps, practice, user_id)


CHANGE_REFUSAL = (
    ":lock: Only the person who shared a practice, or an organiser, can change or delete it, so nothing was changed."
)


def _load(deps: Deps, practice_id: int) -> Practice | None:
    with deps.sessions() as session:
        return store.get_practice(session=session, practice_id=practice_id)


def _practice_named(call: Call, *, usage: str) -> Practice | None:
    """The practice whose number the command names, if the person may see it; else say why, privately."""
    number = meeting_number(call.args)
    if number is None:
        call.reply(f"Which practice? Give its number, e.g. `/practice {usage.replace('<number>', '12')}`.")
        return None
    practice = _load(call.deps, number)
    if practice is None or not can_see(call.deps, practice, call.user_id):
        call.reply(f"There is no practice #{number}. `/practice list` shows the practices, with their numbers.")
        return None
    return practice


def _changeable_named(call: Call, *, usage: str) -> Practice | None:
    """The practice the command names, if the person may change it; else say why, privately."""
    practice = _practice_named(call, usage=usage)
    if practice is not None and not can_change(call.deps, practice, call.user_id):
        call.reply(CHANGE_REFUSAL)
        return None
    return practice


def pressed_practice(deps: Deps, body: dict[str, Any]) -> Practice | None:
    """The practice a button names."""
    number = practice_id_in(pressed_value(body))
    return _load(deps, number) if number is not None else None


def practice_id_in(value: Any) -> int | None:
    """A practice number from a button's value or a form's metadata, or None for anything else."""
    text = str(value or "")
    return int(text) if text.isdecimal() and len(text) <= 9 else None


def changeable_pressed(deps: Deps, body: dict[str, Any], client: WebClient, respond: Any) -> Practice | None:
    """The practice a button names, if the presser may change it; else say why, privately, and return None."""
    practice = pressed_practice(deps, body)
    if practice is None:
        answer_press(deps, body, client, respond, "That practice no longer exists.")
        return None
    if not can_change(deps, practice, body["user"]["id"]):
        answer_press(deps, body, client, respond, CHANGE_REFUSAL)
        return None
    return practice


def _useful(deps: Deps, practice_ids: list[int]) -> dict[int, int]:
    with deps.sessions() as session:
        return store.useful_counts(session=session, practice_ids=practice_ids)


# Sharing and editing: the form -----------------------------------------------------------------


def share(call: Call) -> None:
    """Open the share-a-practice form."""
    _open_form(call.deps, call.client, call.trigger_id, {}, practice_id=None, reply_to=call.channel_id)


def _open_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    initial: dict[str, str],
    *,
    practice_id: int | None,
    reply_to: str = "",
) -> None:
    view = form.modal(initial, deps.settings, practice_id=practice_id, reply_to=reply_to)
    client.views_open(trigger_id=trigger_id, view=view)


def open_share_form(deps: Deps) -> Any:
    """The App Home button that opens the form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        _open_form(deps, client, body["trigger_id"], {}, practice_id=None)

    return open_it


def share_message(app: App, deps: Deps) -> Any:
    """The message shortcut "Share as practice": the form, filled from the message."""

    def shortcut(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
        ack()
        message = body.get("message") or {}
        initial = form.prefill_from_message(message.get("text") or "")
        if "link" not in initial and message.get("ts") and (body.get("channel") or {}).get("id"):
            try:
                found = client.chat_getPermalink(channel=body["channel"]["id"], message_ts=message["ts"])
                initial["link"] = str(found.get("permalink") or "")
            except SlackApiError:
                logger.info("no permalink for the shared message", exc_info=True)
        _open_form(deps, client, body["trigger_id"], initial, practice_id=None)

    shortcut.__name__ = SHORTCUT
    return shortcut


def edit(call: Call) -> None:
    """Open the form filled with the practice, for its author or an organiser."""
    practice = _changeable_named(call, usage="edit <number>")
    if practice is None:
        return
    initial = form.initial_values(store.PracticeDraft.of(practice))
    _open_form(call.deps, call.client, call.trigger_id, initial, practice_id=practice.id, reply_to=call.channel_id)


def open_edit_form(deps: Deps) -> Any:
    """The Edit button."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = changeable_pressed(deps, body, client, respond)
        if practice is None:
            return
        initial = form.initial_values(store.PracticeDraft.of(practice))
        _open_form(deps, client, body["trigger_id"], initial, practice_id=practice.id)

    return open_it


def save_form(app: App, deps: Deps) -> Any:
    """The form's submission: checked field by field, saved, then posted or queued for approval."""

    def submitted(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
        user_id = body["user"]["id"]
        view = body["view"]
        practice_id = practice_id_in(view_metadata(view).get("practice_id"))
        old = None
        if practice_id:
            old = _load(deps, practice_id)
            if old is None:
                ack(response_action="update", view=error_view("That practice no longer exists, so nothing was saved."))
                return
            if not can_change(deps, old, user_id):
                ack(response_action="update", view=error_view(CHANGE_REFUSAL))
                return
        try:
            draft = form.parse_form(forms.submitted_values(view.get("state") or {}), deps.settings)
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        now = deps.clock()
        with deps.sessions() as session:
            if old is not None:
                practice = store.update_practice(
                    session=session,
                    practice_id=old.id or 0,
                    draft=draft,
                    now=now,
                    moderated=deps.settings.moderation and not deps.people.is_organiser(user_id),
                )
            else:
                practice = store.create_practice(
                    session=session,
                    draft=draft,
                    author=user_id,
                    now=now,
                    moderated=deps.settings.moderation and not deps.people.is_organiser(user_id),
                )
        if practice is None:
            ack(response_action="update", view=error_view("That practice no longer exists, so nothing was saved."))
            return
        ack(response_action="update", view=saved_view(deps, practice, edited=old is not None))

        def follow_up(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
            assert practice is not None
            if practice.status == PracticeStatus.PUBLISHED:
                publish(deps, client, practice.id or 0)
            elif practice.status == PracticeStatus.PENDING and (old is None or old.status != PracticeStatus.PENDING):
                tell_organisers(deps, client, practice)

        after_ack(app, follow_up, body=body, client=client, respond=None, context=context)

    return submitted


def saved_view(deps: Deps, practice: Practice, *, edited: bool) -> dict[str, Any]:
    """The modal shown once a practice is saved: what happens next."""
    title = f"*{blocks.escape(practice.title)}* (#{practice.id})"
    channel = deps.settings.group_channel
    if practice.status == PracticeStatus.PENDING:
        text = (
            f":hourglass_flowing_sand: Thank you! {title} waits for an organiser's approval; "
            "I'll tell you in a direct message when it is posted."
        )
    elif edited:
        text = f":white_check_mark: Changes saved: {title}." + (
            " Its card in the channel is updated." if practice.card_ts else ""
        )
    elif channel:
        text = f":white_check_mark: Thank you! {title} is shared in <#{channel}>; people discuss it in its thread."
    else:
        text = f":white_check_mark: Thank you! {title} is saved; `/practice {practice.id}` shows it."
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Practice saved" if edited else "Practice shared"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [blocks.section(text), *views.entry(practice, 0)[:1]],
    }


# The card in the group channel ------------------------------------------------------------------

_card_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


def publish(deps: Deps, client: WebClient, practice_id: int) -> bool:
    """Post the practice's card to the group channel, or bring the card up to date; whether it is there now.

    The row is written before anything is posted; a card that could not be posted is posted
    at the practice's next change.
    """
    channel = deps.settings.group_channel
    with _card_locks[practice_id]:
        with deps.sessions() as session:
            practice = store.get_practice(session=session, practice_id=practice_id)
            if practice is None or practice.status != PracticeStatus.PUBLISHED:
                return False
            useful = store.useful_count(session=session, practice_id=practice_id)
        payload = views.card(practice, useful)
        try:
            if practice.card_channel and practice.card_ts:
                client.chat_update(channel=practice.card_channel, ts=practice.card_ts, **payload)
                return True
            if not channel:
                return False
            posted = client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **payload)
        except SlackApiError as error:
            logger.warning("could not post the card of practice %s: %s", practice_id, error.response.get("error"))
            return False
        with deps.sessions() as session:
            store.set_card(session=session, practice_id=practice_id, channel=posted["channel"], ts=posted["ts"])
        return True


def remove_card(client: WebClient, practice: Practice) -> None:
    """Delete the practice's card from the channel (its thread stays, as Slack keeps it)."""
    if not practice.card_channel or not practice.card_ts:
        return
    try:
        client.chat_delete(channel=practice.card_channel, ts=practice.card_ts)
    except SlackApiError as error:
        logger.warning("could not delete the card of practice %s: %s", practice.id, error.response.get("error"))


def useful_pressed(deps: Deps) -> Any:
    """The Useful button: mark or unmark, and show the new count on the card."""

    def mark(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = pressed_practice(deps, body)
        if practice is None or practice.status != PracticeStatus.PUBLISHED:
            answer_press(deps, body, client, respond, "That practice is not published (any more).")
            return
        with deps.sessions() as session:
            marked, count = store.mark_useful(
                session=session, practice_id=practice.id or 0, slack_id=body["user"]["id"], now=deps.clock()
            )
        publish(deps, client, practice.id or 0)
        on_card = (body.get("container") or {}).get("message_ts") == practice.card_ts and practice.card_ts
        if on_card:
            return  # the count on the card is the answer
        title = blocks.escape(practice.title)
        text = (
            f":bulb: You marked *{title}* useful ({count} so far)."
            if marked
            else f"You took back your useful-mark on *{title}* ({count} now)."
        )
        answer_press(deps, body, client, respond, text)

    return mark


# Finding practices ------------------------------------------------------------------------------


def resolve_filter(text: str, deps: Deps) -> tuple[dict[str, str], str]:
    """Read `/practice list <words>` as a kind, a topic or a country; return the filter, or why not."""
    words = text.strip()
    if not words:
        return {}, ""
    lowered = words.lower()
    settings = deps.settings
    for kind in settings.practice_kinds:
        if kind.lower() == lowered:
            return {"kind": kind}, ""
    for topic in settings.practice_topics:
        if topic.lower() == lowered:
            return {"topic": topic}, ""
    code = country_code(words)
    if code is not None:
        return {"country": code}, ""
    matches = [("kind", k) for k in settings.practice_kinds if lowered in k.lower()]
    matches += [("topic", t) for t in settings.practice_topics if lowered in t.lower()]
    if len(matches) == 1:
        return {matches[0][0]: matches[0][1]}, ""
    if matches:
        names = ", ".join(f"`{blocks.escape(name)}`" for _, name in matches)
        return {}, f"“{blocks.escape(words)}” could mean {names}. Say which, e.g. `/practice list {matches[0][1]}`."
    kinds = ", ".join(blocks.escape(k) for k in settings.practice_kinds)
    topics = "\n".join(f"• {blocks.escape(t)}" for t in settings.practice_topics)
    return {}, (
        f"I don't know a kind, topic or country called “{blocks.escape(words)}”. "
        f"Kinds: {kinds}.\nTopics:\n{topics}\nOr a country, e.g. `/practice list Spain`. "
        "To find words inside practices, use `/practice search <words>`."
    )


def _describe(filters: dict[str, str]) -> str:
    if "kind" in filters:
        return f"Practices of kind *{blocks.escape(filters['kind'])}*"
    if "topic" in filters:
        return f"Practices about *{blocks.escape(filters['topic'])}*"
    if "country" in filters:
        return f"Practices from *{country_name(filters['country'])}*"
    if "author" in filters:
        return "Practices you shared"
    return "The newest practices"


def page_message(deps: Deps, filters: dict[str, str], offset: int) -> tuple[str, list[blocks.Block]]:
    """One page of a list of practices, with buttons to turn the page."""
    mine = "author" in filters
    with deps.sessions() as session:
        page = store.list_practices(
            session=session,
            topic=filters.get("topic"),
            kind=filters.get("kind"),
            country=filters.get("country"),
            author=filters.get("author"),
            statuses=ALL_STATUSES if mine else (PracticeStatus.PUBLISHED,),
            offset=offset,
            limit=PAGE_SIZE,
        )
        useful = store.useful_counts(session=session, practice_ids=[p.id or 0 for p in page.practices])
    title = _describe(filters)
    if not page.practices:
        if offset:
            return "No more practices.", [blocks.section("No more practices.")]
        text = (
            "You haven't shared a practice yet. `/practice` opens the form; it takes a minute."
            if mine
            else f"{title}: none yet. Be the first: `/practice` opens the form."
        )
        return text, [blocks.section(text)]
    pages = (page.total + PAGE_SIZE - 1) // PAGE_SIZE
    heading = f"{title} ({page.total}), newest first · page {offset // PAGE_SIZE + 1} of {pages}"
    body: list[blocks.Block] = [blocks.section(heading)]
    for practice in page.practices:
        body += views.entry(practice, useful.get(practice.id or 0, 0))
    buttons = []
    if offset > 0:
        buttons.append(blocks.button("◀ Newer", views.PAGE, _page_value(filters, max(offset - PAGE_SIZE, 0))))
    if page.has_more:
        buttons.append(blocks.button("Older ▶", views.PAGE, _page_value(filters, offset + PAGE_SIZE)))
    if buttons:
        body.append(blocks.actions(*buttons, block_id="practice-pages"))
    return heading, body


def _page_value(filters: dict[str, str], offset: int) -> str:
    return json.dumps({**filters, "offset": offset}, separators=(",", ":"))


def list_practices(call: Call) -> None:
    """The newest practices, or those of a kind, topic or country; paged."""
    filters, problem = resolve_filter(call.args, call.deps)
    if problem:
        call.reply(problem)
        return
    call.reply(*page_message(call.deps, filters, 0))


def mine(call: Call) -> None:
    """The practices the person shared, whatever their status."""
    call.reply(*page_message(call.deps, {"author": call.user_id}, 0))


def page_pressed(deps: Deps) -> Any:
    """The Newer and Older buttons: the list, one page on."""

    def turn(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        try:
            value = json.loads(pressed_value(body))
            offset = max(int(value.pop("offset", 0)), 0)
            filters = {k: str(v) for k, v in value.items() if k in ("kind", "topic", "country", "author")}
        except (ValueError, TypeError, AttributeError):
            answer_press(deps, body, client, respond, "That page is out of date; `/practice list` starts again.")
            return
        if "author" in filters:
            filters["author"] = body["user"]["id"]  # one's own list only
        text, page = page_message(deps, filters, offset)
        if body.get("response_url"):
            respond(replace_original=True, **blocks.message(text, page))
        else:
            client.chat_postMessage(channel=body["user"]["id"], **blocks.message(text, page))

    return turn


def search(call: Call) -> None:
    """Ranked full-text search over published practices, with the passage that matched."""
    if not store.search_words(call.args):
        call.reply("Search for what? Give some words, e.g. `/practice search digital skills`.")
        return
    with call.deps.sessions() as session:
        found = store.search(session=session, query=call.args, limit=SEARCH_LIMIT)
        useful = store.useful_counts(session=session, practice_ids=[h.practice.id or 0 for h in found.hits])
    words = blocks.escape(" ".join(found.words))
    if not found.hits:
        call.reply(f"No practice matches *{words}*. Try fewer or other words, or browse with `/practice list`.")
        return
    heading = f"Practices matching *{words}*, best first"
    if not found.every_word:
        heading = f"No practice has all of *{words}*; these have some of them, best first"
    body: list[blocks.Block] = [blocks.section(heading)]
    for hit in found.hits:
        body += views.entry(hit.practice, useful.get(hit.practice.id or 0, 0), snippet=hit.snippet)
    call.reply(heading, body)


def show_one(call: Call) -> None:
    """One practice in full."""
    practice = _practice_named(call, usage="<number>")
    if practice is None:
        return
    useful = _useful(call.deps, [practice.id or 0]).get(practice.id or 0, 0)
    can = can_change(call.deps, practice, call.user_id)
    call.reply(blocks.escape(practice.title), views.details(practice, useful, can_change=can))


def details_pressed(deps: Deps) -> Any:
    """The Details button (in the moderation queue): the practice in full, in a modal."""

    def show(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = pressed_practice(deps, body)
        user_id = body["user"]["id"]
        if practice is None or not can_see(deps, practice, user_id):
            answer_press(deps, body, client, respond, "That practice no longer exists.")
            return
        useful = _useful(deps, [practice.id or 0]).get(practice.id or 0, 0)
        modal = {
            "type": "modal",
            "title": {"type": "plain_text", "text": f"Practice #{practice.id}"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": views.details(practice, useful, can_change=False, buttons=False),
        }
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    return show


# Deleting -------------------------------------------------------------------------------------


def _ask_to_delete(practice: Practice) -> tuple[str, list[blocks.Block]]:
    title = blocks.escape(practice.title)
    text = (
        f"Delete *{title}* (#{practice.id})? Its card leaves the group channel and its useful-marks go with it. "
        "This can't be undone."
    )
    confirm = blocks.button("Delete it", views.DELETE_CONFIRM, str(practice.id), style="danger")
    confirm["confirm"] = {
        "title": {"type": "plain_text", "text": "Delete this practice?"},
        "text": {"type": "plain_text", "text": blocks.clip(f"“{practice.title}” will be deleted for everyone.", 300)},
        "confirm": {"type": "plain_text", "text": "Delete"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    keep_it = blocks.button("Keep it", views.DELETE_KEEP, str(practice.id))
    return f"Delete {title}?", [blocks.section(text), blocks.actions(confirm, keep_it, block_id="practice-delete")]


def delete(call: Call) -> None:
    """Ask the author (or an organiser) to confirm deleting a practice."""
    practice = _changeable_named(call, usage="delete <number>")
    if practice is None:
        return
    call.reply(*_ask_to_delete(practice))


def delete_pressed(deps: Deps) -> Any:
    """The Delete button: ask for confirmation first."""

    def ask(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = changeable_pressed(deps, body, client, respond)
        if practice is None:
            return
        text, question = _ask_to_delete(practice)
        if body.get("response_url"):
            respond(response_type="ephemeral", replace_original=False, **blocks.message(text, question))
        else:
            client.chat_postMessage(channel=body["user"]["id"], **blocks.message(text, question))

    return ask


def confirm_delete(deps: Deps) -> Any:
    """Delete the practice and its card, once confirmed."""

    def delete_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = changeable_pressed(deps, body, client, respond)
        if practice is None:
            return
        with deps.sessions() as session:
            gone = store.delete_practice(session=session, practice_id=practice.id or 0)
        if gone is not None:
            remove_card(client, gone)
        text = f":wastebasket: Deleted *{blocks.escape(practice.title)}* (#{practice.id})."
        if body.get("response_url"):
            respond(replace_original=True, **blocks.notice(text))
        else:
            answer_press(deps, body, client, respond, text)

    return delete_it


def keep(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
    """Keep the practice: the question goes away, nothing changes."""
    if body.get("response_url"):
        respond(delete_original=True)


# Moderation -----------------------------------------------------------------------------------


def queue(call: Call) -> None:
    """The practices waiting for approval, oldest first, with Approve and Reject."""
    with call.deps.sessions() as session:
        waiting = store.pending(session=session, limit=20)
        count = store.pending_count(session=session)
    if not waiting:
        state = "on" if call.deps.settings.moderation else "off (PRACTICE_MODERATION), so practices are posted at once"
        call.reply(f"No practice is waiting for approval. Moderation is {state}.")
        return
    heading = f"{count} practice{'s' if count != 1 else ''} waiting for approval, oldest first"
    body: list[blocks.Block] = [blocks.section(f"*{heading}*")]
    for practice in waiting:
        body += views.queue_entry(practice)
    call.reply(heading, body)


def tell_organisers(deps: Deps, client: WebClient, practice: Practice) -> None:
    """Tell each organiser that a practice waits for approval, with the buttons to decide."""
    with deps.sessions() as session:
        organisers = [person.slack_id for person in list_organisers(session=session)]
    text = f":inbox_tray: A new practice waits for approval: *{blocks.escape(practice.title)}* (#{practice.id})."
    for slack_id in organisers:
        try:
            client.chat_postMessage(
                channel=slack_id, **blocks.message(text, [blocks.section(text), *views.queue_entry(practice)])
            )
        except SlackApiError as error:
            logger.warning("could not tell organiser %s: %s", slack_id, error.response.get("error"))


def _direct_message(client: WebClient, slack_id: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=slack_id, **blocks.notice(text))
    except SlackApiError as error:
        logger.warning("could not send %s a direct message: %s", slack_id, error.response.get("error"))


def _answer_moderator(deps: Deps, body: dict[str, Any], client: WebClient, respond: Any, text: str) -> None:
    """Answer the organiser where they pressed: replace the queue entry in a message, or refresh App Home."""
    if body.get("response_url"):
        respond(replace_original=False, response_type="ephemeral", **blocks.notice(text))
    else:
        answer_press(deps, body, client, respond, text)


def approve_pressed(deps: Deps) -> Any:
    """Approve: publish the practice, post its card, tell its author."""

    def approve(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        number = practice_id_in(pressed_value(body))
        moderator = body["user"]["id"]
        with deps.sessions() as session:
            practice = (
                store.moderate(session=session, practice_id=number, approve=True, moderator=moderator, now=deps.clock())
                if number is not None
                else None
            )
        if practice is None:
            _answer_moderator(deps, body, client, respond, "That practice was already decided, or is gone.")
            return
        posted = publish(deps, client, practice.id or 0)
        title = blocks.escape(practice.title)
        where = f" and posted in <#{deps.settings.group_channel}>" if posted and deps.settings.group_channel else ""
        _direct_message(
            client,
            practice.author,
            f":tada: Your practice *{title}* (#{practice.id}) was approved{where}. Thank you for sharing it!",
        )
        _answer_moderator(
            deps, body, client, respond, f":white_check_mark: Approved *{title}* (#{practice.id}){where}."
        )

    return approve


def reject_pressed(deps: Deps) -> Any:
    """Reject…: ask the organiser for the reason the author will read."""

    def ask_reason(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = pressed_practice(deps, body)
        if practice is None or practice.status != PracticeStatus.PENDING:
            _answer_moderator(deps, body, client, respond, "That practice was already decided, or is gone.")
            return
        from_home = (body.get("view") or {}).get("type") == "home"
        modal = {
            "type": "modal",
            "callback_id": REJECT_CALLBACK,
            "private_metadata": json.dumps({"practice_id": practice.id, "home": from_home}),
            "title": {"type": "plain_text", "text": "Reject practice"},
            "submit": {"type": "plain_text", "text": "Reject"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [
                blocks.section(f"{views.title_line(practice)}\n{views.facts(practice)}"),
                {
                    "type": "input",
                    "block_id": "reason",
                    "label": {"type": "plain_text", "text": "Why? The author reads this."},
                    "element": {
                        "type": "plain_text_input",
                        "action_id": "value",
                        "multiline": True,
                        "max_length": REASON_LIMIT,
                    },
                },
            ],
        }
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    return ask_reason


def save_rejection(app: App, deps: Deps) -> Any:
    """The reason's submission: reject, and tell the author why in a direct message."""

    def submitted(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
        if not organiser_submission(deps, body, ack):
            return
        moderator = body["user"]["id"]
        view = body["view"]
        meta = view_metadata(view)
        reason = forms.submitted_values(view.get("state") or {}).get("reason", "")
        if not reason:
            ack(response_action="errors", errors={"reason": "Say why, so the author can improve it."})
            return
        if len(reason) > REASON_LIMIT:
            ack(response_action="errors", errors={"reason": f"At most {REASON_LIMIT:,} characters, please."})
            return
        with deps.sessions() as session:
            practice = store.moderate(
                session=session,
                practice_id=practice_id_in(meta.get("practice_id")) or 0,
                approve=False,
                moderator=moderator,
                now=deps.clock(),
                reason=reason,
            )
        if practice is None:
            ack(response_action="update", view=error_view("That practice was already decided, or is gone."))
            return
        title = blocks.escape(practice.title)
        done = f":no_entry_sign: Rejected *{title}* (#{practice.id}); I told the author why."
        ack(response_action="update", view={**error_view(done), "title": {"type": "plain_text", "text": "Rejected"}})

        def tell(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
            assert practice is not None
            _direct_message(
                client,
                practice.author,
                f"Your practice *{title}* (#{practice.id}) was not published. The organiser's reason:\n"
                f">{blocks.escape(reason).replace(chr(10), chr(10) + '>')}\n"
                f"You can change it with `/practice edit {practice.id}` and it goes back for approval.",
            )
            if meta.get("home"):
                publish_home(client, deps, moderator, notice=done)

        after_ack(app, tell, body=body, client=client, respond=None, context=context)

    return submitted


# Evidence: figures and export -------------------------------------------------------------------


def _bar(count: int, largest: int, width: int = 12) -> str:
    return "█" * max(1, round(width * count / largest)) if largest else ""


def stats(call: Call) -> None:
    """Counts by topic, kind, country and month; the chart goes to the person's direct messages."""
    with call.deps.sessions() as session:
        figures = store.figures(session=session)
    if not figures.total:
        call.reply("No practice is published yet, so there is nothing to count. `/practice` shares the first.")
        return

    def table(title: str, rows: list[tuple[str, int]], label: Any = blocks.escape) -> blocks.Block:
        largest = max(count for _, count in rows)
        lines = [f"`{_bar(count, largest):<12}` {count:>4}  {label(name) or '—'}" for name, count in rows[:15]]
        if len(rows) > 15:
            lines.append(f"_and {len(rows) - 15} more_")
        return blocks.section(f"*{title}*\n" + "\n".join(lines))

    heading = f"{figures.total} published practice{'s' if figures.total != 1 else ''}"
    body = [
        blocks.header(heading),
        table("By topic", figures.by_topic),
        table("By kind", figures.by_kind),
        table("By country", figures.by_country, views.country_label),
        table("By month (last 12)", figures.by_month[-12:], str),
        blocks.context("The chart of practices by topic and country is in your direct messages."),
    ]
    call.reply(heading, body)
    chart = charts.practices_chart(figures, group_name=call.deps.settings.group_name)
    if chart is None:
        return
    channel = call.client.conversations_open(users=call.user_id)["channel"]["id"]
    call.client.files_upload_v2(
        channel=channel,
        filename="practices-by-topic-and-country.png",
        title="Practices by topic and country",
        content=chart,
        initial_comment=f"Practices by topic and country: {heading}.",
    )


def export_command(call: Call) -> None:
    """Every practice as a CSV or JSON file, sent to the organiser's direct messages."""
    words = call.args.lower().split()
    fmt = words[0] if words else "csv"
    if fmt not in export.FORMATS or words[1:] not in ([], ["all"]):
        call.reply(
            "Say which format: `/practice export csv` or `/practice export json`; "
            "add `all` for pending and rejected ones too."
        )
        return
    statuses = ALL_STATUSES if words[1:] == ["all"] else (PracticeStatus.PUBLISHED,)
    filename = export.export_filename("practices", fmt, call.deps.clock())
    with tempfile.TemporaryDirectory(prefix="tci-export-") as folder:
        path = Path(folder) / filename
        with path.open("w", encoding="utf-8", newline="") as out:
            count = export.write_practices(call.deps.engine, fmt, out, statuses=statuses)
        which = "every status" if statuses == ALL_STATUSES else "published"
        channel = call.client.conversations_open(users=call.user_id)["channel"]["id"]
        call.client.files_upload_v2(
            channel=channel,
            file=str(path),
            filename=filename,
            title=f"Practices ({fmt.upper()})",
            initial_comment=f"{_plural(count, 'practice')} ({which}), one per row.",
        )
    call.reply(f":outbox_tray: Exported {_plural(count, 'practice')}; the {fmt.upper()} file is in your DMs.")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# App Home -------------------------------------------------------------------------------------


def home_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """The newest practices and the Share button; for organisers, the moderation queue."""
    with deps.sessions() as session:
        newest = store.newest(session=session, limit=HOME_NEWEST)
        useful = store.useful_counts(session=session, practice_ids=[p.id or 0 for p in newest])
        waiting = store.pending(session=session, limit=HOME_QUEUE) if person.is_organiser else []
        waiting_count = store.pending_count(session=session) if person.is_organiser else 0
    body: list[blocks.Block] = [
        blocks.header("Practices"),
        blocks.actions(
            blocks.button("Share a practice", views.SHARE, "new", style="primary"), block_id="practices-share"
        ),
    ]
    if not newest:
        body.append(blocks.section("No practice is shared yet. Be the first: it takes a minute."))
    for practice in newest:
        body += views.entry(practice, useful.get(practice.id or 0, 0))
    body.append(blocks.context("`/practice list` for more · `/practice search <words>` · `/practice mine`"))
    if person.is_organiser and (waiting or deps.settings.moderation):
        body.append(blocks.header(f"Waiting for approval ({waiting_count})"))
        if not waiting:
            body.append(blocks.section("Nothing waits for approval."))
        for practice in waiting:
            body += views.queue_entry(practice)
        if waiting_count > len(waiting):
            body.append(blocks.context(f"`/practice queue` shows all {waiting_count}."))
    return body
