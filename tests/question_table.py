"""The table of questions in each language: what each question should be understood to ask, graded.

Each `<language>.toml` in a folder holds rows of questions as members type them, with the interpretation
expected of `bot.services.questions.interpret`: the topic, the meeting (a short name of the seed in
tests.test_questions, or "" when none is meant or none exists), the FAQ entry (a key of `FAQ_KEYS`), the
language the answer is written in, and the language of the person asking. A row is right when all four of
what was understood match. The questions are asked against that seed, on its clock, by its member.

    python -m tests.question_table [folder]     # prints language | right | total | share, and the wrong rows
"""

from __future__ import annotations

import sys
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.deps import Deps, build_deps
from bot.language import i18n
from bot.localslack.local import MEMBER
from bot.services.questions import Interpretation, interpret
from store import faq as faq_store
from store import migrate
from store.db import make_engine
from store.models import Person
from tests.conftest import make_settings
from tests.test_questions import NOW, seed

FOLDER = Path(__file__).with_name("questions")
HELD_OUT = FOLDER / "held_out"

TOPICS = frozenset(
    {
        "when",
        "where",
        "join",
        "agenda",
        "registered",
        "places",
        "how_to_register",
        "list",
        "faq",
        "greeting",
        "unknown",
        "attendees",
        "mine",
        "how_to_share",
        "organisers",
        "time_in",
        "now",
    }
)
MEETINGS = frozenset({"online", "essen", "reykjavik", "toronto", "saopaulo", "madrid"})
# Each FAQ key, and the words that single out its entry's question in the seed.
FAQ_KEYS = {"cost": "cost", "travel": "travel", "membership": "member", "dress": "dress code"}
LANGUAGES = frozenset({"en", "es", "pt", "de", "fr"})
FIELDS = frozenset({"text", "topic", "meeting", "faq", "language", "asker"})
ASKER = "en"  # the asker's language when a row does not name one


@dataclass(frozen=True)
class Row:
    """One question of the table and the interpretation expected of it."""

    source: str  # the file and the row's number in it, to find it again
    table: str  # the language of the file it is in
    text: str
    topic: str
    meeting: str = ""
    faq: str = ""
    language: str = ""
    asker: str = ASKER
    unexpected: tuple[str, ...] = ()  # fields a row has that the format does not know

    def asked(self, ids: dict[str, int]) -> str:
        """The question as typed, with `{name}` put in for the number of a seeded meeting."""
        text = self.text
        for name, number in ids.items():
            text = text.replace("{" + name + "}", str(number))
        return text

    @property
    def expected(self) -> Understood:
        """What the row expects, in the form what was understood is compared with."""
        return Understood(topic=self.topic, meeting=self.meeting, faq=self.faq, language=self.language)


@dataclass(frozen=True)
class Understood:
    """What a question was taken to ask: the topic, the meeting's short name, the FAQ key, the answer's language."""

    topic: str
    meeting: str
    faq: str
    language: str

    def __str__(self) -> str:
        parts = [self.topic, f"meeting={self.meeting or '-'}"]
        if self.faq:
            parts.append(f"faq={self.faq}")
        parts.append(f"language={self.language}")
        return " ".join(parts)


@dataclass(frozen=True)
class Wrong:
    """A row answered wrong, and what was understood instead."""

    row: Row
    understood: Understood

    def __str__(self) -> str:
        asker = f" (asked by {self.row.asker})" if self.row.asker != ASKER else ""
        said = f"{self.row.source}: {self.row.text!r}{asker}"
        return f"{said}: expected {self.row.expected}, understood {self.understood}"


@dataclass
class Grades:
    """Per language of the table, the rows right and the rows in all; and every wrong row."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    wrong: list[Wrong] = field(default_factory=list)

    def share(self, language: str) -> float:
        """The share of that language's rows understood right."""
        right, total = self.counts.get(language, (0, 0))
        return right / total if total else 0.0

    def wrong_in(self, language: str) -> list[Wrong]:
        """The wrong rows of one language's table."""
        return [wrong for wrong in self.wrong if wrong.row.table == language]


def load(folder: Path = FOLDER) -> list[Row]:
    """Every row of every `<language>.toml` directly in `folder`, in file order."""
    rows = []
    for path in sorted(folder.glob("*.toml")):
        table = path.stem
        listed = tomllib.loads(path.read_text(encoding="utf-8")).get("question", [])
        for number, item in enumerate(listed, start=1):
            rows.append(
                Row(
                    source=f"{path.name}#{number}",
                    table=table,
                    text=str(item.get("text", "")),
                    topic=str(item.get("topic", "")),
                    meeting=str(item.get("meeting", "")),
                    faq=str(item.get("faq", "")),
                    language=str(item.get("language", table)),
                    asker=str(item.get("asker", ASKER)),
                    unexpected=tuple(sorted(set(item) - FIELDS)),
                )
            )
    return rows


