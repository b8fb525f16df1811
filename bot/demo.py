"""Example data for `tci-bot shell --demo`: people, the group's meetings (past and to come), its FAQ and practices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import DEFAULT_PRACTICE_KINDS, DEFAULT_PRACTICE_TOPICS
from bot.deps import Deps
from bot.localslack.local import PEOPLE
from bot.services import planning
from bot.services import practices as practice_service
from store import faq as faq_store
from store import meetings as meetings_store
from store import people as people_store
from store import practices as practices_store
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind
from store.practices import PracticeDraft

MEMBERSHIP_URL = "https://www.tci-network.org/membership"
# The demo's SQLite file in the data folder: made afresh by each `tci-bot shell --demo`, kept after it
# so that `tci-bot schedule --demo` and `tci-bot export ... --demo` can read it.
DEMO_DATABASE = "demo.db"


def _at(day: datetime, hour: int, minute: int, zone: str) -> datetime:
    """A wall-clock time on `day` in `zone`, as a UTC-aware moment."""
    return datetime.combine(day.date(), time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def demo_meetings(now: datetime) -> list[MeetingDraft]:
    """The group's history, and meetings to come placed relative to `now`."""
    online_day = now + timedelta(days=21)
    toronto_day = now + timedelta(days=95)
    return [
        MeetingDraft(
            title="First in-person meeting",
            kind=MeetingKind.IN_PERSON,
            starts_at=_at(datetime(2018, 7, 2), 9, 30, "Europe/Madrid"),
            ends_at=_at(datetime(2018, 7, 3), 14, 0, "Europe/Madrid"),
            timezone="Europe/Madrid",
            venue="Ministry of Digital Agenda",
            city="Madrid",
            country="ES",
            description="The learning group's first meeting.",
        ),
        MeetingDraft(
            title="First video conference",
            kind=MeetingKind.ONLINE,
            starts_at=_at(datetime(2018, 9, 20), 16, 0, "Europe/Madrid"),
            ends_at=_at(datetime(2018, 9, 20), 17, 30, "Europe/Madrid"),
            timezone="Europe/Madrid",
            description="Welcome new members, introduce the collaborative platform, present the plans for "
            "the Toronto meeting, agree next steps.",
        ),
        MeetingDraft(
            title="Essen meeting at the EU Cluster Week",
            kind=MeetingKind.IN_PERSON,
            starts_at=_at(datetime(2019, 2, 11), 9, 0, "Europe/Berlin"),
            ends_at=_at(datetime(2019, 2, 12), 13, 0, "Europe/Berlin"),
            timezone="Europe/Berlin",
            city="Essen",
            country="DE",
            description="Second in-person meeting, part of the EU Cluster Week.",
        ),
        MeetingDraft(
            title="Online exchange: SME digital transformation",
            kind=MeetingKind.ONLINE,
            starts_at=_at(online_day, 16, 0, "Europe/Madrid"),
            ends_at=_at(online_day, 17, 30, "Europe/Madrid"),
            timezone="Europe/Madrid",
            join_url="https://meet.example.org/tci-digitization",
            agenda_url="https://example.org/tci/agenda-online-exchange",
            description="Members present practices on SME digital transformation toward Industry 4.0 and "
            "the cluster's role.",
            reminder_offsets="7d,1d,1h",
        ),
        MeetingDraft(
            title="Toronto meeting",
            kind=MeetingKind.HYBRID,
            starts_at=_at(toronto_day, 9, 0, "America/Toronto"),
            ends_at=_at(toronto_day, 17, 0, "America/Toronto"),
            timezone="America/Toronto",
            venue="MaRS Discovery District",
            city="Toronto",
            country="CA",
            join_url="https://meet.example.org/tci-toronto",
            description="Mapping and developing digital ecosystems through clusters.",
            capacity=30,
            registration_deadline=_at(toronto_day - timedelta(days=14), 18, 0, "America/Toronto"),
            reminder_offsets="7d,1d,1h",
        ),
    ]


