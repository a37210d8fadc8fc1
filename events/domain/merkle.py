"""The ledger's Merkle tree: RFC 9162 (Certificate Transparency v2) §2.1, incremental and stored.

Only the hash of every *complete* subtree is stored, as node ``(level, index)``: level 0 holds the
leaf hashes and node ``(k, i)`` is the root of leaves ``[i·2^k, (i+1)·2^k)``. Those nodes never
change once written, so appending is O(log n) reads and the tree head, inclusion proofs and
consistency proofs of *any* historical size are folds of O(log n) stored nodes: every range the
RFC 9162 recursions visit starts on a multiple of a power of two at least its length, so its
MTH is the right fold of the complete subtrees given by the binary digits of its length.

References:
    RFC 9162 §2.1.1 (MTH), §2.1.3 (inclusion proofs), §2.1.4 (consistency proofs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeAlias

from events.domain.errors import LedgerError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256() (RFC 9162 §2.1.1)."""

NodeKey: TypeAlias = tuple[int, int]
"""``(level, index)`` of a complete subtree."""

_sha256 = hashlib.sha256


class MerkleError(LedgerError):
    """A tree operation was asked for a size, index or leaf the tree cannot have."""


class MissingNodeError(MerkleError):
    """The node store lacks a complete-subtree hash the tree's size says it must hold."""


def leaf_hash(data: bytes) -> bytes:
    """Hash one leaf: SHA-256(0x00 || data) (RFC 9162 §2.1.1)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash an interior node: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1)."""
    return _sha256(b"\x01" + left + right).digest()


class NodeStore(Protocol):
    """Where the complete-subtree hashes live (memory here; a SQL table in the adapters).

    Nodes are write-once: a store may refuse, but must never silently change, a stored hash.
    ``put_many`` is called once per appended batch and should be atomic with it.
    """

    def get_many(self, keys: Sequence[NodeKey]) -> list[bytes | None]:
        """Return the hash of each ``(level, index)`` in ``keys``, in order; None where absent."""

    def put_many(self, items: Iterable[tuple[int, int, bytes]]) -> None:
        """Store each ``(level, index, hash)``."""


class MemoryNodeStore:
    """A :class:`NodeStore` of one list per level: compact enough for 10^7 leaves in tests."""

    def __init__(self) -> None:
        self._levels: list[list[bytes]] = []

    def get_many(self, keys: Sequence[NodeKey]) -> list[bytes | None]:
        """Return the stored hash of each key, None where absent."""
        found: list[bytes | None] = []
        for level, index in keys:
            row = self._levels[level] if 0 <= level < len(self._levels) else []
            found.append(row[index] if 0 <= index < len(row) else None)
        return found

    def put_many(self, items: Iterable[tuple[int, int, bytes]]) -> None:
        """Append each node to its level; re-putting an equal hash is a no-op.

        Raises:
            MerkleError: a node would leave a gap in its level or change a stored hash.
        """
        levels = self._levels
        for level, index, digest in items:
            while len(levels) <= level:
                levels.append([])
            row = levels[level]
            if index == len(row):
                row.append(digest)
            elif index > len(row) or row[index] != digest:
                raise MerkleError(f"node ({level}, {index}) would leave a gap or rewrite history")


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): the k of RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_keys(lo: int, hi: int) -> list[NodeKey]:
    """The complete subtrees, left to right, whose right fold is MTH(D[lo:hi]).

    ``lo`` must be a multiple of a power of two ≥ ``hi - lo``, as for every range the RFC 9162
    recursions visit, so each step takes the largest power of two that fits.
    """
    keys: list[NodeKey] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        keys.append((level, lo >> level))
        lo += 1 << level
    return keys


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Right-fold complete-subtree hashes into one MTH (RFC 9162 §2.1.1, unrolled)."""
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs are PATH(index, D[size]), leaf first (RFC 9162 §2.1.3.1)."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs are PROOF(old, D[new]) for 0 < old < new (RFC 9162 §2.1.4.1)."""
    ranges: list[tuple[int, int]] = []
    lo, hi, whole_old_tree = 0, new, True  # the SUBPROOF flag b
    while hi != old:
        k = _split(hi - lo)
        if old - lo <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            whole_old_tree = False
    if not whole_old_tree:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def _append_reads(start: int, end: int) -> list[NodeKey]:
    """The stored left siblings that appending leaves ``[start, end)`` must read: ≤ 1 per level."""
    keys: list[NodeKey] = []
    level = 0
    while (end >> (level + 1)) > (start >> (level + 1)):
        if (start >> level) & 1:
            keys.append((level, (start >> level) - 1))
        level += 1
    return keys


