"""The fast SGTIN row builder equals the per-row Identifier path for every serial (oracle)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from events.code_export import _sgtin_row, sgtin_rows
from events.domain.code_batches import CodeBatch, CodeScheme, MintRequest
from identifiers import parse
from identifiers.minting import SET82

set82 = st.text(alphabet=sorted(SET82), min_size=1, max_size=20)


def batch(lot: str | None, expiry: str | None) -> CodeBatch:
    request = MintRequest(
        scheme=CodeScheme.SGTIN, count=1, gtin="06901234000016", lot=lot, expiry=expiry
    )
    return CodeBatch(
        id="b",
        organisation_id=1,
        request=request,
        fingerprint=request.fingerprint(),
        idempotency_key=None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        count=1,
    )


@settings(max_examples=300, deadline=None)
@given(
    serials=st.lists(set82, min_size=1, max_size=20),
    lot=st.none() | set82 | st.just("Q7SERIALMARK7Q"),
    expiry=st.none() | st.just("270630"),
    prefix_length=st.none() | st.just(7),
)
def test_fast_rows_equal_the_per_row_oracle(serials, lot, expiry, prefix_length) -> None:
    b = batch(lot, expiry)
    assert list(sgtin_rows(b, serials, prefix_length)) == [
        _sgtin_row(b, s, prefix_length) for s in serials
    ]


@settings(max_examples=100, deadline=None)
@given(serial=set82, lot=set82)
def test_every_spelling_in_a_row_reads_back_as_the_same_item(serial, lot) -> None:
    (row,) = sgtin_rows(batch(lot, "270630"), [serial], 7)
    digital_link, element_string, epc_urn = row[:3]
    codes = [parse(digital_link), parse(element_string), parse(epc_urn)]
    assert {c.canonical for c in codes} == {codes[0].canonical}
    assert (codes[0].serial, codes[0].lot, codes[0].expiry) == (serial, lot, "270630")
