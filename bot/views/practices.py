"""Block Kit for practices: the channel card, list entries, details and the moderation queue.

Pure functions: a practice (and its useful count) in, text and blocks out. Everything a person
wrote is escaped, so it shows as written and can never mention or ping anyone.
"""

from __future__ import annotations

from bot.language.countries import country_name
from bot.views import blocks
from store.models import Practice, PracticeStatus
from store.practices import MATCH_END, MATCH_START

USEFUL = "practice_useful"
EDIT = "practice_edit"
DELETE = "practice_delete"
DELETE_CONFIRM = "practice_delete_confirm"
DELETE_KEEP = "practice_delete_keep"
APPROVE = "practice_approve"
REJECT = "practice_reject"
SHARE = "practice_share"
PAGE = "practice_page"
DETAILS = "practice_details"

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


def card(practice: Practice, useful: int) -> dict[str, object]:
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
