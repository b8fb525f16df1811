"""Block Kit for moderating practices: the queue, approving and rejecting, and what organisers and authors are told.

Pure functions: a practice in, text and blocks out; the rejection form's answer read back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.language.i18n import _, n_
from bot.views import blocks
from bot.views.forms import FormErrors
from bot.views.practice_parts import facts, queue_entry, title_line
from store.models import Practice

REJECT_CALLBACK = "practice_reject_reason"
REASON_LIMIT = 1000


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
        blocks.input_block("reason", _("Why (the author reads it)"), reason),
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