DEMO_FAQ = (
    (
        "How much does it cost?",
        "Meetings are free for TCI members, who also get priority for places.",
        "cost, price, fee, free, pay",
    ),
    (
        "Who pays for travel and accommodation?",
        "Participants pay their own travel, accommodation and subsistence.",
        "travel, hotel, accommodation, subsistence, flight",
    ),
    (
        "I'm not a TCI member. Can I join?",
        f"Non-members are welcome when places allow; members come first. Membership: {MEMBERSHIP_URL}",
        "member, membership, join, non-member",
    ),
)

# The first entry in Spanish too, as an organiser would add it (`/meetings faq translate 1 es ...`).
DEMO_FAQ_ES = {
    "How much does it cost?": (
        "¿Cuánto cuesta?",
        "Las reuniones son gratuitas para los miembros de TCI, que además tienen prioridad en las plazas.",
        "coste, precio, cuota, gratis, pagar",
    ),
}


@dataclass(frozen=True)
class DemoPractice:
    """A practice of the demo: who shared it and how long ago, who found it useful, and whether it waits."""

    days_ago: int
    author: str  # a role of the local workspace: organiser, member, guest
    draft: PracticeDraft
    useful: tuple[str, ...] = ()  # roles of those who marked it useful
    pending: bool = False
    language: str = "en"  # the language it is written in


def _pick(configured: Sequence[str], defaults: Sequence[str], wanted: str) -> str:
    """`wanted` (one of the defaults) if the group has it, else the group's choice in the same place."""
    if wanted in configured or not configured:
        return wanted
    return configured[defaults.index(wanted) % len(configured)]


