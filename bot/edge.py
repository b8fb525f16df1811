"""The edge of the bot: what a Slack request must look like before anything reads it, and its text made storable.

Bolt and the listeners read a request's fields as Slack sends them: `body["user"]["id"]`, the first of
`body["actions"]`, the event's `type`, the view's state. A signed body of another shape (JSON that is not an
object, `"user": 5`, `"view": null`, `"actions": []`) would fail deep inside them; `request_problem` finds it
first, so that it is refused with HTTP 400 and one line in the log. Ids longer than any Slack id (and than
the store's columns for them) are refused there too, so that they never reach the database.

`strip_control_characters` is the one global middleware that takes NUL and the other control characters
out of the text people typed (a slash command's text, an event's text), which no store keeps alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, Required

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic reads TypedDicts from here before Python 3.12

from bot.language.markup import has_control_characters, without_control_characters

# No Slack id is this long (they look like U0123ABCD or C0123ABCD); the store's columns for them hold 32.
SLACK_ID_LIMIT = 32
# Slack's event ids look like Ev0123ABCD; the store keeps each for de-duplication in a column of 64.
EVENT_ID_LIMIT = 64
PROBLEM_LIMIT = 200  # a problem as logged: the field and what is wrong with it, never the request itself

SlackId = Annotated[str, StringConstraints(max_length=SLACK_ID_LIMIT)]
EventId = Annotated[str, StringConstraints(max_length=EVENT_ID_LIMIT)]
Object = dict[str, Any]
Objects = list[Object]


class _User(TypedDict, total=False):
    id: Required[SlackId]
    team_id: str | None
    name: str | None
    username: str | None


class _Named(TypedDict, total=False):  # a team, an enterprise
    id: str | None
    name: str | None
    domain: str | None
    enterprise_id: str | None


class _Channel(TypedDict, total=False):
    id: SlackId | None
    name: str | None


class _Element(TypedDict, total=False):  # one input's value in a view's state
    type: str | None
    value: str | None
    selected_option: Object | None
    selected_conversation: str | None


class _State(TypedDict, total=False):
    values: dict[str, dict[str, _Element]]


class _View(TypedDict, total=False):
    id: str | None
    type: str | None
    callback_id: str | None
    private_metadata: str | None
    external_id: str | None
    hash: str | None
    state: _State
    blocks: Objects
    team_id: str | None
    app_installed_team_id: str | None
    root_view_id: str | None
    previous_view_id: str | None


class _Action(TypedDict, total=False):
    action_id: Required[str]
    block_id: str | None
    type: str | None
    value: str | None
    action_ts: str | None
    selected_option: Object | None


class _Message(TypedDict, total=False):
    user: SlackId | None
    text: str | None
    ts: str | None
    thread_ts: str | None
    bot_id: str | None
    subtype: str | None
    blocks: Objects


class _Item(TypedDict, total=False):  # what a reaction was added to
    type: str | None
    channel: SlackId | None
    ts: str | None


class _Event(TypedDict, total=False):
    type: Required[str]
    user: SlackId | _User | None  # an id, or the whole person (user_change, team_join)
    channel: SlackId | _Channel | None  # an id, or the whole channel (channel_created)
    team: str | _Named | None
    user_team: str | None
    text: str | None
    ts: str | None
    thread_ts: str | None
    event_ts: str | None
    channel_type: str | None
    subtype: str | None
    bot_id: str | None
    tab: str | None
    item: _Item | None
    message: _Message | None
    previous_message: _Message | None
    view: _View
    assistant_thread: Object | None
    function_execution_id: str | None
    bot_access_token: str | None


class _ResponseUrl(TypedDict, total=False):
    response_url: Required[str]
    block_id: str | None
    action_id: str | None
    channel_id: SlackId | None


class _Authorization(TypedDict, total=False):
    enterprise_id: str | None
    team_id: str | None
    user_id: SlackId | None
    is_bot: bool | None
    is_enterprise_install: bool | None


class _Body(TypedDict, total=False):
    """Every top-level field Bolt or a listener reads, as Slack sends it; a field may be absent, not of another type.

    Where Slack never sends null (a view, an event, the actions), null is refused too.
    """

    type: str | None
    token: str | None
    command: str | None
    text: str | None
    trigger_id: str | None
    response_url: str | None
    api_app_id: str | None
    callback_id: str | None
    action_id: str | None
    action_ts: str | None
    message_ts: str | None
    thread_ts: str | None
    value: str | None
    challenge: str | None
    hash: str | None
    user_id: SlackId | None
    user_name: str | None
    channel_id: SlackId | None
    channel_name: str | None
    team_id: str | None
    team_domain: str | None
    enterprise_id: str | None
    enterprise_name: str | None
    is_enterprise_install: bool | str | None  # a boolean in JSON, "true" or "false" in a form
    is_ext_shared_channel: bool | None
    event_id: EventId | None
    event_time: int | None
    event_context: str | None
    user: _User | None
    team: _Named | None
    enterprise: _Named | None
    channel: _Channel | None
    container: Object | None
    message: _Message | None
    previous_message: _Message | None
    view: _View
    state: _State
    event: _Event
    actions: Annotated[list[_Action], Field(min_length=1)]
    authorizations: list[_Authorization]
    response_urls: list[_ResponseUrl]
    submission: Object | None
    workflow_step: Object | None
    function_data: Object | None


_BODY: TypeAdapter[_Body] = TypeAdapter(_Body)

# What each kind of request cannot do without, as Slack always sends it: the listeners index these.
_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "command": (("command",), ("user_id",), ("trigger_id",)),
    "block_actions": (("user",), ("actions",), ("trigger_id",)),
    "view_submission": (("user",), ("view",)),
    "view_closed": (("user",), ("view",)),
    "shortcut": (("user",), ("callback_id",), ("trigger_id",)),
    "message_action": (("user",), ("callback_id",), ("trigger_id",), ("channel", "id"), ("message", "ts")),
    "event_callback": (("event",),),
}


def request_problem(body: object) -> str | None:
    """What makes a parsed request body unfit for Bolt and the listeners, in a few words; None when it is fit."""
    if not isinstance(body, dict):
        return f"the body is {_json_kind(body)}, not an object"
    try:
        _BODY.validate_python(body, strict=True)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False, include_context=False)[0]
        loc = first["loc"]
        where = _in_body(body, loc[:-1] if first["type"] == "missing" else loc)
        if first["type"] == "missing":
            where.append(str(loc[-1]))
        # A field that may be of several types (an id, or an object) is named, not each type it is not.
        said = first["msg"] if len(where) == len(loc) else "not of a type Slack sends there"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        return _short(f"{'.'.join(where) or 'the body'}: {said}{more}")
    kind = "command" if "command" in body else str(body.get("type") or "")
    for path in _NEEDS.get(kind, ()):
        if _at(body, path) is None:
            return _short(f"{'.'.join(path)}: a {kind.replace('_', ' ')} request needs it")
    return None


def strip_control_characters(body: dict[str, Any], next: Callable[[], Any]) -> Any:
    """Take NUL and the other control characters out of the text people typed, then go on.

    A slash command's text, an event's text and that of the message an event or a shortcut is about:
    what the listeners read, store and answer. Tabs and line breaks stay.
    """
    for holder in _text_holders(body):
        text = holder.get("text")
        if isinstance(text, str) and has_control_characters(text):
            holder["text"] = without_control_characters(text)
    return next()


def _text_holders(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    event = body.get("event")
    for outer in (body, event) if isinstance(event, dict) else (body,):
        yield outer
        for key in ("message", "previous_message"):
            inner = outer.get(key)
            if isinstance(inner, dict):
                yield inner


def _in_body(body: dict[str, Any], loc: tuple[int | str, ...]) -> list[str]:
    """The part of an error's location that names fields of the body (not the types pydantic tried)."""
    path: list[str] = []
    found: Any = body
    for part in loc:
        if not isinstance(found, dict | list):
            break
        try:
            found = found[part]  # type: ignore[index]  # a field of an object, an item of a list
        except (KeyError, IndexError, TypeError):
            break
        path.append(str(part))
    return path


def _at(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    found: Any = body
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return found


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array" if value else "an empty array"
    return type(value).__name__


def _short(text: str) -> str:
    return text if len(text) <= PROBLEM_LIMIT else text[: PROBLEM_LIMIT - 1] + "…"