class MerkleLog:
    """An append-only RFC 9162 Merkle tree over a :class:`NodeStore` holding ``size`` leaves.

    The caller owns ``size`` (the ledger's event count) and must keep it in step with the store.
    Every method makes at most one ``get_many`` call, of O(log size) keys.
    """

    def __init__(self, store: NodeStore, size: int = 0) -> None:
        if size < 0:
            raise MerkleError(f"a tree cannot have {size} leaves")
        self._store = store
        self._size = size

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return self._size

    def append(self, leaf_hashes: Sequence[bytes]) -> int:
        """Append leaf hashes (see :func:`leaf_hash`), store every newly complete subtree.

        Returns:
            The new tree size.

        Raises:
            MerkleError: a leaf hash is not 32 bytes.
        """
        if any(len(h) != HASH_SIZE for h in leaf_hashes):
            raise MerkleError(f"leaf hashes must be {HASH_SIZE} bytes (SHA-256)")
        if not leaf_hashes:
            return self._size
        start, end = self._size, self._size + len(leaf_hashes)
        reads = _append_reads(start, end)
        siblings = dict(zip(reads, self._fetch(reads), strict=True))
        items = [(0, start + i, h) for i, h in enumerate(leaf_hashes)]
        row, lo, level = list(leaf_hashes), start, 0
        while (end >> (level + 1)) > (start >> (level + 1)):
            if lo & 1:
                lo -= 1
                row = [siblings[level, lo], *row]
            row = [
                _sha256(b"\x01" + row[j] + row[j + 1]).digest() for j in range(0, len(row) - 1, 2)
            ]
            level, lo = level + 1, lo >> 1
            items.extend((level, lo + j, h) for j, h in enumerate(row))
        self._store.put_many(items)
        self._size = end
        return end

    def root(self, size: int) -> bytes:
        """MTH of the first ``size`` leaves, for any size up to the current one (§2.1.1)."""
        self._check(0, size)
        return _fold(self._fetch(_range_keys(0, size))) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]): the audit path of leaf ``index`` in a tree of ``size`` (§2.1.3.1).

        Raises:
            MerkleError: not 0 ≤ index < size ≤ the current size.
        """
        self._check(0, size)
        if not 0 <= index < size:
            raise MerkleError(f"leaf {index} is not in a tree of {size} leaves")
        return self._hash_ranges(_inclusion_ranges(index, size))

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(old_size, D[new_size]) (§2.1.4.1); empty when old_size is 0 or new_size.

        Raises:
            MerkleError: not 0 ≤ old_size ≤ new_size ≤ the current size.
        """
        self._check(old_size, new_size)
        if old_size in {0, new_size}:
            return []
        return self._hash_ranges(_consistency_ranges(old_size, new_size))

    def _check(self, low: int, high: int) -> None:
        if not 0 <= low <= high <= self._size:
            raise MerkleError(f"sizes {low}..{high} are not within 0..{self._size}")

    def _hash_ranges(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        per_range = [_range_keys(lo, hi) for lo, hi in ranges]
        hashes = iter(self._fetch([key for keys in per_range for key in keys]))
        return [_fold([next(hashes) for _ in keys]) for keys in per_range]

    def _fetch(self, keys: Sequence[NodeKey]) -> list[bytes]:
        found = self._store.get_many(keys) if keys else []
        missing = [key for key, h in zip(keys, found, strict=True) if h is None]
        if missing:
            raise MissingNodeError(f"node store lacks nodes {missing[:3]} (of {len(missing)})")
        return [h for h in found if h is not None]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check that ``proof`` puts leaf hash ``leaf`` at ``index`` of the tree ``root`` (§2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check that the tree ``new_root`` extends the tree ``old_root`` (§2.1.4.2).

    Size 0 (root :data:`EMPTY_ROOT`) is a prefix of every tree and equal sizes need equal roots;
    both take an empty proof, which RFC 9162 leaves to the caller.
    """
    if not 0 <= old_size <= new_size:
        return False
    if old_size in {0, new_size}:
        expected = EMPTY_ROOT if old_size == 0 else new_root
        return not proof and old_root == expected
    if not proof:
        return False
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
