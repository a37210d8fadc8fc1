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
from events.domain import (
    DuplicateBatchError,
    DuplicateEventError,
    IdempotencyConflictError,
    LedgerError,
    OwnershipError,
)
from identifiers import IdentifierError

log = logging.getLogger(__name__)

MACHINE_PREFIXES = ("/api/", "/epcis", "/healthz", "/readyz")

# Domain errors → problem type slug, most specific first.
DOMAIN_ERRORS: list[tuple[type[Exception], str]] = [
    (DuplicateEventError, "conflict"),
    (DuplicateBatchError, "conflict"),
    (OwnershipError, "forbidden"),
    (IdempotencyConflictError, "idempotency-key-reused"),
    (StorageUnavailableError, "storage-unavailable"),
    (IdentifierError, "invalid-identifier"),
]


def field_errors(messages: object, location: str = "") -> list[dict[str, str]]:
    """Flatten webargs/marshmallow messages into ``[{"field", "message"}]``.

    >>> field_errors({"json": {"count": ["Must be at least 1."], "lines": {"0": ["Bad."]}}})
    [{'field': 'count', 'message': 'Must be at least 1.'}, {'field': 'lines.0', 'message': 'Bad.'}]
    """
    if isinstance(messages, dict):
        found = []
        for key, value in messages.items():
            top = key in {"json", "query", "form", "headers", "files", "cookies", "path"}
            name = location if top and not location else f"{location}.{key}".lstrip(".")
            found.extend(field_errors(value, "" if top and not location else name))
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": location or "_", "message": m} for m in messages]
    if isinstance(messages, list):
        return [e for i, m in enumerate(messages) for e in field_errors(m, f"{location}.{i}")]
    return [{"field": location or "_", "message": str(messages)}]


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
    def _problem(exc: ProblemError) -> Response:
        response = app.make_response(answer(exc.problem))
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | tuple[str, int]:
        status = exc.code or 500
        messages = (getattr(exc, "data", None) or {}).get("messages")
        if status == 422 and messages:  # noqa: PLR2004  webargs validation of a request
            kind = CATALOGUE["validation-failed"]
            errors = tuple(field_errors(messages))
            return answer(Problem(kind, detail=str(kind.explanation), errors=errors))
        kind = problem_type_for(status)
        # Werkzeug's descriptions are English-only; our catalogue's explanation is localised.
        return answer(Problem(kind, detail=str(kind.explanation), status=status))

    @app.errorhandler(IdentifierError)
    @app.errorhandler(LedgerError)
    def _domain(exc: Exception) -> Response | tuple[str, int]:
        slug = next((s for kind, s in DOMAIN_ERRORS if isinstance(exc, kind)), "internal-error")
        if slug == "internal-error":
            log.error("unmapped ledger error", exc_info=exc)
            return answer(Problem(CATALOGUE[slug]))
        return answer(Problem(CATALOGUE[slug], detail=str(exc)))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response | tuple[str, int]:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
        return answer(Problem(CATALOGUE["internal-error"]))
