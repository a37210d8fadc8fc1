"""Capture jobs: queue validated events (``POST /capture`` answers 202), capture them in a worker.

The request parses and validates the document (an invalid one is rejected whole, 400, as the
standard says), so a job holds the normalised events as JSON and the worker never parses twice.
A job is claimed in its own short transaction; its events are captured and its outcome recorded
in one transaction (``capture(finish=…)``). A job whose worker died is claimed again after
``stale_after``; recapturing is safe because duplicates are never stored twice. A document small
enough to capture in the request is not queued at all (``capture_now``): its job is recorded,
finished, in the capture's own transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from events.capture import CaptureOutcome, ErrorBehaviour, capture
from events.domain.capture_jobs import CaptureJob
from events.ports import Clock, UnitOfWork

STALE_AFTER = timedelta(minutes=10)


class JobsUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also holds the capture-job queue."""

    @property
    def jobs(self) -> Any:  # noqa: ANN401  SqlCaptureJobs (adapters may not be imported here)
        """The job queue."""
        ...


def submit(  # noqa: PLR0913
    uow: JobsUnitOfWork,
    *,
    organisation_id: int,
    events: Sequence[Mapping[str, Any]],
    media_type: str,
    behaviour: ErrorBehaviour,
    clock: Clock,
) -> CaptureJob:
    """Queue normalised events for capture."""
    job = _new_job(organisation_id, len(events), media_type, behaviour, clock)
    with uow:
        uow.jobs.add(job, json.dumps(list(events), ensure_ascii=False).encode())
        uow.commit()
    return job


def capture_now(  # noqa: PLR0913  as submit
    uow: JobsUnitOfWork,
    *,
    organisation_id: int,
    events: Sequence[Mapping[str, Any]],
    media_type: str,
    behaviour: ErrorBehaviour,
    clock: Clock,
) -> CaptureJob:
    """Capture a document in the request, its job recorded finished in the same transaction.

    For documents a request captures itself (up to ``CAPTURE_INLINE_LIMIT`` events): the job is
    not queued first, so the events are neither written out as JSON, committed, claimed nor read
    back (a 10,000-event document: ~8 MB each way and two commits). Nothing is stored unless the
    whole transaction commits; a request that dies first has stored nothing, and the client,
    which had no 202, sends the document again.
    """
    job = _new_job(organisation_id, len(events), media_type, behaviour, clock)
    result: list[CaptureJob] = []

    def finish(uow: UnitOfWork, outcome: CaptureOutcome) -> None:
        done = _finished(job, outcome, clock, len(events))
        uow.jobs.add(done, None)  # type: ignore[attr-defined]  # a JobsUnitOfWork
        result.append(done)

    capture(
        uow,
        events,
        organisation_id=organisation_id,
        behaviour=behaviour,
        capture_id=job.id,
        finish=finish,
    )
    return result[0]


def process_next(uow_factory: Callable[[], JobsUnitOfWork], clock: Clock) -> CaptureJob | None:
    """Claim and capture the oldest waiting job; ``None`` when there is none."""
    now = clock.now()
    with uow_factory() as uow:
        claimed = uow.jobs.claim(now, now - STALE_AFTER)
        uow.commit()
    if claimed is None:
        return None
    job, body = claimed
    events = json.loads(body)
    result: list[CaptureJob] = []

    def finish(uow: UnitOfWork, outcome: CaptureOutcome) -> None:
        done = _finished(job, outcome, clock, len(events))
        uow.jobs.finish(done)  # type: ignore[attr-defined]  # a JobsUnitOfWork
        result.append(done)

    capture(
        uow_factory(),
        events,
        organisation_id=job.organisation_id,
        behaviour=ErrorBehaviour(job.behaviour),
        capture_id=job.id,
        finish=finish,
    )
    return result[0]


def _new_job(
    organisation_id: int, count: int, media_type: str, behaviour: ErrorBehaviour, clock: Clock
) -> CaptureJob:
    """A job for a document of ``count`` events, received now."""
    return CaptureJob(
        id=uuid.uuid4().hex,
        organisation_id=organisation_id,
        created_at=clock.now(),
        behaviour=behaviour.value,
        media_type=media_type,
        event_count=count,
    )


def _finished(job: CaptureJob, outcome: CaptureOutcome, clock: Clock, count: int) -> CaptureJob:
    """``job`` with the outcome of its capture (EPCIS 2.0 CaptureJob: running false)."""
    return replace(
        job,
        running=False,
        success=outcome.success,
        finished_at=clock.now(),
        event_count=count,
        captured=len(outcome.stored),
        errors=tuple(_problem(e.kind, e.detail, e.index, e.event_id) for e in outcome.errors),
    )


_TYPES = {
    "duplicate": ("epcisException:ResourceAlreadyExistsException", 409),
    "unknown-event": ("epcisException:NoSuchResourceException", 404),
    "invalid": ("epcisException:ValidationException", 400),
}


def _problem(kind: str, detail: str, index: int, event_id: str | None) -> dict[str, Any]:
    problem_type, status = _TYPES.get(kind, ("epcisException:ImplementationException", 500))
    body: dict[str, Any] = {"type": problem_type, "title": kind, "status": status, "detail": detail}
    body["eventIndex"] = index
    if event_id:
        body["eventID"] = event_id
    return body
