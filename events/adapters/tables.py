"""SQLAlchemy Core tables: the one schema both SQLite and PostgreSQL use.

Alembic migrations create these tables (``migrations/``); a test checks that the migrations and
this metadata agree. Constraint names follow one convention so migrations can name them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend.

    SQLite has no timestamp type and SQLAlchemy drops the offset there, so values are converted to
    UTC on the way in and marked UTC on the way out; PostgreSQL keeps ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive times; store UTC."""
        del dialect
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp {value.isoformat()} has no timezone offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Give back an aware UTC time whatever the driver returned."""
        del dialect
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
Payload: Any = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Position: Any = BigInteger().with_variant(Integer(), "sqlite")

ledger_events = Table(
    "ledger_events",
    metadata,
    # Gap-free: assigned as last + 1 while appends are serialised, so leaf index = position - 1.
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("event_id", String(300), nullable=False),
    Column("event_hash", String(100), nullable=False),  # CBV 2.0 §8.9, ni:///sha-256;…
    Column("kind", String(12), nullable=False),  # "event", or "declaration" (errorDeclaration)
    Column("event_type", String(40), nullable=False),
    Column("event_time", UtcDateTime(), nullable=False),
    Column("record_time", UtcDateTime(), nullable=False),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),
    Column("capture_id", String(32), nullable=True),
    Column("payload", Payload, nullable=False),
    UniqueConstraint("event_id", "kind"),
    UniqueConstraint("event_hash", "kind"),
    Index(None, "event_time"),
    Index(None, "record_time"),
    # A caller's events in ledger order (pages, the default query order) and by time (windows).
    Index(None, "organisation_id", "position"),
    Index(None, "organisation_id", "event_time", "position"),
    comment="Append-only EPCIS event ledger; triggers refuse UPDATE and DELETE.",
)

# Which items each event names (canonical ids), for queries and the trace engine.
event_links = Table(
    "event_links",
    metadata,
    Column("item", String(300), primary_key=True),
    Column("position", Position, ForeignKey("ledger_events.position"), primary_key=True),
    Column("role", String(16), primary_key=True),
    Index(None, "position"),
)

# Projection: the current state of each item (events/domain/state.py computes it).
item_state = Table(
    "item_state",
    metadata,
    Column("item", String(300), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("disposition", String(300), nullable=True),
    Column("persistent", JSON(), nullable=False),
    Column("read_point", String(300), nullable=True),
    Column("biz_location", String(300), nullable=True),
    Column("holder", String(300), nullable=True),
    Column("parent", String(300), nullable=True),
    Column("last_position", Position, nullable=False),
    Column("last_event_time", String(40), nullable=True),
    Index(None, "parent"),
)

# Projection: lineage edges (input → output, child → parent, associations) for tracing.
lineage_edges = Table(
    "lineage_edges",
    metadata,
    Column("src", String(300), primary_key=True),
    Column("dst", String(300), primary_key=True),
    Column("relation", String(12), primary_key=True),
    Column("position", Position, primary_key=True),
    Column("event_time", String(40), nullable=False),
    Column("quantity", Float, nullable=True),
    Column("uom", String(20), nullable=True),
    Index(None, "dst", "relation"),
)

# Projection: every later event that ends a containment edge (``events.lineage.ends``: an
# AggregationEvent DELETE or repacking, an AssociationEvent DELETE), so a trace bounds
# containment from this table, leaving out ends that are erroneous or not visible to the caller.
containment_ends = Table(
    "containment_ends",
    metadata,
    Column("src", String(300), primary_key=True),
    Column("dst", String(300), primary_key=True),
    Column("relation", String(12), primary_key=True),
    Column("position", Position, primary_key=True),
    Column("end_position", Position, primary_key=True),
    Column("end_time", String(40), nullable=False),
)

# Projection: events an errorDeclaration has declared erroneous (they stop counting).
erroneous_events = Table(
    "erroneous_events",
    metadata,
    Column("event_id", String(300), primary_key=True),
    Column("declaration_position", Position, nullable=False),
    Column("declaration_time", String(40), nullable=True),
    Column("reason", String(300), nullable=True),
)

capture_jobs = Table(
    "capture_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("running", Boolean, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("behaviour", String(10), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("document", LargeBinary, nullable=True),  # dropped once processed
    Column("event_count", Integer, nullable=False),
    Column("captured", Integer, nullable=False),
    Column("errors", JSON(), nullable=False),
    Column("claimed_at", UtcDateTime(), nullable=True),
    Index(None, "running", "created_at"),
)

# RFC 9162 Merkle tree over the ledger: the hash of every complete subtree (level 0 = leaves).
merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("signed", JSON(), nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("handle_prefix", String(100), nullable=True, unique=True),
    Column("serial_length", Integer, nullable=False),
    Column("serial_alphabet", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# GS1 Company Prefixes and GLNs registered by an organisation; each belongs to one organisation.
organisation_keys = Table(
    "organisation_keys",
    metadata,
    Column("kind", String(10), primary_key=True),  # "gcp" or "gln"
    Column("value", String(20), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column(
        "key_hash", String(64), nullable=False, unique=True
    ),  # SHA-256 hex; the key is never stored
    Column("label", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

code_batches = Table(
    "code_batches",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("scheme", String(10), nullable=False),
    Column("code_key", String(100), nullable=False),  # GTIN, "sscc" or the Handle prefix
    Column("request", JSON(), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("idempotency_key", String(200), nullable=True),
    Column("count", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("organisation_id", "idempotency_key"),
)

# Every code ever minted: the primary key keeps a serial unique per GTIN (Handle prefix) forever.
minted_codes = Table(
    "minted_codes",
    metadata,
    Column("code_key", String(100), primary_key=True),
    Column("serial", String(100), primary_key=True),
    Column("batch_id", String(32), ForeignKey("code_batches.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Index(None, "batch_id", "seq"),
)

# SSCC serial references are allocated sequentially per company prefix and extension digit.
sscc_counters = Table(
    "sscc_counters",
    metadata,
    Column("company_prefix", String(12), primary_key=True),
    Column("extension", Integer, primary_key=True),
    Column("next_reference", BigInteger, nullable=False),
)

# Named queries (EPCIS 2.0 REST binding /queries): a name and the query's parameters.
named_queries = Table(
    "named_queries",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("query", JSON(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# Subscriptions to named queries; ``last_position`` is the durable cursor over the ledger
# (the outbox): it advances only when the receiver answered 2xx.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("query_name", String(200), ForeignKey("named_queries.name"), nullable=False),
    Column("dest", String(2000), nullable=False),
    Column("signature_token", String(500), nullable=True),
    Column("stream", Boolean, nullable=False),
    Column("schedule", JSON(), nullable=True),
    Column("initial_record_time", UtcDateTime(), nullable=True),
    Column("report_if_empty", Boolean, nullable=False),
    Column("last_position", BigInteger, nullable=False),
    Column("last_notified_at", UtcDateTime(), nullable=True),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("failures", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("deleted_at", UtcDateTime(), nullable=True),
    Index(None, "query_name"),
)

# Every delivery attempt of a subscription, kept for the delivery log.
subscription_deliveries = Table(
    "subscription_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", String(32), ForeignKey("subscriptions.id"), nullable=False),
    Column("first_position", BigInteger, nullable=False),
    Column("last_position", BigInteger, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("attempted_at", UtcDateTime(), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", String(500), nullable=True),
    Column("succeeded", Boolean, nullable=False),
    Index(None, "subscription_id", "id"),
)

# Master data (EPCIS 2.0 §7.2 vocabularies: locations, parties, products …) captured in document
# headers; the latest captured element of an organisation wins (master data is not the ledger).
master_data = Table(
    "master_data",
    metadata,
    Column("organisation_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("vocabulary_type", String(200), primary_key=True),
    Column("element_id", String(300), primary_key=True),  # canonical id (events.domain.links)
    Column("original_id", String(300), nullable=False),
    Column("attributes", JSON(), nullable=False),
    Column("children", JSON(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(None, "element_id"),
)

# Recall cases (召回): the case with a snapshot of its scope and the ids of its hold events.
recall_cases = Table(
    "recall_cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("reason", String(2000), nullable=False),
    Column("codes", JSON(), nullable=False),
    Column("include_siblings", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
    Column("scope", JSON(), nullable=False),
    Column("hold_event_ids", JSON(), nullable=False),
    Index(None, "organisation_id", "created_at"),
)

# Each holder of a recall: what it should hand back and its confirmed totals so far.
recall_holders = Table(
    "recall_holders",
    metadata,
    Column("recall_id", String(32), ForeignKey("recall_cases.id"), primary_key=True),
    Column("holder", String(300), primary_key=True),
    Column("biz_location", String(300), nullable=True),
    Column("items", Integer, nullable=False),
    Column("expected_quantity", Float, nullable=False),
    Column("uom", String(20), nullable=True),
    Column("returned", Float, nullable=False),
    Column("destroyed", Float, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=True),
)

# Every confirmation received (the case's timeline).
recall_confirmations = Table(
    "recall_confirmations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recall_id", String(32), ForeignKey("recall_cases.id"), nullable=False),
    Column("holder", String(300), nullable=False),
    Column("returned", Float, nullable=False),
    Column("destroyed", Float, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index(None, "recall_id", "id"),
)
