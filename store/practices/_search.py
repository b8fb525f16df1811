"""Ranked full-text search over published practices, in every language the bot speaks, on either engine.

The index holds each practice's words stemmed in its own language with accents folded (`_index`). A
search word is put in the form it would have in each language the caller names; it matches when any
of those forms does, and a practice matches when it holds every word (or, failing that, some).
"""

from __future__ import annotations

import bisect
import difflib
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, text
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from store.db import commit, rows_changed
from store.models import Practice, PracticeStatus
from store.practices._index import DEFAULT_LANGUAGES, fold, indexed_word, shortest_starts

# Marks the search puts around the words it found, for the caller to turn into bold after escaping.
MATCH_START = "\x02"
MATCH_END = "\x03"
_WORD = re.compile(r"[^\W_]+")
MAX_SEARCH_WORDS = 12
# How many of the newest matches a search ranks; relevance decides among these.
CANDIDATES = 1000
# Column weights for FTS5's bm25: title, organisation, summary with evidence.
_SQLITE_WEIGHTS = "10.0, 3.0, 1.0"
_SNIPPET_BEFORE = 8
# A word that finds nothing is looked for among the words of the newest practices, as a close spelling.
VOCABULARY_SOURCE = 2000
REREAD_SECONDS = 60.0
MIN_CORRECTED = 4
CLOSE_ENOUGH = 0.8
_SNIPPET_AFTER = 16


@dataclass(frozen=True)
class Hit:
    """A practice a search found, with the passage that matched (words found between MATCH_START and MATCH_END)."""

    practice: Practice
    snippet: str


@dataclass(frozen=True)
class SearchResult:
    """What a search found: ranked hits, and whether they hold every word or only some."""

    hits: list[Hit]
    words: tuple[str, ...]
    every_word: bool = True
    # Words that matched nothing, and the close word the practices hold that was searched for instead.
    corrected: dict[str, str] = field(default_factory=dict)


def search_words(text_: str) -> tuple[str, ...]:
    """The words of a search, as the index sees them (letters and digits; no operators)."""
    return tuple(dict.fromkeys(word.lower() for word in _WORD.findall(text_)))[:MAX_SEARCH_WORDS]


def search(
    *,
    session: Session,
    query: str,
    limit: int = 10,
    languages: Iterable[str] | None = None,
    vocabulary: Vocabulary | None = None,
) -> SearchResult:
    """Published practices matching the words of `query`, best first; the title weighs most.

    Practices holding every word come first; if none does, those holding some of them. Words match
    their other forms in the practice's language ("skills" finds "skill", "reunion" finds "reuniones"),
    accents typed or not, and the last word also matches as the start of a longer word, as one types
    ("digit" finds "digitization"). The query's language is not known: each word is tried in each of
    `languages` (by default every language the store can stem). Ranking scores the newest CANDIDATES
    matches, so that a common word costs the same at 100,000 practices as at 1,000. A word that finds nothing
    is looked for among the `vocabulary`'s words as a close spelling (read afresh when none is given).
    """
    words = search_words(query)
    if not words:
        return SearchResult(hits=[], words=())
    terms = _Terms.of(words, tuple(dict.fromkeys(languages or ())) or tuple(DEFAULT_LANGUAGES))
    run = _ranked_sqlite if session.get_bind().dialect.name == "sqlite" else _ranked_postgres
    found = run(session, terms, every_word=True, limit=limit)
    every_word = True
    if not found and len(words) > 1:
        found = run(session, terms, every_word=False, limit=limit)
        every_word = False
    corrected: dict[str, str] = {}
    if not found and (corrected := close_words(session, words, vocabulary)):
        # "hackaton": nothing; the practices hold "hackathon", which is searched for instead.
        words = tuple(corrected.get(word, word) for word in words)
        terms = _Terms.of(words, terms.languages)
        found = run(session, terms, every_word=True, limit=limit)
        every_word = True
        if not found and len(words) > 1:
            found = run(session, terms, every_word=False, limit=limit)
            every_word = False
    return SearchResult(hits=_hits(session, found, words), words=words, every_word=every_word, corrected=corrected)


