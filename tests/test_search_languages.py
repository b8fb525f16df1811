"""Practices found in the language they are written in: `/practice search` through signed requests, and the store.

A practice's language is told from its words when it is shared or edited (else the group's), and its
words are indexed stemmed in that language with accents folded: a Spanish practice is found by
"reunion" or "reuniones", a Portuguese one by "formacao", on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import snowballstemmer  # type: ignore[import-untyped]
from babel import Locale
from sqlalchemy import Table, insert
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.language import i18n
from bot.localslack.local import MEMBER, LocalBot
from store import migrate
from store import practices as store
from store.db import make_engine, session_factory
from store.models import Practice
from store.practices import _index
from store.practices._index import algorithm, indexed_word
from tests import revisions
from tests.conftest import make_settings
from tests.helpers import wait_delivery
from tests.test_practices import all_practices, command, open_form, stored, submit, texts

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Written:
    """A practice written in one language, the words that find it, and the word its passage shows in bold."""

    language: str
    title: str
    summary: str
    evidence: str
    finds: tuple[str, ...]  # other forms of its words, accents typed or not
    bold: str  # as written in the summary or evidence


WRITTEN = (
    Written(
        "es",
        "Reuniones mensuales de digitalización",
        "Cada mes el clúster organiza reuniones con las pymes para compartir herramientas digitales.",
        "Cuarenta empresas asistieron a las reuniones del primer año.",
        ("reunión", "reunion", "REUNIONES", "digitalizacion herramienta"),
        "reuniones",
    ),
    Written(
        "de",
        "Digitalisierung im Mittelstand",
        "Der Cluster begleitet kleine Betriebe bei der Digitalisierung ihrer Werkstätten.",
        "Dreißig Betriebe nutzen jetzt digitale Auftragsbücher.",
        ("digitalen", "Werkstatt Betrieb", "auftragsbuch kleinen"),
        "Digitalisierung",
    ),
    Written(
        "pt",
        "Formação digital para PME",
        "O cluster oferece formações curtas sobre ferramentas digitais às pequenas empresas.",
        "Duzentas empresas concluíram as formações em 2025.",
        ("formação", "formacao", "formacoes curta", "ferramenta pequena"),
        "formações",
    ),
    Written(
        "fr",
        "Stratégie numérique du pôle",
        "Le pôle accompagne les PME dans leurs projets numériques avec des diagnostics gratuits.",
        "Cinquante entreprises ont adopté des outils numériques.",
        ("numerique", "numériques", "projet numerique", "outil gratuit"),
        "numériques",
    ),
)
ENGLISH = {
    "title": "Digital skills academy for cluster SMEs",
    "summary": "A training programme on digitization for the small firms of the cluster.",
    "evidence": "120 SMEs trained in 2025; 30% adopted a cloud ERP within a year.",
}


def ids(written: Written) -> str:
    return written.language


# Through the bot ----------------------------------------------------------------------------------


def share(bot: LocalBot, **fields: str) -> Practice:
    """Share a practice through the form, as a member would; the practice stored."""
    before = {p.id for p in all_practices(bot)}
    body = submit(bot, MEMBER.id, open_form(bot), **fields)
    assert body["response_action"] == "update", body
    [practice] = [p for p in all_practices(bot) if p.id not in before]
    return practice


def search(bot: LocalBot, words: str) -> str:
    """What a member sees for `/practice search <words>` (the answer to this search, not an earlier one)."""
    seen = len(bot.emulator.deliveries)
    command(bot, MEMBER.id, f"search {words}")
    answer = wait_delivery(
        bot.emulator,
        lambda d: d in bot.emulator.deliveries[seen:] and d.kind == "response" and d.user == MEMBER.id,
    )
    assert f"*{words}*" in (answer.text or ""), answer.text  # the words as typed
    return texts(answer.blocks)


@pytest.mark.parametrize("written", WRITTEN, ids=ids)
def test_a_practice_shared_in_a_language_is_found_by_its_words_in_other_forms(
    local_bot: LocalBot, written: Written
) -> None:
    english = share(local_bot, **ENGLISH)
    practice = share(local_bot, title=written.title, summary=written.summary, evidence=written.evidence)
    assert (practice.language, english.language) == (written.language, "en"), "told from its words, and stored"
    for words in written.finds:
        shown = search(local_bot, words)
        assert "Practices matching" in shown and written.title in shown, words
        assert ENGLISH["title"] not in shown, words
    shown = search(local_bot, written.finds[0])
    assert f"*{written.bold}*" in shown, "the passage where the words were found, as written, in bold"
    some = search(local_bot, f"{written.finds[0]} quantum")
    assert "No practice has all of" in some and written.title in some, "some of the words, when not all"


def test_english_practices_are_found_as_before(local_bot: LocalBot) -> None:
    share(local_bot, **ENGLISH)
    share(local_bot, title=WRITTEN[0].title, summary=WRITTEN[0].summary, evidence=WRITTEN[0].evidence)
    for words in ("skills", "skill academy", "academies", "ERP adoption", "trained firms"):
        shown = search(local_bot, words)
        assert ENGLISH["title"] in shown and WRITTEN[0].title not in shown, words


def test_an_edit_tells_the_language_again_and_the_search_follows(local_bot: LocalBot) -> None:
    practice = share(local_bot, **ENGLISH)
    german = WRITTEN[1]
    seen = len(local_bot.emulator.deliveries)
    command(local_bot, MEMBER.id, f"edit {practice.id}")
    opened = wait_delivery(
        local_bot.emulator,
        lambda d: d in local_bot.emulator.deliveries[seen:] and d.kind == "view_open" and d.user == MEMBER.id,
    ).view
    assert opened is not None
    body = submit(local_bot, MEMBER.id, opened, title=german.title, summary=german.summary, evidence=german.evidence)
    assert body["response_action"] == "update", body
    edited = stored(local_bot, practice.id or 0)
    assert edited is not None and edited.language == "de"
    assert german.title in search(local_bot, "Werkstatt Betrieb")
    assert "No practice matches" in search(local_bot, "trained")


@pytest.mark.parametrize(("group", "told"), [("es", "es"), ("", "en")])
def test_words_too_few_to_tell_take_the_groups_language(
    migrated_url: str, tmp_path: Path, group: str, told: str
) -> None:
    bot = LocalBot(make_settings(migrated_url, tmp_path, GROUP_LANGUAGE=group)).start()
    try:
        practice = share(bot, title="Reuniones", summary="Pymes.", evidence="")
        assert practice.language == told
        assert "Reuniones" in search(bot, "reunion")
    finally:
        bot.stop()


# In the store -------------------------------------------------------------------------------------


def add(sessions: sessionmaker[Session], language: str, *, title: str, summary: str, evidence: str = "") -> int:
    draft = store.PracticeDraft(title=title, kind="Initiative", topic="Skills", summary=summary, evidence=evidence)
    with sessions() as session:
        practice = store.create_practice(
            session=session, draft=draft, author="U0MEM", now=NOW, moderated=False, language=language
        )
    assert practice.id is not None
    return practice.id


def found(sessions: sessionmaker[Session], query: str) -> list[int]:
    """The practices holding every word of `query`, best first."""
    with sessions() as session:
        result = store.search(session=session, query=query, languages=i18n.available())
    return [hit.practice.id or 0 for hit in result.hits] if result.every_word else []


def test_every_language_the_bot_speaks_is_stemmed_when_snowball_can() -> None:
    """Found by the language's English name, so a language added with its catalogs is stemmed with no code."""
    for language in (*i18n.available(), "it", "nl"):
        name = (Locale.parse(language).get_language_name("en") or "").lower()
        assert name in snowballstemmer.algorithms() and algorithm(language) == name, language
    assert algorithm("pt-BR") == "portuguese" and algorithm("xx") is None