def demo_practices(
    topics: Sequence[str] = DEFAULT_PRACTICE_TOPICS, kinds: Sequence[str] = DEFAULT_PRACTICE_KINDS
) -> list[DemoPractice]:
    """Practices from the group's countries across its topics and kinds, oldest first; the last one waits."""
    skills, cooperation, startups, ecosystems, industry = (
        _pick(topics, DEFAULT_PRACTICE_TOPICS, topic) for topic in DEFAULT_PRACTICE_TOPICS
    )
    initiative, strategy, policy, good, bad, tool = (
        _pick(kinds, DEFAULT_PRACTICE_KINDS, kind) for kind in DEFAULT_PRACTICE_KINDS
    )
    return [
        DemoPractice(
            118,
            "organiser",
            PracticeDraft(
                title="Digital skills vouchers for cluster SMEs",
                kind=initiative,
                topic=skills,
                organisation="Madrid Digital Industry Cluster",
                country="ES",
                summary="The cluster gives member SMEs vouchers for short courses in data, cloud and "
                "cybersecurity, chosen from a catalogue of vetted training providers.",
                evidence="412 vouchers issued in 2025; 68% used within six months; on average 22 hours of "
                "training per employee; 9 in 10 firms would apply again.",
                link="https://example.org/practices/skills-vouchers",
            ),
            useful=("member", "guest"),
        ),
        DemoPractice(
            104,
            "member",
            PracticeDraft(
                title="An Industry 4.0 test bed shared by 34 SMEs",
                kind=good,
                topic=industry,
                organisation="Ruhr Manufacturing Network",
                country="DE",
                summary="Members book a shared production line with sensors, a digital twin and an engineer "
                "to try a technology before they buy it.",
                evidence="57 pilots by 34 SMEs in 18 months; 21 went into production; median payback "
                "14 months; booking fee EUR 450 a day.",
            ),
            useful=("organiser", "guest"),
        ),
        DemoPractice(
            90,
            "member",
            PracticeDraft(
                title="A regional map of digital suppliers for manufacturers",
                kind=policy,
                topic=ecosystems,
                organisation="Northern Portugal Production Technologies Cluster",
                country="PT",
                summary="The regional agency funds a public, searchable map of digital suppliers, kept up "
                "to date by the cluster, and matchmaking days built on it.",
                evidence="1,240 suppliers mapped; 380 matchmaking requests in the first year; 96 contracts signed.",
                link="https://example.org/practices/supplier-map",
            ),
            useful=("organiser",),
        ),
        DemoPractice(
            76,
            "guest",
            PracticeDraft(
                title="An online collaboration platform nobody used",
                kind=bad,
                topic=cooperation,
                organisation="Reykjavík Ocean Technology Cluster",
                country="IS",
                summary="We bought a collaboration platform for members. People never moved their "
                "conversations there; face-to-face breakfasts did what the platform could not.",
                evidence="Licences for 150 users; 23 ever logged in; 4 still active after three months. "
                "Monthly breakfasts since: 40 to 55 people each time.",
            ),
            useful=("organiser", "member"),
        ),
        DemoPractice(
            63,
            "guest",
            PracticeDraft(
                title="Pairing start-ups with established manufacturers",
                kind=strategy,
                topic=startups,
                organisation="Ontario Advanced Manufacturing Cluster",
                country="CA",
                summary="Each cohort pairs start-ups with manufacturers that bring a real problem and a "
                "budget for a paid pilot.",
                evidence="3 cohorts, 45 start-ups, 27 paid pilots; CAD 4.1 million in follow-on contracts.",
                link="https://example.org/practices/pairing",
            ),
            useful=("member",),
        ),
        DemoPractice(
            49,
            "member",
            PracticeDraft(
                title="A digital maturity self-assessment in 20 minutes",
                kind=tool,
                topic=industry,
                organisation="Santa Catarina Technology Cluster",
                country="BR",
                summary="An online questionnaire gives a company its digital maturity score and three next "
                "steps; the cluster follows up with those who ask.",
                evidence="Used by 860 companies; the average score rose from 2.1 to 2.9 (of 5) at the "
                "re-assessment a year later.",
                link="https://example.org/practices/maturity-check",
            ),
            useful=("organiser", "member", "guest"),
        ),
        DemoPractice(
            35,
            "organiser",
            PracticeDraft(
                title="A hackathon without a day after",
                kind=bad,
                topic=startups,
                organisation="Valencia Digital Cluster",
                country="ES",
                summary="A well-attended weekend hackathon produced promising prototypes, but no one owned "
                "them and there was no budget to carry them on.",
                evidence="120 participants, 14 prototypes, none continued. Next time: a sponsor and a "
                "follow-up budget agreed before the event.",
            ),
        ),
        DemoPractice(
            20,
            "member",
            PracticeDraft(
                title="Data-science apprenticeships shared between SMEs",
                kind=initiative,
                topic=skills,
                organisation="Baden Digital Cluster",
                country="DE",
                summary="Small firms that cannot hire a data scientist share an apprentice, who rotates "
                "between them with a mentor from the cluster.",
                evidence="18 apprentices shared by 11 firms; 15 hired at the end; cost per firm 40% of a full hire.",
            ),
            useful=("organiser",),
        ),
        DemoPractice(
            9,
            "organiser",
            PracticeDraft(
                title="Peer visits between cluster managers",
                kind=good,
                topic=cooperation,
                organisation="Lisbon Digital Cluster",
                country="PT",
                summary="Cluster managers spend a day at another cluster, see its services at work and "
                "bring one idea home.",
                evidence="9 visits in 2026 with 70 managers; 12 joint project proposals, 5 of them funded.",
            ),
            useful=("member",),
        ),
        DemoPractice(
            3,
            "guest",
            PracticeDraft(
                title="An open register of members' digital projects",
                kind=policy,
                topic=ecosystems,
                organisation="São Paulo Digital Ecosystem Cluster",
                country="BR",
                summary="Members register their digital projects in an open register, which the state "
                "agency uses to target its grants.",
                evidence="310 projects registered in the first year; BRL 12 million of grants targeted through it.",
                link="https://example.org/practices/project-register",
            ),
        ),
        DemoPractice(
            40,
            "guest",
            PracticeDraft(
                title="Reuniones de diagnóstico digital para pymes del clúster",
                kind=initiative,
                topic=skills,
                organisation="Clúster TIC de Valencia",
                country="ES",
                summary="Un técnico del clúster visita cada pyme asociada y, en dos reuniones, revisa sus "
                "procesos y propone tres mejoras digitales con su coste.",
                evidence="96 pymes visitadas en 2025; 71 aplicaron al menos una mejora en seis meses.",
            ),
            useful=("member",),
            language="es",
        ),
        DemoPractice(
            25,
            "member",
            PracticeDraft(
                title="Digitalisierung im Handwerk: ein Werkstattnetz",
                kind=good,
                topic=cooperation,
                organisation="Cluster Digitales Handwerk NRW",
                country="DE",
                summary="Betriebe öffnen ihre Werkstätten für andere Mitglieder und zeigen dort ihre digitalen "
                "Werkzeuge im Einsatz, von der Auftragsplanung bis zur vernetzten Maschine.",
                evidence="38 offene Werkstätten seit 2024; 210 Besuche; 45 Betriebe haben ein Werkzeug übernommen.",
            ),
            language="de",
        ),
        DemoPractice(
            1,
            "member",
            PracticeDraft(
                title="A cybersecurity checklist for fish-processing SMEs",
                kind=tool,
                topic=industry,
                organisation="Icelandic Fisheries Technology Cluster",
                country="IS",
                summary="Twenty questions a small plant can answer in an afternoon, each with what to do "
                "when the answer is no.",
                evidence="Tried by 17 companies; 11 fixed their backups within a month.",
            ),
            pending=True,
        ),
    ]