def close_words(session: Session, words: Sequence[str], vocabulary: Vocabulary | None = None) -> dict[str, str]:
    """For each word a search found nothing with, the closest word the newest practices are written with, if one
    is close enough (difflib's ratio at least CLOSE_ENOUGH): "hackaton" -> "hackathon"."""
    wanted = [word for word in words if len(word) >= MIN_CORRECTED]
    if not wanted:
        return {}
    known = (vocabulary or Vocabulary()).by_letter(session)
    corrected = {}
    for word in wanted:
        near = [k for k in known.get(word[:1], ()) if abs(len(k) - len(word)) <= 2 and k != word]
        best = difflib.get_close_matches(word, near, n=1, cutoff=CLOSE_ENOUGH)
        if best:
            corrected[word] = best[0]
    return corrected


class Vocabulary:
    """The words the newest VOCABULARY_SOURCE published practices are written with, by first letter: what a word
    that found nothing is compared with.

    Kept between searches, and read again once a newer practice exists or REREAD_SECONDS have passed (a
    practice published from the queue, or edited, is not the newest), so that a misspelt search costs one
    look at the newest id rather than a read of thousands of texts.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._read: tuple[int | None, float, dict[str, frozenset[str]]] | None = None

    def by_letter(self, session: Session) -> dict[str, frozenset[str]]:
        """The words, by their first letter, as of the newest practice in the store."""
        newest_id = session.exec(select(func.max(col(Practice.id)))).one()
        now = self._clock()
        if (words := self._current(newest_id, now)) is not None:
            return words
        with self._lock:  # one thread reads them; the others find them read
            if (words := self._current(newest_id, now)) is not None:
                return words
            newest = (
                select(col(Practice.title), col(Practice.summary))
                .where(col(Practice.status) == PracticeStatus.PUBLISHED)
                .order_by(col(Practice.id).desc())
                .limit(VOCABULARY_SOURCE)
            )
            known = {w.lower() for title, summary in session.exec(newest) for w in _WORD.findall(f"{title} {summary}")}
            grouped: dict[str, set[str]] = {}
            for word in known:
                grouped.setdefault(word[:1], set()).add(word)
            words = {letter: frozenset(found) for letter, found in grouped.items()}
            self._read = (newest_id, now, words)
            return words

    def _current(self, newest_id: int | None, now: float) -> dict[str, frozenset[str]] | None:
        read = self._read
        if read is not None and read[0] == newest_id and now - read[1] < REREAD_SECONDS:
            return read[2]
        return None


@dataclass(frozen=True)
class _Terms:
    """A search's words as the index may hold them: each word's forms, and each language's form of every word."""

    forms: tuple[tuple[str, ...], ...]  # by word: its forms in any of the languages (the last word's, as starts)
    by_language: dict[str, tuple[str, ...]]  # by language: the form of each word in it

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the words were put in."""
        return tuple(self.by_language)

    @classmethod
    def of(cls, words: tuple[str, ...], languages: tuple[str, ...]) -> _Terms:
        by_language = {language: tuple(indexed_word(word, language) for word in words) for language in languages}
        forms = [tuple(dict.fromkeys(own[i] for own in by_language.values())) for i in range(len(words))]
        forms[-1] = shortest_starts(forms[-1])
        return cls(tuple(forms), by_language)


def _ranked_sqlite(session: Session, terms: _Terms, *, every_word: bool, limit: int) -> list[int]:
    # Quoted terms of letters and digits only: nothing a person types can form an FTS5 operator or column filter.
    words = []
    for i, alternatives in enumerate(terms.forms):
        star = "*" if i == len(terms.forms) - 1 else ""
        quoted = [f'"{form}"{star}' for form in alternatives]
        words.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    values = {"match": (" AND " if every_word else " OR ").join(words), "candidates": CANDIDATES, "limit": limit}
    # The newest matches are all in the index of the newest practices when it holds CANDIDATES of them (a
    # common word's): ranked there, bm25 weighs the words among those practices, not across every one.
    recent = session.execute(_HELD_RECENTLY, values).scalar_one() >= CANDIDATES
    return [int(row[0]) for row in session.execute(_RANKED_SQLITE[recent], values)]


def _ranked_in(table: str) -> Any:
    return text(
        f"""
        SELECT id FROM (
            SELECT rowid AS id, bm25({table}, {_SQLITE_WEIGHTS}) AS score
            FROM {table} WHERE {table} MATCH :match
            ORDER BY rowid DESC LIMIT :candidates
        )
        ORDER BY score, id DESC
        LIMIT :limit
        """
    )


# How many practices the index of the newest keeps once tidied, and how many more it may gather before then.
RECENT = 20_000
RECENT_SLACK = 1_000
_NEWEST = select(func.max(Practice.id))


def tidy(session: Session) -> int:
    """Take the oldest practices out of the index of the newest (SQLite) once it holds RECENT_SLACK more than
    RECENT, and merge the index, which keeps each removal as a mark until then; how many were taken out.

    What the scheduler runs every hour. The index still holds every published practice from its oldest on.
    On PostgreSQL, the index of the newest is built afresh above a higher floor (`_tidy_postgres`).
    """
    if session.get_bind().dialect.name != "sqlite":
        return _tidy_postgres(session)
    beyond = session.execute(_BEYOND, {"skip": RECENT + RECENT_SLACK}).scalar_one_or_none()
    if beyond is None:
        return 0
    cut = session.execute(_BEYOND, {"skip": RECENT}).scalar_one()
    removed = rows_changed(session.execute(_OLDER, {"cut": cut}))
    session.execute(_MERGED)
    commit(session)
    return removed


def _tidy_postgres(session: Session) -> int:
    """Once RECENT_SLACK more than RECENT practices are numbered above the floor of PostgreSQL's index of the
    newest (or more than RECENT in all, when there is none yet), build it afresh above a higher floor and
    drop the old one; how far the floor moved.

    Built and dropped CONCURRENTLY, holding up no search and no write; one process at a time (an advisory
    lock: every process runs the hourly tidy). A build that was cut short leaves an invalid index, built again.
    """
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.execute(_LOCK_TIDY, {"key": TIDY_LOCK}).scalar_one():
            return 0
        try:
            floor = max((connection.execute(_NEWEST).scalar_one() or 0) - RECENT, 0)
            held = {int(name.removeprefix(RECENT_INDEX)): valid for name, valid in connection.execute(_HELD_INDEXES)}
            kept = max((held_floor for held_floor, valid in held.items() if valid), default=None)
            if floor == 0 or (kept is not None and floor - kept < RECENT_SLACK):
                return 0  # no more than RECENT practices: the whole index is as small, and searched instead
            if held.get(floor) is False:
                connection.execute(text("DROP INDEX CONCURRENTLY IF EXISTS " + _index_name(floor)))
            connection.execute(text(_recent_index_ddl(floor)))
            for old in held.keys() - {floor}:
                connection.execute(text("DROP INDEX CONCURRENTLY IF EXISTS " + _index_name(old)))
            return floor - (kept or 0)
        finally:
            connection.execute(_UNLOCK_TIDY, {"key": TIDY_LOCK})


def _recent_index_ddl(floor: int) -> str:
    """PostgreSQL's index of the newest practices: the published ones numbered above `floor`, named by it."""
    return (
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {_index_name(floor)} ON practices USING gin (search_vector) "
        f"WHERE status = 'published' AND id > {int(floor)}"
    )


