"""Slack's rules for what a message or a view may hold, as the local workspace enforces them.

A payload that breaks a rule is refused as Slack refuses it: `invalid_blocks` for a message,
`invalid_arguments` for a view, `msg_too_long` and `view_too_large` for sizes, each reason in
Slack's own form, `[ERROR] <what is wrong> [json-pointer:<where>]`. The limits come from Slack's
Block Kit reference (https://docs.slack.dev/reference/block-kit/), one constant each, named by
what they bound. `slack_sdk.models` checks each block too, for the rules it knows that these do not.

Text Slack takes but shows broken is found by `broken_mrkdwn`: in mrkdwn `<`, `>` and `&` are
control characters, and a `<` that opens none of Slack's sequences shows as a broken one.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

# Surfaces (https://docs.slack.dev/reference/block-kit/blocks)
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000  # chat.postMessage: longer text is refused with msg_too_long
VIEW_BYTES = 250_000  # views.publish / views.open: a view over 250 kB is view_too_large
ANSWERS_CHECKED_KEPT = 256  # the verdicts on response_url bodies remembered (check_answer_body)
MODAL_TEXT = 24  # modal title, submit and close
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
# Blocks
BLOCK_ID = 255
SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
INPUT_LABEL = 2000
INPUT_HINT = 2000
IMAGE_URL = 3000
IMAGE_ALT = 2000
# Elements (https://docs.slack.dev/reference/block-kit/block-elements)
ACTION_ID = 255
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ACCESSIBILITY_LABEL = 75
PLACEHOLDER = 150
SELECT_OPTIONS = 100
OPTION_GROUPS = 100
CHOICE_OPTIONS = 10  # checkboxes and radio buttons
OVERFLOW_OPTIONS = 5
INPUT_MAX_LENGTH = 3000
# Composition objects (https://docs.slack.dev/reference/block-kit/composition-objects)
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTION_DESCRIPTION = 75
GROUP_LABEL = 75
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30

MESSAGE_BLOCK_TYPES = frozenset(
    {"section", "divider", "image", "actions", "context", "header", "input", "rich_text", "video", "file", "markdown"}
)
VIEW_BLOCK_TYPES = frozenset({"section", "divider", "image", "actions", "context", "header", "input", "rich_text"})
SELECTS = frozenset(
    f"{multi}{kind}_select"
    for multi in ("", "multi_")
    for kind in ("static", "external", "users", "conversations", "channels")
)
SECTION_ACCESSORIES = SELECTS | {
    "button",
    "checkboxes",
    "datepicker",
    "image",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
}
ACTIONS_ELEMENT_TYPES = (SECTION_ACCESSORIES - {"image"}) | {"datetimepicker", "rich_text_input"}
INPUT_ELEMENT_TYPES = SELECTS | {
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "file_input",
    "number_text_input",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "timepicker",
    "url_text_input",
}
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
BUTTON_STYLES = frozenset({"primary", "danger"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "slack"})

# The sequences a `<` may open in mrkdwn: a person, a channel, a special mention or date, a link.
SLACK_SEQUENCE = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|![a-z^][^<>]*|(?:https?|mailto|tel|slack):[^<>\s|]+)(?:\|[^<>]+)?>"
)


@dataclass(frozen=True)
class Refusal:
    """Slack's answer to a payload it will not take: the error code and its reasons."""

    error: str
    messages: tuple[str, ...] = ()


def broken_mrkdwn(text: str) -> list[str]:
    """Each stretch of `text` where a `<` opens no Slack sequence (Slack shows these broken)."""
    found = []
    position = 0
    while (start := text.find("<", position)) != -1:
        sequence = SLACK_SEQUENCE.match(text, start)
        if sequence is None:
            found.append(text[start : start + 20])
            position = start + 1
        else:
            position = sequence.end()
    return found


