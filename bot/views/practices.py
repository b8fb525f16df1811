"""Block Kit for practices: the channel card, lists, search, details, moderation, figures and App Home.

Pure functions: a practice (and its useful count) in, text and blocks out. Everything a person
wrote is escaped, so it shows as written and can never mention or ping anyone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.config import Settings
from bot.language import i18n
from bot.language.countries import country_name
from bot.language.i18n import N_, _, n_
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

# Answers kept as constants: said with _(CONSTANT) where they are used.
CHANGE_REFUSAL = N_(
    ":lock: Only the person who shared a practice, or an organiser, can change or delete it, so nothing was changed."
)
GONE = N_("That practice no longer exists.")
GONE_UNSAVED = N_("That practice no longer exists, so nothing was saved.")
DECIDED = N_("That practice was already decided, or is gone.")
NOT_PUBLISHED = N_("That practice is not published (any more).")

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


def useful_button(practice: Practice, count: int) -> blocks.Block:
    """The Useful button, showing how many found it useful."""
    return blocks.button(_(":bulb: Useful · {count}", count=count), USEFUL, str(practice.id))


def card_link(practice: Practice) -> str:
    """The address of the practice's card in the channel, or "" when it has none."""
    if not practice.card_channel or not practice.card_ts:
        return ""
    return f"https://slack.com/archives/{practice.card_channel}/p{practice.card_ts.replace('.', '')}"


def _body(practice: Practice) -> list[blocks.Block]:
    body = [blocks.section(blocks.escape(practice.summary))]
    if practice.evidence:
        evidence = blocks.escape(practice.evidence)
        body.append(blocks.section(_("*What happened, and the evidence*\n{evidence}", evidence=evidence)))
    if practice.link:
        body.append(blocks.section(f":link: {blocks.link(practice.link, blocks.clip(practice.link, 80))}"))
    return body


def card(practice: Practice, useful: int) -> dict[str, Any]:
    """The message posted to the group channel: the whole practice, its Useful button, and where to discuss."""
    head = blocks.section(f"{title_line(practice)}\n{facts(practice)}")
    footer = blocks.context(
        _(
            "Shared by <@{author}> · discuss it in this thread · `/practice {number}`",
            author=practice.author,
            number=practice.id,
        )
    )
    title, kind = blocks.escape(practice.title), blocks.escape(practice.kind)
    fallback = _("New practice: {title} ({kind})", title=title, kind=kind)
    actions = blocks.actions(useful_button(practice, useful), block_id=f"practice-{practice.id}")
    return blocks.message(fallback, [head, *_body(practice), footer, actions])


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


def details(practice: Practice, useful: int, *, can_change: bool, buttons: bool = True) -> list[blocks.Block]:
    """One practice in full, with what the reader can do with it."""
    body = [blocks.section(f"{title_line(practice)}\n{facts(practice)}"), *_body(practice)]
    shared_on = i18n.format_day(practice.created_at, "dd MMM y")
    notes = [
        _("Shared by <@{author}>", author=practice.author),
        f"<!date^{int(practice.created_at.timestamp())}^{{date_short}}|{shared_on}>",
    ]
    if practice.status == PracticeStatus.PUBLISHED and (link := card_link(practice)):
        notes.append(_("<{link}|discussion in the channel>", link=link))
    if practice.status != PracticeStatus.PUBLISHED:
        notes.append(status_label(practice))
    if practice.status == PracticeStatus.REJECTED and practice.reject_reason:
        notes.append(_("reason: {reason}", reason=blocks.escape(practice.reject_reason)))
    body.append(blocks.context(" · ".join(notes)))
    if not buttons:
        return body
    row = [useful_button(practice, useful)] if practice.status == PracticeStatus.PUBLISHED else []
    if can_change:
        row.append(blocks.button(_("Edit"), EDIT, str(practice.id)))
        row.append(blocks.button(_("Delete"), DELETE, str(practice.id), style="danger"))
    if row:
        body.append(blocks.actions(*row, block_id=f"practice-{practice.id}-details"))
    return body


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


# Sharing and deleting ---------------------------------------------------------------------------