def _index_name(floor: int) -> str:
    """The name of the index above `floor`: the prefix, then the number's digits and nothing else."""
    return f"{RECENT_INDEX}{int(floor)}"


# PostgreSQL's index of the newest practices (migration 0018) is named by its floor.
RECENT_INDEX = "ix_practices_search_above_"
TIDY_LOCK = 7_021_955  # the advisory lock's key: one process tidies at a time
_LOCK_TIDY = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK_TIDY = text("SELECT pg_advisory_unlock(:key)")
_HELD_INDEXES = text(
    """
    SELECT c.relname, i.indisvalid FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'practices'::regclass AND starts_with(c.relname, :prefix)
    """
).bindparams(prefix=RECENT_INDEX)
_BEYOND = text("SELECT rowid FROM practices_fts_recent ORDER BY rowid DESC LIMIT 1 OFFSET :skip")
_OLDER = text("DELETE FROM practices_fts_recent WHERE rowid <= :cut")
_MERGED = text("INSERT INTO practices_fts_recent(practices_fts_recent) VALUES ('optimize')")
# The index of every published practice, and that of the newest (migration 0017): by whether the second is used.
_RANKED_SQLITE = {False: _ranked_in("practices_fts"), True: _ranked_in("practices_fts_recent")}
_HELD_RECENTLY = text(
    """
    SELECT count(*) FROM (
        SELECT rowid FROM practices_fts_recent WHERE practices_fts_recent MATCH :match
        ORDER BY rowid DESC LIMIT :candidates
    )
    """
)


