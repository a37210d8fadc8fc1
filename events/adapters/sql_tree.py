"""The ledger's RFC 9162 Merkle tree stored in ``merkle_nodes`` (one row per complete subtree)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.adapters.sql_bulk import append_rows
from events.adapters.tables import checkpoints, merkle_nodes
from events.checkpoints import SignedCheckpoint
from events.domain import StoredEvent
from events.domain.merkle import MerkleError, MerkleLog, NodeKey, leaf_hash

_CHUNK = 400


class SqlNodeStore:
    """``NodeStore`` over the caller's connection: nodes are write-once rows."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get_many(self, keys: Sequence[NodeKey]) -> list[bytes | None]:
        """The hash of each ``(level, index)``, ``None`` where absent."""
        found: dict[tuple[int, int], bytes] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), _CHUNK):
            query = select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash).where(
                tuple_(merkle_nodes.c.level, merkle_nodes.c.idx).in_(unique[start : start + _CHUNK])
            )
            for level, index, digest in self._connection.execute(query):
                found[(level, index)] = bytes(digest)
        return [found.get((level, index)) for level, index in keys]

    def put_many(self, items: Iterable[tuple[int, int, bytes]]) -> None:
        """Insert new nodes (a clash with a stored node is an error, never an overwrite)."""
        append_rows(self._connection, merkle_nodes, ("level", "idx", "hash"), list(items))


class SqlLedgerTree:
    """``LedgerTree``: leaf i is the event at position i + 1."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._store = SqlNodeStore(connection)
        self._log: MerkleLog | None = None

    def _tree(self) -> MerkleLog:
        if self._log is None:
            last = self._connection.execute(
                select(func.max(merkle_nodes.c.idx)).where(merkle_nodes.c.level == 0)
            ).scalar()
            self._log = MerkleLog(self._store, 0 if last is None else int(last) + 1)
        return self._log

    def append(self, stored: Sequence[StoredEvent]) -> None:
        """Add the events' leaves; they must continue the tree without a gap."""
        if not stored:
            return
        tree = self._tree()
        if stored[0].leaf_index != tree.size:
            raise MerkleError(f"leaf {stored[0].leaf_index} would follow a tree of {tree.size}")
        tree.append([leaf_hash(s.leaf()) for s in stored])

    def size(self) -> int:
        """How many leaves the tree holds."""
        return self._tree().size

    def root(self, size: int | None = None) -> bytes:
        """The tree head at ``size`` (default: now)."""
        tree = self._tree()
        return tree.root(tree.size if size is None else size)

    def inclusion_proof(self, leaf_index: int, size: int) -> list[bytes]:
        """RFC 9162 §2.1.3 audit path."""
        return self._tree().inclusion_proof(leaf_index, size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 §2.1.4 consistency proof."""
        return self._tree().consistency_proof(old_size, new_size)

    def leaf_hashes(self, start: int, stop: int) -> list[bytes]:
        """Stored leaf hashes ``start`` to ``stop - 1``, in order."""
        query = (
            select(merkle_nodes.c.hash)
            .where(
                merkle_nodes.c.level == 0, merkle_nodes.c.idx >= start, merkle_nodes.c.idx < stop
            )
            .order_by(merkle_nodes.c.idx)
        )
        return [bytes(digest) for digest in self._connection.execute(query).scalars()]


class SqlCheckpoints:
    """Signed tree heads in ``checkpoints``, one per tree size."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, signed: SignedCheckpoint) -> None:
        """Store a signed checkpoint (a second one for the same size is ignored)."""
        statement = (pg_insert if self._connection.dialect.name == "postgresql" else sqlite_insert)(
            checkpoints
        ).values(
            tree_size=signed.checkpoint.tree_size,
            root_hash=signed.checkpoint.root_hash,
            created_at=signed.checkpoint.timestamp,
            signed=signed.to_json(),
        )
        self._connection.execute(statement.on_conflict_do_nothing())

    def latest(self) -> SignedCheckpoint | None:
        """The checkpoint of the largest tree."""
        row = self._connection.execute(
            select(checkpoints.c.signed).order_by(checkpoints.c.tree_size.desc()).limit(1)
        ).first()
        return None if row is None else SignedCheckpoint.from_json(row[0])

    def all(self) -> list[SignedCheckpoint]:
        """Every stored checkpoint, smallest tree first."""
        query = select(checkpoints.c.signed).order_by(checkpoints.c.tree_size)
        return [SignedCheckpoint.from_json(row[0]) for row in self._connection.execute(query)]
