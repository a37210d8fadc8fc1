"""Known answers, the node layout and access pattern, and the error paths of the Merkle log.

The expected hashes are the RFC 6962 test vectors of transparency-dev/merkle
(``testonly/constants.go`` and ``proof/verify_test.go``): eight leaves, their complete-subtree
hashes by (level, index), the root of every size and some inclusion and consistency proofs.
RFC 9162 hashes exactly as RFC 6962 does, so they apply unchanged.
"""

from __future__ import annotations

import pytest

from events.domain.errors import LedgerError
from events.domain.merkle import (
    EMPTY_ROOT,
    MemoryNodeStore,
    MerkleError,
    MerkleLog,
    MissingNodeError,
    NodeKey,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(x)
    for x in (
        *("", "00", "10", "2021", "3031", "40414243", "5051525354555657"),
        "606162636465666768696a6b6c6d6e6f",
    )
]
NODES = {
    (0, 0): "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    (0, 1): "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    (0, 4): "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    (0, 6): "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    (0, 7): "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    (1, 0): "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    (1, 1): "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    (1, 2): "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    (1, 3): "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    (2, 0): "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    (2, 1): "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    (3, 0): "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    NODES[0, 0],
    NODES[1, 0],
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    NODES[2, 0],
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    NODES[3, 0],
]
INCLUSION = [  # (index, size, path as node keys)
    (0, 8, [(0, 1), (1, 1), (2, 1)]),
    (5, 8, [(0, 4), (1, 3), (2, 0)]),
    (2, 3, [(1, 0)]),
    (1, 5, [(0, 0), (1, 1), (0, 4)]),
]
CONSISTENCY = [  # (old size, new size, proof as node keys)
    (1, 8, [(0, 1), (1, 1), (2, 1)]),
    (6, 8, [(1, 2), (1, 3), (2, 0)]),
    (2, 5, [(1, 1), (0, 4)]),
    (6, 7, [(1, 2), (0, 6), (2, 0)]),
]


class CountingStore(MemoryNodeStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[list[NodeKey]] = []
        self.writes: list[list[tuple[int, int, bytes]]] = []

    def get_many(self, keys):
        self.reads.append(list(keys))
        return super().get_many(keys)

    def put_many(self, items):
        self.writes.append(list(items))
        super().put_many(self.writes[-1])


def vector_log(store=None) -> MerkleLog:
    log = MerkleLog(store or MemoryNodeStore())
    log.append([leaf_hash(x) for x in LEAVES[:3]])
    log.append([leaf_hash(x) for x in LEAVES[3:]])
    return log


def nodes(keys) -> list[bytes]:
    return [bytes.fromhex(NODES[key]) for key in keys]


def test_roots_of_every_size_match_the_ct_vectors():
    log = vector_log()
    assert [log.root(size).hex() for size in range(9)] == ROOTS


def test_stored_nodes_match_the_ct_vectors_by_level_and_index():
    store = MemoryNodeStore()
    vector_log(store)
    assert store.get_many(list(NODES)) == nodes(NODES)
    assert store.get_many([(0, 8), (3, 1), (4, 0), (-1, 0)]) == [None] * 4


@pytest.mark.parametrize(("index", "size", "keys"), INCLUSION)
def test_inclusion_proofs_match_the_ct_vectors(index, size, keys):
    log = vector_log()
    assert log.inclusion_proof(index, size) == nodes(keys)
    root = bytes.fromhex(ROOTS[size])
    assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, nodes(keys), root)


@pytest.mark.parametrize(("old", "new", "keys"), CONSISTENCY)
def test_consistency_proofs_match_the_ct_vectors(old, new, keys):
    log = vector_log()
    assert log.consistency_proof(old, new) == nodes(keys)
    old_root, new_root = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    assert verify_consistency(old, new, old_root, new_root, nodes(keys))