def _ranked_postgres(session: Session, terms: _Terms, *, every_word: bool, limit: int) -> list[int]:
    statement, params = _statement_postgres(terms, every_word=every_word, limit=limit)
    # The newest matches are all above the floor of the index of the newest when CANDIDATES of them are (a
    # common word's): found there through its few entries, not by walking the newest practices one by one.
    floor = max((session.execute(_NEWEST).scalar_one() or 0) - RECENT, 0)
    if floor:
        rows = session.execute(statement[True], {**params, "floor": floor}).all()
        if rows and rows[0][1] >= CANDIDATES:
            return [int(row[0]) for row in rows]
    return [int(row[0]) for row in session.execute(statement[False], params)]


def _statement_postgres(terms: _Terms, *, every_word: bool, limit: int) -> tuple[dict[bool, Any], dict[str, Any]]:
    """The ranking statement, among the practices above `:floor` (True) or among all (False), and its values."""
    params: dict[str, Any] = {"published": PracticeStatus.PUBLISHED, "limit": limit, "candidates": CANDIDATES}
    query = _tsquery(params, "w", terms.forms, every_word=every_word)
    # Each candidate is ranked by the forms of its own language only: a query of every form is slower to rank.
    by_forms: dict[tuple[str, ...], list[str]] = {}
    for language, own in terms.by_language.items():
        by_forms.setdefault(own, []).append(language)
    cases = []
    for k, (own, spoken) in enumerate(by_forms.items()):
        names = []
        for m, language in enumerate(spoken):
            params[f"l{k}_{m}"] = language
            names.append(f":l{k}_{m}")
        ranked = _tsquery(params, f"r{k}_", tuple((form,) for form in own), every_word=every_word)
        cases.append(f"WHEN p.language IN ({', '.join(names)}) THEN {ranked}")
    rank = f"CASE {' '.join(cases)} ELSE {query} END" if cases else query
    # The query is written out where it is used, not taken from a CTE: so the planner sees its words and
    # can tell a common one (walk the newest practices backwards, ~1 ms) from a rare one (the GIN index).
    # The candidates carry only their ids; the vectors of the CANDIDATES kept are read to rank them, by how
    # often and where (title, organisation, body) each holds the words, as bm25 does on SQLite: ts_rank_cd,
    # which also weighs how close together they are, took four times as long (6 ms for four words).
    statements = {
        recent: text(
            f"""
            WITH candidates AS (
                SELECT p.id FROM practices AS p
                WHERE p.search_vector @@ {query} AND p.status = :published{" AND p.id > :floor" if recent else ""}
                ORDER BY p.id DESC LIMIT :candidates
            )
            SELECT c.id, count(*) OVER () FROM candidates AS c JOIN practices AS p ON p.id = c.id
            ORDER BY ts_rank(p.search_vector, {rank}) DESC, c.id DESC
            LIMIT :limit
            """
        )
        for recent in (True, False)
    }
    return statements, params


