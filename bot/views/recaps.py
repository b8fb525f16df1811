"""The recap of a meeting: its form, its message in the card's thread, and the answers drawn from it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.language.i18n import N_, _
from bot.language.links import is_web_link, with_scheme
from bot.language.markup import has_control_characters
from bot.views import blocks
from bot.views.meeting_form import too_long
from bot.views.meetings import RECAP_SHOW, day_words, title_line
from store.after_models import Action, Recap
from store.models import Meeting
from store.recaps import RecapFields

OPEN = "meeting_recap_open"  # organisers: the form
SHOW = RECAP_SHOW  # anyone: the recap, privately, with a link to its message
FORM = "meeting_recap"
SUMMARY = "summary"
SLIDES = "slides_url"
RECORDING = "recording_url"
MINUTES = "minutes_url"
PRACTICES = "practices"
NEW_ACTIONS = 3  # rows for actions agreed, in each opening of the form
ACTION_TITLE = "action_{n}_title"
ACTION_OWNER = "action_{n}_owner"
ACTION_DUE = "action_{n}_due"
SUMMARY_LIMIT = 3000
TITLE_LIMIT = 200
URL_LIMIT = 2000
PRACTICE_OPTIONS = 100
LINKS = (
    (SLIDES, N_("Slides")),
    (RECORDING, N_("Recording")),
    (MINUTES, N_("Minutes")),
)
NOT_IN_WORKSPACE = N_("This person is not in this Slack workspace: choose an owner from the list.")
LINK_HINT = N_("A web address starting with https:// (or http://); leave empty if there is none.")
NOT_A_LINK = N_("This must be a web address starting with https:// (or http://), such as https://example.org/slides.")


@dataclass(frozen=True)
class AgreedAction:
    """An action written in the recap's form."""

    title: str
    owner: str
    due: date | None


@dataclass(frozen=True)
class RecapAnswer:
    """The form's answer: the recap's fields and the new actions."""

    fields: RecapFields
    actions: tuple[AgreedAction, ...]


def form(
    meeting: Meeting,
    recap: Recap | None,
    practices: Sequence[tuple[int, str]],
    actions: Sequence[Action],
) -> dict[str, Any]:
    """The recap's form, filled in with the recap written before; new actions below the ones agreed already."""
    body: list[blocks.Block] = [
        blocks.section(
            _(
                "The recap of {title} ({day}) is posted in the thread of its card, and members find it in "
                "`/meetings {number}` and by asking.",
                title=title_line(meeting),
                day=day_words(meeting.starts_at.date(), "long"),
                number=meeting.id,
            )
        ),
        blocks.text_input(
            SUMMARY,
            _("Summary"),
            _("What was shared and decided, in a few lines."),
            False,
            SUMMARY_LIMIT,
            True,
            recap.summary if recap else "",
        ),
    ]
    for block_id, label in LINKS:
        initial = str(getattr(recap, block_id)) if recap else ""
        body.append(blocks.text_input(block_id, _(label), _(LINK_HINT), False, URL_LIMIT, False, initial))
    options = [blocks.option(f"#{number} {title}", str(number)) for number, title in practices[:PRACTICE_OPTIONS]]
    if options:
        element: blocks.Block = {"type": "multi_static_select", "action_id": "value", "options": options}
        chosen = [o for o in options if recap and int(o["value"]) in recap.practice_ids]
        if chosen:
            element["initial_options"] = chosen
        hint = _("Chosen from the practice library; the newest are listed.")
        body.append(blocks.input_block(PRACTICES, _("Practices presented"), element, optional=True, hint=hint))
    if actions:
        agreed = "\n".join(f"• {action_line(a)}" for a in actions)
        body.append(blocks.section(blocks.clip(_("*Actions agreed so far*\n{actions}", actions=agreed), 2900)))
    body.append(blocks.header(_("New actions agreed")))
    for n in range(1, NEW_ACTIONS + 1):
        body.append(
            blocks.text_input(
                ACTION_TITLE.format(n=n),
                _("Action {number}", number=n),
                _("What is to be done."),
                False,
                200,
                False,
                "",
            )
        )
        owner: blocks.Block = {"type": "users_select", "action_id": "value"}
        body.append(blocks.input_block(ACTION_OWNER.format(n=n), _("Owner"), owner, optional=True))
        due: blocks.Block = {"type": "datepicker", "action_id": "value"}
        body.append(blocks.input_block(ACTION_DUE.format(n=n), _("Due"), due, optional=True))
    return blocks.modal(
        _("Recap"),
        body,
        callback_id=FORM,
        submit=_("Save and post"),
        close=_("Cancel"),
        private_metadata=json.dumps({"meeting_id": meeting.id}),
    )