def as_the_bot_made_it(deps: Deps) -> None:
    """What the bot would have done with the demo's data as it came: the meetings' reminders planned, and each
    published practice's card in the group channel (posted by the sender, as the bot posts them)."""
    planning.plan_upcoming_meetings(deps)
    practice_service.owe_missing_cards(deps)


def seed_demo(deps: Deps) -> None:
    """Fill a fresh demo database with example data, relative to today."""
    now = deps.clock()
    with deps.sessions() as session:
        for role, user in PEOPLE.items():
            people_store.save_profile(
                session=session,
                slack_id=user.id,
                display_name=user.real_name,
                tz=user.tz,
                is_guest=user.is_restricted,
                checked_at=now,
            )
            if role == "organiser":
                people_store.set_organiser(session=session, slack_id=user.id, organiser=True)
        organiser = PEOPLE["organiser"].id
        meetings = [
            meetings_store.create_meeting(session=session, draft=draft, created_by=organiser, now=now)
            for draft in demo_meetings(now)
        ]
        online, toronto = meetings[-2], meetings[-1]
        meetings_store.register(
            session=session, meeting_id=online.id or 0, slack_id=organiser, answer=Attendance.ONLINE, now=now
        )
        meetings_store.register(
            session=session, meeting_id=toronto.id or 0, slack_id=organiser, answer=Attendance.IN_PERSON, now=now
        )
        for question, answer, keywords in DEMO_FAQ:
            entry = faq_store.add_faq(
                session=session, question=question, answer=answer, keywords=keywords, created_by=organiser, now=now
            )
            if entry.id is not None and question in DEMO_FAQ_ES:
                faq_store.translate_faq(
                    session=session,
                    entry_id=entry.id,
                    language="es",
                    created_by=organiser,
                    now=now,
                    **dict(zip(("question", "answer", "keywords"), DEMO_FAQ_ES[question], strict=True)),
                )
        settings = deps.settings
        for demo in demo_practices(settings.practice_topics, settings.practice_kinds):
            shared = now - timedelta(days=demo.days_ago, hours=demo.days_ago % 7)
            practice = practices_store.create_practice(
                session=session,
                draft=demo.draft,
                author=PEOPLE[demo.author].id,
                now=shared,
                moderated=demo.pending,
                language=demo.language,
            )
            for role in demo.useful:
                practices_store.mark_useful(
                    session=session,
                    practice_id=practice.id or 0,
                    slack_id=PEOPLE[role].id,
                    now=min(shared + timedelta(days=1), now),
                )
