"""`/tci language`: which languages the bot speaks, and the one a person chooses to read it in."""

from __future__ import annotations

from bot.language import i18n
from bot.language.i18n import _
from bot.services import languages
from bot.views import blocks
from handlers.routing import Call

SAID_LIMIT = 100  # how much of what was typed an answer quotes back


def choose(call: Call) -> None:
    """Say which languages there are, or record the one the person chose and answer in it."""
    asked = call.args.strip()
    spoken = ", ".join(f"`{code}` ({i18n.name_of(code)})" for code in i18n.available())
    if not asked:
        call.reply(
            _(
                "I write to you in {name}. I speak {languages}; choose one with `/tci language es`, or "
                "`/tci language slack` to follow your Slack language.",
                name=i18n.name_of(i18n.language()),
                languages=spoken,
            )
        )
        return
    chosen = languages.choose(call.deps, call.user_id, asked)
    if chosen is None:
        call.reply(
            _(
                "I don't speak “{asked}”. I speak {languages}: e.g. `/tci language es`.",
                asked=blocks.escape(asked[:SAID_LIMIT]),
                languages=spoken,
            )
        )
        return
    if chosen == languages.FOLLOW_SLACK:
        with i18n.speaking(languages.of_person(call.deps, call.client, call.user_id)):
            call.reply(
                _("From now on I write to you in your Slack language, {name}.", name=i18n.name_of(i18n.language()))
            )
        return
    with i18n.speaking(chosen):
        call.reply(_("From now on I write to you in {name}.", name=i18n.name_of(chosen)))
