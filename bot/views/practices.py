"""Block Kit for practices: the channel card, details, sharing and deleting, and App Home.

Pure functions: a practice (and its useful count) in, text and blocks out. Everything a person
wrote is escaped, so it shows as written and can never mention or ping anyone. The listeners find
every practice view here: lists and search are built in `practice_lists`, moderation in
`practice_moderation`, the pieces they share in `practice_parts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.language import i18n
from bot.language.i18n import N_, _, n_
from bot.views import blocks
from bot.views.practice_lists import PAGE, PAGE_NEWER, figures_message, filter_problem, page_message, search_message
from bot.views.practice_moderation import (
    REASON_LIMIT,
    REJECT_CALLBACK,
    approved_for_author,
    approved_for_moderator,
    queue_message,
    read_reason,
    reject_modal,
    rejected,
    rejected_for_author,
    waiting_for_organisers,
)
from bot.views.practice_parts import (
    APPROVE,
    DETAILS,
    REJECT,
    USEFUL,
    card_link,
    entry,
    facts,
    queue_entry,
    status_label,
    title_line,
    useful_button,
)
from store.models import Practice, PracticeStatus

# Every practice view the listeners and use cases ask for, wherever it is built.
__all__ = [
    "APPROVE",
    "CHANGE_REFUSAL",
    "DECIDED",
    "DELETE",
    "DELETE_CONFIRM",
    "DELETE_KEEP",
    "DETAILS",
    "EDIT",
    "GONE",
    "GONE_UNSAVED",
    "NOT_PUBLISHED",
    "PAGE",
    "PAGE_NEWER",
    "REASON_LIMIT",
    "REJECT",
    "REJECT_CALLBACK",
    "SHARE",
    "USEFUL",
    "approved_for_author",
    "approved_for_moderator",
    "ask_to_delete",
    "card",
    "deleted",
    "details",
    "details_modal",
    "figures_message",
    "filter_problem",
    "home_section",
    "page_message",
    "queue_message",
    "read_reason",
    "reject_modal",
    "rejected",
    "rejected_for_author",
    "saved_view",
    "search_message",
    "useful_answer",
    "waiting_for_organisers",
]

EDIT = "practice_edit"
DELETE = "practice_delete"
DELETE_CONFIRM = "practice_delete_confirm"
DELETE_KEEP = "practice_delete_keep"
SHARE = "practice_share"

# Answers kept as constants: said with _(CONSTANT) where they are used.
CHANGE_REFUSAL = N_(
    ":lock: Only the person who shared a practice, or an organiser, can change or delete it, so nothing was changed."
)
GONE = N_("That practice no longer exists.")
GONE_UNSAVED = N_("That practice no longer exists, so nothing was saved.")
DECIDED = N_("That practice was already decided, or is gone.")
NOT_PUBLISHED = N_("That practice is not published (any more).")


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


def details(
    practice: Practice, useful: int, *, can_change: bool, buttons: bool = True, marked: bool = False
) -> list[blocks.Block]:
    """One practice in full, with what the reader can do with it; `marked`: the reader marked it useful."""
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
    if marked and buttons:
        notes.append(_("you marked it useful: press *Useful* again to take your mark back"))
    body.append(blocks.context(" · ".join(notes)))
    if not buttons:
        return body
    row = [useful_button(practice, useful, marked=marked)] if practice.status == PracticeStatus.PUBLISHED else []
    if can_change:
        row.append(blocks.button(_("Edit"), EDIT, str(practice.id)))
        row.append(blocks.button(_("Delete"), DELETE, str(practice.id), style="danger"))
    if row:
        body.append(blocks.actions(*row, block_id=f"practice-{practice.id}-details"))
    return body


def details_modal(practice: Practice, useful: int) -> dict[str, Any]:
    """One practice in full, in a modal (from the moderation queue)."""
    body = details(practice, useful, can_change=False, buttons=False)
    return blocks.modal(_("Practice #{number}", number=practice.id), body, close=_("Close"))


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


LINK_SHOWN = 80  # characters of a link shown as its label


def saved_view(practice: Practice, *, edited: bool, channel: str) -> dict[str, Any]:
    """The modal shown once a practice is saved: what happens next."""
    body = [blocks.section(_saved_text(practice, edited=edited, channel=channel)), *entry(practice, 0)[:1]]
    if practice.link:
        shown = blocks.link(practice.link, blocks.clip(practice.link, LINK_SHOWN))
        body.append(blocks.context(_("Link: {link}", link=shown)))
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