def problems(row: Row) -> list[str]:
    """What is malformed in a row: an empty list when it is well-formed."""
    found = []
    if not row.text.strip():
        found.append("no text")
    if row.topic not in TOPICS:
        found.append(f"unknown topic {row.topic!r}")
    if row.meeting and row.meeting not in MEETINGS:
        found.append(f"unknown meeting {row.meeting!r}")
    if row.faq and row.faq not in FAQ_KEYS:
        found.append(f"unknown FAQ key {row.faq!r}")
    if (row.topic == "faq") != bool(row.faq):
        found.append("an FAQ row names its entry, and only an FAQ row does")
    if row.topic == "unknown" and row.meeting:
        found.append("a question the bot cannot answer names no meeting")
    for name, language in (("answer", row.language), ("asker", row.asker), ("file", row.table)):
        if language not in LANGUAGES:
            found.append(f"unknown {name} language {language!r}")
    if row.unexpected:
        found.append(f"unknown fields {list(row.unexpected)}")
    return found


def faq_keys(deps: Deps) -> dict[int, str]:
    """The seeded FAQ entries' numbers and their keys; each key must single out one entry."""
    with deps.sessions() as session:
        entries = faq_store.list_faq(session=session)
    keys: dict[int, str] = {}
    for key, marker in FAQ_KEYS.items():
        meant = [entry.id for entry in entries if marker in entry.question.casefold() and entry.id is not None]
        if len(meant) != 1:
            raise LookupError(f"the FAQ key {key!r} must name one seeded entry, it names {len(meant)}")
        keys[meant[0]] = key
    return keys


def understood_as(found: Interpretation, names: dict[int, str], faqs: dict[int, str]) -> Understood:
    """What an interpretation understood, in the table's terms."""
    meeting = ""
    if found.meeting is not None:
        meeting = names.get(found.meeting.id or 0, f"#{found.meeting.id}")
    faq = ""
    if found.faq is not None:
        faq = faqs.get(found.faq.id or 0, found.faq.question)
    return Understood(topic=found.question.topic.value, meeting=meeting, faq=faq, language=found.language)


def grade(rows: Iterable[Row], *, deps: Deps, ids: dict[str, int]) -> Grades:
    """Ask every row's question of a seeded store, as the seed's member speaking the row's asker's language."""
    names = {number: name for name, number in ids.items()}
    faqs = faq_keys(deps)
    person = Person(slack_id=MEMBER.id, tz=MEMBER.tz)
    grades = Grades()
    for row in rows:
        with i18n.speaking(row.asker):
            found = interpret(row.asked(ids), deps=deps, person=person)
        understood = understood_as(found, names, faqs)
        right, total = grades.counts.get(row.table, (0, 0))
        if understood == row.expected:
            right += 1
        else:
            grades.wrong.append(Wrong(row=row, understood=understood))
        grades.counts[row.table] = (right, total + 1)
    return grades


def grade_folder(folder: Path = FOLDER) -> Grades:
    """Grade every table of a folder on a freshly seeded SQLite store, with the clock fixed at the seed's NOW."""
    rows = load(folder)
    with tempfile.TemporaryDirectory(prefix="question-table-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'bot.db'}"
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            deps = build_deps(make_settings(url, Path(scratch)), engine=engine, clock=lambda: NOW)
            return grade(rows, deps=deps, ids=seed(deps.sessions))
        finally:
            engine.dispose()


def report(grades: Grades) -> str:
    """The table of shares, one line per language, then the wrong rows."""
    lines = ["language | right | total | share", "-------- | ----- | ----- | -----"]
    for language in sorted(grades.counts):
        right, total = grades.counts[language]
        lines.append(f"{language:<8} | {right:>5} | {total:>5} | {grades.share(language):>5.0%}")
    if grades.wrong:
        lines += ["", f"wrong rows ({len(grades.wrong)}):"]
        lines += [f"  {wrong}" for wrong in grades.wrong]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Grade the folder named on the command line (tests/questions by default) and print the report."""
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else FOLDER
    if not folder.is_dir():
        sys.stderr.write(f"no such folder: {folder}\n")
        return 2
    sys.stdout.write(report(grade_folder(folder)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
