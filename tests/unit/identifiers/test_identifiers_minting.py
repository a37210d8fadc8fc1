"""Serial minting: right shape, distinct, uniform, unguessable (EU 2016/161 Art. 4(b))."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifiers import MintError, SerialPolicy, build_sscc, mint_handle_suffixes, mint_serials
from identifiers.minting import DIGITS, SAFE_SET82, SET82


@settings(max_examples=60, deadline=None)
@given(
    length=st.integers(6, 20),
    alphabet=st.sets(st.sampled_from(sorted(SET82)), min_size=2, max_size=82).map("".join),
    count=st.integers(1, 300),
    seed=st.integers(0, 2**32),
)
def test_serials_have_the_policy_shape_and_are_distinct(length, alphabet, count, seed):
    policy = SerialPolicy(length, alphabet)
    if policy.guess_probability(count) >= Fraction(1, 10_000):
        with pytest.raises(MintError):
            list(mint_serials(policy, count, random.Random(seed)))
        return
    serials = list(mint_serials(policy, count, random.Random(seed)))
    assert len(serials) == count
    assert len(set(serials)) == count
    assert all(len(s) == length and set(s) <= set(alphabet) for s in serials)


def test_characters_are_uniform_without_modulo_bias():
    # 24 symbols: bytes 240-255 must be rejected, or the first 16 symbols would be favoured.
    text = "".join(mint_serials(SerialPolicy(12, SAFE_SET82), 20_000, random.Random(7)))
    counts = Counter(text)
    expected = len(text) / len(SAFE_SET82)
    chi_square = sum((counts[c] - expected) ** 2 / expected for c in SAFE_SET82)
    assert set(counts) == set(SAFE_SET82)
    assert chi_square < 60  # 23 degrees of freedom; 60 is far beyond the 99.99th percentile


def test_the_same_seed_gives_the_same_serials_and_the_system_rng_differs():
    policy = SerialPolicy()
    assert list(mint_serials(policy, 5, random.Random(1))) == list(
        mint_serials(policy, 5, random.Random(1))
    )
    assert list(mint_serials(policy, 5)) != list(mint_serials(policy, 5))


@pytest.mark.parametrize(
    ("policy", "issued", "message"),
    [
        (SerialPolicy(4, DIGITS), 2, "below 1/10000"),
        (SerialPolicy(6, DIGITS), 100, "below 1/10000"),
    ],
)
def test_guessable_batches_are_refused(policy, issued, message):
    with pytest.raises(MintError, match=message):
        policy.check(issued)


def test_policy_rules():
    assert SerialPolicy().space() == 24**12
    assert SerialPolicy(6, DIGITS).guess_probability(99) == Fraction(99, 10**6)
    with pytest.raises(MintError, match="set 82"):
        SerialPolicy(10, "AB#")
    with pytest.raises(MintError, match="1-20"):
        SerialPolicy(21)
    with pytest.raises(MintError, match="distinct"):
        SerialPolicy(10, "AA")


def test_handles_and_ssccs():
    handles = list(mint_handle_suffixes("88.100.1", SerialPolicy(), 3, random.Random(3)))
    assert {h.prefix for h in handles} == {"88.100.1"}
    assert build_sscc("0614141", 1, 123456789) == "106141411234567897"
    with pytest.raises(MintError, match="serial reference"):
        build_sscc("0614141", 1, 10**9)
