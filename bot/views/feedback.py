"""Feedback on a meeting: the request by direct message, the thanks, the comment's form, and the results."""

from __future__ import annotations

import json
from typing import Any

from bot.language import i18n
from bot.language.i18n import _, n_
from bot.views import blocks
from bot.views.meetings import title_line, when_plain
from store.feedback import RATINGS, Results
from store.models import Meeting

RATE = "feedback_rate"  # a rating button's action is this and its rating ("feedback_rate_4"); its value "<meeting>:4"
OPEN_COMMENT = "feedback_comment_open"
COMMENT_FORM = "feedback_comment"
COMMENT = "comment"
COMMENT_LIMIT = 3000  # Slack's longest plain-text input
STARS = {1: "1 ★", 2: "2 ★★", 3: "3 ★★★", 4: "4 ★★★★", 5: "5 ★★★★★"}


def request(meeting: Meeting) -> dict[str, Any]:
    """The direct message asking for a rating from 1 to 5."""
    text = _(
        "How was {title} ({when})? Rate it from 1 (poor) to 5 (excellent):",
        title=title_line(meeting),
        when=when_plain(meeting),
    )
    buttons = [blocks.button(STARS[n], rate_action(n), f"{meeting.id}:{n}") for n in RATINGS]
    return blocks.message(
        text,
        [
            blocks.section(text),
            blocks.actions(*buttons, block_id=f"feedback-{meeting.id}"),
            blocks.context(_("The organisers see the ratings and comments, not who gave them. You are asked once.")),
        ],
    )


def rate_action(rating: int) -> str:
    """The action of one rating's button (a block's buttons each have their own)."""
    return f"{RATE}_{rating}"


def thanked(meeting: Meeting, rating: int, *, new: bool, commented: bool) -> dict[str, Any]:
    """The request replaced by the rating given, and a button to add a comment while there is none."""
    values = {"title": title_line(meeting), "rating": rating}
    text = (
        _("Thank you: you rated {title} {rating} out of 5.", **values)
        if new
        else _("You rated {title} {rating} out of 5 already; a rating is given once.", **values)
    )
    body: list[blocks.Block] = [blocks.section(text)]
    if not commented:
        body.append(blocks.actions(blocks.button(_("Add a comment"), OPEN_COMMENT, str(meeting.id))))
    return blocks.message(text, body)


def comment_form(meeting: Meeting) -> dict[str, Any]:
    """The form for a comment beside one's rating."""
    return blocks.modal(
        _("Your comment"),
        [
            blocks.section(_("What worked at {title}, and what would you change?", title=title_line(meeting))),
            blocks.text_input(
                COMMENT,
                _("Comment"),
                _("At most {limit} characters; sent once.", limit=i18n.format_number(COMMENT_LIMIT)),
                True,
                COMMENT_LIMIT,
                True,
                "",
            ),
        ],
        callback_id=COMMENT_FORM,
        submit=_("Send"),
        close=_("Cancel"),
        private_metadata=json.dumps({"meeting_id": meeting.id}),
    )


def results_message(meeting: Meeting, results: Results) -> tuple[str, list[blocks.Block]]:
    """The organisers' view of a meeting's feedback: each rating's count, the average, the comments."""
    if not results.total:
        text = _("Nobody has rated {title} yet.", title=title_line(meeting))
        return text, [blocks.section(text)]
    average = i18n.format_number(round(results.average or 0, 1))
    heading = n_(
        "Feedback on {title}: {count} rating, average {average} out of 5",
        "Feedback on {title}: {count} ratings, average {average} out of 5",
        results.total,
        title=title_line(meeting),
        average=average,
    )
    largest = max(results.counts.values())
    bars = [
        f"`{STARS[n]:<7}` {'█' * round(12 * results.counts[n] / largest) if results.counts[n] else ''} "
        f"{i18n.format_number(results.counts[n])}"
        for n in sorted(RATINGS, reverse=True)
    ]
    body: list[blocks.Block] = [blocks.section(heading), blocks.section("\n".join(bars))]
    if results.comments:
        quoted = "\n".join(f"> {blocks.escape(blocks.clip(c, 500))}" for c in results.comments[:20])
        body.append(blocks.section(blocks.clip(_("*Comments*\n{comments}", comments=quoted), 2900)))
    return heading, body