def _saved_text(practice: Practice, *, edited: bool, channel: str) -> str:
    """What happens next to a practice just saved: approval, its card, or where to find it."""
    title, number = blocks.escape(practice.title), practice.id
    if practice.status == PracticeStatus.PENDING:
        return _(
            ":hourglass_flowing_sand: Thank you! *{title}* (#{number}) waits for an organiser's approval; "
            "I'll tell you in a direct message when it is posted.",
            title=title,
            number=number,
        )
    if edited and practice.card_ts:
        return _(
            ":white_check_mark: Changes saved: *{title}* (#{number}). Its card in the channel is updated.",
            title=title,
            number=number,
        )
    if edited:
        return _(":white_check_mark: Changes saved: *{title}* (#{number}).", title=title, number=number)
    if channel:
        return _(
            ":white_check_mark: Thank you! *{title}* (#{number}) is shared in <#{channel}>; "
            "people discuss it in its thread.",
            title=title,
            number=number,
            channel=channel,
        )
    return _(
        ":white_check_mark: Thank you! *{title}* (#{number}) is saved; `/practice {number}` shows it.",
        title=title,
        number=number,
    )


def saved_view(practice: Practice, *, edited: bool, channel: str) -> dict[str, Any]:
    """The modal shown once a practice is saved: what happens next."""
    body = [blocks.section(_saved_text(practice, edited=edited, channel=channel)), *entry(practice, 0)[:1]]
    return blocks.modal(_("Practice saved") if edited else _("Practice shared"), body, close=_("Done"))


def ask_to_delete(practice: Practice) -> tuple[str, list[blocks.Block]]:
    """The question before a practice is deleted, with Delete it (confirmed once more) and Keep it."""
    title = blocks.escape(practice.title)
    text = _(
        "Delete *{title}* (#{number})? Its card leaves the group channel and its useful-marks go with it. "
        "This can't be undone.",
        title=title,
        number=practice.id,
    )
    sure = blocks.confirm(
        _("Delete this practice?"),
        _("“{title}” will be deleted for everyone.", title=practice.title),
        yes=_("Delete"),
        no=_("Keep it"),
        danger=True,
    )
    delete_it = blocks.button(_("Delete it"), DELETE_CONFIRM, str(practice.id), style="danger", confirm=sure)
    keep_it = blocks.button(_("Keep it"), DELETE_KEEP, str(practice.id))
    question = [blocks.section(text), blocks.actions(delete_it, keep_it, block_id="practice-delete")]
    return _("Delete {title}?", title=title), question


def deleted(practice: Practice) -> str:
    """What the person who deleted a practice is told."""
    return _(":wastebasket: Deleted *{title}* (#{number}).", title=blocks.escape(practice.title), number=practice.id)


def useful_answer(practice: Practice, *, marked: bool, count: int) -> str:
    """What someone who pressed Useful away from the card is told."""
    title = blocks.escape(practice.title)
    if marked:
        return _(":bulb: You marked *{title}* useful ({count} so far).", title=title, count=count)
    return _("You took back your useful-mark on *{title}* ({count} now).", title=title, count=count)


# Finding practices ------------------------------------------------------------------------------


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


def search_message(result: SearchResult, useful: Mapping[int, int]) -> tuple[str, list[blocks.Block]]:
    """What a search found, best first, each with the passage that matched."""
    if not result.words:
        text = _("Search for what? Give some words, e.g. `/practice search digital skills`.")
        return text, [blocks.section(text)]
    words = blocks.escape(" ".join(result.words))
    if not result.hits:
        text = _(
            "No practice matches *{words}*. Try fewer or other words, or browse with `/practice list`.", words=words
        )
        return text, [blocks.section(text)]
    if result.every_word:
        heading = _("Practices matching *{words}*, best first", words=words)
    else:
        heading = _("No practice has all of *{words}*; these have some of them, best first", words=words)
    body: list[blocks.Block] = [blocks.section(heading)]
    for hit in result.hits:
        body += entry(hit.practice, useful.get(hit.practice.id or 0, 0), snippet=hit.snippet)
    return heading, body


def details_modal(practice: Practice, useful: int) -> dict[str, Any]:
    """One practice in full, in a modal (from the moderation queue)."""
    body = details(practice, useful, can_change=False, buttons=False)
    return blocks.modal(_("Practice #{number}", number=practice.id), body, close=_("Close"))


# Moderation -----------------------------------------------------------------------------------


def queue_message(waiting: Sequence[Practice], count: int, *, moderation: bool) -> tuple[str, list[blocks.Block]]:
    """The practices waiting for approval, oldest first, with Approve and Reject."""
    if not waiting:
        if moderation:
            text = _("No practice is waiting for approval. Moderation is on.")
        else:
            text = _(
                "No practice is waiting for approval. "
                "Moderation is off (PRACTICE_MODERATION), so practices are posted at once."
            )
        return text, [blocks.section(text)]
    heading = n_(
        "{count} practice waiting for approval, oldest first",
        "{count} practices waiting for approval, oldest first",
        count,
    )
    body: list[blocks.Block] = [blocks.section(f"*{heading}*")]
    for practice in waiting:
        body += queue_entry(practice)
    return heading, body


