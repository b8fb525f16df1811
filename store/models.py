"""The tables. Each area adds its own; every change comes with a migration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Index,
    Text,
    UniqueConstraint,
    case,
    false,
    func,
    not_,
    true,
    type_coerce,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlmodel import Column, Field, SQLModel, col

from store.types import UTCDateTime, utcnow

# The table options of tables whose numbers people quote ("/practice 12"): a deleted row's number
# is never given to another (SQLite AUTOINCREMENT; PostgreSQL's sequences never go back anyway).
NEVER_REUSED = {"sqlite_autoincrement": True}


class Membership(StrEnum):
    """How a person's membership was decided."""

    AUTO = "auto"  # full workspace users are members, guests are not
    MEMBER = "member"  # an organiser made them a member
    NOT_MEMBER = "not_member"  # an organiser removed them


# Whether a person is a member, where an organiser decided it; otherwise full workspace users are
# members and guests are not. Person.is_member reads this in Python and in SQL.
DECIDED_MEMBERSHIP: dict[str, bool] = {Membership.MEMBER: True, Membership.NOT_MEMBER: False}


class Person(SQLModel, table=True):
    """Someone the bot has met in the workspace."""

    __tablename__ = "people"
    model_config = SQLModel.model_config | {"ignored_types": (hybrid_property,)}  # is_member below is no field

    slack_id: str = Field(primary_key=True, max_length=32)
    display_name: str = Field(default="", max_length=255)
    tz: str | None = Field(default=None, max_length=64)
    is_guest: bool = False
    is_organiser: bool = False
    membership: str = Field(default=Membership.AUTO, max_length=16)
    reminders: bool = True  # meeting reminders by direct message; `/meetings reminders off` turns them off
    reminders_off: str = Field(default="", max_length=100)  # the reminders turned off one by one: "7d,1h"
    digest_dm: bool = False  # the weekly digest by direct message too
    listed: bool = False  # their name shown to other members among those coming
    language: str | None = Field(default=None, max_length=16)  # their own choice (`/tci language es`), if any
    slack_locale: str | None = Field(default=None, max_length=16)  # Slack's locale for them (`pt-BR`), if known
    profile_checked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    @hybrid_property
    def is_member(self) -> bool:
        """Whether the group counts this person as a member (members come first on every waitlist)."""
        return DECIDED_MEMBERSHIP.get(self.membership, not self.is_guest)

    @is_member.inplace.expression
    @classmethod
    def _is_member_expression(cls) -> ColumnElement[bool]:
        # The same rule in SQL, for ordering and exporting; no person row counts as an undecided full user.
        decided = [
            (col(cls.membership) == value, true() if member else false())
            for value, member in DECIDED_MEMBERSHIP.items()
        ]
        undecided = not_(func.coalesce(col(cls.is_guest), false()))
        return type_coerce(case(*decided, else_=undecided), Boolean())

    @property
    def mention(self) -> str:
        """The Slack mention of this person."""
        return f"<@{self.slack_id}>"


class ProcessedEvent(SQLModel, table=True):
    """An Events API delivery already handled, so that Slack's re-deliveries are ignored."""

    __tablename__ = "processed_events"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))


class AppState(SQLModel, table=True):
    """Small facts the bot keeps about itself (one value per key)."""

    __tablename__ = "app_state"

    key: str = Field(primary_key=True, max_length=64)
    value: str = ""


class StoreVersion(SQLModel, table=True):
    """A counter the store moves whenever a thing of one kind is added, removed or changed (meetings, series).

    Moved by the database's own triggers (migration 0016), in the transaction of the change; what keeps
    those things between requests reads it to know whether they changed, with one primary-key lookup.
    """

    __tablename__ = "store_versions"

    name: str = Field(primary_key=True, max_length=32)
    version: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))


