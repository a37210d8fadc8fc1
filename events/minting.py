"""Minting service: allocate batches of unique, unguessable codes for an organisation.

One function per command (ARCHITECTURE.md R5): ``mint(uow, organisation, request)`` validates the
request against GS1 rules and ownership, then stores the batch and its codes in one transaction.
Serials are unique per GTIN (per Handle prefix) forever because ``minted_codes`` has them as its
primary key; a serial that collides with an earlier one is skipped and replaced.

References:
    GS1 General Specifications §3.2 (AI 01, 10, 17, 21), §2.2.1 (SSCC); EU 2016/161 Art. 4(b).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace

from events.domain import IdempotencyConflictError, OwnershipError
from events.domain.code_batches import CodeBatch, CodeScheme, MintReport, MintRequest
from events.domain.organisations import Organisation
from events.ports import Clock, UnitOfWork
from identifiers import (
    HandleId,
    MintError,
    SerialPolicy,
    build_sscc,
    format_hri,
    mint_serials,
    parse,
)
from identifiers.minting import SYSTEM_RANDOM, RandomBytes

MAX_BATCH = 10_000_000
CHUNK = 50_000

Progress = Callable[[int], None]


def _no_progress(_done: int) -> None:
    """Progress sink that ignores updates."""


def mint(  # noqa: PLR0913  the command's parts are separate on purpose
    uow: UnitOfWork,
    organisation: Organisation,
    request: MintRequest,
    *,
    clock: Clock,
    idempotency_key: str | None = None,
    progress: Progress = _no_progress,
    rng: RandomBytes = SYSTEM_RANDOM,
) -> MintReport:
    """Mint ``request.count`` codes for ``organisation`` in one transaction.

    A request retried with the same ``idempotency_key`` returns the first batch and mints
    nothing; the same key with a different request is refused.

    Raises:
        IdentifierError: the GTIN, lot, expiry or Handle prefix breaks GS1 / Handle rules.
        MintError: the count or serial policy is out of bounds (guessable serials included).
        OwnershipError: the organisation does not own the GTIN, prefix or Handle prefix.
        IdempotencyConflictError: the key was used for a different request.
    """
    request = _complete(request, organisation)
    with uow:
        if idempotency_key is not None:
            earlier = uow.codes.find_batch(organisation.id, idempotency_key)
            if earlier is not None:
                return _replay(uow, earlier, request)
        policy = _check(uow, organisation, request)
        batch = CodeBatch(
            id=uuid.uuid4().hex,
            organisation_id=organisation.id,
            request=request,
            fingerprint=request.fingerprint(),
            idempotency_key=idempotency_key,
            created_at=clock.now(),
            count=request.count,
        )
        uow.codes.add_batch(batch)
        _store_codes(uow, batch, policy, progress, rng)
        issued = uow.codes.issued(request.code_key)
        uow.commit()
    return MintReport(batch=batch, policy=policy, issued_for_key=issued)


def _complete(request: MintRequest, organisation: Organisation) -> MintRequest:
    """Fill the organisation's defaults into the request (so its fingerprint is explicit)."""
    if request.scheme is CodeScheme.SSCC:
        return request
    handle_prefix = request.handle_prefix
    if request.scheme is CodeScheme.HANDLE and handle_prefix is None:
        handle_prefix = organisation.handle_prefix
    return replace(
        request,
        handle_prefix=handle_prefix,
        serial_length=request.serial_length or organisation.serial_policy.length,
        serial_alphabet=request.serial_alphabet or organisation.serial_policy.alphabet,
    )


def _replay(uow: UnitOfWork, earlier: CodeBatch, request: MintRequest) -> MintReport:
    if earlier.fingerprint != request.fingerprint():
        raise IdempotencyConflictError(
            f"idempotency key {earlier.idempotency_key!r} was used for batch {earlier.id} "
            "with a different request; use a new key for a new batch"
        )
    policy = None if earlier.request.scheme is CodeScheme.SSCC else _policy(earlier.request)
    issued = uow.codes.issued(earlier.request.code_key)
    return MintReport(batch=earlier, policy=policy, issued_for_key=issued, replayed=True)


