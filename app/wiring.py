"""Per-application wiring: the database engine and what is built on it (no import-time I/O, R8)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from app.config import Settings
from events.adapters import Engine, SystemClock, make_engine
from events.adapters.sql_uow import SqlUnitOfWork
from events.ports import Clock

_KEY = "onecode"


@dataclass(frozen=True, slots=True)
class Wiring:
    """What one application instance is wired to."""

    settings: Settings
    engine: Engine
    clock: Clock

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (one transaction) on this app's database."""
        return SqlUnitOfWork(self.engine, self.clock)


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