@pytest.mark.parametrize("written", WRITTEN, ids=ids)
def test_each_language_is_stemmed_in_the_store_on_either_engine(
    sessions: sessionmaker[Session], written: Written
) -> None:
    english = add(sessions, "en", **ENGLISH)
    practice = add(sessions, written.language, title=written.title, summary=written.summary, evidence=written.evidence)
    for words in written.finds:
        assert found(sessions, words) == [practice], words
    assert found(sessions, "skills") == [english]
    with sessions() as session:
        hit = store.search(session=session, query=written.finds[0], languages=i18n.available()).hits[0]
    assert f"{store.MATCH_START}{written.bold}{store.MATCH_END}" in hit.snippet


def test_the_title_weighs_most_in_every_language(sessions: sessionmaker[Session]) -> None:
    in_body = add(sessions, "es", title="Vales para pymes", summary="Vales que pagan las reuniones con asesores.")
    in_title = add(sessions, "es", title="Reuniones de asesores", summary="Un asesor visita cada empresa.")
    assert found(sessions, "reunión") == [in_title, in_body]


def test_the_stored_language_decides_how_the_words_are_stemmed(sessions: sessionmaker[Session]) -> None:
    portuguese = WRITTEN[2]
    practice = add(sessions, "en", title="Programa", summary=portuguese.summary)
    assert found(sessions, "formação curtas") == [], "Portuguese words stemmed as English ones are not all found"
    draft = store.PracticeDraft(title="Programa", kind="Initiative", topic="Skills", summary=portuguese.summary)
    with sessions() as session:
        changed = store.update_practice(session=session, practice_id=practice, draft=draft, now=NOW, language="pt")
        assert changed is not None and changed.language == "pt"
    assert found(sessions, "formação curtas") == [practice]
    with sessions() as session:  # an edit that does not say keeps the language
        store.update_practice(session=session, practice_id=practice, draft=draft, now=NOW + timedelta(minutes=1))
    assert found(sessions, "formacao curtas") == [practice]


