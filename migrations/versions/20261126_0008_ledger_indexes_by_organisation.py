"""Indexes for queries scoped to one organisation: by position and by event time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from alembic import op


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_ledger_events_organisation_id_position", ["organisation_id", "position"]),
    (
        "ix_ledger_events_organisation_id_event_time_position",
        ["organisation_id", "event_time", "position"],
    ),
)


def upgrade() -> None:
    for name, columns in _INDEXES:
        op.create_index(op.f(name), "ledger_events", columns, unique=False)


def downgrade() -> None:
    for name, _columns in _INDEXES:
        op.drop_index(op.f(name), table_name="ledger_events")
