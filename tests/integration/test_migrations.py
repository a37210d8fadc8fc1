"""Alembic is the only way the schema is made, and it agrees with the models on every backend."""

from __future__ import annotations

from sqlalchemy import inspect

from events.adapters import make_engine
from events.adapters.schema import (
    current_revision,
    downgrade,
    head_revision,
    pending_changes,
    upgrade,
)
from events.adapters.tables import metadata


def test_upgrade_head_matches_the_models(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert pending_changes(engine) == []
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_removes_everything(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    upgrade(engine)
    downgrade(engine, "base")
    assert not set(metadata.tables) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert pending_changes(engine) == []
    engine.dispose()


def test_pending_changes_sees_a_model_the_migrations_lack(migrated_database_url: str) -> None:
    """The check above can fail: an extra table in the metadata is reported."""
    from sqlalchemy import Column, Integer, Table  # noqa: PLC0415

    extra = Table("not_migrated", metadata, Column("id", Integer, primary_key=True))
    engine = make_engine(migrated_database_url)
    try:
        assert any("not_migrated" in repr(change) for change in pending_changes(engine))
    finally:
        metadata.remove(extra)
        engine.dispose()
