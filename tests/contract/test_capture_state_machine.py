"""A Hypothesis state machine drives capture against a plain model of the ledger.

Rules send documents mixing new events, duplicates (resent or repeated in one document),
invalid events and error declarations (of stored or unknown events), under rollback and proceed.
After every step the ledger must hold exactly what the model says, positions must be gap-free,
the Merkle tree must cover every event, and ``verify`` must find nothing wrong.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from events.adapters import make_engine
from events.adapters.memory_registry import MemoryUnitOfWork
from events.adapters.schema import upgrade
from events.adapters.sql_uow import SqlUnitOfWork
from events.audit import verify
from events.capture import ErrorBehaviour, capture, prepare

POOL = 12


def new_event(n: int) -> dict:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-05-01T10:{n:02d}:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "epcList": [f"urn:epc:id:sgtin:6901234.000001.M{n}"],
    }


INVALID = {"type": "ObjectEvent", "action": "ADD", "epcList": []}  # no eventTime


class CaptureMachine(RuleBasedStateMachine):
    """Model: the eventIDs stored (in order) and the eventIDs declared erroneous."""

    backend = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.stored: list[str] = []
        self.declared: set[str] = set()
        if self.backend == "memory":
            shared = MemoryUnitOfWork()
            self.uow = lambda: shared
            self.engine = None
        else:
            self.tmp = tempfile.TemporaryDirectory()
            self.engine = make_engine(f"sqlite:///{Path(self.tmp.name) / 'm.db'}")
            upgrade(self.engine)
            self.uow = lambda: SqlUnitOfWork(self.engine)

    def teardown(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.tmp.cleanup()

    @rule(
        picks=st.lists(st.integers(0, POOL - 1), min_size=1, max_size=5),
        invalid_at=st.none() | st.integers(0, 5),
        declare=st.lists(st.integers(0, POOL - 1), max_size=2),
        unknown_declaration=st.booleans(),
        proceed=st.booleans(),
    )
    def send(self, picks, invalid_at, declare, unknown_declaration, proceed) -> None:
        document = [new_event(n) for n in picks]
        if invalid_at is not None:
            document.insert(min(invalid_at, len(document)), INVALID)
        for n in declare:
            declaration = {
                **new_event(n),
                "errorDeclaration": {"declarationTime": "2026-06-01T00:00:00Z"},
            }
            document.append(declaration)
        if unknown_declaration:
            document.append(
                {
                    **new_event(59),
                    "eventID": "urn:uuid:never-captured",
                    "errorDeclaration": {"declarationTime": "2026-06-01T00:00:00Z"},
                }
            )
        expected = self._model(document, proceed=proceed)
        behaviour = ErrorBehaviour.PROCEED if proceed else ErrorBehaviour.ROLLBACK
        outcome = capture(self.uow(), document, organisation_id=None, behaviour=behaviour)
        assert [s.event_id for s in outcome.stored] == expected
        assert outcome.success == (len(expected) == len(document))

    def _model(self, document: list[dict], *, proceed: bool) -> list[str]:
        """What a correct ledger stores for this document (eventIDs in order); updates the model."""
        accepted: list[tuple[str, str]] = []
        events, declarations = set(self.stored), set(self.declared)
        failed = False
        for event in document:
            if "eventTime" not in event:
                failed = True
                continue
            record = prepare(event, None, None)
            if record.kind == "event" and record.event_id not in events:
                events.add(record.event_id)
            elif record.kind == "declaration" and record.event_id in events - declarations:
                declarations.add(record.event_id)
            else:  # a duplicate, or a declaration of an unknown (or already declared) event
                failed = True
                continue
            accepted.append((record.kind, record.event_id))
        if failed and not proceed:
            return []
        self.stored += [event_id for kind, event_id in accepted if kind == "event"]
        self.declared |= {event_id for kind, event_id in accepted if kind == "declaration"}
        return [event_id for _kind, event_id in accepted]

    @invariant()
    def ledger_matches_the_model(self) -> None:
        with self.uow() as uow:
            events = list(uow.ledger.read())
            assert [e.position for e in events] == list(range(1, len(events) + 1))
            assert [e.event_id for e in events if e.record.kind == "event"] == self.stored
            assert {e.event_id for e in events if e.record.kind == "declaration"} == self.declared
            assert uow.merkle.size() == len(events)
        assert verify(self.uow()).ok


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_capture_state_machine(backend: str) -> None:
    machine = type(f"CaptureMachine_{backend}", (CaptureMachine,), {"backend": backend})
    runner = machine.TestCase
    runner.settings = settings(
        max_examples=25 if backend == "sqlite" else 60, stateful_step_count=8, deadline=None
    )
    runner().runTest()
