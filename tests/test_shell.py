"""The terminal workspace: commands, buttons and forms as a person uses them."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from slack_bolt import Ack, App

from bot.localslack.local import LocalBot
from bot.shell import Shell


def add_survey(app: App) -> list[dict[str, Any]]:
    """Give the app a small form with validation, as the product's modals have."""
    submitted: list[dict[str, Any]] = []

    @app.command("/survey")
    def open_survey(ack: Ack, body: dict[str, Any], client: Any) -> None:
        ack()
        client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "survey",
                "title": {"type": "plain_text", "text": "Survey"},
                "submit": {"type": "plain_text", "text": "Send"},
                "blocks": [
                    {
                        "type": "input",
                        "block_id": "city",
                        "label": {"type": "plain_text", "text": "City"},
                        "element": {"type": "plain_text_input", "action_id": "value"},
                    },
                    {
                        "type": "input",
                        "block_id": "kind",
                        "label": {"type": "plain_text", "text": "Kind"},
                        "element": {
                            "type": "static_select",
                            "action_id": "value",
                            "options": [
                                {"text": {"type": "plain_text", "text": "In person"}, "value": "in_person"},
                                {"text": {"type": "plain_text", "text": "Online"}, "value": "online"},
                            ],
                        },
                    },
                ],
            },
        )

    @app.view("survey")
    def take_survey(ack: Ack, view: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        values = view["state"]["values"]
        city = values["city"]["value"]["value"] or ""
        if len(city) < 3:
            ack(response_action="errors", errors={"city": "A city name has at least 3 letters, e.g. Essen."})
            return
        ack()
        submitted.append({"city": city, "kind": values["kind"]["value"]["selected_option"]["value"]})
        client.chat_postMessage(channel=body["user"]["id"], text=f"Thanks: {city}")

    @app.command("/knock")
    def knock(ack: Ack) -> None:
        ack(
            text="Who's there?",
            blocks=[
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "answer",
                            "value": "me",
                            "text": {"type": "plain_text", "text": "Me"},
                        }
                    ],
                }
            ],
        )

    @app.action("answer")
    def answer(ack: Ack, respond: Any, action: dict[str, Any]) -> None:
        ack()
        respond(text=f"Come in, {action['value']}!", replace_original=False)

    return submitted


def run(local_bot: LocalBot, *lines: str) -> str:
    out = io.StringIO()
    shell = Shell(local_bot, Console(file=out, force_terminal=False, width=200), "member", iter(lines), False)
    for line in iter(lambda: shell.ask("> "), None):
        if not shell.send(line):
            break
    shell.show_pending()
    return out.getvalue()


def test_a_form_is_filled_field_by_field_and_refused_fields_asked_again(local_bot: LocalBot) -> None:
    submitted = add_survey(local_bot.service.app)  # type: ignore[union-attr]
    transcript = run(local_bot, "/survey", "Ex", "2", "Essen")
    assert "A city name has at least 3 letters" in transcript
    assert submitted == [{"city": "Essen", "kind": "online"}]
    assert "Thanks: Essen" in transcript and "(direct message)" in transcript


def test_buttons_are_pressed_by_number(local_bot: LocalBot) -> None:
    add_survey(local_bot.service.app)  # type: ignore[union-attr]
    transcript = run(local_bot, "/knock", "1", "9")
    assert "1: Me" in transcript
    assert "Come in, me!" in transcript
    assert "No such button" in transcript


def test_switching_people_and_unknown_shell_commands(local_bot: LocalBot) -> None:
    transcript = run(local_bot, ":as guest", "/tci whoami", ":as nobody", ":dance")
    assert "You are now Carla Guest" in transcript and "*not a member*" not in transcript
    assert "not a member" in transcript
    assert "Say :as organiser" in transcript and "Unknown :dance" in transcript
