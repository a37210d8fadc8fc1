"""The EPCIS 2.0 REST binding under ``/epcis`` (GS1 EPCIS 2.0 openapi.yaml): capture side.

``POST /epcis/capture`` validates the whole document first (an invalid document is rejected
whole, 400) and answers 202 with ``Location: /epcis/capture/{captureID}``; documents of up to
``ONECODE_CAPTURE_INLINE_LIMIT`` events are captured before the answer, larger ones by a worker.
``POST /epcis/events`` captures one event (201, or 409 when it exists).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, Response, json, request, url_for
from flask_babel import lazy_gettext as _l

from app import entry_points
from app.api.auth import current_organisation, require_organisation
from app.epcis import named_queries, queries, resources, subscriptions
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events.capture import ErrorBehaviour, capture
from events.codec import (
    CaptureDocument,
    EpcisValidationError,
    read_document,
    read_event,
    write_event,
    write_query_document,
)
from events.master_data import store_master_data
from events.submissions import capture_now, submit

bp = Blueprint("epcis", __name__, url_prefix="/epcis")

JSON_TYPES = ("application/json", "application/ld+json")
XML_TYPES = ("application/xml", "text/xml")
VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}


def _limits() -> dict[str, str]:
    settings = wiring_of().settings
    return {
        "GS1-EPCIS-Capture-Limit": str(settings.capture_limit),
        "GS1-EPCIS-Capture-File-Size-Limit": str(settings.capture_file_size_limit),
    }


@bp.route("/capture", methods=["OPTIONS"])
def capture_options() -> Response:
    """What this server accepts for capture (limits, error behaviours, versions)."""
    response = Response(status=204)
    response.headers.update(
        {
            **_limits(),
            **VERSION_HEADERS,
            "GS1-Capture-Error-Behaviour": "rollback, proceed",
            "GS1-EPC-Format": "Always_GS1_Digital_Link",
            "Allow": "OPTIONS, GET, POST",
        }
    )
    return response


@bp.post("/capture")
@require_organisation
def capture_document() -> Response:
    """Accept an EPCISDocument (JSON-LD or XML) for capture; 202 with the job's location."""
    body, media_type = _body()
    behaviour = _behaviour()
    parsed = _parse_document(body, media_type)
    document = list(parsed.events)
    limit = wiring_of().settings.capture_limit
    if len(document) > limit:
        raise _too_large(
            f"{len(document)} events: this server captures at most {limit} per request"
        )
    wiring = wiring_of()
    store_master_data(wiring.uow(), current_organisation().id, parsed.master_data, wiring.clock)
    # a small document is captured in the request; a larger one is queued for the workers
    inline = len(document) <= wiring.settings.capture_inline_limit
    job = (capture_now if inline else submit)(
        wiring.uow(),
        organisation_id=current_organisation().id,
        events=document,
        media_type=media_type,
        behaviour=behaviour,
        clock=wiring.clock,
    )
    location = url_for("epcis.capture_job", capture_id=job.id)
    response = Response(status=202, headers={"Location": location, **VERSION_HEADERS})
    response.headers["GS1-Capture-Error-Behaviour"] = behaviour.value
    return response


@bp.get("/capture")
@require_organisation
def capture_jobs() -> Response:
    """The caller's capture jobs, newest first."""
    with wiring_of().uow(read_only=True) as uow:
        jobs = uow.jobs.of(current_organisation().id)
    return _json([job.to_json() for job in jobs], 200)


@bp.get("/capture/<capture_id>")
@require_organisation
def capture_job(capture_id: str) -> Response:
    """One capture job (standard CaptureJob: running, success, errors)."""
    with wiring_of().uow(read_only=True) as uow:
        job = uow.jobs.get(capture_id)
    if job is None or job.organisation_id != current_organisation().id:
        raise ProblemError(
            Problem(CATALOGUE["epcis-not-found"], detail=f"no capture job {capture_id}")
        )
    return _json(job.to_json(), 200)


