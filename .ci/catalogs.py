"""The bot's message catalogs, managed with Babel: extract, update, init, compile, check.

    python .ci/catalogs.py extract        # every _(), n_() and N_() of the bot into one template per area
    python .ci/catalogs.py update         # bring each language's catalogs up to the templates
    python .ci/catalogs.py init xx        # a new language: its catalogs, ready to translate
    python .ci/catalogs.py compile        # the .mo files the bot reads
    python .ci/catalogs.py check          # CI: templates current, everything translated, placeholders kept, .mo current

Each command but init takes one area's name after it (`extract meetings`) to work on that area alone.

Each area of the bot has a catalog of its own (`meetings`, `practices`, `common`), so that each can be
translated on its own. Templates live in bot/language/locale/<area>.pot, translations in
bot/language/locale/<language>/LC_MESSAGES/<area>.po, compiled beside them.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "language" / "locale"
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None}
SOURCES = ("bot", "handlers")
NOT_SPOKEN = ("bot/localslack/", "bot/shell/", "bot/cli.py", "bot/demo.py")  # the developer's tools, in English
AREAS = {  # an area: the paths whose texts it holds; `common` holds every other text
    "meetings": (
        "bot/views/meetings.py",
        "bot/views/meeting_dates.py",
        "bot/views/meeting_form.py",
        "bot/views/meeting_preview.py",
        "bot/views/series_form.py",
        "bot/language/repeats.py",
        "bot/views/calendar.py",
        "bot/views/reminders.py",
        "bot/views/feedback.py",
        "bot/services/feedback.py",
        "bot/views/attendance.py",
        "bot/views/recaps.py",
        "bot/services/recaps.py",
        "bot/views/actions.py",
        "bot/services/actions.py",
        "handlers/actions.py",
        "handlers/meetings/",
        "bot/services/meetings/",
        "bot/language/quick_meeting/",
    ),
    "practices": (
        "bot/views/practices.py",
        "bot/views/practice_parts.py",
        "bot/views/practice_lists.py",
        "bot/views/practice_moderation.py",
        "bot/views/practice_form.py",
        "handlers/practices/",
        "bot/services/practices/",
    ),
}
COMMON = "common"
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)(?:[!:][^}]*)?\}(?!\})")


def area_of(path: str) -> str | None:
    """The catalog a source file's texts belong to; None for the files the bot does not speak from."""
    if path.startswith(NOT_SPOKEN):
        return None
    return next((area for area, prefixes in AREAS.items() if path.startswith(prefixes)), COMMON)


def sources() -> Iterator[tuple[str, Path]]:
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" not in path.parts:
                yield relative, path


def areas(only: str | None = None) -> tuple[str, ...]:
    every = (*AREAS, COMMON)
    if only is not None and only not in every:
        raise SystemExit(f"no area {only!r}: the areas are {', '.join(every)}")
    return (only,) if only else every


def templates(only: str | None = None) -> dict[str, Catalog]:
    """Every area's texts (or one area's) as found in the code now."""
    found = {area: Catalog(project="tci-bot", fuzzy=False) for area in areas(only)}
    for relative, path in sources():
        area = area_of(relative)
        if area not in found:
            continue
        for line, message, comments, context in extract_from_file("python", path, keywords=KEYWORDS):
            found[area].add(message, locations=[(relative, line)], auto_comments=comments, context=context)
    return found


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir())


def po_path(language: str, area: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{area}.po"


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language)


def write(catalog: Catalog, path: Path, **options: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, omit_header=False, **options)
    path.write_bytes(buffer.getvalue())


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def extract(only: str | None = None) -> None:
    for area, catalog in templates(only).items():
        write(catalog, LOCALE / f"{area}.pot", sort_by_file=True)
        print(f"{area}.pot: {len(catalog)} messages")


def update(only: str | None = None) -> None:
    for language in languages():
        for area in areas(only):
            template = read(LOCALE / f"{area}.pot")
            path = po_path(language, area)
            catalog = read(path, language) if path.exists() else Catalog(locale=language, project="tci-bot")
            catalog.update(template, no_fuzzy_matching=True)
            write(catalog, path, ignore_obsolete=True, no_location=True)
        print(f"{language}: updated")


def init(language: str) -> None:
    (LOCALE / language / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    update()


def compile_all(only: str | None = None) -> None:
    for language in languages():
        for area in areas(only):
            path = po_path(language, area)
            path.with_suffix(".mo").write_bytes(compiled(read(path, language)))
        print(f"{language}: compiled")


def _forms(message: Message) -> list[tuple[str, str]]:
    """Each (source, translation) pair of a message: one, or one per plural form."""
    if isinstance(message.id, tuple):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(message.id[0] if i == 0 else message.id[1], s) for i, s in enumerate(strings)]
    return [(message.id, str(message.string))]


def check(only: str | None = None) -> list[str]:
    """Every problem with the catalogs (or one area's), in one line each."""
    problems = []
    for area, template in templates(only).items():
        stored = read(LOCALE / f"{area}.pot") if (LOCALE / f"{area}.pot").exists() else Catalog()
        if {m.id for m in template if m.id} != {m.id for m in stored if m.id}:
            problems.append(f"{area}.pot is not current: run `python .ci/catalogs.py extract` and `update`")
        for language in languages():
            path = po_path(language, area)
            if not path.exists():
                problems.append(f"{language}/{area}.po is missing: run `python .ci/catalogs.py update`")
                continue
            catalog = read(path, language)
            for message in template:
                if not message.id:
                    continue
                translated = catalog.get(message.id, message.context)
                if translated is None or translated.fuzzy or not all(text for _, text in _forms(translated)):
                    problems.append(f"{language}/{area}.po: not translated: {_first(message.id)!r}")
                    continue
                for source, text in _forms(translated):
                    if not source:
                        continue
                    wanted, given = set(PLACEHOLDER.findall(source)), set(PLACEHOLDER.findall(text))
                    if isinstance(translated.id, tuple):
                        wanted.discard("count")  # a language may say "one" without the number
                        given.discard("count")
                    if wanted != given:
                        problems.append(
                            f"{language}/{area}.po: placeholders {sorted(given)} instead of {sorted(wanted)} in "
                            f"{_first(translated.id)!r}"
                        )
            mo = path.with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != compiled(catalog):
                problems.append(f"{language}/{area}.mo is not current: run `python .ci/catalogs.py compile`")
    return problems


def _first(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    only = argv[2] if len(argv) > 2 and command != "init" else None
    if command == "extract":
        extract(only)
    elif command == "update":
        update(only)
    elif command == "init" and len(argv) == 3:
        init(argv[2])
    elif command == "compile":
        compile_all(only)
    elif command == "check":
        problems = check(only)
        for problem in problems[:200]:
            print(problem)
        if len(problems) > 200:
            print(f"… and {len(problems) - 200} more")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
