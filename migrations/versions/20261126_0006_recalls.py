"""Recall cases, their holders and confirmations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from events.adapters.tables import UtcDateTime


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recall_cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("include_siblings", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("hold_event_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_recall_cases_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_cases")),
    )
    op.create_index(
        op.f("ix_recall_cases_organisation_id_created_at"),
        "recall_cases",
        ["organisation_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "recall_holders",
        sa.Column("recall_id", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column("biz_location", sa.String(length=300), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("expected_quantity", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(length=20), nullable=True),
        sa.Column("returned", sa.Float(), nullable=False),
        sa.Column("destroyed", sa.Float(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recall_id"],
            ["recall_cases.id"],
            name=op.f("fk_recall_holders_recall_id_recall_cases"),
        ),
        sa.PrimaryKeyConstraint("recall_id", "holder", name=op.f("pk_recall_holders")),
    )
    op.create_table(
        "recall_confirmations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recall_id", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column("returned", sa.Float(), nullable=False),
        sa.Column("destroyed", sa.Float(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recall_id"],
            ["recall_cases.id"],
            name=op.f("fk_recall_confirmations_recall_id_recall_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_confirmations")),
    )
    op.create_index(
        op.f("ix_recall_confirmations_recall_id_id"),
        "recall_confirmations",
        ["recall_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_recall_confirmations_recall_id_id"), table_name="recall_confirmations")
    op.drop_table("recall_confirmations")
    op.drop_table("recall_holders")
    op.drop_index(op.f("ix_recall_cases_organisation_id_created_at"), table_name="recall_cases")
    op.drop_table("recall_cases")
