"""What every modal form shares: reading a submission, and every field's problem reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.language.i18n import N_, _
from bot.language.markup import has_control_characters

# Said beside a field that holds what no store keeps (PostgreSQL refuses NUL in text), on every engine alike;
# translated where it is said.
CONTROL_CHARACTER_ERROR = N_(
    "This field has an invisible control character in it (such as NUL, often carried by text pasted from "
    "another program), which cannot be saved. Type the text again here, or paste it as plain text, then submit."
)


class FormErrors(Exception):
    """What is wrong with a form, field by field (block id to message), all found in one pass."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    def as_text(self, labels: Mapping[str, str] | None = None) -> str:
        """The problems as lines for a message, each under its field's label."""
        names = labels or {}
        return "\n".join(f"• *{names.get(k, k)}*: {v}" for k, v in self.errors.items())


def submitted_values(state: dict[str, Any]) -> dict[str, str]:
    """The value of each field of a submitted form: text (trimmed), the chosen option, the chosen channel.

    Raise FormErrors naming every field that holds a control character (tabs and line breaks are fine).
    """
    values: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        element = (actions or {}).get("value") or {}
        kind = element.get("type")
        if kind == "static_select":
            values[block_id] = str((element.get("selected_option") or {}).get("value") or "")
        elif kind == "conversations_select":
            values[block_id] = str(element.get("selected_conversation") or "")
        else:
            values[block_id] = str(element.get("value") or "").strip()
    unsaveable = {
        block_id: _(CONTROL_CHARACTER_ERROR) for block_id, value in values.items() if has_control_characters(value)
    }
    if unsaveable:
        raise FormErrors(unsaveable)
    return values
