"""Liveness and readiness probes for operators and orchestrators.

``/healthz``: the process answers. ``/readyz``: the database answers and its schema is at the
newest migration, so the app can serve requests.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from app import entry_points
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events.adapters import StorageUnavailableError, ping
from events.adapters.schema import current_revision, head_revision

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> dict[str, object]:
    """The database is reachable and migrated to the newest revision."""
    engine = wiring_of().engine
    try:
        ping(engine)
        current = current_revision(engine)
    except StorageUnavailableError as exc:
        raise ProblemError(Problem(CATALOGUE["storage-unavailable"], detail=str(exc))) from exc
    head = head_revision()
    migrations = {"current": current, "head": head}
    if current != head:
        raise ProblemError(
            Problem(
                CATALOGUE["storage-unavailable"],
                detail=f"database schema is at {current}, expected {head}: run onecode db upgrade",
                extra={"migrations": migrations},
            )
        )
    return {"status": "ready", "database": engine.dialect.name, "migrations": migrations}


def init_app(app: Flask) -> None:
    """Register the probes and announce them to operators."""
    app.register_blueprint(bp)
    operators = _l("Operators")
    entry_points.add(
        app,
        entry_points.EntryPoint(operators, _l("Liveness"), "/healthz", _l("Is the process up?")),
    )
    entry_points.add(
        app,
        entry_points.EntryPoint(
            operators,
            _l("Readiness"),
            "/readyz",
            _l("Is the database reachable and migrated?"),
        ),
    )
