"""The terminal workspace: commands, buttons and forms as a person uses them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from slack_bolt import Ack, App

from bot.config import Settings
from bot.demo import seed_demo
from bot.localslack.local import LocalBot
from bot.localslack.render import Renderer
from bot.localslack.workspace import AnswerRefused, LocalWorkspace
from bot.shell import Shell, run_shell
from store import meetings as meetings_store
from store.models import MeetingKind

SURVEY_KINDS = ("In person", "Online", "Online and in person")


def add_survey(app: App) -> list[dict[str, Any]]:
    """Give the app a small form with validation, as the product's modals have."""
    submitted: list[dict[str, Any]] = []
    survey_options = [
        {"text": {"type": "plain_text", "text": kind}, "value": kind.lower().replace(" ", "_")} for kind in SURVEY_KINDS
    ]

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
                            "options": survey_options,
                            "initial_option": survey_options[1],
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


def run(local_bot: LocalBot, *lines: str, who: str = "member") -> str:
    out = io.StringIO()
    shell = Shell(local_bot, Console(file=out, force_terminal=False, width=200), who, iter(lines), False)
    for line in iter(lambda: shell.ask("> "), None):
        if not shell.send(line):
            break
    shell.show_pending()
    return out.getvalue()


class Session:
    """A shell driven one line at a time, so that a test can look at what it shows between lines."""

    def __init__(self, local_bot: LocalBot, who: str, *, width: int = 200) -> None:
        self.out = io.StringIO()
        self.pending: list[str] = []
        self.shell = Shell(
            local_bot, Console(file=self.out, force_terminal=False, width=width), who, self._lines(), False
        )

    def _lines(self) -> Iterator[str]:
        while self.pending:
            yield self.pending.pop(0)

    def send(self, line: str, *then: str) -> str:
        """Type a line (and the lines a form it opens asks for); return what was shown meanwhile."""
        start = len(self.out.getvalue())
        self.pending[:] = list(then)
        self.shell.send(line)
        self.shell.show_pending()
        return self.out.getvalue()[start:]

    def button(self, label: str) -> str:
        """The number of the newest button with this label."""
        numbers = [n for n, b in self.shell.renderer.buttons.items() if label in b.label]
        assert numbers, f"no button {label!r} shown"
        return str(numbers[-1])


def demo(local_bot: LocalBot) -> None:
    seed_demo(local_bot.service.deps)  # type: ignore[union-attr]


def meeting_kind(local_bot: LocalBot, meeting_id: int) -> MeetingKind:
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
        assert meeting is not None
        return MeetingKind(meeting.kind)


def test_a_form_is_filled_field_by_field_and_refused_fields_asked_again(local_bot: LocalBot) -> None:
    submitted = add_survey(local_bot.service.app)  # type: ignore[union-attr]
    transcript = run(local_bot, "/survey", "Ex", "1", "Essen")
    assert "A city name has at least 3 letters" in transcript
    assert submitted == [{"city": "Essen", "kind": "in_person"}]
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


# forms -------------------------------------------------------------------------------------------


def test_a_menu_shows_its_choice_and_takes_an_options_words(local_bot: LocalBot) -> None:
    submitted = add_survey(local_bot.service.app)  # type: ignore[union-attr]
    transcript = run(
        local_bot, "/survey", "Essen", "", "/survey", "Essen", "onl", "online AND", "/survey", "Essen", "in"
    )
    assert "Kind [Online]: " in transcript
    assert "onl is none of these" in transcript  # two options start so: asked again
    assert [s["kind"] for s in submitted] == ["online", "online_and_in_person", "in_person"]


def test_an_edit_form_keeps_the_meetings_kind_when_left_alone(local_bot: LocalBot) -> None:
    demo(local_bot)
    assert meeting_kind(local_bot, 4) == MeetingKind.ONLINE
    transcript = run(local_bot, "/meetings edit 4", *[""] * 20, who="organiser")
    assert "Kind [Online]: " in transcript and "Changes saved" in transcript
    assert "has no join link" not in transcript
    assert meeting_kind(local_bot, 4) == MeetingKind.ONLINE


def test_a_text_field_is_emptied_with_a_dash(local_bot: LocalBot) -> None:
    demo(local_bot)
    # Hybrid to in person: the join link has to go, and "-" takes it away.
    fields = ["", "In person", "", "", "", "", "", "", "-", *[""] * 10]
    transcript = run(local_bot, "/meetings edit 5", *fields, who="organiser")
    assert "Changes saved" in transcript and "has no join link" not in transcript
    assert meeting_kind(local_bot, 5) == MeetingKind.IN_PERSON


