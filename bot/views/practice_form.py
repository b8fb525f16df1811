"""The practice form: the modal members fill, and the checks every practice passes before it is saved."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from bot.config import Settings
from bot.language.countries import country_name
from bot.language.links import is_web_link
from bot.language.places import country_code
from bot.views import blocks
from bot.views.forms import FormErrors
from store.models import Practice
from store.practices import PracticeDraft

CALLBACK_ID = "practice_form"
TITLE_LIMIT = 150
ORGANISATION_LIMIT = 200
TEXT_LIMIT = 3000  # Slack's limit for a plain-text input
URL_LIMIT = 2000

# (block id, label, hint, required, max length, multiline); kind and topic are menus, placed after the title.
FIELDS: tuple[tuple[str, str, str, bool, int, bool], ...] = (
    ("title", "Title", "A short name, e.g. Digital skills academy for cluster SMEs", True, TITLE_LIMIT, False),
    (
        "organisation",
        "Organisation or cluster",
        "Who ran it, e.g. Basque ICT cluster",
        False,
        ORGANISATION_LIMIT,
        False,
    ),
    ("country", "Country", "A name or code, e.g. Spain or ES", False, 60, False),
    ("summary", "Summary", "What it is and why it matters, in a few sentences", True, TEXT_LIMIT, True),
    (
        "evidence",
        "What happened, and the evidence",
        "Results and figures: firms reached, money, time saved",
        False,
        TEXT_LIMIT,
        True,
    ),
    ("link", "Link", "An https:// link to read more (optional)", False, URL_LIMIT, False),
)
LABELS = {block_id: label for block_id, label, *_ in FIELDS} | {"kind": "Kind", "topic": "Topic"}

__all__ = [
    "CALLBACK_ID",
    "initial_values",
    "modal",
    "parse_form",
    "prefill_from_message",
]


def _option(text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": text}


def _select(block_id: str, label: str, choices: tuple[str, ...], initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": {"type": "plain_text", "text": f"Choose a {label.lower()}"},
        "options": [_option(choice) for choice in choices],
    }
    if initial in choices:
        element["initial_option"] = _option(initial)
    return {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": label}, "element": element}


def initial_values(draft: PracticeDraft | None) -> dict[str, str]:
    """What the form shows first: the practice when editing, nothing when sharing a new one."""
    if draft is None:
        return {}
    values = draft.values()
    values["country"] = country_name(draft.country) if draft.country else ""
    return values


def values_of(practice: Practice) -> dict[str, str]:
    """What the form shows first when a stored practice is edited."""
    return initial_values(PracticeDraft.of(practice))


def modal(
    initial: dict[str, str], settings: Settings, *, practice_id: int | None, reply_to: str = ""
) -> dict[str, Any]:
    """The practice modal, filled with `initial`; private metadata says which practice it edits."""
    inputs = [blocks.text_input(*spec, initial=initial.get(spec[0], "")) for spec in FIELDS]
    menus = [
        _select("kind", "Kind", settings.practice_kinds, initial.get("kind", "")),
        _select("topic", "Topic", settings.practice_topics, initial.get("topic", "")),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"practice_id": practice_id, "reply_to": reply_to}),
        "title": {"type": "plain_text", "text": "Edit practice" if practice_id else "Share a practice"},
        "submit": {"type": "plain_text", "text": "Save" if practice_id else "Share"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [inputs[0], *menus, *inputs[1:]],
    }


def parse_form(values: dict[str, str], settings: Settings) -> PracticeDraft:
    """Turn the form's values into a practice, or raise FormErrors naming each field that is wrong."""
    errors: dict[str, str] = {}
    for block_id, label, _hint, required, limit, _multi in FIELDS:
        text = values.get(block_id, "")
        if required and not text.strip():
            errors[block_id] = f"{label} is needed."
        elif len(text) > limit:
            errors[block_id] = f"At most {limit:,} characters, please (this has {len(text):,})."
    for block_id, choices in (("kind", settings.practice_kinds), ("topic", settings.practice_topics)):
        if values.get(block_id, "") not in choices:
            errors[block_id] = f"Choose one of the group's {block_id}s from the list."
    country = ""
    if values.get("country") and "country" not in errors:
        found = country_code(values["country"])
        if found is None:
            errors["country"] = "I don't know that country. Use its name or two-letter code, e.g. Spain or ES."
        else:
            country = found
    link = values.get("link", "")
    if link and "link" not in errors and not is_web_link(link):
        errors["link"] = "The link must be a web address starting with https:// (or http://)."
    if errors:
        raise FormErrors(errors)
    return PracticeDraft(
        title=values["title"].strip(),
        kind=values["kind"],
        topic=values["topic"],
        organisation=values.get("organisation", "").strip(),
        country=country,
        summary=values["summary"].strip(),
        evidence=values.get("evidence", "").strip(),
        link=link,
    )


def errors_text(error: FormErrors) -> str:
    """The problems as lines for a message."""
    return error.as_text(LABELS)


# Slack's markup in a message's text: <@U123>, <#C123|name>, <!here>, <https://x|label>, <https://x>.
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def plain_text(mrkdwn: str) -> str:
    """A message's text as a person would type it again: mentions as @names, links as their address."""

    def readable(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!date"):
            return label or ""
        if target.startswith("!"):
            name = label or target[1:].split("^", 1)[0]
            return name if name.startswith("@") else "@" + name
        return f"{label} ({target})" if label and label != target else target

    return html.unescape(_MARKUP.sub(readable, mrkdwn))


def prefill_from_message(text: str) -> dict[str, str]:
    """The form's first values from a message someone wrote: its first line as the title, the rest as the summary."""
    plain = plain_text(text).strip()
    first_line = plain.split("\n", 1)[0].strip().strip("*_~ ")
    title = first_line if len(first_line) <= TITLE_LIMIT else first_line[: TITLE_LIMIT - 1].rstrip() + "…"
    links = re.findall(r"https?://[^\s()<>]+", plain)
    values = {"title": title, "summary": plain[:TEXT_LIMIT]}
    if links and len(links[0]) <= URL_LIMIT:
        values["link"] = links[0]
    return values
