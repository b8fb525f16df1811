"""The group's FAQ and each person's choice of reminders by direct message."""

from __future__ import annotations

from bot.config import format_offset
from bot.services import meetings as service
from bot.views import blocks
from handlers.routing import Call, meeting_number

FAQ_USAGE = "`/meetings faq add Do I pay for travel? | Yes: participants pay their own travel. | travel, hotel`"


def reminders(call: Call) -> None:
    """Show, or turn on or off, the person's meeting reminders by direct message."""
    word = call.args.strip().lower()
    if word not in ("", "on", "off"):
        call.reply(
            f"`/meetings reminders` takes `off` or `on` (not “{blocks.escape(blocks.clip(word, 40))}”). "
            "For example: `/meetings reminders off`."
        )
        return
    wanted = service.reminders_wanted(call.deps, slack_id=call.user_id, wanted=(word == "on") if word else None)
    offsets = ", ".join(format_offset(offset) for offset in call.deps.settings.reminder_offsets)
    if wanted:
        state = f"*on*: before each meeting you registered for ({offsets} before, unless a meeting says otherwise)"
        change = "`/meetings reminders off` stops them."
    else:
        state = "*off*: you get no reminders by direct message; the group channel still has them"
        change = "`/meetings reminders on` starts them again."
    prefix = ":white_check_mark: Done. " if word else ""
    call.reply(f"{prefix}Meeting reminders by direct message are {state}. {change}")


def list_faq(call: Call) -> None:
    """List the FAQ."""
    entries = service.faq_entries(call.deps)
    if not entries:
        hint = f" Add one: {FAQ_USAGE}" if call.deps.people.is_organiser(call.user_id) else ""
        call.reply(f"The FAQ is empty so far.{hint}")
        return
    lines = [f"*{e.id}. {blocks.escape(e.question)}*\n{blocks.escape(e.answer)}" for e in entries]
    body = [blocks.section("*Frequently asked questions*")] + [blocks.section(line) for line in lines[:45]]
    body.append(blocks.context("You can also just ask me: mention me or send me a direct message."))
    call.reply("Frequently asked questions:\n" + "\n".join(lines), body)


def add_faq(call: Call) -> None:
    """Add a question, its answer and its keywords (`question | answer | keywords`)."""
    parts = [part.strip() for part in call.args.split("|")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        call.reply(
            f"Give the question and its answer separated by |, and keywords after another | if you like: {FAQ_USAGE}"
        )
        return
    added = service.add_faq(
        call.deps,
        question=parts[0],
        answer=parts[1],
        keywords=",".join(parts[2:]).split(","),
        created_by=call.user_id,
    )
    entry = added.entry
    if entry is None:
        call.reply(f"Nothing was added: {'; '.join(added.problems)}.")
        return
    call.reply(
        f":white_check_mark: Added FAQ {entry.id}: *{blocks.escape(entry.question)}*\n{blocks.escape(entry.answer)}\n"
        f"Keywords: {blocks.escape(entry.keywords) or 'none'}. People who ask me about it now get this answer."
    )


def remove_faq(call: Call) -> None:
    """Remove a question from the FAQ."""
    number = meeting_number(call.args)
    if number is None:
        call.reply("Which question? Give its number, e.g. `/meetings faq remove 2`; `/meetings faq` lists them.")
        return
    entry = service.remove_faq(call.deps, entry_id=number)
    if entry is None:
        call.reply(f"There is no FAQ entry {number}, so nothing was removed. `/meetings faq` lists them.")
        return
    call.reply(f":wastebasket: Removed FAQ {number}: {blocks.escape(entry.question)}")
