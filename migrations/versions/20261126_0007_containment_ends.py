"""Containment ends: the events that end each containment edge, filled from the stored ledger.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from events.adapters.sql_projections import backfill_containment_ends


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "containment_ends",
        sa.Column("src", sa.String(length=300), nullable=False),
        sa.Column("dst", sa.String(length=300), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("position", position, nullable=False),
        sa.Column("end_position", position, nullable=False),
        sa.Column("end_time", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint(
            "src", "dst", "relation", "position", "end_position", name=op.f("pk_containment_ends")
        ),
    )
    backfill_containment_ends(op.get_bind())


def downgrade() -> None:
    op.drop_table("containment_ends")
