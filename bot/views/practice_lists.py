"""Block Kit for finding practices: lists by kind, topic or country, search, and the figures over them.

Pure functions: a page of practices (and their useful counts) in, text and blocks out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from bot.config import Settings
from bot.language.countries import country_name
from bot.language.i18n import _, n_
from bot.views import blocks
from bot.views.practice_parts import country_label, entry
from store.practices import Figures, Page, SearchResult

PAGE = "practice_page"  # the older page
PAGE_NEWER = "practice_page_newer"  # action_id is unique within its block, so the other way has its own


def describe(filters: Mapping[str, str]) -> str:
    """What a list holds, by its filter."""
    if "kind" in filters:
        return _("Practices of kind *{kind}*", kind=blocks.escape(filters["kind"]))
    if "topic" in filters:
        return _("Practices about *{topic}*", topic=blocks.escape(filters["topic"]))
    if "country" in filters:
        return _("Practices from *{country}*", country=country_name(filters["country"]))
    if "author" in filters:
        return _("Practices you shared")
    return _("The newest practices")


def filter_problem(words: str, could_mean: Sequence[tuple[str, str]], settings: Settings) -> str:
    """Why `/practice list <words>` names no one kind, topic or country, and what it could name."""
    words = words.strip()
    if could_mean:
        names = ", ".join(f"`{blocks.escape(name)}`" for __, name in could_mean)
        return _(
            "“{words}” could mean {names}. Say which, e.g. `/practice list {example}`.",
            words=blocks.escape(words),
            names=names,
            example=blocks.escape(could_mean[0][1]),
        )
    return _(
        "I don't know a kind, topic or country called “{words}”. Kinds: {kinds}.\n"
        "Topics:\n{topics}\n"
        "Or a country, e.g. `/practice list Spain`. "
        "To find words inside practices, use `/practice search &lt;words&gt;`.",
        words=blocks.escape(words),
        kinds=", ".join(blocks.escape(k) for k in settings.practice_kinds),
        topics="\n".join(f"• {blocks.escape(t)}" for t in settings.practice_topics),
    )


def page_value(filters: Mapping[str, str], offset: int) -> str:
    """The value of a page button: the list's filter and where the page starts."""
    return json.dumps({**filters, "offset": offset}, separators=(",", ":"))


def _empty_page(page: Page, filters: Mapping[str, str]) -> str:
    """What an empty page says: no more, or nothing shared yet and how to share."""
    if page.offset:
        return _("No more practices.")
    if "author" in filters:
        return _("You haven't shared a practice yet. `/practice` opens the form; it takes a minute.")
    return _("{title}: none yet. Be the first: `/practice` opens the form.", title=describe(filters))


def page_message(page: Page, useful: Mapping[int, int], filters: Mapping[str, str]) -> tuple[str, list[blocks.Block]]:
    """One page of a list of practices, with buttons to turn the page."""
    if not page.practices:
        text = _empty_page(page, filters)
        return text, [blocks.section(text)]
    size = page.limit
    heading = _(
        "{title} ({total}), newest first · page {page} of {pages}",
        title=describe(filters),
        total=page.total,
        page=page.offset // size + 1,
        pages=(page.total + size - 1) // size,
    )
    body: list[blocks.Block] = [blocks.section(heading)]
    for practice in page.practices:
        body += entry(practice, useful.get(practice.id or 0, 0))
    buttons = []
    if page.offset > 0:
        buttons.append(blocks.button(_("◀ Newer"), PAGE_NEWER, page_value(filters, max(page.offset - size, 0))))
    if page.has_more:
        buttons.append(blocks.button(_("Older ▶"), PAGE, page_value(filters, page.offset + size)))
    if buttons:
        body.append(blocks.actions(*buttons, block_id="practice-pages"))
    return heading, body


def search_message(
    result: SearchResult, useful: Mapping[int, int], *, query: str = ""
) -> tuple[str, list[blocks.Block]]:
    """What a search found, best first, each with the passage that matched; the words quoted as typed."""
    if not result.words:
        text = _("Search for what? Give some words, e.g. `/practice search digital skills`.")
        return text, [blocks.section(text)]
    typed = " ".join(query.split())[:200]
    words = blocks.escape(typed or " ".join(result.words))
    if not result.hits:
        text = _(
            "No practice matches *{words}*. Try fewer or other words, or browse with `/practice list`.", words=words
        )
        return text, [blocks.section(text)]
    if result.corrected:
        heading = _(
            "No practice matches *{typed}*. Did you mean *{words}*? These match it, best first",
            typed=words,
            words=blocks.escape(" ".join(result.words)),
        )
    elif result.every_word:
        heading = _("Practices matching *{words}*, best first", words=words)
    else:
        heading = _("No practice has all of *{words}*; these have some of them, best first", words=words)
    body: list[blocks.Block] = [blocks.section(heading)]
    for hit in result.hits:
        body += entry(hit.practice, useful.get(hit.practice.id or 0, 0), snippet=hit.snippet)
    return heading, body


# Evidence ---------------------------------------------------------------------------------------

FIGURE_ROWS = 15
BAR_WIDTH = 12


def _bar(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    return "█" * max(1, round(width * count / largest)) if largest else ""


def _table(title: str, rows: list[tuple[str, int]], label: Callable[[str], str] = blocks.escape) -> blocks.Block:
    largest = max(count for __, count in rows)
    lines = [f"`{_bar(count, largest):<12}` {count:>4}  {label(name) or '—'}" for name, count in rows[:FIGURE_ROWS]]
    if len(rows) > FIGURE_ROWS:
        more = len(rows) - FIGURE_ROWS
        lines.append(n_("_and {count} more_", "_and {count} more_", more))
    return blocks.section(f"*{title}*\n" + "\n".join(lines))


def figures_message(figures: Figures) -> tuple[str, list[blocks.Block]]:
    """Counts of published practices by topic, kind, country and month, as bars."""
    if not figures.total:
        text = _("No practice is published yet, so there is nothing to count. `/practice` shares the first.")
        return text, [blocks.section(text)]
    heading = n_("{count} published practice", "{count} published practices", figures.total)
    return heading, [
        blocks.header(heading),
        _table(_("By topic"), figures.by_topic),
        _table(_("By kind"), figures.by_kind),
        _table(_("By country"), figures.by_country, country_label),
        _table(_("By month (last 12)"), figures.by_month[-12:], str),
        blocks.context(_("The chart of practices by topic and country is in your direct messages.")),
    ]
