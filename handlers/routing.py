"""Slash commands and their subcommands: parsing, help, usage and the organiser check.

Every command goes through `CommandRouter`: the acknowledgement answers help, usage and
refusals at once; the work of a permitted subcommand runs after the acknowledgement, or before
it when the subcommand changes the store. Whether a subcommand is organiser-only is declared
here and checked here; buttons are bound in handlers.buttons.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language import i18n
from bot.language.i18n import _
from bot.registry import ActionSpec, CommandSpec, Kind
from bot.views import blocks
from handlers.dispatch import keyed
from handlers.errors import ACTION_REFUSAL, after_ack, error_view, refusal

_NUMBER = re.compile(r"#?\d{1,9}")
# The words of a subcommand run when the text starts with a number, e.g. `/meetings 12`.
BY_NUMBER = "<number>"


@dataclass(frozen=True)
class Call:
    """One permitted subcommand call, with what its handler needs."""

    deps: Deps
    client: WebClient
    respond: Respond
    user_id: str
    channel_id: str
    trigger_id: str
    args: str
    body: dict[str, Any]
    bot_user_id: str = ""

    def reply(self, text: str, blocks_: list[blocks.Block] | None = None) -> None:
        """Answer privately, in the conversation where the command was typed."""
        payload = blocks.message(text, blocks_ if blocks_ is not None else [blocks.section(text)])
        self.respond(response_type="ephemeral", **payload)


Handler = Callable[[Call], None]


@dataclass(frozen=True)
class Subcommand:
    """A subcommand: its words, what it does, and who may use it.

    `summary` and `usage` are marked with N_ where they are declared and translated here, when help is built.
    """

    words: str
    summary: str
    run: Handler
    usage: str = ""
    organiser_only: bool = False
    examples: tuple[str, ...] = ()
    # It changes the store: it runs before the acknowledgement, whose 200 then means "recorded",
    # and its first answer is the acknowledgement itself.
    writes: bool = False

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.words.split())


@dataclass(frozen=True)
class Decision:
    """What the router makes of a command's text for one person."""

    answer: dict[str, Any] | None  # said at once, in the acknowledgement
    subcommand: Subcommand | None = None  # run after the acknowledgement
    args: str = ""


