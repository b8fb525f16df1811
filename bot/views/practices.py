"""Block Kit for practices: the channel card, lists, search, details, moderation, figures and App Home.

Pure functions: a practice (and its useful count) in, text and blocks out. Everything a person
wrote is escaped, so it shows as written and can never mention or ping anyone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.config import Settings
from bot.language.countries import country_name
from bot.views import blocks
from bot.views.forms import FormErrors
from store.models import Practice, PracticeStatus
from store.practices import MATCH_END, MATCH_START, Figures, Page, SearchResult

USEFUL = "practice_useful"
EDIT = "practice_edit"
DELETE = "practice_delete"
DELETE_CONFIRM = "practice_delete_confirm"
DELETE_KEEP = "practice_delete_keep"
APPROVE = "practice_approve"
REJECT = "practice_reject"
SHARE = "practice_share"
PAGE = "practice_page"  # the older page
PAGE_NEWER = "practice_page_newer"  # action_id is unique within its block, so the other way has its own
DETAILS = "practice_details"
REJECT_CALLBACK = "practice_reject_reason"
REASON_LIMIT = 1000

CHANGE_REFUSAL = (
    ":lock: Only the person who shared a practice, or an organiser, can change or delete it, so nothing was changed."
)
GONE = "That practice no longer exists."
GONE_UNSAVED = "That practice no longer exists, so nothing was saved."
DECIDED = "That practice was already decided, or is gone."
NOT_PUBLISHED = "That practice is not published (any more)."

ENTRY_SUMMARY_LIMIT = 280
STATUS_LABELS = {
    PracticeStatus.PENDING: ":hourglass_flowing_sand: waiting for an organiser's approval",
    PracticeStatus.REJECTED: ":no_entry_sign: not published",
}


def country_label(code: str) -> str:
    """A country with its flag, e.g. `:flag-es: Spain`; empty for no country."""
    return f":flag-{code.lower()}: {country_name(code)}" if code else ""


def facts(practice: Practice) -> str:
    """Kind, topic, country and organisation on one line."""
    parts = [f"*{blocks.escape(practice.kind)}*", blocks.escape(practice.topic)]
    if practice.country:
        parts.append(country_label(practice.country))
    if practice.organisation:
        parts.append(blocks.escape(practice.organisation))
    return " · ".join(parts)


def title_line(practice: Practice) -> str:
    """`#12 Title`, the title in bold."""
    return f"#{practice.id} *{blocks.escape(practice.title)}*"


def useful_button(practice: Practice, count: int) -> blocks.Block:
    """The Useful button, showing how many found it useful."""
    return blocks.button(f":bulb: Useful · {count}", USEFUL, str(practice.id))


def card_link(practice: Practice) -> str:
    """The address of the practice's card in the channel, or "" when it has none."""
    if not practice.card_channel or not practice.card_ts:
        return ""
    return f"https://slack.com/archives/{practice.card_channel}/p{practice.card_ts.replace('.', '')}"


def _body(practice: Practice) -> list[blocks.Block]:
    body = [blocks.section(blocks.escape(practice.summary))]
    if practice.evidence:
        body.append(blocks.section("*What happened, and the evidence*\n" + blocks.escape(practice.evidence)))
    if practice.link:
        body.append(blocks.section(f":link: {blocks.link(practice.link, blocks.clip(practice.link, 80))}"))
    return body


def card(practice: Practice, useful: int) -> dict[str, Any]:
    """The message posted to the group channel: the whole practice, its Useful button, and where to discuss."""
    head = blocks.section(f"{title_line(practice)}\n{facts(practice)}")
    footer = blocks.context(f"Shared by <@{practice.author}> · discuss it in this thread · `/practice {practice.id}`")
    fallback = f"New practice: {blocks.escape(practice.title)} ({blocks.escape(practice.kind)})"
    actions = blocks.actions(useful_button(practice, useful), block_id=f"practice-{practice.id}")
    return blocks.message(fallback, [head, *_body(practice), footer, actions])


def entry(practice: Practice, useful: int, *, snippet: str = "") -> list[blocks.Block]:
    """A practice in a list: title, facts, the matching passage or the start of the summary."""
    excerpt = highlight(snippet) if snippet else blocks.escape(blocks.clip(practice.summary, ENTRY_SUMMARY_LIMIT))
    text = f"{title_line(practice)}\n{facts(practice)}\n{excerpt}"
    notes = [f"`/practice {practice.id}`", f":bulb: {useful}"]
    if practice.status != PracticeStatus.PUBLISHED:
        notes.insert(0, STATUS_LABELS[PracticeStatus(practice.status)])
    elif link := card_link(practice):
        notes.append(f"<{link}|discussion>")
    return [blocks.section(text), blocks.context(" · ".join(notes))]