@dataclass
class _Check:
    """One payload's walk: the reasons found, and the broken mrkdwn met on the way."""

    reasons: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    def fail(self, path: str, what: str) -> None:
        self.reasons.append(f"[ERROR] {what} [json-pointer:{path}]")

    def length(self, path: str, value: Any, most: int, *, least: int = 0) -> None:
        if not isinstance(value, str):
            self.fail(path, "must be a string")
        elif len(value) > most:
            self.fail(path, f"must be less than {most + 1} characters")
        elif len(value) < least:
            self.fail(path, f"must be at least {least} characters")

    def optional_length(self, obj: dict[str, Any], key: str, path: str, most: int) -> None:
        if key in obj:
            self.length(f"{path}/{key}", obj[key], most)

    def count(self, path: str, value: Any, most: int, *, least: int = 0) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, "must provide an array")
            return []
        if len(value) > most:
            self.fail(path, f"no more than {most} items allowed")
        elif len(value) < least:
            self.fail(path, f"must provide at least {least} items")
        return value

    def text(self, obj: Any, path: str, most: int, *, plain: bool = False, required: bool = True) -> None:
        """A text object: plain_text or mrkdwn (plain_text alone where Slack requires it), 1..most chars."""
        if obj is None:
            if required:
                self.fail(path, "must provide an object")
            return
        if not isinstance(obj, dict) or obj.get("type") not in TEXT_TYPES:
            self.fail(f"{path}/type", "must be plain_text or mrkdwn")
            return
        if plain and obj["type"] != "plain_text":
            self.fail(f"{path}/type", "must be plain_text")
        if obj["type"] == "mrkdwn" and "emoji" in obj:
            self.fail(f"{path}/emoji", "is only allowed on plain_text")
        if obj["type"] == "plain_text" and "verbatim" in obj:
            self.fail(f"{path}/verbatim", "is only allowed on mrkdwn")
        self.length(f"{path}/text", obj.get("text"), most, least=1)
        if obj["type"] == "mrkdwn" and isinstance(obj.get("text"), str):
            self.mrkdwn(obj["text"], f"{path}/text")

    def mrkdwn(self, text: str, path: str) -> None:
        self.broken.extend(f"{path}: {piece!r}" for piece in broken_mrkdwn(text))

    def url(self, path: str, value: Any, most: int) -> None:
        self.length(path, value, most)
        if isinstance(value, str):
            parts = urlsplit(value)
            if parts.scheme not in URL_SCHEMES or (parts.scheme.startswith("http") and not parts.netloc):
                self.fail(path, "must be a valid URL")

    def kind(self, obj: Any, path: str, allowed: frozenset[str], what: str) -> str | None:
        """The type of a block or element, when it is an object of a type allowed where it stands."""
        if not isinstance(obj, dict):
            self.fail(path, "must provide an object")
            return None
        kind = obj.get("type")
        if kind not in allowed:
            self.fail(f"{path}/type", f"unsupported {what} type {kind!r} here")
            return None
        return str(kind)

    # Blocks

    def blocks(self, blocks: Any, path: str, *, most: int, allowed: frozenset[str]) -> None:
        block_ids: dict[str, str] = {}
        for index, block in enumerate(self.count(path, blocks, most)):
            where = f"{path}/{index}"
            kind = self.kind(block, where, allowed, "block")
            if kind is None:
                continue
            if "block_id" in block:
                block_id = block["block_id"]
                self.length(f"{where}/block_id", block_id, BLOCK_ID, least=1)
                if block_id in block_ids:
                    self.fail(f"{where}/block_id", f"must be unique: also at {block_ids[block_id]}")
                block_ids.setdefault(str(block_id), where)
            getattr(self, f"_block_{kind}", self._block_other)(block, where)
            self._sdk_rules(block, where)

    def _sdk_rules(self, block: dict[str, Any], where: str) -> None:
        """What slack_sdk's own models refuse in a block (they know some rules the walk does not)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown type is the walk's finding, told above
            try:
                model = Block.parse(block)
            except (TypeError, ValueError, KeyError):  # a field the models do not take: the walk names it
                return
        if model is None:
            return
        try:
            model.validate_json()
        except SlackObjectFormationError as error:
            if not any(f"[json-pointer:{where}]" in r or f"[json-pointer:{where}/" in r for r in self.reasons):
                self.fail(where, str(error))

    def _block_other(self, block: dict[str, Any], where: str) -> None:
        """Blocks with no rule of their own here (divider, rich_text, video, file, markdown)."""

    def _block_section(self, block: dict[str, Any], where: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(where, "must provide text or fields")
        if "text" in block:
            self.text(block["text"], f"{where}/text", SECTION_TEXT)
        if "fields" in block:
            for index, item in enumerate(self.count(f"{where}/fields", block["fields"], SECTION_FIELDS, least=1)):
                self.text(item, f"{where}/fields/{index}", SECTION_FIELD_TEXT)
        if "accessory" in block:
            self.element(block["accessory"], f"{where}/accessory", SECTION_ACCESSORIES)

    def _block_header(self, block: dict[str, Any], where: str) -> None:
        self.text(block.get("text"), f"{where}/text", HEADER_TEXT, plain=True)

    def _block_context(self, block: dict[str, Any], where: str) -> None:
        elements = self.count(f"{where}/elements", block.get("elements"), CONTEXT_ELEMENTS, least=1)
        for index, element in enumerate(elements):
            path = f"{where}/elements/{index}"
            if isinstance(element, dict) and element.get("type") == "image":
                self._image(element, path)
            else:
                self.text(element, path, SECTION_TEXT)

    def _block_actions(self, block: dict[str, Any], where: str) -> None:
        action_ids: dict[str, int] = {}
        elements = self.count(f"{where}/elements", block.get("elements"), ACTIONS_ELEMENTS, least=1)
        for index, element in enumerate(elements):
            path = f"{where}/elements/{index}"
            self.element(element, path, ACTIONS_ELEMENT_TYPES)
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id is None:
                continue
            if action_id in action_ids:
                self.fail(f"{path}/action_id", f"must be unique in its block: also at element {action_ids[action_id]}")
            action_ids.setdefault(action_id, index)

    def _block_input(self, block: dict[str, Any], where: str) -> None:
        self.text(block.get("label"), f"{where}/label", INPUT_LABEL, plain=True)
        self.text(block.get("hint"), f"{where}/hint", INPUT_HINT, plain=True, required=False)
        if "element" not in block:
            self.fail(f"{where}/element", "must provide an object")
        else:
            self.element(block["element"], f"{where}/element", INPUT_ELEMENT_TYPES)

    def _block_image(self, block: dict[str, Any], where: str) -> None:
        self._image(block, where)
        self.text(block.get("title"), f"{where}/title", IMAGE_ALT, plain=True, required=False)

    def _image(self, image: dict[str, Any], where: str) -> None:
        if "slack_file" not in image:
            self.url(f"{where}/image_url", image.get("image_url"), IMAGE_URL)
        self.length(f"{where}/alt_text", image.get("alt_text"), IMAGE_ALT, least=1)

    # Elements

    def element(self, element: Any, path: str, allowed: frozenset[str]) -> None:
        kind = self.kind(element, path, allowed, "element")
        if kind is None:
            return
        if kind == "image":
            self._image(element, path)
            return
        self.optional_length(element, "action_id", path, ACTION_ID)
        if "placeholder" in element:
            self.text(element["placeholder"], f"{path}/placeholder", PLACEHOLDER, plain=True)
        if "confirm" in element:
            self._confirm(element["confirm"], f"{path}/confirm")
        if kind in SELECTS:
            self._select(element, path)
        else:
            getattr(self, f"_element_{kind}", self._element_other)(element, path)

    def _element_other(self, element: dict[str, Any], path: str) -> None:
        """Elements whose only rules are the common ones."""

    def _element_button(self, element: dict[str, Any], path: str) -> None:
        self.text(element.get("text"), f"{path}/text", BUTTON_TEXT, plain=True)
        self.optional_length(element, "value", path, BUTTON_VALUE)
        self.optional_length(element, "accessibility_label", path, ACCESSIBILITY_LABEL)
        if "url" in element:
            self.url(f"{path}/url", element["url"], BUTTON_URL)
        if "style" in element and element["style"] not in BUTTON_STYLES:
            self.fail(f"{path}/style", "must be primary or danger")

    def _element_overflow(self, element: dict[str, Any], path: str) -> None:
        options = self.count(f"{path}/options", element.get("options"), OVERFLOW_OPTIONS, least=1)
        self._options(options, f"{path}/options", plain=True, urls=True)

    def _element_checkboxes(self, element: dict[str, Any], path: str) -> None:
        self._choices(element, path, "initial_options")

    def _element_radio_buttons(self, element: dict[str, Any], path: str) -> None:
        self._choices(element, path, "initial_option")

    def _choices(self, element: dict[str, Any], path: str, initial: str) -> None:
        options = self.count(f"{path}/options", element.get("options"), CHOICE_OPTIONS, least=1)
        self._options(options, f"{path}/options", plain=False)
        self._initial(element, path, initial, options)

    def _select(self, element: dict[str, Any], path: str) -> None:
        kind = element["type"]
        if "max_selected_items" in element and not (
            isinstance(element["max_selected_items"], int) and element["max_selected_items"] >= 1
        ):
            self.fail(f"{path}/max_selected_items", "must be at least 1")
        if not kind.endswith("static_select"):
            return
        initial = "initial_options" if kind.startswith("multi_") else "initial_option"
        if "option_groups" in element:
            groups = self.count(f"{path}/option_groups", element["option_groups"], OPTION_GROUPS, least=1)
            options: list[Any] = []
            for index, group in enumerate(groups):
                where = f"{path}/option_groups/{index}"
                self.text(group.get("label"), f"{where}/label", GROUP_LABEL, plain=True)
                grouped = self.count(f"{where}/options", group.get("options"), SELECT_OPTIONS, least=1)
                self._options(grouped, f"{where}/options", plain=True)
                options.extend(grouped)
        else:
            options = self.count(f"{path}/options", element.get("options"), SELECT_OPTIONS, least=1)
            self._options(options, f"{path}/options", plain=True)
        self._initial(element, path, initial, options)

    def _options(self, options: list[Any], path: str, *, plain: bool, urls: bool = False) -> None:
        for index, option in enumerate(options):
            where = f"{path}/{index}"
            if not isinstance(option, dict):
                self.fail(where, "must provide an object")
                continue
            self.text(option.get("text"), f"{where}/text", OPTION_TEXT, plain=plain)
            self.length(f"{where}/value", option.get("value"), OPTION_VALUE, least=1)
            self.text(option.get("description"), f"{where}/description", OPTION_DESCRIPTION, required=False)
            if urls and "url" in option:
                self.url(f"{where}/url", option["url"], BUTTON_URL)

    def _initial(self, element: dict[str, Any], path: str, key: str, options: list[Any]) -> None:
        if key not in element:
            return
        chosen = element[key] if key.endswith("options") else [element[key]]
        values = {o.get("value") for o in options if isinstance(o, dict)}
        for index, option in enumerate(chosen if isinstance(chosen, list) else [chosen]):
            if not isinstance(option, dict) or option.get("value") not in values:
                where = f"{path}/{key}" + (f"/{index}" if key.endswith("options") else "")
                self.fail(where, "must match one of the options")

    def _element_plain_text_input(self, element: dict[str, Any], path: str) -> None:
        for key in ("min_length", "max_length"):
            value = element.get(key)
            if value is not None and not (isinstance(value, int) and 0 <= value <= INPUT_MAX_LENGTH):
                self.fail(f"{path}/{key}", f"must be between 0 and {INPUT_MAX_LENGTH}")
        initial, most = element.get("initial_value"), element.get("max_length")
        if isinstance(initial, str) and isinstance(most, int) and len(initial) > most:
            self.fail(f"{path}/initial_value", f"must be at most max_length ({most}) characters")

    def _element_datepicker(self, element: dict[str, Any], path: str) -> None:
        if "initial_date" in element:
            try:
                date.fromisoformat(element["initial_date"])
                well_formed = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", element["initial_date"]))
            except (TypeError, ValueError):
                well_formed = False
            if not well_formed:
                self.fail(f"{path}/initial_date", "must be a date in YYYY-MM-DD format")

    def _element_timepicker(self, element: dict[str, Any], path: str) -> None:
        initial = element.get("initial_time")
        if initial is not None and not (
            isinstance(initial, str) and re.fullmatch(r"(?:[01]\d|2[0-3]):[0-5]\d", initial)
        ):
            self.fail(f"{path}/initial_time", "must be a time in HH:mm format")

    def _element_datetimepicker(self, element: dict[str, Any], path: str) -> None:
        initial = element.get("initial_date_time")
        if initial is not None and not (isinstance(initial, int) and not isinstance(initial, bool) and initial >= 0):
            self.fail(f"{path}/initial_date_time", "must be a UNIX timestamp in seconds")

    def _confirm(self, confirm: Any, path: str) -> None:
        if not isinstance(confirm, dict):
            self.fail(path, "must provide an object")
            return
        self.text(confirm.get("title"), f"{path}/title", CONFIRM_TITLE, plain=True)
        self.text(confirm.get("text"), f"{path}/text", CONFIRM_TEXT)
        self.text(confirm.get("confirm"), f"{path}/confirm", CONFIRM_BUTTON, plain=True)
        self.text(confirm.get("deny"), f"{path}/deny", CONFIRM_BUTTON, plain=True)
        if "style" in confirm and confirm["style"] not in BUTTON_STYLES:
            self.fail(f"{path}/style", "must be primary or danger")


@dataclass(frozen=True)
class Verdict:
    """What Slack makes of one payload: a refusal (or None) and the mrkdwn it would show broken."""

    refusal: Refusal | None
    broken: tuple[str, ...] = ()


def check_message(payload: dict[str, Any]) -> Verdict:
    """A message (chat.postMessage, chat.postEphemeral, chat.update, a response_url or ack answer)."""
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        return Verdict(Refusal("invalid_arguments", ("[ERROR] must be a string [json-pointer:/text]",)))
    if text is not None and len(text) > MESSAGE_TEXT:
        return Verdict(Refusal("msg_too_long"))
    check = _Check()
    if "blocks" in payload and payload["blocks"] is not None:
        check.blocks(payload["blocks"], "/blocks", most=MESSAGE_BLOCKS, allowed=MESSAGE_BLOCK_TYPES)
    if text and str(payload.get("mrkdwn", True)).lower() not in {"false", "0"}:
        check.mrkdwn(text, "/text")
    refusal = Refusal("invalid_blocks", tuple(check.reasons)) if check.reasons else None
    return Verdict(refusal, tuple(check.broken))


@functools.lru_cache(maxsize=ANSWERS_CHECKED_KEPT)
def check_answer_body(body: bytes) -> Verdict:
    """What Slack makes of the message in a response_url's JSON body: the same answer again is checked once."""
    return check_message(json.loads(body))


