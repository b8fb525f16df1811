"""Questions asked in Spanish, Portuguese, German and French, through signed events and the emulator.

The answer is in the question's language when it can be told, else in the asker's; the meetings, the
asker's registration and the FAQ are found as for a question in English.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, LocalBot
from bot.localslack.records import LocalUser
from store import faq as faq_store
from store import meetings as store
from store.meetings import MeetingDraft
from store.models import MeetingKind
from tests.helpers import private_answer, wait_delivery
from tests.test_questions import WAITING, YEAR, seed

ANA = LocalUser(id="U0ANA", name="ana", real_name="Ana García", locale="es-ES")


def asked_in_channel(bot: LocalBot, user: str, text: str) -> str:
    """Mention the bot in the group's channel; the answer in the question's thread, as one text."""
    bot.workspace.mention(user, text)  # type: ignore[union-attr]
    reply = wait_delivery(
        bot.emulator,
        lambda d: d.kind == "message" and d.channel == GROUP_CHANNEL and d.thread_ts is not None,
    )
    return (reply.text or "") + json.dumps(reply.blocks or [], ensure_ascii=False)


def asked_directly(bot: LocalBot, user: str, text: str) -> str:
    """Send the bot a direct message; its answer there, as one text."""
    channel = bot.emulator.im_channel(user)
    before = len(bot.emulator.deliveries)
    bot.workspace.direct_message(user, text)  # type: ignore[union-attr]
    reply = wait_delivery(
        bot.emulator,
        lambda d: d.kind == "message" and d.channel == channel and bot.emulator.deliveries.index(d) >= before,
    )
    return (reply.text or "") + json.dumps(reply.blocks or [], ensure_ascii=False)


def test_a_spanish_question_is_answered_in_spanish_in_its_thread(local_bot: LocalBot) -> None:
    ids = seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    shown = asked_in_channel(local_bot, MEMBER.id, "¿Cuándo es el taller de Essen?")
    assert f"*Essen workshop* (#{ids['essen']}) es el" in shown
    assert f"jue, 11 feb {YEAR}" in shown or "11 feb" in shown


def test_a_german_question_from_an_english_reader_is_answered_in_german(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    shown = asked_directly(local_bot, MEMBER.id, "Bin ich für den Workshop in Essen angemeldet?")
    assert "Du bist angemeldet, um vor Ort an *Essen workshop*" in shown


def test_portuguese_where_and_french_places(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    where = asked_directly(local_bot, MEMBER.id, "Onde é a reuniao de Toronto?")
    assert "*Toronto meeting*" in where and "é em Toronto, Canadá" in where
    places = asked_directly(local_bot, MEMBER.id, "Combien de places reste-t-il pour Essen ?")
    assert "Il reste 12 places en présentiel sur 40 pour *Essen workshop*" in places


def test_a_question_too_short_to_tell_is_answered_in_the_askers_language(local_bot: LocalBot) -> None:
    local_bot.emulator.add_user(ANA)
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    shown = asked_directly(local_bot, ANA.id, "Toronto?")
    assert "*Toronto meeting*" in shown and " es el " in shown


def test_a_cancelled_meeting_is_answered_as_cancelled_never_with_another(local_bot: LocalBot) -> None:
    ids = seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    shown = asked_directly(local_bot, MEMBER.id, "¿Dónde es la reunión de Reykjavik?")
    assert f"*Reykjavik meeting* (#{ids['reykjavik']}) se canceló" in shown
    english = asked_directly(local_bot, ORGANISER.id, "is the Reykjavik meeting still on?")
    assert "was cancelled; it was planned for" in english


def test_the_waitlist_position_and_ones_own_meetings(local_bot: LocalBot) -> None:
    local_bot.emulator.add_user(LocalUser(id=WAITING, name="wait", real_name="Wai Ting", locale="pt-BR"))
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    position = asked_directly(local_bot, WAITING, "Estou na lista de espera de Toronto?")
    assert "Você é o número 1 na lista de espera para uma vaga presencial em *Toronto meeting*" in position
    mine = asked_directly(local_bot, MEMBER.id, "Für welche Treffen bin ich angemeldet?")
    assert "Du bist für 1 kommendes Treffen angemeldet:" in mine and "*Essen workshop*" in mine


def test_who_organises_how_to_share_and_who_else_is_coming(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    organisers = asked_directly(local_bot, MEMBER.id, "¿Quiénes son los organizadores?")
    assert "Organizador" in organisers and "<@" not in organisers.split("[")[0], "names, never a ping"
    share = asked_directly(local_bot, MEMBER.id, "Comment partager une pratique ?")
    assert "Pour partager une pratique, tapez `/practice share`" in share
    coming = asked_directly(local_bot, MEMBER.id, "who else is coming to Essen?")
    assert "For *Essen workshop*" in coming and "28 in person" in coming
    assert "Your answer: coming in person." in coming


def test_a_meetings_time_in_another_city(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    shown = asked_directly(local_bot, MEMBER.id, "what time is the online exchange in Toronto time?")
    # 15:00 in Madrid on 28 January is 09:00 in Toronto.
    assert "In Toronto time (America/Toronto), *Online exchange on SME digital transformation*" in shown
    assert "09:00–10:30 EST" in shown


def test_a_meeting_in_progress_is_happening_now_with_its_link(local_bot: LocalBot) -> None:
    now = datetime.now(UTC)
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Monthly digitization call",
                kind=MeetingKind.ONLINE,
                starts_at=now - timedelta(minutes=20),
                ends_at=now + timedelta(minutes=40),
                timezone="Europe/Madrid",
                join_url="https://meet.example.org/monthly",
            ),
            created_by=ORGANISER.id,
            now=now - timedelta(days=3),
        )
    shown = asked_directly(local_bot, MEMBER.id, "Gibt es gerade ein Treffen?")
    assert "*Monthly digitization call*" in shown and "findet gerade statt" in shown
    assert "https://meet.example.org/monthly" in shown


def test_organisers_translate_an_faq_entry_and_each_language_gets_its_own(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    ws = local_bot.workspace
    assert ws is not None
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        travel = next(e for e in faq_store.list_faq(session=session) if "travel" in e.question)
    ws.slash_command(
        ORGANISER.id,
        "/meetings",
        f"faq translate {travel.id} es ¿Quién paga el viaje y el alojamiento? | Cada participante paga su viaje, "
        "su alojamiento y sus dietas. | viaje, alojamiento, hotel, vuelo",
    )
    said = private_answer(local_bot.emulator, ORGANISER.id, f"FAQ {travel.id} in").text or ""
    assert "People who ask me in" in said

    spanish = asked_directly(local_bot, MEMBER.id, "¿Quién me paga el vuelo?")
    assert "Cada participante paga su viaje, su alojamiento y sus dietas." in spanish
    assert "no la han traducido" not in spanish
    # No Portuguese translation: the entry answers in its own language, and says so in Portuguese.
    portuguese = asked_directly(local_bot, MEMBER.id, "Quem paga a viagem e o hotel?")
    assert "Participants pay their own travel, accommodation and subsistence." in portuguese
    assert "_Esta resposta está em inglês: os organizadores ainda não a traduziram._" in portuguese
    english = asked_directly(local_bot, MEMBER.id, "who pays for the hotel?")
    assert "Participants pay their own travel" in english and "translated" not in english

    # `/meetings faq` shows each reader the translation into their language.
    local_bot.emulator.add_user(ANA)
    ws.slash_command(ANA.id, "/meetings", "faq")
    listed = private_answer(local_bot.emulator, ANA.id, "Quién paga el viaje")
    assert "Cada participante paga su viaje" in json.dumps(listed.blocks, ensure_ascii=False)


def test_an_faq_translation_with_bad_input_or_from_a_member_changes_nothing(local_bot: LocalBot) -> None:
    seed(local_bot.service.deps.sessions)  # type: ignore[union-attr]
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", "faq translate 1 xx Question? | Answer.")
    assert "the language (`en`, `de`, `es`, `fr`, `pt`)" in (
        private_answer(local_bot.emulator, ORGANISER.id, "language").text or ""
    )
    ws.slash_command(ORGANISER.id, "/meetings", "faq translate 99 es ¿Pregunta? | Respuesta.")
    private_answer(local_bot.emulator, ORGANISER.id, "there is no FAQ entry 99")
    ws.slash_command(ORGANISER.id, "/meetings", "faq translate 1 de " + "x" * 301 + " | Antwort.")
    private_answer(local_bot.emulator, ORGANISER.id, "the question has 301 characters")
    refused = ws.slash_command(MEMBER.id, "/meetings", "faq translate 1 de Frage? | Antwort.")
    assert refused.status == 200 and "organiser" in refused.json()["text"]
    local_bot.wait_idle()
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert faq_store.translations(session=session) == {}
