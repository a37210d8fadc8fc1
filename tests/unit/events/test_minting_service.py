"""The minting service over the in-memory unit of work: rules, ownership, idempotency."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from events import minting
from events.adapters.memory_registry import MemoryUnitOfWork
from events.domain import IdempotencyConflictError, OwnershipError
from events.domain.code_batches import CodeScheme, MintRequest
from identifiers import IdentifierError, MintError, Sscc, parse
from identifiers.minting import DIGITS

GTIN = "06901234000016"


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 26, tzinfo=UTC)


@pytest.fixture
def uow() -> MemoryUnitOfWork:
    return MemoryUnitOfWork()


@pytest.fixture
def owner(uow):
    return uow.organisations.add(
        "Coconut Co", company_prefixes=["6901234"], handle_prefix="88.100.1"
    )


def mint(uow, owner, request, **kwargs):
    return minting.mint(uow, owner, request, clock=Clock(), **kwargs)


def sgtin(count=10, **fields):
    return MintRequest(scheme=CodeScheme.SGTIN, count=count, gtin=GTIN, **fields)


def test_a_batch_gets_count_distinct_valid_serials(uow, owner) -> None:
    report = mint(uow, owner, sgtin(500, lot="L1", expiry="270630"))
    serials = list(uow.codes.serials(report.batch.id))
    assert len(serials) == len(set(serials)) == 500
    for serial in serials[:20]:
        code = parse(f"(01){GTIN}(10)L1(21){serial}(17)270630")
        assert code.serial == serial
    assert report.issued_for_key == 500
    assert report.space == 24**12
    assert uow.committed == 1


def test_serials_colliding_with_earlier_batches_are_replaced(uow, owner) -> None:
    first = mint(uow, owner, sgtin(200), rng=random.Random(42))
    # The same seed draws the same 200 serials first: every one collides and must be replaced.
    second = mint(uow, owner, sgtin(200), rng=random.Random(42))
    a = set(uow.codes.serials(first.batch.id))
    b = set(uow.codes.serials(second.batch.id))
    assert len(a) == len(b) == 200
    assert not a & b
    assert uow.codes.issued(GTIN) == 400


def test_guessability_counts_every_serial_ever_issued(uow, owner) -> None:
    small = {"serial_length": 6, "serial_alphabet": DIGITS}  # 10**6 serials
    mint(uow, owner, sgtin(60, **small))
    with pytest.raises(MintError, match="below 1/10000"):
        mint(uow, owner, sgtin(50, **small))  # 110 issued would make a guess 1.1e-4


@pytest.mark.parametrize(
    ("request_", "error", "message"),
    [
        (
            MintRequest(scheme=CodeScheme.SGTIN, count=1, gtin="09521234543213"),
            OwnershipError,
            "company prefix",
        ),
        (
            MintRequest(scheme=CodeScheme.SGTIN, count=1, gtin="06901234000017"),
            IdentifierError,
            "check digit",
        ),
        (sgtin(1, lot="BAD LOT"), IdentifierError, "set 82"),
        (sgtin(1, expiry="271301"), IdentifierError, "month"),
        (sgtin(0), MintError, "count 0"),
        (sgtin(1, serial_alphabet="AB#"), MintError, "set 82"),
        (
            MintRequest(scheme=CodeScheme.SSCC, count=1, company_prefix="9521234"),
            OwnershipError,
            "not registered",
        ),
        (
            MintRequest(scheme=CodeScheme.HANDLE, count=1, handle_prefix="88.999.1"),
            OwnershipError,
            "does not belong",
        ),
    ],
)
def test_bad_requests_are_refused_and_store_nothing(uow, owner, request_, error, message) -> None:
    with pytest.raises(error, match=message):
        mint(uow, owner, request_)
    assert uow.codes._batches == {}
    assert uow.committed == 0


def test_a_retried_request_returns_the_first_batch(uow, owner) -> None:
    first = mint(uow, owner, sgtin(5), idempotency_key="k")
    again = mint(uow, owner, sgtin(5), idempotency_key="k")
    assert again.replayed
    assert again.batch == first.batch
    assert uow.codes.issued(GTIN) == 5


def test_an_idempotency_key_cannot_be_reused_for_another_request(uow, owner) -> None:
    mint(uow, owner, sgtin(5), idempotency_key="k")
    with pytest.raises(IdempotencyConflictError, match="different request"):
        mint(uow, owner, sgtin(6), idempotency_key="k")


def test_ssccs_are_sequential_and_valid(uow, owner) -> None:
    request = MintRequest(scheme=CodeScheme.SSCC, count=3, company_prefix="6901234", extension=3)
    first = list(uow.codes.serials(mint(uow, owner, request).batch.id))
    second = list(uow.codes.serials(mint(uow, owner, request).batch.id))
    assert [Sscc.parse(s).value for s in first + second] == first + second
    assert [int(s[8:17]) for s in first + second] == list(range(6))
    assert {s[0] for s in first} == {"3"}


def test_handles_default_to_the_organisations_prefix(uow, owner) -> None:
    report = mint(uow, owner, MintRequest(scheme=CodeScheme.HANDLE, count=4))
    assert report.batch.request.handle_prefix == "88.100.1"
    for suffix in uow.codes.serials(report.batch.id):
        assert parse(f"88.100.1/{suffix}").handle_suffix == suffix


def test_progress_is_reported(uow, owner) -> None:
    seen: list[int] = []
    mint(uow, owner, sgtin(120_000), progress=seen.append)
    assert seen[-1] == 120_000
    assert seen == sorted(seen)