@dataclass
class CommandRouter:
    """A slash command made of subcommands, with help and usage built from them.

    `intro` and every subcommand's summary and usage are English texts marked with N_, translated when
    help is built; `intro` may hold `{group}`, the group's name. `description` is Slack's (the manifest's).
    """

    name: str
    description: str
    intro: str
    default: str = "help"  # the subcommand run when the text is empty
    subcommands: list[Subcommand] = field(default_factory=list)
    # Help, built once per language and role.
    _help: dict[tuple[str, bool], dict[str, Any]] = field(default_factory=dict, repr=False)

    def add(self, subcommand: Subcommand) -> None:
        """Add a subcommand; longer word sequences win over their prefixes."""
        self._help.clear()
        self.subcommands.append(subcommand)
        self.subcommands.sort(key=lambda sub: len(sub.parts), reverse=True)

    def match(self, text: str) -> tuple[Subcommand | None, str]:
        """Find the subcommand `text` names, and the rest of the text."""
        tokens = text.split()
        if tokens and _NUMBER.fullmatch(tokens[0]):
            for sub in self.subcommands:
                if sub.words == BY_NUMBER:
                    return sub, text
        lowered = [token.lower() for token in tokens]
        for sub in self.subcommands:
            if tuple(lowered[: len(sub.parts)]) == sub.parts:
                pieces = text.split(None, len(sub.parts))
                return sub, pieces[len(sub.parts)].strip() if len(pieces) > len(sub.parts) else ""
        return None, text

    def decide(self, text: str, user_id: str, deps: Deps) -> Decision:
        """Decide what to do with `text` from `user_id`: answer at once, or run a subcommand."""
        text = text.strip()
        first = text.split(None, 1)[0].lower() if text else self.default
        if first in ("help", "?", "-h", "--help"):
            return Decision(answer=self.help_message(deps, user_id))
        sub, args = self.match(text or self.default)
        if sub is None:
            return Decision(answer=self.usage_message(text))
        if sub.organiser_only and not deps.people.is_organiser(user_id):
            named = self.name if sub.words == self.default else f"{self.name} {sub.words}"
            return Decision(answer=blocks.notice(refusal(named)))
        return Decision(answer=None, subcommand=sub, args=args)

    def usage_hint(self) -> str:
        """The hint Slack shows while typing the command, from the subcommands people use most."""
        words = [sub.usage or sub.words for sub in sorted(self.subcommands, key=lambda s: s.words)]
        return " | ".join([*words, "help"])

    def help_message(self, deps: Deps, user_id: str) -> dict[str, Any]:
        """The command's help, in the language spoken now: what it does, each subcommand with usage and examples."""
        key = (i18n.language(), deps.people.shown_as_organiser(user_id))
        if key not in self._help:
            self._help[key] = self._build_help(deps, organiser=key[1])
        return self._help[key]

    def _build_help(self, deps: Deps, *, organiser: bool) -> dict[str, Any]:
        lines = []
        for sub in sorted(self.subcommands, key=lambda s: s.words):
            if sub.organiser_only and not organiser:
                continue
            usage = blocks.escape(f"{self.name} {_(sub.usage) if sub.usage else sub.words}".strip())
            if sub.organiser_only:
                line = _("`{usage}`: {summary} _(organisers)_", usage=usage, summary=blocks.escape(_(sub.summary)))
            else:
                line = _("`{usage}`: {summary}", usage=usage, summary=blocks.escape(_(sub.summary)))
            lines.append(line)
        intro = _(self.intro, group=deps.settings.group_name)
        body = [blocks.section(_("*{command}*: {intro}", command=self.name, intro=intro))]
        if lines:
            body.append(blocks.section("\n".join(lines)))
        examples = [
            f"`{self.name} {ex}`"
            for sub in self.subcommands
            for ex in sub.examples
            if organiser or not sub.organiser_only
        ]
        if examples:
            body.append(blocks.context(_("Examples: {examples}", examples="   ".join(examples[:8]))))
        if not organiser and any(sub.organiser_only for sub in self.subcommands):
            body.append(blocks.context(_("Organisers have more subcommands here.")))
        text = _("{command}: {intro}", command=self.name, intro=intro) + "\n" + "\n".join(lines)
        return blocks.message(text, body)

    def usage_message(self, text: str) -> dict[str, Any]:
        """The private answer to a subcommand the router does not know."""
        word = blocks.escape(text.split(None, 1)[0]) if text else ""
        known = ", ".join(f"`{blocks.escape(sub.words)}`" for sub in sorted(self.subcommands, key=lambda s: s.words))
        command = self.name
        if word and known:
            said = _(
                "I don't know `{command} {word}`. Try one of: {known}, or `{command} help` for what each does.",
                command=command,
                word=word,
                known=known,
            )
        elif word:
            said = _("I don't know `{command} {word}`. `{command} help` says what it does.", command=command, word=word)
        elif known:
            said = _(
                "`{command}` needs a subcommand. Try one of: {known}, or `{command} help` for what each does.",
                command=command,
                known=known,
            )
        else:
            said = _("`{command}` needs a subcommand. `{command} help` says what it does.", command=command)
        return blocks.notice(said)

    def register(self, app: App, deps: Deps) -> None:
        """Bind the command to the app and record it and its subcommands in the registry."""
        deps.registry.add_command(CommandSpec(self.name, self.description, self.usage_hint()))
        for sub in self.subcommands:
            deps.registry.add_action(
                ActionSpec(Kind.SUBCOMMAND, f"{self.name} {sub.words}", sub.summary, sub.organiser_only)
            )

        def acknowledge(
            ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
        ) -> None:
            decision = self.decide(body.get("text", ""), body["user_id"], deps)
            if decision.answer is not None:
                ack(response_type="ephemeral", **decision.answer)
                return
            subcommand = decision.subcommand
            assert subcommand is not None

            def call(respond: Respond, body: dict[str, Any], client: WebClient, context: BoltContext) -> Call:
                return Call(
                    deps=deps,
                    client=client,
                    respond=respond,
                    user_id=body["user_id"],
                    channel_id=body.get("channel_id", ""),
                    trigger_id=body.get("trigger_id", ""),
                    args=decision.args,
                    body=body,
                    bot_user_id=context.bot_user_id or "",
                )

            if subcommand.writes:
                answers = HeldAnswers()
                subcommand.run(call(cast(Respond, answers), body, client, context))  # an error is Bolt's to answer
                ack()

                def say(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
                    for payload in answers.held:
                        respond(**payload)

                say.__name__ = f"{self.name} {subcommand.words}: the answer"
                after_ack(app, say, body=body, client=client, respond=respond, context=context, saved_first=True)
                return
            ack()

            def work(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
                subcommand.run(call(respond, body, client, context))

            work.__name__ = f"{self.name} {subcommand.words}"
            after_ack(app, work, body=body, client=client, respond=respond, context=context)

        keyed(app, "command")[self.name] = acknowledge


class HeldAnswers:
    """A subcommand's `respond` before its acknowledgement: what it says is held, and said once acknowledged."""

    def __init__(self) -> None:
        self.held: list[dict[str, Any]] = []

    def __call__(self, **payload: Any) -> None:
        self.held.append(payload)


def view_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's private metadata (the bot's own JSON; anything else reads as empty)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def organiser_submission(deps: Deps, body: dict[str, Any], ack: Ack) -> bool:
    """Whether a form submission comes from an organiser; if not, the form says so and nothing changes."""
    if deps.people.is_organiser(body["user"]["id"]):
        return True
    ack(response_action="update", view=error_view(_(ACTION_REFUSAL)))
    return False


def pressed_value(body: dict[str, Any]) -> str:
    """The value of the button that was pressed."""
    return str((body.get("actions") or [{}])[0].get("value") or "")


def meeting_number(text: str) -> int | None:
    """The meeting number in `12` or `#12`, or None."""
    word = text.strip().split(None, 1)[0] if text.strip() else ""
    word = word.lstrip("#")
    return int(word) if word.isdecimal() and len(word) <= 9 else None
