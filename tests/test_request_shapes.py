"""Every shape of request answers 200 or 4xx, never 500: the signature first, then the shape, at the edge.

The requests are those the workspace really sends (a slash command, a button press, a form submission, an
event), each made wrong in one way: a body or `payload` that is JSON but not an object, a field of another
type than Slack sends, an id longer than any Slack id. Signed, each is refused with 400 and one line in the
log; unsigned or signed over five minutes ago, with 401 before its body is read. Nothing is stored, nothing
reaches Slack, no traceback is logged, and /metrics counts every refusal by its reason.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode
from urllib.request import urlopen

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.localslack.local import MEMBER, LocalBot
from bot.localslack.workspace import LocalWorkspace
from bot.views import meetings as meeting_views
from bot.views import practice_form
from tests.helpers import captured_request, changed_tables, settle
from tests.test_security import snapshot, wait_for_start_up

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
LONG_USER = "U" + "0" * 32  # 33 characters: no Slack id is that long, nor is the store's column
LONG_EVENT = "Ev" + "0" * 63  # 65 characters

# A body, or a form's `payload`, that is JSON but not an object (and JSON that is not JSON at all).
NOT_OBJECTS = ("[1]", '"x"', "null", "1", "[]", "true", "[{}]", "{not json", "[" * 100_000)

# Fields Bolt or a listener reads, each with values of a type Slack never sends there.
WRONG_FIELDS: dict[str, tuple[Any, ...]] = {
    "user": (5, "x", [], [{"id": MEMBER.id}], {}, {"id": 5}, {"id": None}, {"id": LONG_USER}),
    "team": (5, "x", [], {"id": 5}),
    "enterprise": (5, "x", [], {"id": []}),
    "channel": (5, "x", [], {"id": 5}, {"id": "C" + "0" * 32}),
    "container": (5, "x", []),
    "message": (5, "x", [], {"user": 5}, {"text": {}}, {"ts": 1.5}),
    "view": (None, 5, "x", [], {"state": "x"}, {"state": {"values": "x"}}, {"state": {"values": {"b": "x"}}}),
    "state": (None, "x", [], {"values": []}, {"values": {"b": {"a": "x"}}}, {"values": {"b": {"a": {"value": 5}}}}),
    "event": (None, 5, "x", [], {}, {"type": 5}, {"type": "message", "user": 5}, {"type": "message", "text": []}),
    "authorizations": (None, 5, "x", {}, [5], [None], [{"user_id": 5}], [{"user_id": LONG_USER}]),
    "response_urls": (None, 5, "x", {}, [5], [{}], [{"response_url": 5}]),
    "actions": (None, 5, "x", {}, [], [5], [{}], [{"action_id": 5}], [{"action_id": "a", "value": 5}]),
    "trigger_id": (5, [], {}),
    "api_app_id": (5, []),
    "type": (5, [], {}),
    "token": (5, {}),
    "response_url": (5, []),
    "callback_id": (5, {}),
    "user_id": (5, LONG_USER),
    "channel_id": (5, "C" + "0" * 32),
    "team_id": (5, []),
    "enterprise_id": (5, {}),
    "event_id": (5, LONG_EVENT),
    "event_time": ("x", 1.5, True),
    "is_enterprise_install": (5, []),
    "is_ext_shared_channel": ("x", 5),
    "thread_ts": (5, {}),
    "text": (5, []),
    "command": (5, []),
}
# The view's own fields that the listeners read.
WRONG_VIEW_FIELDS: dict[str, tuple[Any, ...]] = {
    "private_metadata": (5, {}),
    "callback_id": (5, []),
    "blocks": ("x", [5]),
}
# The event's own fields, as an app_mention or a direct message carries them.
WRONG_EVENT_FIELDS: dict[str, tuple[Any, ...]] = {
    "type": (None, 5),
    "user": (5, [], LONG_USER, {"id": LONG_USER}),
    "channel": (5, [], {"id": 5}),
    "text": (5, {}),
    "ts": (5, []),
    "thread_ts": (1.5,),
    "channel_type": (5,),
    "subtype": ([],),
    "bot_id": (5,),
    "team": (5, []),
    "message": ("x", {"user": 5}),
    "item": ("x", {"channel": 5}),
    "view": (None, "x"),
}
# Fields that each kind of request cannot do without, left out.
NEEDED: dict[str, tuple[str, ...]] = {
    "button press": ("user", "actions", "trigger_id"),
    "form submission": ("user", "view"),
    "event": ("event",),
    "slash command": ("user_id", "trigger_id"),
}


def a_form(view: dict[str, Any]) -> dict[str, Any]:
    """The practice form as Slack shows it."""
    return {**view, "id": "V0SHAPES", "team_id": "T0LOCAL", "hash": "1.a"}


BASES: dict[str, Callable[[LocalWorkspace, LocalBot], object]] = {
    "slash command": lambda ws, bot: ws.slash_command(MEMBER.id, "/tci", "whoami"),
    "button press": lambda ws, bot: ws.press_button(MEMBER.id, action_id=meeting_views.RSVP_IN_PERSON, value="999"),
    "form submission": lambda ws, bot: ws.submit_view(
        MEMBER.id, a_form(practice_form.modal({}, bot.settings, practice_id=None)), {}
    ),
    "event": lambda ws, bot: ws.direct_message(MEMBER.id, "when is the next meeting?"),
}


def payload_of(body: str, content_type: str) -> dict[str, Any]:
    """The JSON object a request carries: the body itself, or its form's `payload`; a slash command's form."""
    if content_type == JSON:
        return dict(json.loads(body))
    form = dict(parse_qsl(body, keep_blank_values=True))
    return dict(json.loads(form["payload"])) if "payload" in form else form


def encoded(payload: dict[str, Any], content_type: str, *, slash: bool) -> str:
    if content_type == JSON:
        return json.dumps(payload)
    if slash:
        return urlencode(payload)
    return urlencode({"payload": json.dumps(payload)})


def shapes(kind: str, body: str, content_type: str) -> list[tuple[str, str, str]]:
    """The request of `kind` made wrong in every way above: (what is wrong, body, content type)."""
    slash = kind == "slash command"
    payload = payload_of(body, content_type)
    made: list[tuple[str, str, str]] = []
    for text in NOT_OBJECTS:
        made.append((f"the body {text[:10]}", text, JSON))
        made.append((f"the payload {text[:10]}", urlencode({"payload": text}), FORM))

    def add(what: str, changed: dict[str, Any]) -> None:
        made.append((what, encoded(changed, content_type, slash=slash), content_type))

    for field in NEEDED[kind]:
        add(f"no {field}", {key: value for key, value in payload.items() if key != field})
    if slash:  # a form holds strings only: what can be wrong is an id's length
        add("a user_id of 33 characters", {**payload, "user_id": LONG_USER})
        add("a channel_id of 33 characters", {**payload, "channel_id": "C" + "0" * 32})
        return made
    for field, values in WRONG_FIELDS.items():
        for value in values:
            add(f"{field}: {json.dumps(value)[:40]}", {**payload, field: value})
    if isinstance(payload.get("view"), dict):
        for field, values in WRONG_VIEW_FIELDS.items():
            for value in values:
                add(f"view.{field}: {json.dumps(value)}", {**payload, "view": {**payload["view"], field: value}})
    if isinstance(payload.get("event"), dict):
        for field, values in WRONG_EVENT_FIELDS.items():
            for value in values:
                add(f"event.{field}: {json.dumps(value)}", {**payload, "event": {**payload["event"], field: value}})
    return made


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(bot: LocalBot) -> Samples:
    with urlopen(f"{bot.base_url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def refused(samples: Samples, reason: str) -> float:
    return samples.get(("tci_bot_slack_requests_refused_total", frozenset({("reason", reason)})), 0.0)


def answered_500(samples: Samples) -> float:
    return sum(
        count
        for (name, labels), count in samples.items()
        if name == "tci_bot_slack_requests_total" and ("status", "500") in labels
    )


@pytest.mark.parametrize("kind", list(BASES))
def test_every_wrong_shape_is_refused_at_the_edge_signed_or_not(
    local_bot: LocalBot, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    ws, emulator = local_bot.workspace, local_bot.emulator
    assert ws is not None
    body, content_type = captured_request(ws, lambda w: BASES[kind](w, local_bot))
    wrong = shapes(kind, body, content_type)
    assert len({what for what, _, _ in wrong}) == len(wrong) >= 20
    wait_for_start_up(local_bot)
    before, deliveries, counted = snapshot(local_bot), len(emulator.deliveries), scrape(local_bot)
    problems: list[str] = []
    stale = int(time.time()) - 10 * 60
    with caplog.at_level(logging.INFO):
        for what, text, sent_as in wrong:
            answers = {
                "signed": ws.post(text, sent_as).status,
                "unsigned": ws.post(text, sent_as, signed=False).status,
                "signed ten minutes ago": ws.post(text, sent_as, timestamp=stale).status,
            }
            if answers != {"signed": 400, "unsigned": 401, "signed ten minutes ago": 401}:
                problems.append(f"{what}: {answers}")
    assert not problems, "\n".join(problems)

    local_bot.wait_idle()
    settle(emulator, quiet=0.2)
    assert changed_tables(before, snapshot(local_bot)) == [], "nothing reached the store"
    assert emulator.deliveries[deliveries:] == [], "nothing reached Slack"
    traces = [r for r in caplog.records if r.exc_info or r.exc_text or r.stack_info or r.levelno >= logging.ERROR]
    assert not traces and "Traceback" not in caplog.text, [r.getMessage() for r in traces]
    edge = [r for r in caplog.records if r.name == "bot.server" and r.getMessage().startswith("refused a")]
    malformed = [r for r in edge if r.levelno == logging.WARNING]
    assert len(malformed) == len(wrong) and len(edge) == 3 * len(wrong), "one line for each refusal"
    assert all(len(r.getMessage()) < 300 for r in malformed), "a line names the field, never the whole request"

    samples = scrape(local_bot)
    assert refused(samples, "malformed") - refused(counted, "malformed") == len(wrong)
    assert refused(samples, "unsigned") - refused(counted, "unsigned") == len(wrong)
    assert refused(samples, "stale") - refused(counted, "stale") == len(wrong)
    assert answered_500(samples) == 0

    # The same request as the workspace sent it is taken as before.
    assert ws.post(body, content_type).status == 200
    assert ws.post(body, content_type, signed=False).status == 401


def test_an_over_long_id_never_reaches_the_store(local_bot: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    """A person's id over 32 characters or an event's over 64 is refused, with the field named in the log."""
    ws = local_bot.workspace
    assert ws is not None
    slash, _ = captured_request(ws, lambda w: w.slash_command(MEMBER.id, "/tci", "whoami"))
    event, _ = captured_request(ws, lambda w: w.direct_message(MEMBER.id, "when is the next meeting?"))
    wait_for_start_up(local_bot)
    before = snapshot(local_bot)
    with caplog.at_level(logging.WARNING):
        assert ws.post(slash.replace(MEMBER.id, LONG_USER), FORM).status == 400
        long_event = json.loads(event) | {"event_id": LONG_EVENT}
        assert ws.post(json.dumps(long_event), JSON).status == 400
        long_author = json.loads(event)
        long_author["event"]["user"] = LONG_USER
        assert ws.post(json.dumps(long_author), JSON).status == 400
    local_bot.wait_idle()
    assert changed_tables(before, snapshot(local_bot)) == []
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.server"]
    assert len(logged) == 3 and "user_id" in logged[0] and "event_id" in logged[1] and "event.user" in logged[2]
    assert ws.post(slash, FORM).status == 200 and ws.post(event, JSON).status == 200


def test_a_signed_request_that_bolt_cannot_take_in_gets_400_and_one_line(
    local_bot: LocalBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should anything the shape check lets through still fail in Bolt's hands, the answer is 400 with one
    line naming the error, never a 500 nor a traceback."""
    ws, service = local_bot.workspace, local_bot.service
    assert ws is not None and service is not None and service.app is not None
    body, content_type = captured_request(ws, lambda w: w.slash_command(MEMBER.id, "/tci", "whoami"))

    def fails(_request: object) -> None:
        raise RuntimeError("the request could not be read\nand a second line that stays out of the log")

    monkeypatch.setattr(service.app, "dispatch", fails)
    with caplog.at_level(logging.INFO):
        assert ws.post(body, content_type).status == 400
    [line] = [r for r in caplog.records if r.name == "bot.server"]
    assert line.levelno == logging.WARNING and not line.exc_info
    assert line.getMessage().endswith("RuntimeError: the request could not be read")
    assert "second line" not in caplog.text
    assert refused(scrape(local_bot), "malformed") == 1
