"""The tables. Each area adds its own; every change comes with a migration."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from store.types import UTCDateTime, utcnow


class Membership(StrEnum):
    """How a person's membership was decided."""

    AUTO = "auto"  # full workspace users are members, guests are not
    MEMBER = "member"  # an organiser made them a member
    NOT_MEMBER = "not_member"  # an organiser removed them


class Person(SQLModel, table=True):
    """Someone the bot has met in the workspace."""

    __tablename__ = "people"

    slack_id: str = Field(primary_key=True, max_length=32)
    display_name: str = Field(default="", max_length=255)
    tz: str | None = Field(default=None, max_length=64)
    is_guest: bool = False
    is_organiser: bool = False
    membership: str = Field(default=Membership.AUTO, max_length=16)
    profile_checked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    @property
    def is_member(self) -> bool:
        """Whether the group counts this person as a member."""
        if self.membership == Membership.MEMBER:
            return True
        if self.membership == Membership.NOT_MEMBER:
            return False
        return not self.is_guest

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
