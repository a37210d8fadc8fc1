"""Alembic environment: target_metadata is events.adapters.tables.metadata and nothing else."""

from __future__ import annotations

from alembic import context

from events.adapters.engine import make_engine
from events.adapters.tables import metadata

config = context.config


def _engine():  # noqa: ANN202
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    # Run by hand: the same setting the application reads.
    from app.config import Settings  # noqa: PLC0415  only when alembic runs stand-alone

    return make_engine(Settings.from_env().database_url)


def run_migrations_offline() -> None:
    """Print SQL instead of running it (``alembic upgrade head --sql``)."""
    context.configure(url=str(_engine().url), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations in one transaction per run."""
    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