@bp.post("/events")
@require_organisation
def capture_event() -> Response:
    """Capture one event synchronously: 201 with its location, 409 when it exists already."""
    body, media_type = _body()
    event = _parse(lambda: [read_event(body, media_type)])
    outcome = capture(wiring_of().uow(), event, organisation_id=current_organisation().id)
    if outcome.errors:
        error = outcome.errors[0]
        slug = {"duplicate": "epcis-exists", "unknown-event": "epcis-not-found"}.get(
            error.kind, "epcis-validation"
        )
        raise ProblemError(Problem(CATALOGUE[slug], detail=error.detail))
    event_id = outcome.stored[0].event_id
    location = url_for("epcis.capture_event", _external=False) + "/" + quote(event_id, safe="")
    return Response(status=201, headers={"Location": location, **VERSION_HEADERS})


@bp.get("/events/<path:event_id>")
@require_organisation
def event_by_id(event_id: str) -> Response:
    """One event as JSON-LD (with any error declaration of it); only the caller's own events.

    Broader visibility (partners, regulators) and the EPC format negotiation come with the
    query interface.
    """
    with wiring_of().uow(read_only=True) as uow:
        event = uow.ledger.get(event_id)
        declaration = uow.ledger.get(event_id, "declaration")
    if event is None or event.record.organisation_id != current_organisation().id:
        raise ProblemError(Problem(CATALOGUE["epcis-not-found"], detail=f"no event {event_id}"))
    events = [e.record.payload for e in (event, declaration) if e is not None]
    if len(events) == 1:
        return _json(write_event(events[0]), 200, "application/ld+json")
    document = write_query_document(events, creation_date=wiring_of().clock.now().isoformat())
    return _json(document, 200, "application/ld+json")


def _body() -> tuple[bytes, str]:
    limit = wiring_of().settings.capture_file_size_limit
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(f"{request.content_length} bytes: this server accepts at most {limit}")
    media_type = request.mimetype
    if media_type not in JSON_TYPES + XML_TYPES:
        raise ProblemError(
            Problem(
                CATALOGUE["unsupported-media-type"],
                detail=f"{media_type or 'no Content-Type'}: expected JSON-LD, JSON or XML",
            )
        )
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise _too_large(f"more than {limit} bytes")
    return body, media_type


def _behaviour() -> ErrorBehaviour:
    raw = request.headers.get("GS1-Capture-Error-Behaviour", "rollback").strip().lower()
    try:
        return ErrorBehaviour(raw)
    except ValueError:
        detail = f"GS1-Capture-Error-Behaviour: expected rollback or proceed, got {raw!r}"
        raise ProblemError(Problem(CATALOGUE["epcis-validation"], detail=detail)) from None


def _invalid(exc: EpcisValidationError) -> ProblemError:
    """400 ValidationException naming the first field at fault, with every error listed."""
    errors = tuple({"field": e.field, "message": e.message} for e in exc.errors)
    first = exc.errors[0] if exc.errors else None
    detail = f"{first.field}: {first.message}" if first else str(exc)
    return ProblemError(Problem(CATALOGUE["epcis-validation"], detail=detail, errors=errors))


def _parse(read: Any) -> list[dict[str, Any]]:  # noqa: ANN401  a reader thunk
    try:
        return list(read())
    except EpcisValidationError as exc:
        raise _invalid(exc) from exc


def _parse_document(body: bytes, media_type: str) -> CaptureDocument:
    try:
        return read_document(body, media_type)
    except EpcisValidationError as exc:
        raise _invalid(exc) from exc


def _too_large(detail: str) -> ProblemError:
    return ProblemError(Problem(CATALOGUE["epcis-capture-limit"], detail=detail), headers=_limits())


def _json(body: Any, status: int, mimetype: str = "application/json") -> Response:  # noqa: ANN401
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=mimetype)


def init_app(app: Flask) -> None:
    """Register the EPCIS binding and announce it to partner systems."""
    app.register_blueprint(bp)
    app.register_blueprint(subscriptions.bp)
    app.register_blueprint(queries.bp)
    app.register_blueprint(named_queries.bp)
    app.register_blueprint(resources.bp)
    entry_points.add(
        app,
        entry_points.EntryPoint(
            _l("Partner systems"),
            _l("EPCIS 2.0 capture"),
            "/epcis/capture",
            _l("POST EPCIS documents (JSON-LD or XML); OPTIONS shows the limits"),
        ),
    )


__all__ = ["bp", "init_app"]