def details(practice: Practice, useful: int, *, can_change: bool, buttons: bool = True) -> list[blocks.Block]:
    """One practice in full, with what the reader can do with it."""
    body = [blocks.section(f"{title_line(practice)}\n{facts(practice)}"), *_body(practice)]
    notes = [
        f"Shared by <@{practice.author}>",
        f"<!date^{int(practice.created_at.timestamp())}^{{date_short}}|{practice.created_at:%d %b %Y}>",
    ]
    if practice.status == PracticeStatus.PUBLISHED and (link := card_link(practice)):
        notes.append(f"<{link}|discussion in the channel>")
    if practice.status != PracticeStatus.PUBLISHED:
        notes.append(STATUS_LABELS[PracticeStatus(practice.status)])
    if practice.status == PracticeStatus.REJECTED and practice.reject_reason:
        notes.append("reason: " + blocks.escape(practice.reject_reason))
    body.append(blocks.context(" · ".join(notes)))
    if not buttons:
        return body
    row = [useful_button(practice, useful)] if practice.status == PracticeStatus.PUBLISHED else []
    if can_change:
        row.append(blocks.button("Edit", EDIT, str(practice.id)))
        row.append(blocks.button("Delete", DELETE, str(practice.id), style="danger"))
    if row:
        body.append(blocks.actions(*row, block_id=f"practice-{practice.id}-details"))
    return body


def queue_entry(practice: Practice) -> list[blocks.Block]:
    """A practice waiting for an organiser, with Approve and Reject."""
    text = (
        f"{title_line(practice)}\n{facts(practice)}\n"
        f"{blocks.escape(blocks.clip(practice.summary, ENTRY_SUMMARY_LIMIT))}\n_Shared by <@{practice.author}>_"
    )
    return [
        blocks.section(text),
        blocks.actions(
            blocks.button("Approve", APPROVE, str(practice.id), style="primary"),
            blocks.button("Reject…", REJECT, str(practice.id)),
            blocks.button("Details", DETAILS, str(practice.id)),
            block_id=f"practice-{practice.id}-moderate",
        ),
    ]


def highlight(snippet: str) -> str:
    """A search snippet for mrkdwn: escaped, with the words found in bold."""
    text = blocks.escape(" ".join(snippet.split()))
    return text.replace(MATCH_START, "*").replace(MATCH_END, "*")


def plural(count: int, word: str) -> str:
    """`1 practice`, `1,204 practices`."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# Sharing and deleting ---------------------------------------------------------------------------


def saved_view(practice: Practice, *, edited: bool, channel: str) -> dict[str, Any]:
    """The modal shown once a practice is saved: what happens next."""
    title = f"*{blocks.escape(practice.title)}* (#{practice.id})"
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
    body = [blocks.section(text), *entry(practice, 0)[:1]]
    return blocks.modal("Practice saved" if edited else "Practice shared", body, close="Done")


def ask_to_delete(practice: Practice) -> tuple[str, list[blocks.Block]]:
    """The question before a practice is deleted, with Delete it (confirmed once more) and Keep it."""
    title = blocks.escape(practice.title)
    text = (
        f"Delete *{title}* (#{practice.id})? Its card leaves the group channel and its useful-marks go with it. "
        "This can't be undone."
    )
    sure = blocks.confirm(
        "Delete this practice?",
        f"“{practice.title}” will be deleted for everyone.",
        yes="Delete",
        no="Keep it",
        danger=True,
    )
    delete_it = blocks.button("Delete it", DELETE_CONFIRM, str(practice.id), style="danger", confirm=sure)
    keep_it = blocks.button("Keep it", DELETE_KEEP, str(practice.id))
    return f"Delete {title}?", [blocks.section(text), blocks.actions(delete_it, keep_it, block_id="practice-delete")]


def deleted(practice: Practice) -> str:
    """What the person who deleted a practice is told."""
    return f":wastebasket: Deleted *{blocks.escape(practice.title)}* (#{practice.id})."


def useful_answer(practice: Practice, *, marked: bool, count: int) -> str:
    """What someone who pressed Useful away from the card is told."""
    title = blocks.escape(practice.title)
    if marked:
        return f":bulb: You marked *{title}* useful ({count} so far)."
    return f"You took back your useful-mark on *{title}* ({count} now)."


# Finding practices ------------------------------------------------------------------------------


def describe(filters: Mapping[str, str]) -> str:
    """What a list holds, by its filter."""
    if "kind" in filters:
        return f"Practices of kind *{blocks.escape(filters['kind'])}*"
    if "topic" in filters:
        return f"Practices about *{blocks.escape(filters['topic'])}*"
    if "country" in filters:
        return f"Practices from *{country_name(filters['country'])}*"
    if "author" in filters:
        return "Practices you shared"
    return "The newest practices"


def filter_problem(words: str, could_mean: Sequence[tuple[str, str]], settings: Settings) -> str:
    """Why `/practice list <words>` names no one kind, topic or country, and what it could name."""
    words = words.strip()
    if could_mean:
        names = ", ".join(f"`{blocks.escape(name)}`" for _, name in could_mean)
        example = blocks.escape(could_mean[0][1])
        return f"“{blocks.escape(words)}” could mean {names}. Say which, e.g. `/practice list {example}`."
    kinds = ", ".join(blocks.escape(k) for k in settings.practice_kinds)
    topics = "\n".join(f"• {blocks.escape(t)}" for t in settings.practice_topics)
    return (
        f"I don't know a kind, topic or country called “{blocks.escape(words)}”. "
        f"Kinds: {kinds}.\nTopics:\n{topics}\nOr a country, e.g. `/practice list Spain`. "
        "To find words inside practices, use `/practice search &lt;words&gt;`."
    )


def page_value(filters: Mapping[str, str], offset: int) -> str:
    """The value of a page button: the list's filter and where the page starts."""
    return json.dumps({**filters, "offset": offset}, separators=(",", ":"))


