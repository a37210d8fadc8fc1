"""The one place where errors become HTTP answers (ARCHITECTURE.md R7).

Machine clients (``/api/``, ``/epcis/``, health probes, or anyone preferring JSON) get RFC 9457
``application/problem+json``; people get a friendly page in their language. Nobody ever gets a
traceback: unexpected errors are logged with one and answered with a plain 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from app.problems import CATALOGUE, Problem, ProblemError, problem_type_for
from events.adapters import StorageUnavailableError
from events.domain import DuplicateEventError, LedgerError

log = logging.getLogger(__name__)

MACHINE_PREFIXES = ("/api/", "/epcis", "/healthz", "/readyz")

# Domain errors → problem type slug, most specific first.
DOMAIN_ERRORS: list[tuple[type[Exception], str]] = [
    (DuplicateEventError, "conflict"),
    (StorageUnavailableError, "storage-unavailable"),
]


def wants_problem() -> bool:
    """True when the client is a machine rather than a person with a browser."""
    if request.path.startswith(MACHINE_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def answer(problem: Problem) -> Response | tuple[str, int]:
    """Answer with problem+json or with the error page, whichever the client wants."""
    if wants_problem():
        return problem.response()
    status = problem.status or problem.kind.status
    try:
        page = render_template("error.html", problem=problem, status=status)
    except Exception:
        # The error page itself failed: log it and still answer without a traceback.
        log.exception("the error page could not be rendered")
        page = f"<!doctype html><title>{status}</title><p>{status} 出错了 / Something went wrong"
    return page, status


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(ProblemError)
    def _problem(exc: ProblemError) -> Response | tuple[str, int]:
        return answer(exc.problem)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | tuple[str, int]:
        status = exc.code or 500
        kind = problem_type_for(status)
        # Werkzeug's descriptions are English-only; our catalogue's explanation is localised.
        return answer(Problem(kind, detail=str(kind.explanation), status=status))

    @app.errorhandler(LedgerError)
    def _domain(exc: LedgerError) -> Response | tuple[str, int]:
        slug = next((s for kind, s in DOMAIN_ERRORS if isinstance(exc, kind)), "internal-error")
        if slug == "internal-error":
            log.error("unmapped ledger error", exc_info=exc)
            return answer(Problem(CATALOGUE[slug]))
        return answer(Problem(CATALOGUE[slug], detail=str(exc)))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response | tuple[str, int]:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
        return answer(Problem(CATALOGUE["internal-error"]))
