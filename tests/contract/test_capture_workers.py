"""Several workers share the capture-job queue: every job is captured exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from events.adapters import SystemClock, make_engine
from events.adapters.sql_uow import SqlUnitOfWork
from events.audit import verify
from events.capture import ErrorBehaviour
from events.submissions import process_next, submit


def document(job: int) -> list[dict]:
    return [
        {
            "type": "ObjectEvent",
            "eventTime": datetime(2026, 4, 1, job % 24, n, tzinfo=UTC).isoformat(),
            "action": "ADD",
            "epcList": [f"urn:epc:id:sgtin:6901234.000001.J{job}N{n}"],
        }
        for n in range(5)
    ]


def test_workers_share_the_queue(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url, pool_size=8)
    with SqlUnitOfWork(engine) as uow:
        owner = uow.organisations.add("Workers Co")
        uow.commit()
    jobs = [
        submit(
            SqlUnitOfWork(engine),
            organisation_id=owner.id,
            events=document(n),
            media_type="application/ld+json",
            behaviour=ErrorBehaviour.ROLLBACK,
            clock=SystemClock(),
        )
        for n in range(12)
    ]
    done: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while (job := process_next(lambda: SqlUnitOfWork(engine), SystemClock())) is not None:
                done.append(job.id)
        except BaseException as exc:  # noqa: BLE001  reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert sorted(done) == sorted(job.id for job in jobs)  # each job exactly once
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.ledger.last_position() == 60
        assert all(uow.jobs.get(job.id).success for job in jobs)
        assert uow.merkle.size() == 60
    assert verify(SqlUnitOfWork(engine, read_only=True)).ok  # gap-free positions, leaves match
    engine.dispose()