def action_line(action: Action) -> str:
    """An action in one line: its number, title, owner and due date."""
    title = blocks.escape(action.title)
    if action.due_on is not None:
        return _(
            "#{number} {title}: <@{owner}>, due {day}",
            number=action.id,
            title=title,
            owner=action.owner_id,
            day=day_words(action.due_on, "date"),
        )
    return _("#{number} {title}: <@{owner}>", number=action.id, title=title, owner=action.owner_id)


def read(state: dict[str, Any], *, today: date, known_practices: set[int]) -> RecapAnswer | dict[str, str]:
    """The recap's fields and new actions as the form gives them, or each field's problem."""
    values = state.get("values") or {}

    def element(block_id: str) -> dict[str, Any]:
        return dict((values.get(block_id) or {}).get("value") or {})

    def text(block_id: str) -> str:
        return str(element(block_id).get("value") or "").strip()

    errors: dict[str, str] = {}
    summary = text(SUMMARY)
    if len(summary) > SUMMARY_LIMIT:
        errors[SUMMARY] = too_long(SUMMARY_LIMIT, len(summary))
    links: dict[str, str] = {}
    for block_id, _label in LINKS:
        link = with_scheme(text(block_id))
        if link and not is_web_link(link):
            errors[block_id] = _(NOT_A_LINK)
        links[block_id] = link
    chosen = [str(o.get("value") or "") for o in element(PRACTICES).get("selected_options") or []]
    practices = tuple(int(v) for v in chosen if v.isdigit() and int(v) in known_practices)
    if len(practices) != len(chosen):
        errors[PRACTICES] = _("Choose the practices from the list; one of those chosen is no longer in the library.")
    actions = []
    for n in range(1, NEW_ACTIONS + 1):
        title, owner = text(ACTION_TITLE.format(n=n)), str(element(ACTION_OWNER.format(n=n)).get("selected_user") or "")
        picked = str(element(ACTION_DUE.format(n=n)).get("selected_date") or "")
        due = _day(picked)
        if not title and not owner and not picked:
            continue
        if not title:
            errors[ACTION_TITLE.format(n=n)] = _("Say what the action is, or clear its owner and due date.")
        elif len(title) > TITLE_LIMIT:
            errors[ACTION_TITLE.format(n=n)] = too_long(TITLE_LIMIT, len(title))
        if not owner:
            errors[ACTION_OWNER.format(n=n)] = _("Choose who owns this action: a person of this workspace.")
        if picked and due is None:
            errors[ACTION_DUE.format(n=n)] = _("Pick the due date in the calendar.")
        elif due is not None and due < today:
            errors[ACTION_DUE.format(n=n)] = _(
                "The due date has passed: choose today or a later day, or leave it empty.",
            )
        actions.append(AgreedAction(title=title, owner=owner, due=due))
    for block_id in (SUMMARY, *(b for b, _l in LINKS), *(ACTION_TITLE.format(n=n) for n in range(1, NEW_ACTIONS + 1))):
        if block_id not in errors and has_control_characters(text(block_id)):
            errors[block_id] = _("This field holds an invisible control character: type it again, then save.")
    if errors:
        return errors
    fields = RecapFields(
        summary=summary,
        slides_url=links[SLIDES],
        recording_url=links[RECORDING],
        minutes_url=links[MINUTES],
        practices=practices,
    )
    return RecapAnswer(fields=fields, actions=tuple(actions))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def recap_lines(recap: Recap, practices: Sequence[tuple[int, str]], actions: Sequence[Action]) -> list[str]:
    """The recap's parts as lines of text: the summary, the links, the practices presented, the actions."""
    lines = []
    if recap.summary:
        lines.append(blocks.escape(blocks.clip(recap.summary, 1500)))
    links = [
        blocks.link(str(getattr(recap, block_id)), _(label)) for block_id, label in LINKS if getattr(recap, block_id)
    ]
    if links:
        lines.append(" · ".join(links))
    if practices:
        shown = ", ".join(f"#{n} {blocks.escape(title)}" for n, title in practices)
        lines.append(_("*Practices presented*: {practices}", practices=shown))
    if actions:
        lines.append(_("*Actions agreed*\n{actions}", actions="\n".join(f"• {action_line(a)}" for a in actions)))
    return lines