def test_moderation_and_deletion_keep_every_language_in_step(sessions: sessionmaker[Session]) -> None:
    french = WRITTEN[3]
    with sessions() as session:
        draft = store.PracticeDraft(title=french.title, kind="Tool", topic="Skills", summary=french.summary)
        waiting = store.create_practice(
            session=session, draft=draft, author="U0MEM", now=NOW, moderated=True, language="fr"
        )
    assert found(sessions, "numerique") == [], "waiting practices are not found"
    with sessions() as session:
        store.moderate(session=session, practice_id=waiting.id or 0, approve=True, moderator="U0ORG", now=NOW)
    assert found(sessions, "numerique") == [waiting.id]
    with sessions() as session:
        store.delete_practice(session=session, practice_id=waiting.id or 0)
    assert found(sessions, "numerique") == []


def test_rows_written_in_bulk_are_indexed_from_their_own_fields(sessions: sessionmaker[Session]) -> None:
    """A Core insert that leaves the index's columns out (as a bulk load does) has them made from the row."""
    common: dict[str, Any] = {"kind": "Tool", "topic": "Skills", "author": "U0MEM", "status": "published"}
    common.update(created_at=NOW, updated_at=NOW)
    rows = [{"title": w.title, "summary": w.summary, "evidence": w.evidence, "language": w.language} for w in WRITTEN]
    table: Table = Practice.__table__  # type: ignore[attr-defined]  # as a bulk load writes it
    with sessions() as session:
        session.execute(insert(table), [{**row, **common} for row in rows])
        session.execute(insert(table), [{**ENGLISH, **common}])  # no language: the column's default
        session.commit()
    for written in WRITTEN:
        assert len(found(sessions, written.finds[1])) == 1, written.language
    with sessions() as session:
        english = store.search(session=session, query="skills").hits
    assert [hit.practice.language for hit in english] == ["en"], "a row that does not say is English"


def test_stemming_from_many_threads_at_once_gives_each_its_own_words() -> None:
    words = [f"reuniones{i} formações{i} Digitalisierungen{i}" for i in range(300)]
    expected = [_index.indexed_text(text, language) for text in words for language in ("es", "pt", "de")]
    _index.indexed_word.cache_clear()
    results: list[list[str]] = []

    def stem() -> None:
        results.append([_index.indexed_text(text, language) for text in words for language in ("es", "pt", "de")])

    threads = [threading.Thread(target=stem) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_migration_0008_indexes_the_practices_there_were_and_goes_back(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0007")
    revisions.insert(
        engine,
        "practices",
        title="Robotics testbeds",
        kind="Tool",
        topic="Skills",
        summary="Shared lines for trials.",
        author="U1",
        status="published",
        created_at=NOW,
        updated_at=NOW,
    )
    migrate.upgrade(engine, "0008")
    sessions = session_factory(engine)
    with sessions() as session:
        [practice] = store.list_practices(session=session).practices
        assert practice.language == "en", "the practices shared before are English"
    stem = indexed_word("testbed", "en")
    with engine.connect() as connection:  # 0008's index, read as 0008 reads it
        if engine.dialect.name == "sqlite":
            held = f"SELECT rowid FROM practices_fts WHERE practices_fts MATCH '\"{stem}\"'"
        else:
            held = f"SELECT id FROM practices WHERE search_vector @@ to_tsquery('simple', '{stem}')"
        assert connection.exec_driver_sql(held).scalars().all() == [practice.id], "their words are in the new index"
    migrate.downgrade(engine, "0007")
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            count = "SELECT count(*) FROM practices_fts WHERE practices_fts MATCH 'testbed'"
        else:
            count = "SELECT count(*) FROM practices WHERE search_vector @@ to_tsquery('english', 'testbed')"
        assert connection.exec_driver_sql(count).scalar_one() == 1, "0007's English index, rebuilt"
    migrate.upgrade(engine)
    assert found(sessions, "testbeds") == [practice.id]
    engine.dispose()