def test_the_announcement_channel_is_chosen_by_name_or_number(local_bot: LocalBot) -> None:
    emulator = local_bot.emulator
    transcript = run(local_bot, "/announce Hello", "", "#general", "", "/announce Again", "", "3", "", who="organiser")
    assert "1. #learning-group" in transcript and "2. #general" in transcript and "3. #random" in transcript
    assert "bot in #general" in transcript and "bot in #random" in transcript
    assert [m["text"] for m in emulator.messages("C0GENERAL")] == ["Hello"]
    assert [m["text"] for m in emulator.messages("C0RANDOM")] == ["Again"]


# people and their direct messages ---------------------------------------------------------------


def test_what_the_bot_sent_someone_is_shown_when_one_becomes_them(local_bot: LocalBot) -> None:
    session = Session(local_bot, "organiser")
    session.send("/tci organisers add @bruno")
    became = session.send(":as member")
    assert "Bruno Member (@bruno, Europe/Berlin): an organiser" in became  # the role the store has now
    assert "Meanwhile the bot sent you 1 direct message" in became and "bot → you (direct message)" in became
    assert "organiser" in became.split("Meanwhile", 1)[1]
    assert "Meanwhile" not in session.send(":as organiser") + session.send(":as bruno")  # shown once
    session.send(":as ana")
    session.send("/tci organisers remove @bruno")
    session.send(":as bruno")
    assert "(@bruno, Europe/Berlin): a member." in session.send(":who")
    assert "Carla Guest (@carla, America/Toronto): a guest, not a member" in session.send(":as carla")


def test_a_button_shown_to_someone_else_is_theirs_to_press(local_bot: LocalBot) -> None:
    demo(local_bot)
    session = Session(local_bot, "member")
    session.send("/meetings 4")
    button = session.button("Attend online")
    session.send(":as guest")
    assert "was shown to @bruno only" in session.send(button)


# messages ----------------------------------------------------------------------------------------


def test_a_message_shortcut_runs_on_a_shown_message(local_bot: LocalBot) -> None:
    session = Session(local_bot, "member")
    said = session.send("Peer visits between cluster managers")
    assert "· message 1" in said
    assert "Say :shortcut N" in session.send(":shortcut 7")
    assert "Say which shortcut" in session.send(":shortcut 1 nothing like it")
    form = session.send(":shortcut 1", ":cancel")
    assert "Share as practice on message 1" in form and "┌ Share a practice" in form
    assert "Title [Peer visits between cluster managers]" in form
    form = session.send(":shortcut 1 share", ":cancel")
    assert "┌ Share a practice" in form


def test_an_answer_that_closes_a_message_stops_its_buttons(local_bot: LocalBot) -> None:
    demo(local_bot)
    session = Session(local_bot, "organiser")
    session.send("/meetings cancel 4")
    cancel, keep = session.button("Cancel the meeting"), session.button("Keep it")
    assert f"the bot removed its message with buttons {cancel}, {keep}" in session.send(keep)
    assert "That message is gone (the bot removed it)" in session.send(cancel)
    session.send("/meetings add Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40")
    save, discard = session.button("Save"), session.button("Discard")
    assert "replaces its message" in session.send(save)
    assert "That message is gone (the bot replaced it)" in session.send(discard)


def test_a_button_with_a_confirmation_asks_first(local_bot: LocalBot) -> None:
    demo(local_bot)
    session = Session(local_bot, "organiser")
    session.send("/meetings cancel 4")
    cancel = session.button("Cancel the meeting")
    asked = session.send(cancel, "n")
    assert "Cancel this meeting?" in asked and "Cancel it (y) or Keep it (n)? n" in asked
    assert meeting_kind(local_bot, 4) == MeetingKind.ONLINE and "is cancelled" not in asked
    assert "is cancelled" in session.send(cancel, "y")


def test_files_the_bot_sends_are_saved_where_the_shell_says(local_bot: LocalBot, settings: Settings) -> None:
    demo(local_bot)
    session = Session(local_bot, "member")
    session.send("/meetings 4")
    shown = session.send(session.button("Calendar file (.ics)"))
    saved = settings.data_dir / "files" / "meeting-4-online-exchange-sme-digital-transformation.ics"
    assert f"saved as {saved}" in shown
    assert saved.read_text().startswith("BEGIN:VCALENDAR")
    session.send(session.button("Calendar file (.ics)"))
    assert saved.with_name(f"{saved.stem}-2.ics").exists()  # a second copy does not overwrite the first


# how text is shown -------------------------------------------------------------------------------


def test_emoji_links_and_strikethrough_are_shown_as_slack_shows_them() -> None:
    renderer = Renderer()
    shown = renderer.mrkdwn(
        ":calendar: :flag-es: :large_green_circle: <https://example.org/a|https://example.org/a> "
        "<https://example.org/b|example.org/b> <https://example.org/c|Agenda> ~old~ 9:00-17:00 :no-such-emoji:"
    )
    assert shown.startswith("📆 🇪🇸 🟢 https://example.org/a https://example.org/b Agenda (https://example.org/c)")
    assert "[strike]old[/strike] 9:00-17:00 :no-such-emoji:" in shown
    assert renderer.mrkdwn("<https://example.org/a-long-path|https://example.org/a-lo…>") == (
        "https://example.org/a-long-path"
    )


