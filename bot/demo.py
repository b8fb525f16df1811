"""Example data for `tci-bot shell --demo`: people, the group's meetings (past and to come) and its FAQ."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.localslack.local import PEOPLE
from store import faq as faq_store
from store import meetings as meetings_store
from store import people as people_store
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind

MEMBERSHIP_URL = "https://www.tci-network.org/membership"


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
            faq_store.add_faq(
                session=session, question=question, answer=answer, keywords=keywords, created_by=organiser, now=now
            )
