# ruff: noqa: E501 (the tables of rules read best one rule a line)
"""The local workspace refuses what Slack refuses: each rule broken once, with Slack's error and the path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.localslack import SlackEmulator
from bot.localslack.blockkit import broken_mrkdwn, check_message, check_submission_answer, check_view
from bot.localslack.local import MEMBER

TOKEN = "xoxb-local-token"


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator(users=[MEMBER]) as emulator:
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    return WebClient(token=TOKEN, base_url=emu.base_url, retry_handlers=[])


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def button(text: str = "Go", action_id: str = "go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, **extra}


def option(text: str, value: str | None = None) -> dict[str, Any]:
    return {"text": plain(text), "value": value or text}


def section(text: str = "Hello") -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def select(options: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "options": options, **extra}


def input_block(element: dict[str, Any], label: str = "Label", **extra: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": "field", "label": plain(label), "element": element, **extra}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("A form"), "submit": plain("Save"), "blocks": blocks, **extra}


# What breaks each rule in a message, and where Slack says it is.
MESSAGE_RULES = [
    ("50 blocks per message", [section()] * 51, "/blocks"),
    ("section text at most 3,000", [section("x" * 3001)], "/blocks/0/text/text"),
    ("section text at least 1", [section("")], "/blocks/0/text/text"),
    ("section fields at most 10", [{"type": "section", "fields": [mrkdwn("a")] * 11}], "/blocks/0/fields"),
    ("section field at most 2,000", [{"type": "section", "fields": [mrkdwn("a" * 2001)]}], "/blocks/0/fields/0/text"),
    ("section needs text or fields", [{"type": "section"}], "/blocks/0"),
    ("header at most 150", [{"type": "header", "text": plain("h" * 151)}], "/blocks/0/text/text"),
    ("header is plain_text", [{"type": "header", "text": mrkdwn("*h*")}], "/blocks/0/text/type"),
    ("button text at most 75", [actions(button("b" * 76))], "/blocks/0/elements/0/text/text"),
    ("button text is plain_text", [actions({**button(), "text": mrkdwn("*b*")})], "/blocks/0/elements/0/text/type"),
    ("button value at most 2,000", [actions(button(value="v" * 2001))], "/blocks/0/elements/0/value"),
    ("button URL is a URL", [actions(button(url="www.example.org"))], "/blocks/0/elements/0/url"),
    ("button URL at most 3,000", [actions(button(url="https://e.org/" + "p" * 3000))], "/blocks/0/elements/0/url"),
    ("button style", [actions(button(style="green"))], "/blocks/0/elements/0/style"),
    ("action_id at most 255", [actions(button(action_id="a" * 256))], "/blocks/0/elements/0/action_id"),
    ("action_id unique per block", [actions(button("A", "page"), button("B", "page"))], "/blocks/0/elements/1/action_id"),
    ("actions at most 25 elements", [actions(*[button(action_id=f"b{i}") for i in range(26)])], "/blocks/0/elements"),
    ("actions at least 1 element", [actions()], "/blocks/0/elements"),
    ("context at most 10 elements", [{"type": "context", "elements": [mrkdwn("c")] * 11}], "/blocks/0/elements"),
    ("block_id at most 255", [{**section(), "block_id": "b" * 256}], "/blocks/0/block_id"),
    ("block_id unique per message", [{**section(), "block_id": "x"}, {**section(), "block_id": "x"}], "/blocks/1/block_id"),
    ("a block type the surface has", [{"type": "carousel"}], "/blocks/0/type"),
    ("an element the block takes", [{**section(), "accessory": {"type": "plain_text_input"}}], "/blocks/0/accessory/type"),
    ("options at most 100", [actions(select([option(str(i)) for i in range(101)]))], "/blocks/0/elements/0/options"),
    ("option text at most 75", [actions(select([option("o" * 76, "o")]))], "/blocks/0/elements/0/options/0/text/text"),
    ("option value at most 150", [actions(select([option("o", "v" * 151)]))], "/blocks/0/elements/0/options/0/value"),
    ("select option is plain_text", [actions(select([{"text": mrkdwn("o"), "value": "o"}]))], "/blocks/0/elements/0/options/0/text/type"),
    ("initial option is an option", [actions(select([option("a")], initial_option=option("b")))], "/blocks/0/elements/0/initial_option"),
    ("placeholder at most 150", [actions(select([option("a")], placeholder=plain("p" * 151)))], "/blocks/0/elements/0/placeholder/text"),
    ("overflow at most 5", [actions({"type": "overflow", "action_id": "o", "options": [option(str(i)) for i in range(6)]})], "/blocks/0/elements/0/options"),
    ("checkboxes at most 10", [actions({"type": "checkboxes", "action_id": "c", "options": [option(str(i)) for i in range(11)]})], "/blocks/0/elements/0/options"),
    ("datepicker date", [actions({"type": "datepicker", "action_id": "d", "initial_date": "15/03/2027"})], "/blocks/0/elements/0/initial_date"),
    ("timepicker time", [actions({"type": "timepicker", "action_id": "t", "initial_time": "3pm"})], "/blocks/0/elements/0/initial_time"),
    ("confirm title at most 100", [actions(button(confirm={"title": plain("t" * 101), "text": plain("Sure?"), "confirm": plain("Yes"), "deny": plain("No")}))], "/blocks/0/elements/0/confirm/title/text"),
    ("image alt text", [{"type": "image", "image_url": "https://e.org/a.png", "alt_text": ""}], "/blocks/0/alt_text"),
    ("emoji only on plain_text", [{"type": "section", "text": {**mrkdwn("x"), "emoji": True}}], "/blocks/0/text/emoji"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "blocks", "where"), MESSAGE_RULES, ids=[r[0] for r in MESSAGE_RULES])
def test_a_message_breaking_a_rule_is_refused_with_invalid_blocks(
    client: WebClient, emu: SlackEmulator, rule: str, blocks: list[dict[str, Any]], where: str
) -> None:
    for method in (client.chat_postMessage, client.chat_postEphemeral):
        with pytest.raises(SlackApiError) as refused:
            method(channel="C0GROUP", user=MEMBER.id, text="fallback", blocks=blocks)
        answer = refused.value.response
        assert answer["error"] == "invalid_blocks"
        assert any(f"[json-pointer:{where}]" in m for m in answer["response_metadata"]["messages"]), answer[
            "response_metadata"
        ]["messages"]
    assert emu.messages("C0GROUP") == [], "nothing refused is kept"


def test_the_same_broken_answer_to_a_response_url_is_refused_each_time(emu: SlackEmulator) -> None:
    broken = {"text": "fallback", "blocks": [actions(button("A", "x"), button("B", "x"))]}
    sound = {"text": "fallback", "blocks": [section("fine")]}
    answers = []
    for payload in (broken, sound, broken):
        url = emu.response_url(channel="C0GROUP", user=MEMBER.id)
        answers.append(WebhookClient(url).send_dict(payload))
    assert [answer.status_code for answer in answers] == [400, 200, 400]
    assert all('"invalid_blocks"' in answer.body for answer in (answers[0], answers[2]))
    assert [d.text for d in emu.deliveries if d.kind == "response"] == ["fallback"], "only the sound one is shown"


def test_an_update_is_checked_as_a_post_is(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0GROUP", text="card", blocks=[section("card")])
    with pytest.raises(SlackApiError) as refused:
        client.chat_update(
            channel="C0GROUP", ts=posted["ts"], text="card", blocks=[actions(button("A", "x"), button("B", "x"))]
        )
    assert refused.value.response["error"] == "invalid_blocks"


def test_a_message_longer_than_slack_takes_is_msg_too_long(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GROUP", text="x" * 40_001)
    assert refused.value.response["error"] == "msg_too_long"


# What breaks each rule of a modal or Home tab, and where Slack says it is.
VIEW_RULES = [
    ("modal title at most 24", modal([section()], title=plain("t" * 25)), "/view/title/text"),
    ("modal title is plain_text", modal([section()], title=mrkdwn("title")), "/view/title/type"),
    ("modal submit at most 24", modal([section()], submit=plain("s" * 25)), "/view/submit/text"),
    ("modal close at most 24", modal([section()], close=plain("c" * 25)), "/view/close/text"),
    ("a modal with inputs has submit", {k: v for k, v in modal([input_block({"type": "plain_text_input", "action_id": "t"})]).items() if k != "submit"}, "/view/submit"),
    ("100 blocks per view", modal([section()] * 101), "/view/blocks"),
    ("private_metadata at most 3,000", modal([section()], private_metadata="m" * 3001), "/view/private_metadata"),
    ("label at most 2,000", modal([input_block({"type": "plain_text_input", "action_id": "t"}, label="l" * 2001)]), "/view/blocks/0/label/text"),
    ("hint at most 2,000", modal([input_block({"type": "plain_text_input", "action_id": "t"}, hint=plain("h" * 2001))]), "/view/blocks/0/hint/text"),
    ("label is plain_text", modal([{**input_block({"type": "plain_text_input", "action_id": "t"}), "label": mrkdwn("l")}]), "/view/blocks/0/label/type"),
    ("input max_length at most 3,000", modal([input_block({"type": "plain_text_input", "action_id": "t", "max_length": 3001})]), "/view/blocks/0/element/max_length"),
    ("block_id unique per view", modal([{**section(), "block_id": "a"}, {**section(), "block_id": "a"}]), "/view/blocks/1/block_id"),
    ("radio buttons at most 10", modal([input_block({"type": "radio_buttons", "action_id": "r", "options": [option(str(i)) for i in range(11)]})]), "/view/blocks/0/element/options"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "view", "where"), VIEW_RULES, ids=[r[0] for r in VIEW_RULES])
def test_a_view_breaking_a_rule_is_refused_with_invalid_arguments(
    client: WebClient, emu: SlackEmulator, rule: str, view: dict[str, Any], where: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.views_open(trigger_id=emu.new_trigger_id(MEMBER.id), view=view)
    answer = refused.value.response
    assert answer["error"] == "invalid_arguments"
    assert any(f"[json-pointer:{where}]" in m for m in answer["response_metadata"]["messages"]), answer


def test_a_home_tab_breaking_a_rule_is_refused(client: WebClient, emu: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.views_publish(user_id=MEMBER.id, view={"type": "home", "blocks": [section()] * 101})
    assert refused.value.response["error"] == "invalid_arguments"
    assert emu.home_view(MEMBER.id) is None


def test_a_view_over_250_kb_is_view_too_large(client: WebClient) -> None:
    huge = {"type": "home", "blocks": [section("x" * 2900) for _ in range(90)]}
    with pytest.raises(SlackApiError) as refused:
        client.views_publish(user_id=MEMBER.id, view=huge)
    assert refused.value.response["error"] == "view_too_large"


def test_a_valid_form_is_taken(client: WebClient, emu: SlackEmulator) -> None:
    kinds = [option("good practice"), option("policy")]
    view = modal(
        [
            input_block(select(kinds, initial_option=kinds[1], placeholder=plain("Choose"))),
            {**input_block({"type": "datepicker", "action_id": "d", "initial_date": "2027-03-15"}), "block_id": "d"},
            actions(button("Older", "page", url="https://example.org"), button("Newer", "page_newer", style="primary")),
        ]
    )
    assert client.views_open(trigger_id=emu.new_trigger_id(MEMBER.id), view=view)["ok"]


# Text that Slack takes but shows broken


@pytest.mark.parametrize(
    "text",
    ["`/practice search <words>`", "a <b> c", "x < y", "<notalink>", "<@ana>"],
)
def test_a_less_than_that_opens_no_slack_sequence_is_found(text: str) -> None:
    assert broken_mrkdwn(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hi <@U0ANA>, see <#C0GROUP|learning-group> <!here>",
        "<!date^1700000000^{date_short}|15 Nov> at <https://example.org/a?b=1|the page>",
        "<mailto:ana@example.org|Ana> &lt;words&gt; 3 &gt; 2",
        "<!subteam^S0123|@organisers> <http://example.org>",
    ],
)
def test_slack_sequences_and_escaped_text_are_fine(text: str) -> None:
    assert broken_mrkdwn(text) == []


def test_broken_mrkdwn_is_refused_in_the_tests_and_kept_otherwise(client: WebClient, emu: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GROUP", text="fallback", blocks=[section("`/meetings <number>`")])
    assert "/blocks/0/text/text" in refused.value.response["response_metadata"]["messages"][0]
    emu.strict_text = False
    client.chat_postMessage(channel="C0GROUP", text="Use `/meetings <number>`")
    assert emu.broken_text and "/text" in emu.broken_text[-1], "Slack takes it; the workspace notes it"


def test_plain_text_may_hold_a_less_than() -> None:
    assert check_message({"text": "x", "mrkdwn": False}).broken == ()
    assert check_message({"text": "x", "blocks": [{"type": "header", "text": plain("a < b")}]}).broken == ()


def test_a_submission_answer_names_its_input_blocks() -> None:
    view = modal([input_block({"type": "plain_text_input", "action_id": "t"})])
    assert check_submission_answer({"response_action": "errors", "errors": {"field": "Too long"}}, view).refusal is None
    wrong = check_submission_answer({"response_action": "errors", "errors": {"title": "Too long"}}, view)
    assert wrong.refusal is not None and "/errors/title" in wrong.refusal.messages[0]
    pushed = check_submission_answer({"response_action": "push", "view": modal([section()] * 101)}, view)
    assert pushed.refusal is not None and pushed.refusal.error == "invalid_arguments"
    assert check_view(modal([section()]), "modal").refusal is None
