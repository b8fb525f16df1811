"""Finding practices: the list with its pages, one's own, search, and one practice in full."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.countries import country_name
from bot.language.places import country_code
from bot.views import blocks
from bot.views import practices as views
from handlers.home import answer_press
from handlers.practices._common import can_change, can_see, practice_named, pressed_practice, useful_of
from handlers.routing import Call, pressed_value
from store import practices as store
from store.models import PracticeStatus

PAGE_SIZE = 10
SEARCH_LIMIT = 10
ALL_STATUSES = tuple(PracticeStatus)


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
    practice = practice_named(call, usage="<number>")
    if practice is None:
        return
    useful = useful_of(call.deps, [practice.id or 0]).get(practice.id or 0, 0)
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
        useful = useful_of(deps, [practice.id or 0]).get(practice.id or 0, 0)
        modal = {
            "type": "modal",
            "title": {"type": "plain_text", "text": f"Practice #{practice.id}"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": views.details(practice, useful, can_change=False, buttons=False),
        }
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    return show