def message(
    meeting: Meeting, recap: Recap, practices: Sequence[tuple[int, str]], actions: Sequence[Action]
) -> dict[str, Any]:
    """The recap's message in the card's thread."""
    heading = _("Recap of {title}", title=title_line(meeting))
    text = "\n".join([heading, *recap_lines(recap, practices, actions)])
    return blocks.message(heading, [blocks.section(blocks.clip(text, 2900))])


def recap_section(recap: Recap | None, practices: Sequence[tuple[int, str]], actions: Sequence[Action]) -> list[str]:
    """The recap as lines under a heading, for `/meetings <number>`; nothing without one."""
    if recap is None:
        return []
    return [_("*Recap*"), *recap_lines(recap, practices, actions)]


def saved_text(meeting: Meeting, *, new: bool, actions: int, where: str) -> str:
    """What the form says once the recap is saved."""
    if where:
        posted = _("It is being posted in the thread of the card in {channel}.", channel=where)
    else:
        posted = _("The meeting has no card in a channel, so it is kept here and in `/meetings {n}`.", n=meeting.id)
    said = (
        _("Recap of {title} saved.", title=title_line(meeting))
        if new
        else _("Recap of {title} updated.", title=title_line(meeting))
    )
    if actions:
        return f"{said} {posted} " + _("New actions: {count}; their owners are told.", count=actions)
    return f"{said} {posted}"


def ask_answer(meeting: Meeting, recap: Recap | None, part: str) -> dict[str, Any]:
    """The answer to "where are the slides from Essen?", "was the call recorded?": from the recap, or that none
    has been posted. `part` is "slides", "recording", "minutes", or "" for the whole recap."""
    title = title_line(meeting)
    wanted = {"slides": SLIDES, "recording": RECORDING, "minutes": MINUTES}.get(part, "")
    if recap is None:
        return blocks.notice(
            _("No recap of {title} has been posted, so I have no slides, recording or minutes of it.", title=title)
        )
    link = str(getattr(recap, wanted, "") or "") if wanted else ""
    if wanted == RECORDING:
        text = (
            _("Yes: {title} was recorded. {link}", title=title, link=blocks.link(link, _("Recording")))
            if link
            else _("No recording of {title} was posted with its recap.", title=title)
        )
    elif wanted == SLIDES:
        text = (
            _("The slides of {title}: {link}", title=title, link=blocks.link(link, _("Slides")))
            if link
            else _("No slides of {title} were posted with its recap.", title=title)
        )
    elif wanted == MINUTES:
        text = (
            _("The minutes of {title}: {link}", title=title, link=blocks.link(link, _("Minutes")))
            if link
            else _("No minutes of {title} were posted with its recap.", title=title)
        )
    else:
        text = _("Recap of {title}", title=title)
    lines = [text, *recap_lines(recap, (), ())] if wanted == "" else [text]
    return blocks.notice("\n".join(lines))