def test_long_lines_wrap_at_words_and_buttons_stay_whole(local_bot: LocalBot) -> None:
    session = Session(local_bot, "member", width=40)
    session.shell.print_lines(["word " * 20 + "end"])
    words = session.out.getvalue().splitlines()
    assert len(words) == 3 and all(len(line) <= 40 and line.startswith("  ") for line in words)
    assert " ".join(words).split() == ["word"] * 20 + ["end"]
    blocks = [{"type": "actions", "elements": [_button(f"Go {n}") for n in range(1, 10)]}]
    session.shell.print_lines(session.shell.renderer.blocks(blocks))
    rows = session.out.getvalue().splitlines()[len(words) :]
    assert 1 < len(rows) < 9 and all(len(row) <= 40 for row in rows)
    assert [int(n) for row in rows for n in re.findall(r"(\d+): Go \1", row)] == list(range(1, 10))


def _button(label: str) -> dict[str, Any]:
    return {"type": "button", "action_id": label, "text": {"type": "plain_text", "text": label}}


# the shell's own commands ------------------------------------------------------------------------


def test_wait_says_what_it_takes(local_bot: LocalBot) -> None:
    transcript = run(local_bot, ":wait abc", ":wait -3", ":wait 0", ":wait 0.2", ":wait 0s")
    assert transcript.count(":wait takes a number of seconds") == 2
    assert "waiting 0 s" in transcript and "waiting 0.2 s" in transcript


class Interrupted(io.StringIO):
    """Standard input where the person presses Ctrl-C after the given lines."""

    def __init__(self, *lines: str) -> None:
        super().__init__("".join(f"{line}\n" for line in lines))

    def __iter__(self) -> Iterator[str]:
        yield from iter(self.readline, "")
        raise KeyboardInterrupt


def test_ctrl_c_and_the_end_of_input_leave_cleanly(settings: Settings, tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_shell(settings, demo=False, who="member", stdin=Interrupted("/tci whoami"), stdout=out) == 0
    assert "You are" in out.getvalue() and "Left the local workspace." in out.getvalue()
    ended = io.StringIO()
    assert run_shell(settings, demo=False, who="member", stdin=io.StringIO("/tci help"), stdout=ended) == 0
    assert "Traceback" not in out.getvalue() + ended.getvalue()


def test_an_answer_slack_refuses_is_said_and_the_shell_goes_on(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AnswerRefused("invalid_blocks", ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"])

    monkeypatch.setattr(LocalWorkspace, "slash_command", refused)
    out = io.StringIO()
    assert run_shell(settings, demo=False, who="member", stdin=io.StringIO("/meetings\n:who\n"), stdout=out) == 0
    said = out.getvalue()
    assert "Slack refused the bot's answer: invalid_blocks" in said and "json-pointer:/blocks" in said
    assert "Traceback" not in said and "You are" in said.split("Slack refused")[1], "the next line is taken"


def test_a_button_in_a_form_changes_the_form_and_the_old_one_stops(local_bot: LocalBot) -> None:
    session = Session(local_bot, "organiser")
    session.send("/meetings add Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40")
    saved = session.send(session.button("Open in the form"), *[""] * 20)
    assert "┌ Meeting saved" in saved
    announce = session.button("Announce in the group channel")
    announced = session.send(announce)
    assert "┌ Announced" in announced and "bot in #learning-group · message 1" in announced
    assert "That form is gone (the bot replaced it)" in session.send(announce)


def test_a_quote_is_shown_as_one() -> None:
    assert Renderer().mrkdwn("The reason:\n>Not about clusters\nNext") == "The reason:\n▎ Not about clusters\nNext"


def test_a_menu_in_app_home_is_chosen_by_its_number_and_words(local_bot: LocalBot) -> None:
    transcript = run(local_bot, ":home", "1", "deutsch")
    assert "1: ▾ Slack's language" in transcript and "   4. español" in transcript
    after = transcript.split("choose:")[1]
    assert "▾ Deutsch" in after and "Die Sprache, in der ich dir schreibe" in after, "Home again, in German"


def test_boxes_in_app_home_are_ticked_by_their_numbers(local_bot: LocalBot) -> None:
    session = Session(local_bot, "member")
    home = session.send(":home")
    assert "☑ 1 week before  ☑ 1 day before  ☑ 1 hour before" in home
    saved = session.send(session.button("1 week before"), "2 3")
    assert "Saved: your meeting reminders by direct message." in saved
    assert "☐ 1 week before  ☑ 1 day before  ☑ 1 hour before" in saved
    saved = session.send(session.button("1 day before"), "none")
    assert "no meeting reminders by direct message" in saved and "☐ 1 hour before" in saved
