"""A sixth language is its catalogs and its word lists on disk, with no code change.

Italian is added here as a copy of the bot's locale folder with an `it` folder beside the others: a
compiled catalog (one area, a few messages) and the words its questions are read by. The bot then lists
it, a person can choose it, and a question in Italian is understood and answered in Italian.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

import bot.language
from bot.language import i18n
from bot.localslack.local import LocalBot
from bot.localslack.records import LocalUser
from tests.helpers import private_answer, wait_delivery
from tests.test_questions import seed

GIULIA = LocalUser(id="U0GIULIA", name="giulia", real_name="Giulia Rossi", locale="it-IT")
MESSAGES = {
    "{title} is on {when}": "{title} è il {when}",
    "From now on I write to you in {name}.": "D'ora in poi ti scrivo in {name}.",
}
QUESTION_WORDS = """
[question_words]
quando = "when"
e = "is"
la = "the"
il = "the"
prossima = "next"
prossimo = "next"
riunione = "meeting"
incontro = "meeting"
"""


def forget_languages() -> None:
    """Drop what the language package keeps in memory of the catalogs and word lists on disk."""
    for name, module in list(sys.modules.items()):
        if name.startswith(bot.language.__name__ + "."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


@pytest.fixture
def italian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, folder)
    catalog = Catalog(locale="it", domain="common")
    for message, translation in MESSAGES.items():
        catalog.add(message, translation)
    (folder / "it" / "LC_MESSAGES").mkdir(parents=True)
    with (folder / "it" / "LC_MESSAGES" / "common.mo").open("wb") as file:
        write_mo(file, catalog)
    (folder / "it" / "questions.toml").write_text(QUESTION_WORDS, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", folder)
    forget_languages()
    yield folder
    monkeypatch.undo()
    forget_languages()


def test_a_language_added_as_files_is_spoken_chosen_and_understood(italian: Path, local_bot: LocalBot) -> None:
    assert "it" in i18n.available() and i18n.supported("it-IT") == "it"
    ws = local_bot.workspace
    assert ws is not None
    local_bot.emulator.add_user(GIULIA)
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]

    chosen = ws.slash_command(GIULIA.id, "/tci", "language it")
    assert chosen.status == 200
    local_bot.wait_idle()
    said = json.dumps(chosen.json(), ensure_ascii=False) if chosen.body.strip() else ""
    if "D'ora in poi" not in said:
        said = private_answer(local_bot.emulator, GIULIA.id, "D'ora in poi").text or ""
    assert "D'ora in poi ti scrivo in italiano." in said

    channel = local_bot.emulator.im_channel(GIULIA.id)
    ws.direct_message(GIULIA.id, "Quando è la prossima riunione?")
    answer = wait_delivery(local_bot.emulator, lambda d: d.kind == "message" and d.channel == channel)
    assert "*Online exchange on SME digital transformation* (#1) è il" in (answer.text or "")
