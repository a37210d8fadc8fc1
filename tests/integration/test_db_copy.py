"""``onecode db copy``: every table arrives equal, the ledger verifies and keeps growing.

The source is a SQLite database filled through the real paths: the three demo chains (capture,
master data, projections, the Merkle tree), minted SGTIN and SSCC batches, an API key, a signed
checkpoint, capture jobs, a named query with a subscription and a failed delivery, and a recall
with a confirmation. It is copied into a fresh database on each backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select, text
from tests_support_cli import run

from events.adapters import SystemClock, make_engine
from events.adapters.schema import current_revision, upgrade
from events.adapters.sql_copy import CopyRefusedError, copy_database
from events.adapters.sql_registry import hash_api_key
from events.adapters.sql_subscriptions import SubscriptionsUnitOfWork
from events.adapters.sql_uow import SqlUnitOfWork
from events.adapters.tables import metadata
from events.audit import verify
from events.capture import ErrorBehaviour, capture
from events.demo import chains, load_chain
from events.demo.load import organisations
from events.domain.code_batches import CodeScheme, MintRequest
from events.minting import mint
from events.recalls import confirm, open_recall
from events.submissions import process_next, submit
from events.subscriptions import Delivery, new_subscription
from events.tree_heads import current_checkpoint
from identifiers import parse

CLOCK = SystemClock()
BOTTLE = "urn:epc:id:sgtin:6971104.020002.J2606030001"
SUGAR = "urn:epc:class:lgtin:6971103.010003.SUGAR-260528"
# Tables the source leaves empty (an errorDeclaration needs a planted mistake; the demo has none).
LEFT_EMPTY = {"erroneous_events"}


def _event(n: int) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-07-01T08:{n:02d}:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "epcList": [f"urn:epc:id:sgtin:6971104.020002.COPY{n}"],
    }


def _uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine, CLOCK)


def _fill(engine: Engine) -> None:
    """Real data in every table but LEFT_EMPTY, through the services the app uses."""
    built = chains()
    ids = organisations(_uow(engine), built)
    for chain in built:
        load_chain(lambda: _uow(engine), chain, ids, CLOCK)
    with _uow(engine) as uow:
        owner = next(o for o in uow.organisations.all() if "6971104" in o.company_prefixes)
        sugar = next(o for o in uow.organisations.all() if "6971103" in o.company_prefixes)
        uow.organisations.add_api_key(owner.id, hash_api_key("copy-test-key"), "copy test")
        uow.commit()
    gtin = parse(BOTTLE).gtin
    sgtins = MintRequest(scheme=CodeScheme.SGTIN, count=25, gtin=gtin, lot="COPY-1")
    mint(_uow(engine), owner, sgtins, clock=CLOCK, idempotency_key="copy-1")
    ssccs = MintRequest(scheme=CodeScheme.SSCC, count=5, company_prefix="6971104")
    mint(_uow(engine), owner, ssccs, clock=CLOCK)
    current_checkpoint(_uow(engine), Ed25519PrivateKey.generate(), CLOCK)
    for n in (1, 2):  # one job captured (finished, document dropped), one still waiting
        submit(
            _uow(engine),
            organisation_id=owner.id,
            events=[_event(n)],
            media_type="application/ld+json",
            behaviour=ErrorBehaviour.ROLLBACK,
            clock=CLOCK,
        )
    process_next(lambda: _uow(engine), CLOCK)
    now = CLOCK.now()
    with SubscriptionsUnitOfWork(engine, CLOCK) as uow:
        uow.subscriptions.add_named_query("shipped", owner.id, {"EQ_bizStep": ["shipping"]}, now)
        body = {"dest": "https://example.com/hook", "stream": True, "reportIfEmpty": True}
        subscription = new_subscription(
            body, organisation_id=owner.id, query_name="shipped", now=now
        )
        uow.subscriptions.add(subscription)
        failure = Delivery(
            attempted_at=now,
            first_position=1,
            last_position=3,
            event_count=3,
            status_code=503,
            error="receiver unavailable",
            succeeded=False,
        )
        uow.subscriptions.failed(subscription, failure, now)
        uow.commit()
    case = open_recall(_uow(engine), sugar.id, [SUGAR], "SO2 above limit", clock=CLOCK)
    holder = case.holders[0].holder
    confirm(_uow(engine), sugar.id, case.id, holder, returned=2.5, destroyed=1.0, clock=CLOCK)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite database holding real data, shared by the tests (they only read it)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('source') / 'onecode.db'}")
    upgrade(engine)
    _fill(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def target(migrated_database_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


def _rows(engine: Engine) -> dict[str, list[str]]:
    """Each table's rows as canonical JSON (JSON columns as parsed values), sorted."""
    found = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            found[table.name] = sorted(
                json.dumps(list(row), sort_keys=True, default=repr, ensure_ascii=False)
                for row in connection.execute(select(table))
            )
    return found


