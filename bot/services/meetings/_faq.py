"""The group's FAQ that organisers keep, and each person's choice of reminders by direct message."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.deps import Deps
from bot.language import detect, i18n
from bot.language.i18n import _, format_number, n_
from store import faq as faq_store
from store import people as people_store
from store.models import FaqEntry, FaqTranslation

QUESTION_LIMIT = 300
ANSWER_LIMIT = 3000
KEYWORDS_LIMIT = 500


@dataclass(frozen=True)
class FaqAdded:
    """The entry added, or what was wrong with it (nothing is added then)."""

    entry: FaqEntry | None
    problems: list[str] = field(default_factory=list)


def reminders_wanted(deps: Deps, *, slack_id: str, wanted: bool | None = None) -> bool:
    """Whether this person gets meeting reminders by direct message, after setting it when `wanted` is given."""
    with deps.sessions() as session:
        if wanted is None:
            person = people_store.ensure_person(session=session, slack_id=slack_id)
            session.commit()
        else:
            person = people_store.set_reminders(session=session, slack_id=slack_id, wanted=wanted)
        return person.reminders


def faq_entries(deps: Deps) -> list[FaqEntry]:
    """Every FAQ entry, oldest first."""
    with deps.sessions() as session:
        return faq_store.list_faq(session=session)


def add_faq(deps: Deps, *, question: str, answer: str, keywords: list[str], created_by: str) -> FaqAdded:
    """Add a question with its answer and the words that point to it, if each is within its limit.

    Its language is the one it is written in when that can be told, else the organiser's.
    """
    words = _keywords(keywords)
    problems = _problems(question, answer, words)
    if problems:
        return FaqAdded(entry=None, problems=problems)
    language = detect.language_of(f"{question} {answer}") or i18n.language()
    with deps.sessions() as session:
        entry = faq_store.add_faq(
            session=session,
            question=question,
            answer=answer,
            keywords=words,
            created_by=created_by,
            now=deps.clock(),
            language=language,
        )
    return FaqAdded(entry=entry)


@dataclass(frozen=True)
class FaqTranslated:
    """The translation stored, or what was wrong with it (nothing is stored then)."""

    translation: FaqTranslation | None
    problems: list[str] = field(default_factory=list)


def translate_faq(
    deps: Deps, *, entry_id: int, language: str, question: str, answer: str, keywords: list[str], created_by: str
) -> FaqTranslated:
    """Store an entry in another language (replacing an earlier translation into it), if each part is in its limit."""
    words = _keywords(keywords)
    problems = _problems(question, answer, words)
    if problems:
        return FaqTranslated(translation=None, problems=problems)
    with deps.sessions() as session:
        translation = faq_store.translate_faq(
            session=session,
            entry_id=entry_id,
            language=language,
            question=question,
            answer=answer,
            keywords=words,
            created_by=created_by,
            now=deps.clock(),
        )
    if translation is None:
        return FaqTranslated(translation=None, problems=[_("there is no FAQ entry {number}", number=entry_id)])
    return FaqTranslated(translation=translation)


def faq_translations(deps: Deps) -> dict[int, dict[str, FaqTranslation]]:
    """Every FAQ entry's translations, by entry and language."""
    with deps.sessions() as session:
        return faq_store.translations(session=session)


def _keywords(keywords: list[str]) -> str:
    """The keywords as stored: lower-cased, separated by commas."""
    return ", ".join(word.strip().lower() for word in keywords if word.strip())


def _problems(question: str, answer: str, words: str) -> list[str]:
    problems = []
    if len(question) > QUESTION_LIMIT:
        problems.append(
            _(
                "the question has {length} characters; at most {limit}",
                length=format_number(len(question)),
                limit=format_number(QUESTION_LIMIT),
            )
        )
    if len(answer) > ANSWER_LIMIT:
        problems.append(
            _(
                "the answer has {length} characters; at most {limit}",
                length=format_number(len(answer)),
                limit=format_number(ANSWER_LIMIT),
            )
        )
    if len(words) > KEYWORDS_LIMIT:
        problems.append(
            n_(
                "the keywords take more than {count} character",
                "the keywords take more than {count} characters",
                KEYWORDS_LIMIT,
            )
        )
    return problems


def remove_faq(deps: Deps, *, entry_id: int) -> FaqEntry | None:
    """Remove an FAQ entry; return it, or None when there was none with this number."""
    with deps.sessions() as session:
        return faq_store.remove_faq(session=session, entry_id=entry_id)
