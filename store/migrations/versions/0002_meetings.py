"""Meetings, registrations and the FAQ.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(150), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="in_person"),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("venue", sa.String(255), nullable=False, server_default=""),
        sa.Column("city", sa.String(100), nullable=False, server_default=""),
        sa.Column("country", sa.String(2), nullable=False, server_default=""),
        sa.Column("join_url", sa.String(2000), nullable=False, server_default=""),
        sa.Column("agenda_url", sa.String(2000), nullable=False, server_default=""),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("registration_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_offsets", sa.String(100), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="scheduled"),
        sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("card_channel", sa.String(32), nullable=True),
        sa.Column("card_ts", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_meetings_starts_at", "meetings", ["starts_at"])
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("slack_id", sa.String(32), sa.ForeignKey("people.slack_id"), nullable=False),
        sa.Column("attendance", sa.String(16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("meeting_id", "slack_id", name="uq_registrations_meeting_person"),
    )
    op.create_index("ix_registrations_slack_id", "registrations", ["slack_id"])
    op.create_index("ix_registrations_meeting_attendance", "registrations", ["meeting_id", "attendance"])
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("keywords", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("faq_entries")
    op.drop_index("ix_registrations_meeting_attendance", table_name="registrations")
    op.drop_index("ix_registrations_slack_id", table_name="registrations")
    op.drop_table("registrations")
    op.drop_index("ix_meetings_starts_at", table_name="meetings")
    op.drop_table("meetings")
