"""What a person is told when the bot's own side failed: marked here, translated where it is said (`_(SORRY)`)."""

from __future__ import annotations

from bot.language.i18n import N_

SORRY = N_(
    ":warning: Sorry, something went wrong on my side and nothing was changed. "
    "Please try again; if it keeps happening, tell one of the organisers."
)