def page_message(page: Page, useful: Mapping[int, int], filters: Mapping[str, str]) -> tuple[str, list[blocks.Block]]:
    """One page of a list of practices, with buttons to turn the page."""
    title = describe(filters)
    if not page.practices:
        if page.offset:
            return "No more practices.", [blocks.section("No more practices.")]
        text = (
            "You haven't shared a practice yet. `/practice` opens the form; it takes a minute."
            if "author" in filters
            else f"{title}: none yet. Be the first: `/practice` opens the form."
        )
        return text, [blocks.section(text)]
    size = page.limit
    pages = (page.total + size - 1) // size
    heading = f"{title} ({page.total}), newest first · page {page.offset // size + 1} of {pages}"
    body: list[blocks.Block] = [blocks.section(heading)]
    for practice in page.practices:
        body += entry(practice, useful.get(practice.id or 0, 0))
    buttons = []
    if page.offset > 0:
        buttons.append(blocks.button("◀ Newer", PAGE_NEWER, page_value(filters, max(page.offset - size, 0))))
    if page.has_more:
        buttons.append(blocks.button("Older ▶", PAGE, page_value(filters, page.offset + size)))
    if buttons:
        body.append(blocks.actions(*buttons, block_id="practice-pages"))
    return heading, body


def search_message(result: SearchResult, useful: Mapping[int, int]) -> tuple[str, list[blocks.Block]]:
    """What a search found, best first, each with the passage that matched."""
    if not result.words:
        text = "Search for what? Give some words, e.g. `/practice search digital skills`."
        return text, [blocks.section(text)]
    words = blocks.escape(" ".join(result.words))
    if not result.hits:
        text = f"No practice matches *{words}*. Try fewer or other words, or browse with `/practice list`."
        return text, [blocks.section(text)]
    heading = f"Practices matching *{words}*, best first"
    if not result.every_word:
        heading = f"No practice has all of *{words}*; these have some of them, best first"
    body: list[blocks.Block] = [blocks.section(heading)]
    for hit in result.hits:
        body += entry(hit.practice, useful.get(hit.practice.id or 0, 0), snippet=hit.snippet)
    return heading, body


def details_modal(practice: Practice, useful: int) -> dict[str, Any]:
    """One practice in full, in a modal (from the moderation queue)."""
    return blocks.modal(f"Practice #{practice.id}", details(practice, useful, can_change=False, buttons=False))


# Moderation -----------------------------------------------------------------------------------


def queue_message(waiting: Sequence[Practice], count: int, *, moderation: bool) -> tuple[str, list[blocks.Block]]:
    """The practices waiting for approval, oldest first, with Approve and Reject."""
    if not waiting:
        state = "on" if moderation else "off (PRACTICE_MODERATION), so practices are posted at once"
        text = f"No practice is waiting for approval. Moderation is {state}."
        return text, [blocks.section(text)]
    heading = f"{count} practice{'s' if count != 1 else ''} waiting for approval, oldest first"
    body: list[blocks.Block] = [blocks.section(f"*{heading}*")]
    for practice in waiting:
        body += queue_entry(practice)
    return heading, body


def waiting_for_organisers(practice: Practice) -> tuple[str, list[blocks.Block]]:
    """The direct message that tells an organiser a practice waits, with the buttons to decide."""
    text = f":inbox_tray: A new practice waits for approval: *{blocks.escape(practice.title)}* (#{practice.id})."
    return text, [blocks.section(text), *queue_entry(practice)]


def _posted_in(channel: str) -> str:
    return f" and posted in <#{channel}>" if channel else ""


