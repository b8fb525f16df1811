"""The group's FAQ and each person's choice of reminders by direct message."""

from __future__ import annotations

from bot.config import format_offset
from bot.language import i18n
from bot.language.i18n import N_, _
from bot.services import meetings as service
from bot.views import blocks
from handlers.routing import Call, meeting_number

FAQ_USAGE = N_("`/meetings faq add Do I pay for travel? | Yes: participants pay their own travel. | travel, hotel`")
TRANSLATE_USAGE = N_(
    "`/meetings faq translate 2 es ¿Pago el viaje? | Sí: cada participante paga su viaje. | viaje, hotel`"
)


def reminders(call: Call) -> None:
    """Show, or turn on or off, the person's meeting reminders by direct message."""
    word = call.args.strip().lower()
    if word not in ("", "on", "off"):
        call.reply(
            _(
                "`/meetings reminders` takes `off` or `on` (not “{said}”). For example: `/meetings reminders off`.",
                said=blocks.escape(blocks.clip(word, 40)),
            )
        )
        return
    wanted = service.reminders_wanted(call.deps, slack_id=call.user_id, wanted=(word == "on") if word else None)
    offsets = ", ".join(format_offset(offset) for offset in call.deps.settings.reminder_offsets)
    call.reply(reminders_text(wanted=wanted, changed=bool(word), offsets=offsets))


def reminders_text(*, wanted: bool, changed: bool, offsets: str) -> str:
    """Whether meeting reminders come by direct message, and how to change it; `changed` when just set."""
    if wanted and changed:
        return _(
            ":white_check_mark: Done. Meeting reminders by direct message are *on*: before each meeting you "
            "registered for ({offsets} before, unless a meeting says otherwise). `/meetings reminders off` stops them.",
            offsets=offsets,
        )
    if wanted:
        return _(
            "Meeting reminders by direct message are *on*: before each meeting you registered for "
            "({offsets} before, unless a meeting says otherwise). `/meetings reminders off` stops them.",
            offsets=offsets,
        )
    if changed:
        return _(
            ":white_check_mark: Done. Meeting reminders by direct message are *off*: you get no reminders by "
            "direct message; the group channel still has them. `/meetings reminders on` starts them again."
        )
    return _(
        "Meeting reminders by direct message are *off*: you get no reminders by direct message; "
        "the group channel still has them. `/meetings reminders on` starts them again."
    )


def list_faq(call: Call) -> None:
    """List the FAQ."""
    entries = service.faq_entries(call.deps)
    if not entries:
        if call.deps.people.is_organiser(call.user_id):
            call.reply(_("The FAQ is empty so far. Add one: {usage}", usage=_(FAQ_USAGE)))
        else:
            call.reply(_("The FAQ is empty so far."))
        return
    translations = service.faq_translations(call.deps)
    reader = i18n.language()
    lines = []
    for entry in entries:
        shown = translations.get(entry.id or 0, {}).get(reader) or entry
        lines.append(f"*{entry.id}. {blocks.escape(shown.question)}*\n{blocks.escape(shown.answer)}")
    body = [blocks.section(_("*Frequently asked questions*"))] + [blocks.section(line) for line in lines[:45]]
    body.append(blocks.context(_("You can also just ask me: mention me or send me a direct message.")))
    call.reply(_("Frequently asked questions:") + "\n" + "\n".join(lines), body)


def add_faq(call: Call) -> None:
    """Add a question, its answer and its keywords (`question | answer | keywords`)."""
    parts = [part.strip() for part in call.args.split("|")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        call.reply(
            _(
                "Give the question and its answer separated by |, and keywords after another | if you like: {usage}",
                usage=_(FAQ_USAGE),
            )
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
        call.reply(_("Nothing was added: {problems}.", problems="; ".join(added.problems)))
        return
    values = {"number": entry.id, "question": blocks.escape(entry.question), "answer": blocks.escape(entry.answer)}
    if entry.keywords:
        call.reply(
            _(
                ":white_check_mark: Added FAQ {number}: *{question}*\n{answer}\n"
                "Keywords: {keywords}. People who ask me about it now get this answer.",
                keywords=blocks.escape(entry.keywords),
                **values,
            )
        )
    else:
        call.reply(
            _(
                ":white_check_mark: Added FAQ {number}: *{question}*\n{answer}\n"
                "Keywords: none. People who ask me about it now get this answer.",
                **values,
            )
        )


def translate_faq(call: Call) -> None:
    """Add an entry's translation (`<number> <language> question | answer | keywords`)."""
    head, _bar, rest = call.args.partition("|")
    words = head.split(maxsplit=2)
    number = meeting_number(words[0]) if words else None
    language = i18n.supported(words[1]) if len(words) > 1 else None
    parts = [words[2].strip() if len(words) > 2 else "", *(part.strip() for part in rest.split("|"))]
    if number is None or language is None or not _bar or not parts[0] or len(parts) < 2 or not parts[1]:
        call.reply(
            _(
                "Give the entry's number, the language ({languages}), then the question and its answer "
                "separated by |, and keywords after another | if you like: {usage}",
                languages=", ".join(f"`{code}`" for code in i18n.available()),
                usage=_(TRANSLATE_USAGE),
            )
        )
        return
    done = service.translate_faq(
        call.deps,
        entry_id=number,
        language=language,
        question=parts[0],
        answer=parts[1],
        keywords=",".join(parts[2:]).split(","),
        created_by=call.user_id,
    )
    if done.translation is None:
        call.reply(_("Nothing was added: {problems}.", problems="; ".join(done.problems)))
        return
    call.reply(
        _(
            ":white_check_mark: FAQ {number} in {language}: *{question}*\n{answer}\n"
            "People who ask me in {language} now get this answer.",
            number=number,
            language=i18n.name_of(language, in_language=i18n.language()),
            question=blocks.escape(done.translation.question),
            answer=blocks.escape(done.translation.answer),
        )
    )


def remove_faq(call: Call) -> None:
    """Remove a question from the FAQ."""
    number = meeting_number(call.args)
    if number is None:
        call.reply(_("Which question? Give its number, e.g. `/meetings faq remove 2`; `/meetings faq` lists them."))
        return
    entry = service.remove_faq(call.deps, entry_id=number)
    if entry is None:
        call.reply(
            _("There is no FAQ entry {number}, so nothing was removed. `/meetings faq` lists them.", number=number)
        )
        return
    call.reply(
        _(":wastebasket: Removed FAQ {number}: {question}", number=number, question=blocks.escape(entry.question))
    )