class MeetingKind(StrEnum):
    """How people attend a meeting."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class MeetingStatus(StrEnum):
    """Whether a meeting is still on."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    """What someone answered to a meeting, or where capacity put them."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    NOT_COMING = "not_coming"
    WAITLISTED = "waitlisted"  # asked for an in-person place when none was free
    OFFERED = "offered"  # first in line when a place freed: it is held for them while the offer runs


class Meeting(SQLModel, table=True):
    """A meeting of the group: when, where, how to join, and its announcement card."""

    __tablename__ = "meetings"
    __table_args__ = (
        Index("uq_meetings_series_occurrence", "series_id", "occurrence_at", unique=True),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=150)
    kind: str = Field(default=MeetingKind.IN_PERSON, max_length=16)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    timezone: str = Field(max_length=64)  # the meeting's own IANA zone
    # Dates only: starts_at is 00:00 of the first day and ends_at 00:00 of the day after the last, in `timezone`.
    all_day: bool = Field(
        default=False, sa_column=Column(Boolean(), nullable=False, default=False, server_default=false())
    )
    venue: str = Field(default="", max_length=255)
    city: str = Field(default="", max_length=100)
    country: str = Field(default="", max_length=2)  # ISO 3166-1 alpha-2, or empty
    join_url: str = Field(default="", max_length=2000)
    agenda_url: str = Field(default="", max_length=2000)
    description: str = Field(default="", sa_column=Column(Text(), nullable=False, default=""))
    capacity: int | None = None  # in-person places; None means no limit
    registration_deadline: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reminder_offsets: str = Field(default="", max_length=100)  # e.g. "7d,1d,1h"; empty means the default
    status: str = Field(default=MeetingStatus.SCHEDULED, max_length=16)
    sequence: int = 0  # iCalendar SEQUENCE: grows each time the meeting changes
    card_channel: str | None = Field(default=None, max_length=32)
    card_ts: str | None = Field(default=None, max_length=32)
    # A meeting of a series: the series, and the start its rule gave it (iCalendar's RECURRENCE-ID),
    # which stays what it was when this one meeting is moved.
    series_id: int | None = None
    occurrence_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_by: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    @property
    def is_cancelled(self) -> bool:
        """Whether the meeting was cancelled."""
        return self.status == MeetingStatus.CANCELLED

    @property
    def has_places(self) -> bool:
        """Whether people can attend in person."""
        return self.kind in (MeetingKind.IN_PERSON, MeetingKind.HYBRID)

    @property
    def is_online(self) -> bool:
        """Whether people can attend online."""
        return self.kind in (MeetingKind.ONLINE, MeetingKind.HYBRID)


