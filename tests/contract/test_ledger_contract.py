"""One contract for every Ledger: in-memory fake, SQLite and PostgreSQL (ARCHITECTURE.md R9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from events.adapters import MemoryLedger, SqlLedger
from events.domain import DuplicateEventError, EventRecord
from events.ports import Ledger

CST = timezone(timedelta(hours=8))


class FixedClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


def record(n: int, **payload: object) -> EventRecord:
    return EventRecord(
        event_id=f"ni:///sha-256;{n:064x}?ver=CBV2.0",
        event_type="ObjectEvent",
        event_time=datetime(2026, 3, 1, 9, 30, n % 60, 123000, tzinfo=CST),
        payload={"type": "ObjectEvent", "n": n, **payload},
    )


class LedgerContract:
    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock()

    @pytest.fixture
    def ledger(self, clock: FixedClock) -> Ledger:
        raise NotImplementedError

    def test_positions_increase_in_append_order(self, ledger: Ledger) -> None:
        start = ledger.last_position()
        positions = [ledger.append(record(n)).position for n in range(5)]
        assert positions == sorted(positions)
        assert len(set(positions)) == 5
        assert positions[0] > start
        assert ledger.last_position() == positions[-1]

    def test_read_returns_events_after_a_position_in_order(self, ledger: Ledger) -> None:
        stored = [ledger.append(record(n)) for n in range(6)]
        after = stored[1].position
        assert [s.event_id for s in ledger.read(after=after)] == [s.event_id for s in stored[2:]]
        limited = list(ledger.read(after=after, limit=2))
        assert [s.event_id for s in limited] == [s.event_id for s in stored[2:4]]

    def test_same_event_twice_is_rejected_and_nothing_changes(self, ledger: Ledger) -> None:
        first = ledger.append(record(1))
        with pytest.raises(DuplicateEventError) as caught:
            ledger.append(record(1, other="content"))
        assert caught.value.event_id == first.event_id
        assert ledger.last_position() == first.position
        # The caller's transaction is still usable after the refusal.
        assert ledger.append(record(2)).position > first.position

    def test_get_returns_what_was_stored(self, ledger: Ledger) -> None:
        original = record(7, name="海南椰子汁", nested={"list": [1, 2.5, None, True]})
        ledger.append(original)
        found = ledger.get(original.event_id)
        assert found is not None
        assert found.record.payload == original.payload
        assert found.record.event_type == original.event_type
        assert found.record.event_time == original.event_time  # the same instant, any offset
        assert ledger.get("ni:///sha-256;unknown") is None

    def test_record_time_is_set_by_the_ledger(self, ledger: Ledger, clock: FixedClock) -> None:
        stored = ledger.append(record(3))
        assert stored.record_time == clock.current
        found = ledger.get(stored.event_id)
        assert found is not None
        assert found.record_time == clock.current

    def test_positions_are_gap_free_even_after_a_refusal(self, ledger: Ledger) -> None:
        first = ledger.append(record(10))
        with pytest.raises(DuplicateEventError):
            ledger.append(record(10))
        second = ledger.append(record(11))
        batch = ledger.append_many([record(12), record(13)])
        assert [second.position, *(s.position for s in batch)] == [
            first.position + 1,
            first.position + 2,
            first.position + 3,
        ]

    def test_the_same_content_under_another_event_id_is_a_duplicate(self, ledger: Ledger) -> None:
        original = record(20)
        ledger.append(original)
        again = EventRecord(
            event_id="urn:uuid:another",
            event_type=original.event_type,
            event_time=original.event_time,
            payload=original.payload,
            event_hash=original.event_hash,
        )
        with pytest.raises(DuplicateEventError):
            ledger.append(again)

    def test_an_error_declaration_repeats_the_event_id(self, ledger: Ledger) -> None:
        original = ledger.append(record(30))
        declaration = EventRecord(
            event_id=original.event_id,
            event_type="ObjectEvent",
            event_time=original.record.event_time,
            payload={"errorDeclaration": {"declarationTime": "2026-03-02T00:00:00Z"}},
            event_hash="ni:///sha-256;declaration",
            kind="declaration",
        )
        stored = ledger.append(declaration)
        assert ledger.get(original.event_id) == original
        assert ledger.get(original.event_id, "declaration") == stored
        with pytest.raises(DuplicateEventError):
            ledger.append(declaration)

    def test_append_many_is_all_or_nothing(self, ledger: Ledger) -> None:
        ledger.append(record(40))
        before = ledger.last_position()
        with pytest.raises(DuplicateEventError):
            ledger.append_many([record(41), record(40)])
        assert ledger.last_position() == before
        assert ledger.get(record(41).event_id) is None
        assert ledger.duplicates([record(41), record(40), record(41)]) == {
            1: record(40).event_id,
            2: record(41).event_id,
        }

    def test_empty_read_after_the_last_position(self, ledger: Ledger) -> None:
        ledger.append(record(4))
        assert list(ledger.read(after=ledger.last_position())) == []


def test_naive_event_time_is_refused() -> None:
    with pytest.raises(ValueError, match="no timezone"):
        EventRecord(
            event_id="x",
            event_type="ObjectEvent",
            event_time=datetime(2026, 1, 1),  # noqa: DTZ001  the naive time under test
            payload={},
        )


class TestMemoryLedger(LedgerContract):
    @pytest.fixture
    def ledger(self, clock: FixedClock) -> Ledger:
        return MemoryLedger(clock)


class TestSqlLedger(LedgerContract):
    @pytest.fixture
    def ledger(self, connection: Connection, clock: FixedClock) -> Ledger:
        return SqlLedger(connection, clock)

    @pytest.mark.parametrize(
        "statement",
        ["UPDATE ledger_events SET event_type = 'X'", "DELETE FROM ledger_events"],
    )
    def test_the_database_refuses_changes_to_stored_events(
        self, ledger: Ledger, connection: Connection, statement: str
    ) -> None:
        stored = ledger.append(record(9))
        with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
            connection.execute(text(statement))
        assert ledger.get(stored.event_id) == stored
