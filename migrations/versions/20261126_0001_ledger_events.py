"""The append-only event ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from events.adapters.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_PG_REFUSE = """
CREATE FUNCTION onecode_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "ledger_events",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("event_time", UtcDateTime(), nullable=False),
        sa.Column("record_time", UtcDateTime(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_ledger_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_ledger_events_event_id")),
        comment="Append-only EPCIS event ledger; triggers refuse UPDATE and DELETE.",
    )
    op.create_index(op.f("ix_ledger_events_event_time"), "ledger_events", ["event_time"])
    # The ledger's guarantee lives in the schema (ARCHITECTURE.md R4): no UPDATE, no DELETE.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_REFUSE)
        op.execute(
            "CREATE TRIGGER ledger_events_append_only BEFORE UPDATE OR DELETE ON ledger_events "
            "FOR EACH ROW EXECUTE FUNCTION onecode_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION onecode_refuse_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ledger_events_no_{operation.lower()} BEFORE {operation} "
                "ON ledger_events BEGIN "
                f"SELECT RAISE(ABORT, 'ledger_events is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_events_no_truncate ON ledger_events")
        op.execute("DROP TRIGGER ledger_events_append_only ON ledger_events")
        op.execute("DROP FUNCTION onecode_refuse_change()")
    op.drop_index(op.f("ix_ledger_events_event_time"), table_name="ledger_events")
    op.drop_table("ledger_events")
