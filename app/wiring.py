"""Per-application wiring: the database engine and what is built on it (no import-time I/O, R8)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from app.config import Settings
from events.adapters import Engine, StorageUnavailableError, SystemClock, make_engine, ping
from events.adapters.schema import current_revision, head_revision
from events.adapters.sql_uow import SqlUnitOfWork
from events.ports import Clock

_KEY = "onecode"


@dataclass(frozen=True, slots=True)
class Wiring:
    """What one application instance is wired to."""

    settings: Settings
    engine: Engine
    clock: Clock

    def require_migrated(self) -> None:
        """Raise ``StorageUnavailableError`` unless the database answers and is at the head."""
        ping(self.engine)
        current, head = current_revision(self.engine), head_revision()
        if current != head:
            raise StorageUnavailableError(
                f"database schema is at {current or 'empty'}, expected {head}: "
                "run onecode db upgrade"
            )

    def uow(self, *, read_only: bool = False) -> SqlUnitOfWork:
        """A new unit of work (one transaction) on this app's database."""
        return SqlUnitOfWork(self.engine, self.clock, read_only=read_only)


def init_app(app: Flask, settings: Settings) -> Wiring:
    """Build the engine (lazily connecting) and keep it on ``app.extensions``."""
    wiring = Wiring(
        settings=settings, engine=make_engine(settings.database_url), clock=SystemClock()
    )
    app.extensions[_KEY] = wiring
    return wiring


def wiring_of(app: Flask | None = None) -> Wiring:
    """The wiring of ``app``, or of the current application."""
    target = app if app is not None else current_app
    wiring: Wiring = target.extensions[_KEY]
    return wiring