def _policy(request: MintRequest) -> SerialPolicy:
    return SerialPolicy(length=request.serial_length or 12, alphabet=request.serial_alphabet or "")


def _check(
    uow: UnitOfWork, organisation: Organisation, request: MintRequest
) -> SerialPolicy | None:
    if not 1 <= request.count <= MAX_BATCH:
        raise MintError(f"count {request.count}: expected 1 to {MAX_BATCH:,} codes per batch")
    if request.scheme is CodeScheme.SSCC:
        _check_sscc(organisation, request)
        return None
    policy = _policy(request)
    if request.scheme is CodeScheme.SGTIN:
        _check_sgtin(organisation, request, policy)
    else:
        _check_handle(organisation, request)
    policy.check(uow.codes.issued(request.code_key) + request.count)
    return policy


def _check_sgtin(organisation: Organisation, request: MintRequest, policy: SerialPolicy) -> None:
    """Validate GTIN, lot, expiry and a sample serial as one GS1 element string."""
    if request.gtin is None:
        raise MintError("an SGTIN batch needs a GTIN")
    pairs = [("01", request.gtin), ("21", policy.alphabet[0] * policy.length)]
    pairs += [("10", request.lot)] if request.lot else []
    pairs += [("17", request.expiry)] if request.expiry else []
    parsed = parse(format_hri(tuple(pairs)))
    gtin = parsed.gtin or request.gtin
    if not organisation.owns_gtin(gtin):
        raise OwnershipError(
            f"GTIN {gtin} is not under a company prefix of {organisation.name!r} "
            f"(registered: {', '.join(organisation.company_prefixes) or 'none'})"
        )


def _check_sscc(organisation: Organisation, request: MintRequest) -> None:
    prefix = request.company_prefix or ""
    if prefix not in organisation.company_prefixes:
        raise OwnershipError(
            f"company prefix {prefix!r} is not registered to {organisation.name!r} "
            f"(registered: {', '.join(organisation.company_prefixes) or 'none'})"
        )
    build_sscc(prefix, request.extension, 0)  # validates the prefix and extension digit


def _check_handle(organisation: Organisation, request: MintRequest) -> None:
    prefix = request.handle_prefix
    if prefix is None:
        raise OwnershipError(f"{organisation.name!r} has no Handle prefix registered")
    HandleId.parse(f"{prefix}/X")  # validates the prefix syntax
    if not organisation.owns_handle_prefix(prefix):
        raise OwnershipError(f"Handle prefix {prefix} does not belong to {organisation.name!r}")


def _store_codes(
    uow: UnitOfWork,
    batch: CodeBatch,
    policy: SerialPolicy | None,
    progress: Progress,
    rng: RandomBytes,
) -> None:
    request = batch.request
    if policy is None:
        first = uow.codes.allocate_sscc_references(
            str(request.company_prefix), request.extension, request.count
        )
        codes = (
            build_sscc(str(request.company_prefix), request.extension, first + n)
            for n in range(request.count)
        )
        _insert(uow, batch, codes, request.count, progress)
        return
    stored = attempted = 0
    while stored < request.count:  # collisions with earlier batches are skipped and replaced
        missing = request.count - stored
        serials = mint_serials(policy, missing, rng)
        stored += _insert(uow, batch, serials, missing, progress, first_seq=attempted, done=stored)
        attempted += missing


def _insert(  # noqa: PLR0913
    uow: UnitOfWork,
    batch: CodeBatch,
    codes: Iterator[str],
    count: int,
    progress: Progress,
    *,
    first_seq: int = 0,
    done: int = 0,
) -> int:
    """Store ``count`` codes in chunks numbered from ``first_seq``; return how many were new."""
    added = 0
    for start in range(0, count, CHUNK):
        chunk = list(itertools.islice(codes, CHUNK))
        added += uow.codes.add_codes(batch.id, batch.request.code_key, chunk, first_seq + start)
        progress(done + added)
    return added
