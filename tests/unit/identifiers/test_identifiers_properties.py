from __future__ import annotations

import contextlib
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifiers import IdentifierError, gs1_check_digit, parse, parse_element_string

SET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
# Company prefixes the registered-prefix path knows, so every item has an EPC URN.
PREFIXES = frozenset({"9521234", "0614141", "95212345"})


def with_check(body: str) -> str:
    return body + str(gs1_check_digit(body))


cp = st.sampled_from(sorted(PREFIXES))
digits = st.text(string.digits, min_size=1, max_size=1)
serial = st.text(SET82, min_size=1, max_size=20)
gtin = st.builds(
    lambda i, p, r: with_check(i + p + r.zfill(12 - len(p))[: 12 - len(p)]),
    digits, cp, st.integers(0, 10**5 - 1).map(str),
)  # fmt: skip
sscc = st.builds(
    lambda e, p, r: with_check(e + p + r.zfill(16 - len(p))[: 16 - len(p)]),
    digits, cp, st.integers(0, 10**9).map(str),
)  # fmt: skip
gln = st.builds(
    lambda p, r: with_check(p + r.zfill(12 - len(p))[: 12 - len(p)]),
    cp,
    st.integers(0, 99999).map(str),
)
expiry = st.builds(
    lambda y, m, d: f"{y:02}{m:02}{d:02}",
    st.integers(0, 99),
    st.integers(1, 12),
    st.integers(0, 28),
)

items = st.one_of(
    st.builds(lambda g, s: f"(01){g}(21){s}", gtin, serial),
    st.builds(lambda g, lot, e: f"(01){g}(10){lot}(17){e}", gtin, serial, expiry),
    st.builds(lambda s: f"(00){s}", sscc),
    st.builds(lambda g, x: f"(414){g}(254){x}", gln, serial.filter(lambda x: x != "0")),
    st.builds(lambda g: f"(417){g}", gln),
    st.builds(lambda g, s: f"(8003)0{g}{s[:16]}", gln, serial),
)


@settings(max_examples=300)
@given(items)
def test_round_trip_element_string_digital_link_epc_urn(hri):
    item = parse(hri, company_prefixes=PREFIXES)
    assert parse(item.to_element_string(), company_prefixes=PREFIXES) == item
    assert parse(item.to_digital_link(), company_prefixes=PREFIXES) == item
    assert parse(item.to_digital_link("https://example.com/x/"), company_prefixes=PREFIXES) == item
    assert item.element_string is not None
    assert parse(item.element_string) == item
    if item.epc_urn is not None and not item.attribute_pairs:
        assert parse(item.epc_urn) == item
        assert parse(item.epc_urn).epc_urn == item.epc_urn
    assert item.epc_urn is not None or item.epc_urn_problem


@given(gtin, st.integers(1, 9))
def test_corrupted_check_digit_is_caught(value, delta):
    bad = value[:-1] + str((int(value[-1]) + delta) % 10)
    for text in (bad, f"(01){bad}", f"https://id.gs1.org/01/{bad}"):
        with pytest.raises(IdentifierError, match="check digit"):
            parse(text)


@settings(max_examples=500)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=st.characters(codec="latin-1")),
        st.text(SET82 + "\x1d()]", max_size=80),
        st.builds(lambda s: "(01)" + s, st.text()),
        st.builds(lambda s: "https://id.gs1.org/" + s, st.text()),
        st.builds(lambda s: "urn:epc:id:sgtin:" + s, st.text()),
        st.builds(lambda s: "88.1.2/" + s, st.text()),
        st.builds(lambda s: "]d2" + s, st.text(string.digits + "\x1d")),
        st.text(min_size=400, max_size=2000),
    )
)
def test_parse_raises_only_identifier_errors(text):
    with contextlib.suppress(IdentifierError):
        parse(text)


@given(st.text(string.digits + "\x1d", max_size=60))
def test_element_string_parser_raises_only_identifier_errors(text):
    with contextlib.suppress(IdentifierError):
        parse_element_string(text)
