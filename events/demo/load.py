"""Load demo chains through the same capture path as real data (``events.capture.capture``).

The caller creates the organisations (``organisations.add``) and passes their ids by company
key; events are captured in ledger order, one transaction per run of consecutive events of one
organisation, so each event is attributed to the company that recorded it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import groupby
from typing import Any

from events.capture import capture
from events.demo.model import ChainBuilder, Event
from events.master_data import MasterDataUnitOfWork, store_master_data
from events.ports import Clock, UnitOfWork


def batches(
    steps: Iterable[tuple[str, Event]], size: int = 500
) -> Iterator[tuple[str, list[Event]]]:
    """Consecutive events of one company, at most ``size`` at a time."""
    for key, group in groupby(steps, key=lambda step: step[0]):
        events = [event for _, event in group]
        for start in range(0, len(events), size):
            yield key, events[start : start + size]


def load_chain(
    uow_factory: Callable[[], MasterDataUnitOfWork],
    chain: ChainBuilder,
    organisation_ids: Mapping[str, int],
    clock: Clock,
    *,
    progress: Callable[[int], Any] | None = None,
) -> int:
    """Store the chain's master data and capture its events; return how many were stored.

    Raises:
        ValueError: an event was refused (the demo is already loaded, or a generator bug).
    """
    for key, elements in chain.elements.items():
        store_master_data(uow_factory(), organisation_ids[key], elements, clock)
    stored = 0
    for key, events in batches(chain.steps):
        outcome = capture(uow_factory(), events, organisation_id=organisation_ids[key])
        if outcome.errors:
            first = outcome.errors[0]
            raise ValueError(f"{chain.name} chain, event {first.index}: {first.detail}")
        stored += len(outcome.stored)
        if progress is not None:
            progress(len(events))
    return stored


def organisations(uow: UnitOfWork, built: Iterable[ChainBuilder]) -> dict[str, int]:
    """The demo organisations' ids by company key, created when missing (one transaction)."""
    ids: dict[str, int] = {}
    with uow:
        for company in (c for chain in built for c in chain.companies):
            if company.key in ids:
                continue
            found = uow.organisations.by_name(company.name)
            if found is None:
                found = uow.organisations.add(
                    company.name,
                    company_prefixes=[company.gcp],
                    glns=[company.gln(i) for i in range(len(company.sites))],
                    handle_prefix=company.handle_prefix,
                )
            ids[company.key] = found.id
        uow.commit()
    return ids