def _tsquery(params: dict[str, Any], prefix: str, forms: Sequence[tuple[str, ...]], *, every_word: bool) -> str:
    """A tsquery of every word (or any word), a word being any of its forms; the last word's forms as starts.

    Each form is a parameter parsed by to_tsquery on its own, so no input can form an operator.
    """
    words = []
    for i, alternatives in enumerate(forms):
        star = ":*" if i == len(forms) - 1 else ""
        names = []
        for j, form in enumerate(alternatives):
            params[f"{prefix}{i}_{j}"] = form + star
            names.append(f"to_tsquery('simple', :{prefix}{i}_{j})")
        words.append(names[0] if len(names) == 1 else "(" + " || ".join(names) + ")")
    return "(" + (" && " if every_word else " || ").join(words) + ")"


def _hits(session: Session, ids: list[int], words: tuple[str, ...]) -> list[Hit]:
    if not ids:
        return []
    loaded = session.exec(_BY_IDS, params={"ids": ids})
    practices = {p.id: p for p in loaded if p.status == PracticeStatus.PUBLISHED}
    found = _word_pattern(words)
    return [Hit(practices[pid], passage(practices[pid], found)) for pid in ids if pid in practices]


# By primary key only: a condition on the status would lead the planner to the status index. Made once.
# The index's copies of the words (as long as the practice) are not read: the hits show the practice.
_BY_IDS = (
    select(Practice)
    .where(col(Practice.id).in_(bindparam("ids", expanding=True)))
    .options(*(defer(getattr(Practice, name)) for name in ("search_title", "search_organisation", "search_body")))
)


def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Words as they may appear in a text, accents folded: each one's start, long enough to tell it.

    "sharing" finds "shared", "reuniones" finds "reunión", "digitalen" finds "Digitalisierung".
    """
    starts = {fold(word[: max(4, len(word) - 3)] if len(word) > 4 else word) for word in words}
    ordered = sorted(starts, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(start) for start in ordered) + r")\w*", re.IGNORECASE)


def passage(practice: Practice, found: re.Pattern[str]) -> str:
    """The passage of the summary or the evidence where the most of the words found are, the words marked.

    The words are looked for with their accents folded (the pattern's are), and marked as written. The
    title and the organisation are shown beside every hit, so a match there needs no passage; without a
    word in the summary or the evidence the passage is the start of the summary.
    """
    best: tuple[int, list[str], int, int] | None = None  # (words found in it, tokens, start, end)
    for text_ in (practice.summary, practice.evidence):
        tokens, hits = _tokens_found(text_, found)
        for first in hits:
            start, end = max(0, first - _SNIPPET_BEFORE), min(len(tokens), first + _SNIPPET_AFTER)
            inside = bisect.bisect_left(hits, end) - bisect.bisect_left(hits, start)
            if best is None or inside > best[0]:
                best = (inside, tokens, start, end)
    if best is not None:
        _count, tokens, start, end = best
        shown = " ".join(tokens[start:end])
        return ("…" if start else "") + _marked(shown, found) + ("…" if end < len(tokens) else "")
    tokens = practice.summary.split()
    return " ".join(tokens[: _SNIPPET_BEFORE + _SNIPPET_AFTER]) + (
        "…" if len(tokens) > _SNIPPET_BEFORE + _SNIPPET_AFTER else ""
    )


def _tokens_found(text_: str, found: re.Pattern[str]) -> tuple[list[str], list[int]]:
    """The words of `text_` as `str.split` gives them, and the positions of those holding a word `found` finds.

    The whole text is folded and searched once (folding keeps each letter in its place), each match told to
    the word it starts in.
    """
    spans = [match.span() for match in _TOKEN.finditer(text_)]
    starts = [start for start, _end in spans]
    found_in = {bisect.bisect_right(starts, match.start()) - 1 for match in found.finditer(fold(text_))}
    return [text_[start:end] for start, end in spans], sorted(found_in)


_TOKEN = re.compile(r"\S+")


def _marked(shown: str, found: re.Pattern[str]) -> str:
    """`shown` with the words `found` matches (in its folded form, letter for letter) marked as written."""
    pieces: list[str] = []
    at = 0
    for match in found.finditer(fold(shown)):
        pieces += [shown[at : match.start()], MATCH_START, shown[match.start() : match.end()], MATCH_END]
        at = match.end()
    return "".join(pieces) + shown[at:]
