"""The practice form: the modal members fill, and the checks every practice passes before it is saved.

Every field comes from its one declaration (`store.practices.FIELDS`): its label, hint, limit,
whether it is needed, whether it is a menu of the group's choices, and how its text is read.
The store declares the labels and hints in English; the form says them in the reader's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.config import Settings
from bot.language import markup
from bot.language.countries import country_name
from bot.language.i18n import N_, _, format_number, n_
from bot.language.links import is_web_link, with_scheme
from bot.language.places import country_code
from bot.views import blocks
from bot.views.forms import FormErrors
from store.models import Practice
from store.practices import FIELDS as PRACTICE_FIELDS
from store.practices import TEXT_LIMIT, TITLE_LIMIT, URL_LIMIT, PracticeDraft, PracticeField

CALLBACK_ID = "practice_form"

# The text inputs as (block id, label, hint, required, max length, multiline); the menus are the other fields.
FIELDS: tuple[tuple[str, str, str, bool, int, bool], ...] = tuple(
    (spec.name, spec.label, spec.hint, spec.required, spec.limit, spec.multiline)
    for spec in PRACTICE_FIELDS
    if not spec.choices
)
# The store's labels and hints (in the order of its FIELDS), marked for the catalogs; `said` translates them.
DECLARED_WORDS = (
    N_("Title"),
    N_("A short name, e.g. Digital skills academy for cluster SMEs"),
    N_("Kind"),
    N_("Topic"),
    N_("Organisation or cluster"),
    N_("Who ran it, e.g. Basque ICT cluster"),
    N_("Country"),
    N_("A name or code, e.g. Spain or ES"),
    N_("Summary"),
    N_("What it is and why it matters, in a few sentences"),
    N_("What happened, and the evidence"),
    N_("Results and figures: firms reached, money, time saved"),
    N_("Link"),
    N_("An https:// link to read more (optional)"),
)
# What a menu's placeholder and its refusal say, by the setting that lists its choices.
MENU_WORDS = {
    "practice_kinds": (N_("Choose a kind"), N_("Choose one of the group's kinds from the list.")),
    "practice_topics": (N_("Choose a topic"), N_("Choose one of the group's topics from the list.")),
}

__all__ = [
    "CALLBACK_ID",
    "TEXT_LIMIT",
    "TITLE_LIMIT",
    "initial_values",
    "modal",
    "parse_form",
    "prefill_from_message",
    "values_of",
]


def choices(spec: PracticeField, settings: Settings) -> tuple[str, ...]:
    """The group's choices for a menu field (its kinds or its topics); none for a typed field."""
    return tuple(getattr(settings, spec.choices)) if spec.choices else ()


def initial_values(draft: PracticeDraft | None) -> dict[str, str]:
    """What the form shows first: the practice when editing, nothing when sharing a new one."""
    if draft is None:
        return {}
    values = draft.values()
    for spec in PRACTICE_FIELDS:
        if spec.reads == "country":
            values[spec.name] = country_name(values[spec.name]) if values[spec.name] else ""
    return values


def values_of(practice: Practice) -> dict[str, str]:
    """What the form shows first when a stored practice is edited."""
    return initial_values(PracticeDraft.of(practice))


def said(declared: str) -> str:
    """A label or hint the store declares, in the reader's language ("" stays "")."""
    return _(declared) if declared else ""


def labels() -> dict[str, str]:
    """Each field's label in the reader's language, by its block id."""
    return {spec.name: said(spec.label) for spec in PRACTICE_FIELDS}


def _input(spec: PracticeField, settings: Settings, initial: str) -> blocks.Block:
    label, hint = said(spec.label), said(spec.hint)
    if not spec.choices:
        return blocks.text_input(spec.name, label, hint, spec.required, spec.limit, spec.multiline, initial=initial)
    options = [blocks.option(choice, choice) for choice in choices(spec, settings)]
    menu = blocks.static_select(options, placeholder=_(MENU_WORDS[spec.choices][0]), initial=initial)
    return blocks.input_block(spec.name, label, menu, optional=not spec.required, hint=hint)


def modal(
    initial: Mapping[str, str], settings: Settings, *, practice_id: int | None, reply_to: str = ""
) -> dict[str, Any]:
    """The practice modal, filled with `initial`; private metadata says which practice it edits."""
    return blocks.modal(
        _("Edit practice") if practice_id else _("Share a practice"),
        [_input(spec, settings, initial.get(spec.name, "")) for spec in PRACTICE_FIELDS],
        callback_id=CALLBACK_ID,
        submit=_("Save") if practice_id else _("Share"),
        close=_("Cancel"),
        private_metadata=json.dumps({"practice_id": practice_id, "reply_to": reply_to}),
    )


def _problem(spec: PracticeField, text: str, settings: Settings) -> str:
    """What is wrong with one field's value, or "" when nothing is."""
    if spec.choices:
        return "" if text in choices(spec, settings) else _(MENU_WORDS[spec.choices][1])
    if spec.required and not text.strip():
        return _("{field} is needed.", field=said(spec.label))
    if len(text) > spec.limit:
        return n_(
            "At most {count} character, please (this has {length}).",
            "At most {count} characters, please (this has {length}).",
            spec.limit,
            length=format_number(len(text)),
        )
    if text and spec.reads == "country" and country_code(text) is None:
        return _("I don't know that country. Use its name or two-letter code, e.g. Spain or ES.")
    if text and spec.reads == "link" and not is_web_link(with_scheme(text)):
        return _("The link must be a web address starting with https:// (or http://).")
    return ""


def _read(spec: PracticeField, text: str) -> str:
    """A field's value as stored, once it is known to be right."""
    if spec.reads == "country":
        return (country_code(text) or "") if text else ""
    if spec.reads == "link":
        return with_scheme(text) if text else ""
    return text.strip() if spec.reads == "text" and not spec.choices else text


def parse_form(values: Mapping[str, str], settings: Settings) -> PracticeDraft:
    """Turn the form's values into a practice, or raise FormErrors naming every field that is wrong, at once."""
    errors: dict[str, str] = {}
    read: dict[str, str] = {}
    for spec in PRACTICE_FIELDS:
        text = values.get(spec.name, "")
        problem = _problem(spec, text, settings)
        if problem:
            errors[spec.name] = problem
        else:
            read[spec.name] = _read(spec, text)
    if errors:
        raise FormErrors(errors)
    return PracticeDraft(**read)


def errors_text(error: FormErrors) -> str:
    """The problems as lines for a message."""
    return error.as_text(labels())


def plain_text(mrkdwn: str) -> str:
    """A message's text as a person would type it again: mentions as @names, links as their address."""
    return markup.readable(mrkdwn)


_LINK = re.compile(r"https?://[^\s()<>]+")


def prefill_from_message(text: str) -> dict[str, str]:
    """The form's first values from a message someone wrote: its first line as the title, the rest as the summary.

    The first web address in it becomes the link, when it is one the form would take.
    """
    plain = plain_text(text).strip()
    first_line = plain.split("\n", 1)[0].strip().strip("*_~ ")
    title = first_line if len(first_line) <= TITLE_LIMIT else first_line[: TITLE_LIMIT - 1].rstrip() + "…"
    values = {"title": title, "summary": plain[:TEXT_LIMIT]}
    found = _LINK.search(plain)
    if found and len(found.group(0)) <= URL_LIMIT and is_web_link(found.group(0)):
        values["link"] = found.group(0)
    return values