def approved_for_author(practice: Practice, posted_in: str) -> str:
    """The direct message that tells the author their practice was approved."""
    title = blocks.escape(practice.title)
    return (
        f":tada: Your practice *{title}* (#{practice.id}) was approved{_posted_in(posted_in)}. "
        "Thank you for sharing it!"
    )


def approved_for_moderator(practice: Practice, posted_in: str) -> str:
    """What the organiser who approved a practice is told."""
    return f":white_check_mark: Approved *{blocks.escape(practice.title)}* (#{practice.id}){_posted_in(posted_in)}."


def reject_modal(practice: Practice, *, from_home: bool) -> dict[str, Any]:
    """The form asking an organiser why a practice is rejected; the author reads the reason."""
    reason = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": REASON_LIMIT}
    body = [
        blocks.section(f"{title_line(practice)}\n{facts(practice)}"),
        blocks.input_block("reason", "Why? The author reads this.", reason),
    ]
    return blocks.modal(
        "Reject practice",
        body,
        callback_id=REJECT_CALLBACK,
        submit="Reject",
        close="Cancel",
        private_metadata=json.dumps({"practice_id": practice.id, "home": from_home}),
    )


def read_reason(values: Mapping[str, str]) -> str:
    """The reason from the rejection form, or FormErrors saying what is wrong with it."""
    reason = values.get("reason", "")
    if not reason:
        raise FormErrors({"reason": "Say why, so the author can improve it."})
    if len(reason) > REASON_LIMIT:
        raise FormErrors({"reason": f"At most {REASON_LIMIT:,} characters, please."})
    return reason


def rejected(practice: Practice) -> str:
    """What the organiser who rejected a practice is told."""
    return f":no_entry_sign: Rejected *{blocks.escape(practice.title)}* (#{practice.id}); I told the author why."


def rejected_for_author(practice: Practice) -> str:
    """The direct message that tells the author their practice was not published, and the reason."""
    quoted = blocks.escape(practice.reject_reason).replace("\n", "\n>")
    return (
        f"Your practice *{blocks.escape(practice.title)}* (#{practice.id}) was not published. "
        f"The organiser's reason:\n>{quoted}\n"
        f"You can change it with `/practice edit {practice.id}` and it goes back for approval."
    )


# Evidence ---------------------------------------------------------------------------------------

FIGURE_ROWS = 15
BAR_WIDTH = 12


def _bar(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    return "█" * max(1, round(width * count / largest)) if largest else ""


def _table(title: str, rows: list[tuple[str, int]], label: Callable[[str], str] = blocks.escape) -> blocks.Block:
    largest = max(count for _, count in rows)
    lines = [f"`{_bar(count, largest):<12}` {count:>4}  {label(name) or '—'}" for name, count in rows[:FIGURE_ROWS]]
    if len(rows) > FIGURE_ROWS:
        lines.append(f"_and {len(rows) - FIGURE_ROWS} more_")
    return blocks.section(f"*{title}*\n" + "\n".join(lines))


def figures_message(figures: Figures) -> tuple[str, list[blocks.Block]]:
    """Counts of published practices by topic, kind, country and month, as bars."""
    if not figures.total:
        text = "No practice is published yet, so there is nothing to count. `/practice` shares the first."
        return text, [blocks.section(text)]
    heading = f"{figures.total} published practice{'s' if figures.total != 1 else ''}"
    return heading, [
        blocks.header(heading),
        _table("By topic", figures.by_topic),
        _table("By kind", figures.by_kind),
        _table("By country", figures.by_country, country_label),
        _table("By month (last 12)", figures.by_month[-12:], str),
        blocks.context("The chart of practices by topic and country is in your direct messages."),
    ]


# App Home ---------------------------------------------------------------------------------------


def home_section(
    newest: Sequence[Practice],
    useful: Mapping[int, int],
    *,
    waiting: Sequence[Practice] | None,
    waiting_count: int,
    moderation: bool,
) -> list[blocks.Block]:
    """The newest practices and the Share button; for organisers (`waiting` given), the moderation queue."""
    body: list[blocks.Block] = [
        blocks.header("Practices"),
        blocks.actions(blocks.button("Share a practice", SHARE, "new", style="primary"), block_id="practices-share"),
    ]
    if not newest:
        body.append(blocks.section("No practice is shared yet. Be the first: it takes a minute."))
    for practice in newest:
        body += entry(practice, useful.get(practice.id or 0, 0))
    body.append(blocks.context("`/practice list` for more · `/practice search &lt;words&gt;` · `/practice mine`"))
    if waiting is not None and (waiting or moderation):
        body.append(blocks.header(f"Waiting for approval ({waiting_count})"))
        if not waiting:
            body.append(blocks.section("Nothing waits for approval."))
        for practice in waiting:
            body += queue_entry(practice)
        if waiting_count > len(waiting):
            body.append(blocks.context(f"`/practice queue` shows all {waiting_count}."))
    return body