def test_each_operation_reads_once_and_only_logarithmically_many_nodes():
    store = CountingStore()
    log = MerkleLog(store)
    for _ in range(64):
        log.append([leaf_hash(b"x")] * 37)
    assert all(len(keys) <= log.size.bit_length() for keys in store.reads)
    for batch, items in enumerate(store.writes):
        start, end = 37 * batch, 37 * (batch + 1)  # every newly complete subtree, nothing else:
        assert len(items) == sum((end >> level) - (start >> level) for level in range(13))
    store.reads.clear()
    log.root(1000)
    log.inclusion_proof(999, 2367)
    log.consistency_proof(1001, 2367)
    assert len(store.reads) == 3
    assert all(len(keys) <= 2 * log.size.bit_length() for keys in store.reads)


def test_the_second_batch_reads_only_the_left_siblings_it_completes():
    store = CountingStore()
    vector_log(store)
    # leaves 0..2, then 3..7: the new (0, 3) pairs with the stored (0, 2), new (1, 1) with (1, 0)
    assert store.reads == [[(0, 2), (1, 0)]]


def test_an_empty_tree_and_an_empty_batch():
    store = CountingStore()
    log = MerkleLog(store)
    assert log.append([]) == 0
    assert log.root(0) == EMPTY_ROOT
    assert log.consistency_proof(0, 0) == []
    assert store.reads == []
    assert store.writes == []


def test_a_log_reopened_at_its_size_continues_the_same_tree():
    store = MemoryNodeStore()
    MerkleLog(store).append([leaf_hash(x) for x in LEAVES[:5]])
    log = MerkleLog(store, size=5)
    assert log.append([leaf_hash(x) for x in LEAVES[5:]]) == 8
    assert log.root(8).hex() == ROOTS[8]


@pytest.mark.parametrize(
    "call",
    [
        lambda log: log.root(9),
        lambda log: log.root(-1),
        lambda log: log.inclusion_proof(8, 8),
        lambda log: log.inclusion_proof(-1, 8),
        lambda log: log.inclusion_proof(0, 9),
        lambda log: log.consistency_proof(5, 4),
        lambda log: log.consistency_proof(-1, 4),
        lambda log: log.consistency_proof(4, 9),
        lambda log: log.append([b"short"]),
        lambda _: MerkleLog(MemoryNodeStore(), size=-1),
    ],
)
def test_impossible_requests_raise_a_ledger_error(call):
    with pytest.raises(MerkleError) as err:
        call(vector_log())
    assert isinstance(err.value, LedgerError)


def test_a_store_that_lost_nodes_is_reported():
    log = MerkleLog(MemoryNodeStore(), size=4)
    with pytest.raises(MissingNodeError, match=r"\(2, 0\)"):
        log.root(4)


def test_the_memory_store_refuses_gaps_and_rewrites_but_allows_equal_rewrites():
    store = MemoryNodeStore()
    store.put_many([(0, 0, b"a" * 32), (0, 0, b"a" * 32)])
    with pytest.raises(MerkleError, match="gap"):
        store.put_many([(0, 2, b"c" * 32)])
    with pytest.raises(MerkleError, match="rewrite"):
        store.put_many([(0, 0, b"b" * 32)])
    assert store.get_many([(0, 0)]) == [b"a" * 32]


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 1), (-1, 1), (5, 3)])
def test_inclusion_outside_the_tree_never_verifies(index, size):
    assert not verify_inclusion(EMPTY_ROOT, index, size, [], EMPTY_ROOT)


def test_a_one_leaf_tree_is_its_leaf_hash_with_an_empty_path():
    leaf = leaf_hash(b"data")
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 1, [leaf], leaf)


def test_consistency_edge_cases_of_rfc_9162():
    root1, root8 = bytes.fromhex(ROOTS[1]), bytes.fromhex(ROOTS[8])
    assert verify_consistency(0, 8, EMPTY_ROOT, root8, [])
    assert not verify_consistency(0, 8, root1, root8, [])  # size 0 has exactly one root
    assert not verify_consistency(0, 8, EMPTY_ROOT, root8, [root1])
    assert verify_consistency(8, 8, root8, root8, [])
    assert not verify_consistency(8, 8, root8, root1, [])
    assert not verify_consistency(8, 8, root8, root8, [root8])
    assert not verify_consistency(1, 8, root1, root8, [])
    assert not verify_consistency(8, 1, root8, root1, [])
    assert not verify_consistency(-1, 8, root1, root8, [])