class MeetingSeries(SQLModel, table=True):
    """Meetings that repeat: the rule, its first start, and what each of its meetings is made of.

    Each meeting of a series is a row of `meetings` of its own (registration, places, reminders, card),
    created a while ahead by the scheduler; (series_id, occurrence_at) is unique, so two processes
    creating the same meeting create it once.
    """

    __tablename__ = "meeting_series"
    __table_args__ = (NEVER_REUSED,)

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=200)  # RFC 5545 RRULE text, without DTSTART; UNTIL in UTC
    timezone: str = Field(max_length=64)  # the zone the rule is expanded in
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))  # DTSTART: the first start
    template: str = Field(sa_column=Column(Text(), nullable=False))  # the first meeting's fields, as JSON
    announced: bool = False  # its meetings' cards are posted, each when it is the next one
    sequence: int = 0  # iCalendar SEQUENCE of the series' own event
    created_by: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Registration(SQLModel, table=True):
    """One person's answer to one meeting."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "slack_id", name="uq_registrations_meeting_person"),
        Index("ix_registrations_meeting_attendance", "meeting_id", "attendance"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", ondelete="CASCADE")
    slack_id: str = Field(foreign_key="people.slack_id", max_length=32, index=True)
    attendance: str = Field(max_length=16)
    # When the current answer was given: the waitlist is served in this order (members first).
    answered_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    attended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))  # said "I'm here"
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Feedback(SQLModel, table=True):
    """What someone who took part thought of a meeting: a rating from 1 to 5 and an optional comment, once."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("meeting_id", "slack_id", name="uq_feedback_meeting_person"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", ondelete="CASCADE", index=True)
    slack_id: str = Field(max_length=32)
    rating: int
    comment: str = Field(default="", sa_column=Column(Text(), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class FaqEntry(SQLModel, table=True):
    """A question the organisers answered once, for everyone who asks it again."""

    __tablename__ = "faq_entries"
    __table_args__ = (NEVER_REUSED,)

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=300)
    answer: str = Field(sa_column=Column(Text(), nullable=False))
    keywords: str = Field(default="", max_length=500)  # comma-separated words that point to this entry
    created_by: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    language: str | None = Field(default=None, max_length=16)  # the language it is written in; None: the group's


class FaqTranslation(SQLModel, table=True):
    """An FAQ entry in another language, as an organiser wrote it: one per entry and language."""

    __tablename__ = "faq_translations"
    __table_args__ = (UniqueConstraint("faq_id", "language", name="uq_faq_translations_entry_language"),)

    id: int | None = Field(default=None, primary_key=True)
    faq_id: int = Field(foreign_key="faq_entries.id", ondelete="CASCADE")
    language: str = Field(max_length=16)
    question: str = Field(max_length=300)
    answer: str = Field(sa_column=Column(Text(), nullable=False))
    keywords: str = Field(default="", max_length=500)
    created_by: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PracticeStatus(StrEnum):
    """Where a practice stands in moderation."""

    PENDING = "pending"  # waiting for an organiser, when the group moderates
    PUBLISHED = "published"
    REJECTED = "rejected"


# The language of a practice shared before practices had one, and of any written without saying.
PRACTICE_LANGUAGE = "en"


def _indexed(column: str) -> Callable[[Any], str]:
    """A default for one column the full-text index reads, made from the row being inserted."""

    def compute(context: Any) -> str:
        from store.practices._index import indexed_part  # late: store.practices imports this module

        return indexed_part(column, context.get_current_parameters())

    return compute


class Practice(SQLModel, table=True):
    """Something a member shared: an initiative, a policy, a lesson, with its evidence."""

    __tablename__ = "practices"
    __table_args__ = (
        Index("ix_practices_status_created", "status", "created_at"),
        Index("ix_practices_author_created", "author", "created_at"),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=150)
    kind: str = Field(max_length=100)  # one of the group's kinds (configuration)
    topic: str = Field(max_length=150)  # one of the group's topics (configuration)
    organisation: str = Field(default="", max_length=200)
    country: str = Field(default="", max_length=2)  # ISO 3166-1 alpha-2, or empty
    summary: str = Field(sa_column=Column(Text(), nullable=False))
    evidence: str = Field(default="", sa_column=Column(Text(), nullable=False, default=""))
    link: str = Field(default="", max_length=2000)
    author: str = Field(max_length=32, index=True)
    status: str = Field(default=PracticeStatus.PUBLISHED, max_length=16)
    reject_reason: str = Field(default="", max_length=1000)
    moderated_by: str = Field(default="", max_length=32)
    card_channel: str | None = Field(default=None, max_length=32)
    card_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    language: str = Field(  # the language it is written in ("es"), which its words are stemmed in
        default=PRACTICE_LANGUAGE, max_length=16, sa_column_kwargs={"server_default": PRACTICE_LANGUAGE}
    )
    # What the full-text index reads: title, organisation, then summary and evidence, each as words stemmed in
    # the practice's language with accents folded (store.practices._index). The store writes all three with
    # every change of the text; an insert that leaves them out (None) has them made from the row's own fields.
    # SQLite keeps them for its FTS5 table; on PostgreSQL a trigger moves them into search_vector as they are
    # written (migration 0008), and they read back empty.
    search_title: str | None = Field(
        default=None, sa_column=Column(Text(), nullable=False, server_default="", default=_indexed("search_title"))
    )
    search_organisation: str | None = Field(
        default=None,
        sa_column=Column(Text(), nullable=False, server_default="", default=_indexed("search_organisation")),
    )
    search_body: str | None = Field(
        default=None, sa_column=Column(Text(), nullable=False, server_default="", default=_indexed("search_body"))
    )

    @property
    def is_published(self) -> bool:
        """Whether members can see it."""
        return self.status == PracticeStatus.PUBLISHED

    @property
    def is_pending(self) -> bool:
        """Whether it waits for an organiser."""
        return self.status == PracticeStatus.PENDING


class UsefulMark(SQLModel, table=True):
    """One person found one practice useful (at most once)."""

    __tablename__ = "useful_marks"
    __table_args__ = (UniqueConstraint("practice_id", "slack_id", name="uq_useful_marks_practice_person"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practices.id", ondelete="CASCADE")
    slack_id: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PostStatus(StrEnum):
    """Where a scheduled post stands."""

    PENDING = "pending"  # waiting for its time (or for its next attempt)
    SENDING = "sending"  # claimed by a process, which holds it until lease_until
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; last_error says why
    SKIPPED = "skipped"  # its time passed while no bot was running, and it was no longer useful
    CANCELLED = "cancelled"  # what it was for went away (a cancelled meeting, a withdrawn announcement)


class PostKind(StrEnum):
    """What a scheduled post is; the sender renders each kind from the store when it is due."""

    REMINDER = "reminder"  # a meeting reminder in the group channel; it fans out the direct ones
    REMINDER_DM = "reminder_dm"  # a meeting reminder to one registered person
    STARTING = "starting"  # an online meeting is starting: the join link
    ANNOUNCEMENT = "announcement"  # an organiser's /announce
    DIGEST = "digest"  # the weekly digest
    DIGEST_DM = "digest_dm"  # the same digest to one person who asked for it by direct message
    CALL = "call_for_practices"  # the periodic call for practices
    # What a change owes, written in the change's own transaction and sent as soon as it is committed:
    MEETING_CARD = "meeting_card"  # a meeting's card in the group channel: posted, or brought up to date
    PRACTICE_CARD = "practice_card"  # a practice's card in the group channel: posted, or brought up to date
    CARD_DELETE = "card_delete"  # a card taken down (a practice deleted)
    NOTICE = "notice"  # a direct message to one person (moved up, meeting changed, a decision, a new role)
    ANSWER = "answer"  # the answer to a question asked in plain words, written out
    QUESTION = "question"  # a question asked in plain words, answered from the store when it is sent
    OFFER_LAPSE = "offer_lapse"  # a waitlist offer's time limit: if still open, it lapses and the next is offered
    WELCOME = "welcome"  # the direct message to someone who joined the group channel, once per person
    FEEDBACK = "feedback"  # a while after a meeting: asks each registrant for their feedback (the direct ones)
    FEEDBACK_DM = "feedback_dm"  # the request for feedback to one person
    RECAP = "recap"  # a meeting's recap in its card's thread: posted, or brought up to date
    ACTION_OWNED = "action_owned"  # to the owner of an action agreed: what it is, with its Done button
    ACTION_DUE = "action_due"  # to the owner of an open action, a while before its due date


class ScheduledPost(SQLModel, table=True):
    """A message the scheduler posts at a time: the row is the truth, the scheduler only the alarm clock."""

    __tablename__ = "scheduled_posts"
    __table_args__ = (Index("ix_scheduled_posts_status_due", "status", "due_at"), NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # the same post can never be planned twice
    kind: str = Field(max_length=32)
    channel: str = Field(max_length=32)  # a channel ID, or a user ID for a direct message
    meeting_id: int | None = Field(default=None, index=True)
    payload: str = Field(default="", sa_column=Column(Text(), nullable=False, default=""))
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    not_before: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))  # the next attempt's time
    status: str = Field(default=PostStatus.PENDING, max_length=16)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    claimed_by: str = Field(default="", max_length=100)
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    posted_channel: str | None = Field(default=None, max_length=32)
    posted_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
