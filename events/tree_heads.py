"""Signed tree heads: the platform signs the ledger's Merkle root so anyone can hold it to it.

A checkpoint (C2SP signed-note format, ``events.checkpoints``) commits to the tree size and
root; consistency proofs between checkpoints show the ledger only grew (RFC 9162 §2.1.4).
"""

from __future__ import annotations

from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.checkpoints import DEFAULT_ORIGIN, Checkpoint, SignedCheckpoint, sign
from events.ports import Clock, UnitOfWork


class CheckpointUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also stores checkpoints."""

    @property
    def checkpoints(self) -> Any:  # noqa: ANN401  SqlCheckpoints (adapters are not imported here)
        """Stored signed checkpoints."""
        ...


def current_checkpoint(
    uow: CheckpointUnitOfWork, key: Ed25519PrivateKey, clock: Clock, origin: str = DEFAULT_ORIGIN
) -> SignedCheckpoint:
    """The signed checkpoint of the ledger as it is now (signed and stored if it is new)."""
    with uow:
        size = uow.merkle.size()
        latest: SignedCheckpoint | None = uow.checkpoints.latest()
        if latest is not None and latest.checkpoint.tree_size == size:
            return latest
        checkpoint = Checkpoint(
            tree_size=size, root_hash=uow.merkle.root(size), timestamp=clock.now(), origin=origin
        )
        signed = sign(checkpoint, key)
        uow.checkpoints.add(signed)
        uow.commit()
    return signed