def check_view(view: Any, expected_type: str) -> Verdict:
    """A view for views.open, views.push, views.update (modal) or views.publish (home)."""
    check = _Check()
    if not isinstance(view, dict):
        check.fail("/view", "must provide an object")
        return Verdict(Refusal("invalid_arguments", tuple(check.reasons)))
    if len(json.dumps(view).encode()) > VIEW_BYTES:
        return Verdict(Refusal("view_too_large"))
    if view.get("type") != expected_type:
        check.fail("/view/type", f"must be '{expected_type}'")
    if expected_type == "modal":
        check.text(view.get("title"), "/view/title", MODAL_TEXT, plain=True)
        check.text(view.get("close"), "/view/close", MODAL_TEXT, plain=True, required=False)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        check.text(view.get("submit"), "/view/submit", MODAL_TEXT, plain=True, required=has_input)
    for key, most in (("private_metadata", PRIVATE_METADATA), ("callback_id", CALLBACK_ID), ("external_id", 255)):
        check.optional_length(view, key, "/view", most)
    check.blocks(view.get("blocks"), "/view/blocks", most=VIEW_BLOCKS, allowed=VIEW_BLOCK_TYPES)
    refusal = Refusal("invalid_arguments", tuple(check.reasons)) if check.reasons else None
    return Verdict(refusal, tuple(check.broken))


def check_submission_answer(answer: dict[str, Any], view: dict[str, Any] | None) -> Verdict:
    """The answer to a form's submission: `errors` must name its input blocks; `update`/`push` carry a modal."""
    action = answer.get("response_action")
    if action in {"update", "push"}:
        return check_view(answer.get("view"), "modal")
    if action == "errors":
        errors = answer.get("errors")
        inputs = {b.get("block_id") for b in (view or {}).get("blocks", []) if b.get("type") == "input"}
        if not isinstance(errors, dict) or not errors:
            return Verdict(Refusal("invalid_arguments", ("[ERROR] must provide an object [json-pointer:/errors]",)))
        unknown = [key for key in errors if view is not None and key not in inputs]
        if unknown:
            reasons = tuple(f"[ERROR] no input block with this block_id [json-pointer:/errors/{k}]" for k in unknown)
            return Verdict(Refusal("invalid_arguments", reasons))
    return Verdict(None)