def test_copy_brings_every_row_and_the_ledger_verifies_and_grows(
    source: Engine, target: Engine
) -> None:
    expected = _rows(source)
    assert {name for name, rows in expected.items() if not rows} == LEFT_EMPTY
    progressed: dict[str, int] = {}

    def progress(table: str, rows: int) -> None:
        progressed[table] = progressed.get(table, 0) + rows

    copied = copy_database(source, target, progress=progress)

    assert copied == {name: len(rows) for name, rows in expected.items()}
    assert progressed == {name: n for name, n in copied.items() if n}
    assert _rows(target) == expected
    with _uow(target) as uow:
        heads = [(s.checkpoint.tree_size, s.checkpoint.root_hash) for s in uow.checkpoints.all()]
        last = uow.ledger.last_position()
        owner = next(o for o in uow.organisations.all() if "6971104" in o.company_prefixes)
        top = max(o.id for o in uow.organisations.all())
    report = verify(_uow(target), heads=heads)
    assert report.ok, report.problems
    assert (report.events, report.tree_size, len(heads)) == (last, last, 1)

    outcome = capture(_uow(target), [_event(3)], organisation_id=owner.id)
    assert [s.position for s in outcome.stored] == [last + 1]
    assert verify(_uow(target), heads=heads).ok
    with _uow(target) as uow:  # the serial/identity sequences continue after the copied ids
        added = uow.organisations.add("复制后 Added After Copy", company_prefixes=["6979999"])
        uow.organisations.add_api_key(added.id, hash_api_key("after-copy"), "after copy")
        uow.commit()
    assert added.id == top + 1


def test_a_copy_copies_back(source: Engine, target: Engine, tmp_path: Path) -> None:
    """Any direction works: the copy (PostgreSQL too) copied again into SQLite is equal."""
    copy_database(source, target)
    back = make_engine(f"sqlite:///{tmp_path / 'back.db'}")
    upgrade(back)
    copy_database(target, back)
    assert _rows(back) == _rows(source)
    back.dispose()


def test_a_target_holding_rows_is_refused_and_left_unchanged(
    source: Engine, target: Engine
) -> None:
    with _uow(target) as uow:
        uow.organisations.add("已有 Already Here", company_prefixes=["6979998"])
        uow.commit()
    before = _rows(target)
    with pytest.raises(
        CopyRefusedError, match=r"is not empty \(table organisation_keys holds rows\)"
    ):
        copy_database(source, target)
    assert _rows(target) == before


def test_a_source_behind_the_newest_migration_is_refused(tmp_path: Path, target: Engine) -> None:
    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(old, "0002")
    with pytest.raises(CopyRefusedError, match=r"source database .* is at schema 0002"):
        copy_database(old, target)
    old.dispose()


def test_cli_copies_and_refuses_a_second_copy_with_one_line(
    source: Engine, empty_database_url: str, tmp_path: Path
) -> None:
    env = {"ONECODE_DATABASE_URL": source.url.render_as_string(hide_password=False)}
    first = run("db", "copy", empty_database_url, env=env)
    assert first.returncode == 0, first.stderr
    assert "ledger_events" in first.stdout
    again = run("db", "copy", empty_database_url, env=env)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1
    assert again.stderr.startswith("onecode: error: the target database")
    assert "is not empty" in again.stderr


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("mysql://nobody@localhost/db", 2, "expected sqlite:/// or postgresql://"),
        ("postgresql://nobody:hunter2@127.0.0.1:1/db", 1, "cannot reach the database at"),
    ],
)
def test_cli_bad_or_unreachable_target_is_one_line(
    source: Engine, url: str, code: int, message: str
) -> None:
    env = {"ONECODE_DATABASE_URL": source.url.render_as_string(hide_password=False)}
    result = run("db", "copy", url, env=env)
    assert result.returncode == code
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "hunter2" not in result.stderr


def test_cli_refuses_before_migrating_a_target_with_rows(source: Engine, tmp_path: Path) -> None:
    """A database with rows but an old schema is refused before anything is migrated."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = make_engine(url)
    upgrade(old, "0002")
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (name, serial_length, serial_alphabet, created_at) "
                "VALUES ('x', 12, 'ABC', :now)"
            ),
            {"now": datetime.now(UTC).isoformat()},
        )
    env = {"ONECODE_DATABASE_URL": source.url.render_as_string(hide_password=False)}
    result = run("db", "copy", url, env=env)
    assert result.returncode == 2
    assert "table organisations holds rows" in result.stderr
    assert current_revision(old) == "0002"
    old.dispose()
