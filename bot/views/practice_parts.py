"""The pieces every practice view is built from: the facts line, a practice in a list and in the queue.

Pure functions: a practice (and its useful count) in, text and blocks out. Everything a person
wrote is escaped, so it shows as written and can never mention or ping anyone.
"""

from __future__ import annotations

from bot.language.countries import country_name
from bot.language.i18n import N_, _
from bot.views import blocks
from store.models import Practice, PracticeStatus
from store.practices import MATCH_END, MATCH_START

USEFUL = "practice_useful"
APPROVE = "practice_approve"
REJECT = "practice_reject"
DETAILS = "practice_details"

ENTRY_SUMMARY_LIMIT = 280
STATUS_LABELS = {
    PracticeStatus.PENDING: N_(":hourglass_flowing_sand: waiting for an organiser's approval"),
    PracticeStatus.REJECTED: N_(":no_entry_sign: not published"),
}


def status_label(practice: Practice) -> str:
    """Why a practice is not in the channel (waiting, or not published), in the reader's language."""
    return _(STATUS_LABELS[PracticeStatus(practice.status)])


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


def useful_button(practice: Practice, count: int, *, marked: bool = False) -> blocks.Block:
    """The Useful button, showing how many found it useful, and to one reader whether they are among them."""
    if marked:
        return blocks.button(_(":bulb: Useful · {count} · yours", count=count), USEFUL, str(practice.id))
    return blocks.button(_(":bulb: Useful · {count}", count=count), USEFUL, str(practice.id))


def card_link(practice: Practice) -> str:
    """The address of the practice's card in the channel, or "" when it has none."""
    if not practice.card_channel or not practice.card_ts:
        return ""
    return f"https://slack.com/archives/{practice.card_channel}/p{practice.card_ts.replace('.', '')}"


def entry(practice: Practice, useful: int, *, snippet: str = "") -> list[blocks.Block]:
    """A practice in a list: title, facts, the matching passage or the start of the summary."""
    excerpt = highlight(snippet) if snippet else blocks.escape(blocks.clip(practice.summary, ENTRY_SUMMARY_LIMIT))
    text = f"{title_line(practice)}\n{facts(practice)}\n{excerpt}"
    notes = [f"`/practice {practice.id}`", f":bulb: {useful}"]
    if practice.status != PracticeStatus.PUBLISHED:
        notes.insert(0, status_label(practice))
    elif link := card_link(practice):
        notes.append(_("<{link}|discussion>", link=link))
    return [blocks.section(text), blocks.context(" · ".join(notes))]


def queue_entry(practice: Practice) -> list[blocks.Block]:
    """A practice waiting for an organiser, with Approve and Reject."""
    summary = blocks.escape(blocks.clip(practice.summary, ENTRY_SUMMARY_LIMIT))
    shared_by = _("_Shared by <@{author}>_", author=practice.author)
    text = f"{title_line(practice)}\n{facts(practice)}\n{summary}\n{shared_by}"
    return [
        blocks.section(text),
        blocks.actions(
            blocks.button(_("Approve"), APPROVE, str(practice.id), style="primary"),
            blocks.button(_("Reject…"), REJECT, str(practice.id)),
            blocks.button(_("Details"), DETAILS, str(practice.id)),
            block_id=f"practice-{practice.id}-moderate",
        ),
    ]


def highlight(snippet: str) -> str:
    """A search snippet for mrkdwn: escaped, with the words found in bold."""
    text = blocks.escape(" ".join(snippet.split()))
    return text.replace(MATCH_START, "*").replace(MATCH_END, "*")
