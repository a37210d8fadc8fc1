"""Verify the ledger: recompute every leaf from the stored events and the tree heads from them.

Finds events whose stored columns were altered (the leaf no longer matches the tree), events
missing from the middle or the end (a gap in positions, or more leaves than events), and tree
heads that disagree with the leaves (RFC 9162 §2.1.1 MTH recomputed from scratch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from events.domain import StoredEvent
from events.domain.merkle import MemoryNodeStore, MerkleLog, leaf_hash
from events.ports import UnitOfWork

_BATCH = 5000


@dataclass
class AuditReport:
    """What ``verify`` checked and what it found wrong (empty ``problems``: all is well)."""

    events: int = 0
    tree_size: int = 0
    root: bytes = b""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found wrong."""
        return not self.problems


def verify(
    uow: UnitOfWork,
    *,
    heads: Sequence[tuple[int, bytes]] = (),
    progress: Callable[[int], None] = lambda _n: None,
) -> AuditReport:
    """Recompute leaves and roots; compare them with the stored tree and the given tree heads.

    ``heads`` are ``(tree_size, root_hash)`` pairs, e.g. from signed checkpoints.
    """
    report = AuditReport()
    recomputed = MerkleLog(MemoryNodeStore())
    with uow:
        tree_size = uow.merkle.size()
        report.tree_size = tree_size
        batch: list[StoredEvent] = []
        for event in uow.ledger.read():
            if event.position != report.events + 1:
                report.problems.append(
                    f"events at positions {report.events + 1}-{event.position - 1} are missing"
                )
            report.events = event.position
            batch.append(event)
            if len(batch) == _BATCH:
                _check(uow, batch, recomputed, report)
                progress(report.events)
                batch = []
        _check(uow, batch, recomputed, report)
        if tree_size > report.events:
            report.problems.append(
                f"the tree has {tree_size} leaves but the ledger ends at position {report.events}: "
                "events are missing at the end"
            )
        report.root = recomputed.root(recomputed.size)
        if tree_size == recomputed.size and uow.merkle.root() != report.root:
            report.problems.append("the stored tree head disagrees with the recomputed leaves")
    for size, root in heads:
        if size > recomputed.size:
            report.problems.append(f"checkpoint of size {size} is beyond the ledger")
        elif recomputed.root(size) != root:
            report.problems.append(f"checkpoint of size {size} does not match the ledger")
    return report


def _check(
    uow: UnitOfWork, batch: list[StoredEvent], recomputed: MerkleLog, report: AuditReport
) -> None:
    if not batch:
        return
    leaves = [leaf_hash(event.leaf()) for event in batch]
    stored = uow.merkle.leaf_hashes(batch[0].leaf_index, batch[-1].leaf_index + 1)
    by_index = dict(zip(range(batch[0].leaf_index, batch[-1].leaf_index + 1), stored, strict=False))
    for event, leaf in zip(batch, leaves, strict=True):
        if by_index.get(event.leaf_index) != leaf:
            report.problems.append(
                f"event at position {event.position} ({event.event_id}) does not match its leaf: "
                "it was altered, or its leaf is missing"
            )
    if recomputed.size == batch[0].leaf_index:
        recomputed.append(leaves)
