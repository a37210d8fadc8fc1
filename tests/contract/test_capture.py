"""Capture semantics and ledger verification on SQLite and PostgreSQL (and the memory fakes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from events.adapters import make_engine
from events.adapters.memory_registry import MemoryUnitOfWork
from events.adapters.sql_uow import SqlUnitOfWork
from events.audit import verify
from events.capture import ErrorBehaviour, capture
from events.domain.merkle import leaf_hash, verify_consistency, verify_inclusion

SGTIN = "urn:epc:id:sgtin:6901234.000001.{}"


def commission(n: int, **extra) -> dict:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-03-01T08:{n % 60:02d}:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "epcList": [SGTIN.format(f"S{n}")],
        "bizLocation": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        **extra,
    }


@pytest.fixture(params=["memory", "sql"])
def uow_factory(request, migrated_database_url) -> Iterator:
    if request.param == "memory":
        shared = MemoryUnitOfWork()
        yield lambda: shared
        return
    engine = make_engine(migrated_database_url)
    yield lambda: SqlUnitOfWork(engine)
    engine.dispose()


def run(uow_factory, events, behaviour=ErrorBehaviour.ROLLBACK):
    return capture(uow_factory(), events, organisation_id=None, behaviour=behaviour)


def test_a_document_is_stored_in_order_with_server_event_ids(uow_factory) -> None:
    outcome = run(uow_factory, [commission(n) for n in range(5)])
    assert outcome.success
    assert [s.position for s in outcome.stored] == [1, 2, 3, 4, 5]
    assert all(s.event_id.startswith("ni:///sha-256;") for s in outcome.stored)
    with uow_factory() as uow:
        assert uow.merkle.size() == 5
        assert uow.ledger.get(outcome.stored[2].event_id).record.payload["epcList"] == [
            SGTIN.format("S2")
        ]


def test_a_resent_document_stores_nothing_twice(uow_factory) -> None:
    document = [commission(n) for n in range(3)]
    run(uow_factory, document)
    again = run(uow_factory, document)
    assert not again.stored
    assert [e.kind for e in again.errors] == ["duplicate"] * 3
    with uow_factory() as uow:
        assert uow.ledger.last_position() == 3


def test_rollback_stores_nothing_when_one_event_fails(uow_factory) -> None:
    run(uow_factory, [commission(1)])
    outcome = run(uow_factory, [commission(2), commission(1), {"type": "ObjectEvent"}])
    assert not outcome.stored
    assert [(e.index, e.kind) for e in outcome.errors] == [(1, "duplicate"), (2, "invalid")]
    with uow_factory() as uow:
        assert uow.ledger.last_position() == 1
        assert uow.merkle.size() == 1


def test_proceed_stores_what_passes(uow_factory) -> None:
    run(uow_factory, [commission(1)])
    outcome = run(
        uow_factory, [commission(2), commission(1), commission(3)], ErrorBehaviour.PROCEED
    )
    assert [s.position for s in outcome.stored] == [2, 3]
    assert [e.index for e in outcome.errors] == [1]


def test_an_error_declaration_needs_its_event_and_makes_it_stop_counting(uow_factory) -> None:
    stored = run(uow_factory, [commission(1, disposition="recalled")]).stored[0]
    orphan = {
        **commission(9),
        "eventID": "urn:uuid:nothing",
        "errorDeclaration": {"declarationTime": "2026-03-02T00:00:00Z"},
    }
    refused = run(uow_factory, [orphan])
    assert [e.kind for e in refused.errors] == ["unknown-event"]
    declaration = {
        **stored.record.payload,
        "errorDeclaration": {"declarationTime": "2026-03-02T00:00:00Z", "reason": "incorrect_data"},
    }
    assert run(uow_factory, [declaration]).success
    with uow_factory() as uow:
        states = uow.projections.all_states()
        assert states == []  # the only event about the item no longer counts
        assert uow.ledger.get(stored.event_id) is not None  # the original is kept


def test_the_same_item_in_two_spellings_is_one_item(uow_factory) -> None:
    urn = commission(1)
    dl = {
        **commission(2),
        "action": "OBSERVE",
        "disposition": "in_transit",
        "epcList": ["https://example.cn/01/06901234000016/21/S1"],
    }
    run(uow_factory, [urn, dl])
    with uow_factory() as uow:
        (state,) = uow.projections.all_states()
    assert state.item == "https://id.gs1.org/01/06901234000016/21/S1"
    assert (state.status, state.disposition) == ("active", "in_transit")


def test_verify_passes_on_an_intact_ledger(uow_factory) -> None:
    for start in range(0, 12, 4):
        run(uow_factory, [commission(n) for n in range(start, start + 4)])
    report = verify(uow_factory())
    assert report.ok, report.problems
    assert (report.events, report.tree_size) == (12, 12)


def test_proofs_from_the_stored_tree_verify(uow_factory) -> None:
    first = run(uow_factory, [commission(n) for n in range(5)]).stored
    with uow_factory() as uow:
        old_root = uow.merkle.root()
    run(uow_factory, [commission(n) for n in range(5, 13)])
    with uow_factory() as uow:
        root = uow.merkle.root()
        proof = uow.merkle.inclusion_proof(first[3].leaf_index, 13)
        consistency = uow.merkle.consistency_proof(5, 13)
    assert verify_inclusion(leaf_hash(first[3].leaf()), first[3].leaf_index, 13, proof, root)
    assert verify_consistency(5, 13, old_root, root, consistency)


@pytest.mark.parametrize("table", ["ledger_events"])
def test_verify_finds_an_altered_event(migrated_database_url, table) -> None:
    engine = make_engine(migrated_database_url)
    capture(SqlUnitOfWork(engine), [commission(n) for n in range(6)], organisation_id=None)
    with engine.begin() as connection:
        # Tamper behind the application's back: drop the append-only guard first, as an attacker
        # with database access could.
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            connection.execute(text(f"DROP TRIGGER {table}_no_update"))
        connection.execute(
            text(f"UPDATE {table} SET event_type = 'AggregationEvent' WHERE position = 4")  # noqa: S608
        )
    report = verify(SqlUnitOfWork(engine))
    engine.dispose()
    assert not report.ok
    assert any("position 4" in p and "altered" in p for p in report.problems)
    assert not any("position 3 " in p for p in report.problems)
