"""Capture jobs in ``capture_jobs``; several workers on PostgreSQL share the queue safely."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from events.adapters.tables import capture_jobs
from events.domain.capture_jobs import CaptureJob

_FIELDS = (
    "id",
    "organisation_id",
    "created_at",
    "behaviour",
    "media_type",
    "event_count",
    "running",
    "success",
    "finished_at",
    "captured",
)


class SqlCaptureJobs:
    """The job queue over the caller's connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, job: CaptureJob, document: bytes | None) -> None:
        """Queue a job with its document (``None``: a job recorded once finished)."""
        values = {name: getattr(job, name) for name in _FIELDS}
        self._connection.execute(
            insert(capture_jobs).values(**values, document=document, errors=list(job.errors))
        )

    def get(self, job_id: str) -> CaptureJob | None:
        """One job."""
        row = self._connection.execute(
            select(capture_jobs).where(capture_jobs.c.id == job_id)
        ).first()
        return None if row is None else _job(row._mapping)  # noqa: SLF001  public row mapping

    def of(self, organisation_id: int, limit: int = 100) -> list[CaptureJob]:
        """An organisation's newest jobs."""
        query = (
            select(capture_jobs)
            .where(capture_jobs.c.organisation_id == organisation_id)
            .order_by(capture_jobs.c.created_at.desc())
            .limit(limit)
        )
        return [_job(row._mapping) for row in self._connection.execute(query)]  # noqa: SLF001

    def claim(self, now: datetime, stale_before: datetime) -> tuple[CaptureJob, bytes] | None:
        """Take the oldest waiting job (or one whose worker died), with its document.

        PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets workers take different jobs; SQLite writers
        are serialised by ``BEGIN IMMEDIATE``.
        """
        query = (
            select(capture_jobs.c.id, capture_jobs.c.document)
            .where(
                capture_jobs.c.running.is_(True),
                (capture_jobs.c.claimed_at.is_(None)) | (capture_jobs.c.claimed_at < stale_before),
            )
            .order_by(capture_jobs.c.created_at)
            .limit(1)
        )
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = self._connection.execute(query).first()
        if row is None:
            return None
        self._connection.execute(
            update(capture_jobs).where(capture_jobs.c.id == row.id).values(claimed_at=now)
        )
        job = self.get(row.id)
        assert job is not None  # noqa: S101  just selected
        return job, bytes(row.document or b"")

    def finish(self, job: CaptureJob) -> None:
        """Record the outcome and drop the document."""
        self._connection.execute(
            update(capture_jobs)
            .where(capture_jobs.c.id == job.id)
            .values(
                running=False,
                success=job.success,
                finished_at=job.finished_at,
                captured=job.captured,
                event_count=job.event_count,
                errors=list(job.errors),
                document=None,
            )
        )


def _job(row: Any) -> CaptureJob:  # noqa: ANN401  a RowMapping
    return CaptureJob(**{name: row[name] for name in _FIELDS}, errors=tuple(row["errors"] or ()))
