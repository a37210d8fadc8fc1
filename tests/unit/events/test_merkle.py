"""The stored, incremental tree equals a naive RFC 9162 §2.1 oracle, and its proofs bind.

The oracle below is written straight from the RFC 9162 definitions (MTH §2.1.1, PATH §2.1.3.1,
PROOF/SUBPROOF §2.1.4.1) over a plain list of leaves, recursively and without any storage.
"""

from __future__ import annotations

import hashlib
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from events.domain.merkle import (
    EMPTY_ROOT,
    MemoryNodeStore,
    MerkleLog,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def k_of(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = k_of(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = k_of(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], *, b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return [*subproof(m, d[:k], b=b), mth(d[k:])]
    return [*subproof(m - k, d[k:], b=False), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, b=True) if 0 < m < len(d) else []


def build(data: list[bytes], cuts: list[int]) -> MerkleLog:
    """Append the leaves of ``data`` in batches split at the sorted ``cuts``."""
    log = MerkleLog(MemoryNodeStore())
    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    for lo, hi in itertools.pairwise(bounds):
        log.append([leaf_hash(x) for x in data[lo:hi]])
    return log


def flip(b: bytes, at: int) -> bytes:
    at %= len(b)
    return b[:at] + bytes([b[at] ^ 0x01]) + b[at + 1 :]


leaves = st.lists(st.binary(max_size=8), max_size=300)
cuts = st.lists(st.integers(min_value=0, max_value=300), max_size=12)


def test_hashes_follow_rfc_9162_domain_separation():
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT


@settings(max_examples=60, deadline=None)
@given(data=leaves, cuts=cuts)
def test_root_of_every_historical_size_equals_the_oracle(data, cuts):
    log = build(data, cuts)
    assert log.size == len(data)
    for size in range(len(data) + 1):
        assert log.root(size) == mth(data[:size])


@settings(max_examples=60, deadline=None)
@given(data=leaves.filter(bool), cuts=cuts, picks=st.lists(st.integers(0, 10**6), max_size=20))
def test_inclusion_proofs_equal_the_oracle_and_verify(data, cuts, picks):
    log = build(data, cuts)
    for pick in picks:
        size = pick % len(data) + 1
        index = (pick // 7) % size
        got = log.inclusion_proof(index, size)
        assert got == path(index, data[:size])
        assert verify_inclusion(leaf_hash(data[index]), index, size, got, mth(data[:size]))


@settings(max_examples=60, deadline=None)
@given(data=leaves, cuts=cuts, picks=st.lists(st.integers(0, 10**6), max_size=20))
def test_consistency_proofs_equal_the_oracle_and_verify(data, cuts, picks):
    log = build(data, cuts)
    for pick in picks:
        new = pick % (len(data) + 1)
        old = (pick // 7) % (new + 1)
        got = log.consistency_proof(old, new)
        assert got == proof(old, data[:new])
        assert verify_consistency(old, new, mth(data[:old]), mth(data[:new]), got)


def test_every_proof_of_a_small_tree_equals_the_oracle():
    data = [bytes([i]) for i in range(70)]
    log = build(data, [3, 17, 64])
    for size in range(1, len(data) + 1):
        root = mth(data[:size])
        for index in range(size):
            assert log.inclusion_proof(index, size) == path(index, data[:size])
        for old in range(size + 1):
            got = log.consistency_proof(old, size)
            assert got == proof(old, data[:size])
            assert verify_consistency(old, size, mth(data[:old]), root, got)


@st.composite
def inclusion_cases(draw):
    data = draw(st.lists(st.binary(min_size=1, max_size=4), min_size=1, max_size=100, unique=True))
    size = draw(st.integers(1, len(data)))
    index = draw(st.integers(0, size - 1))
    return data, index, size


@settings(max_examples=150, deadline=None)
@given(case=inclusion_cases(), where=st.integers(0, 10**6), part=st.sampled_from("lpirxy"))
def test_altered_inclusion_inputs_fail(case, where, part):
    data, index, size = case
    log = build(data, [where])
    leaf, root = leaf_hash(data[index]), log.root(size)
    got = log.inclusion_proof(index, size)
    assert verify_inclusion(leaf, index, size, got, root)
    if part == "p" and not got:
        part = "x"
    if part == "l":
        leaf = flip(leaf, where)
    elif part == "p":
        i = where % len(got)
        got = [*got[:i], flip(got[i], where // 7), *got[i + 1 :]]
    elif part == "i":
        index = (index + 1 + where % size) % (size + 1)
    elif part == "r":
        root = flip(root, where)
    elif part == "x":
        got = [*got, root]
    else:
        got = got[:-1] if got else [leaf]
    assert not verify_inclusion(leaf, index, size, got, root)


@st.composite
def consistency_cases(draw):
    data = draw(st.lists(st.binary(min_size=1, max_size=4), min_size=2, max_size=100, unique=True))
    new = draw(st.integers(2, len(data)))
    old = draw(st.integers(1, new - 1))
    return data, old, new


@settings(max_examples=150, deadline=None)
@given(case=consistency_cases(), where=st.integers(0, 10**6), part=st.sampled_from("abpmxy"))
def test_altered_consistency_inputs_fail(case, where, part):
    data, old, new = case
    log = build(data, [where])
    old_root, new_root = log.root(old), log.root(new)
    got = log.consistency_proof(old, new)
    assert verify_consistency(old, new, old_root, new_root, got)
    if part == "a":
        old_root = flip(old_root, where)
    elif part == "b":
        new_root = flip(new_root, where)
    elif part == "p":
        i = where % len(got)
        got = [*got[:i], flip(got[i], where // 7), *got[i + 1 :]]
    elif part == "m":
        others = [s for s in range(1, new) if s != old]
        old = others[where % len(others)] if others else 0
    elif part == "x":
        got = [*got, new_root]
    else:
        got = got[:-1]
    assert not verify_consistency(old, new, old_root, new_root, got)


def test_a_proof_alone_does_not_bind_the_larger_tree_size():
    """A proof for size 3 also checks out as one for size 4 against the size-3 root: both have
    the same shape, and the verifier cannot tell a leaf hash from a subtree hash. The size is
    bound by the signed checkpoint, which signs (size, root) together; clients must take both
    from one verified checkpoint."""
    data = [b"a", b"b", b"c"]
    log = build(data, [])
    root3 = log.root(3)
    assert verify_inclusion(leaf_hash(b"a"), 0, 4, log.inclusion_proof(0, 3), root3)
    assert verify_consistency(1, 4, log.root(1), root3, log.consistency_proof(1, 3))