def waiting_for_organisers(practice: Practice) -> tuple[str, list[blocks.Block]]:
    """The direct message that tells an organiser a practice waits, with the buttons to decide."""
    text = _(
        ":inbox_tray: A new practice waits for approval: *{title}* (#{number}).",
        title=blocks.escape(practice.title),
        number=practice.id,
    )
    return text, [blocks.section(text), *queue_entry(practice)]


def approved_for_author(practice: Practice, posted_in: str) -> str:
    """The direct message that tells the author their practice was approved (and where it is posted)."""
    title = blocks.escape(practice.title)
    if posted_in:
        return _(
            ":tada: Your practice *{title}* (#{number}) was approved and posted in <#{channel}>. "
            "Thank you for sharing it!",
            title=title,
            number=practice.id,
            channel=posted_in,
        )
    return _(
        ":tada: Your practice *{title}* (#{number}) was approved. Thank you for sharing it!",
        title=title,
        number=practice.id,
    )


def approved_for_moderator(practice: Practice, posted_in: str) -> str:
    """What the organiser who approved a practice is told."""
    title = blocks.escape(practice.title)
    if posted_in:
        return _(
            ":white_check_mark: Approved *{title}* (#{number}) and posted in <#{channel}>.",
            title=title,
            number=practice.id,
            channel=posted_in,
        )
    return _(":white_check_mark: Approved *{title}* (#{number}).", title=title, number=practice.id)


def reject_modal(practice: Practice, *, from_home: bool) -> dict[str, Any]:
    """The form asking an organiser why a practice is rejected; the author reads the reason."""
    reason = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": REASON_LIMIT}
    body = [
        blocks.section(f"{title_line(practice)}\n{facts(practice)}"),
        blocks.input_block("reason", _("Why? The author reads this."), reason),
    ]
    return blocks.modal(
        _("Reject practice"),
        body,
        callback_id=REJECT_CALLBACK,
        submit=_("Reject"),
        close=_("Cancel"),
        private_metadata=json.dumps({"practice_id": practice.id, "home": from_home}),
    )


def read_reason(values: Mapping[str, str]) -> str:
    """The reason from the rejection form, or FormErrors saying what is wrong with it."""
    reason = values.get("reason", "")
    if not reason:
        raise FormErrors({"reason": _("Say why, so the author can improve it.")})
    if len(reason) > REASON_LIMIT:
        limit = n_("At most {count} character, please.", "At most {count} characters, please.", REASON_LIMIT)
        raise FormErrors({"reason": limit})
    return reason


def rejected(practice: Practice) -> str:
    """What the organiser who rejected a practice is told."""
    return _(
        ":no_entry_sign: Rejected *{title}* (#{number}); I told the author why.",
        title=blocks.escape(practice.title),
        number=practice.id,
    )


def rejected_for_author(practice: Practice) -> str:
    """The direct message that tells the author their practice was not published, and the reason."""
    return _(
        "Your practice *{title}* (#{number}) was not published. The organiser's reason:\n>{reason}\n"
        "You can change it with `/practice edit {number}` and it goes back for approval.",
        title=blocks.escape(practice.title),
        number=practice.id,
        reason=blocks.escape(practice.reject_reason).replace("\n", "\n>"),
    )


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
    share = blocks.button(_("Share a practice"), SHARE, "new", style="primary")
    body: list[blocks.Block] = [blocks.header(_("Practices")), blocks.actions(share, block_id="practices-share")]
    if not newest:
        body.append(blocks.section(_("No practice is shared yet. Be the first: it takes a minute.")))
    for practice in newest:
        body += entry(practice, useful.get(practice.id or 0, 0))
    body.append(blocks.context(_("`/practice list` for more · `/practice search &lt;words&gt;` · `/practice mine`")))
    if waiting is not None and (waiting or moderation):
        body.append(blocks.header(_("Waiting for approval ({count})", count=waiting_count)))
        if not waiting:
            body.append(blocks.section(_("Nothing waits for approval.")))
        for practice in waiting:
            body += queue_entry(practice)
        if waiting_count > len(waiting):
            every = n_("`/practice queue` shows all {count}.", "`/practice queue` shows all {count}.", waiting_count)
            body.append(blocks.context(every))
    return body
