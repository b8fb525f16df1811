"""The tables of what follows a meeting: who came without registering, the recap, the actions agreed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index
from sqlmodel import Column, Field, SQLModel, Text

from store.types import UTCDateTime, utcnow

NEVER_REUSED = {"sqlite_autoincrement": True}  # as store.models: a quoted number is never given to another


class MeetingGuest(SQLModel, table=True):
    """Someone who came to a meeting without registering and who is not in the workspace, by the name given."""

    __tablename__ = "meeting_guests"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    added_by: str = Field(default="", max_length=32)
    added_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Recap(SQLModel, table=True):
    """What a meeting left: a summary, links to its slides, recording and minutes, the practices presented."""

    __tablename__ = "recaps"

    meeting_id: int = Field(foreign_key="meetings.id", ondelete="CASCADE", primary_key=True)
    summary: str = Field(default="", sa_column=Column(Text(), nullable=False, default=""))
    slides_url: str = Field(default="", max_length=3000)
    recording_url: str = Field(default="", max_length=3000)
    minutes_url: str = Field(default="", max_length=3000)
    practices: str = Field(default="", max_length=1000)  # the practices presented: their numbers, "12,40"
    posted_channel: str | None = Field(default=None, max_length=32)  # the recap's message in the card's thread
    posted_ts: str | None = Field(default=None, max_length=32)
    created_by: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str = Field(default="", max_length=32)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    @property
    def practice_ids(self) -> list[int]:
        """The numbers of the practices presented, in the order chosen."""
        return [int(part) for part in self.practices.split(",") if part.strip().isdigit()]


class ActionStatus(StrEnum):
    """Where an action stands."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Action(SQLModel, table=True):
    """A concrete action agreed, with the person who owns it and, if set, the day it is due."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_status_due", "status", "due_on"), NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    owner_id: str = Field(max_length=32, index=True)
    due_on: date | None = Field(default=None, sa_column=Column(Date()))
    status: str = Field(default=ActionStatus.OPEN, max_length=16)
    meeting_id: int | None = Field(default=None, foreign_key="meetings.id", ondelete="SET NULL", index=True)
    created_by: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))  # done or dropped
