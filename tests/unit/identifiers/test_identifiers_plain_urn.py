"""The shortcuts of ``read`` agree with the general parse (``identifiers._parse``).

``_plain_urn`` answers SGTIN, LGTIN and SSCC URNs without escapes, ``_plain_link`` canonical
Digital Links of an SGTIN, LGTIN, GTIN or SSCC; for anything else they must decline. Strings are
built around their edges: other schemes and stems, company prefixes of 0-14 digits, references
that do or do not complete the partition, serials with escapes, dots, spaces and non-ASCII
digits, upper-case prefixes, bad check digits, queries, trailing slashes and whitespace.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifiers import gs1_check_digit
from identifiers._parse import _parsed, _plain_link, _plain_urn, read

SERIAL_CHARS = string.ascii_letters + string.digits + "_.-%2F~ /\u0663*!"
schemes = st.sampled_from(
    [
        "urn:epc:id:sgtin:",
        "urn:epc:class:lgtin:",
        "urn:epc:id:sscc:",
        "URN:EPC:ID:sgtin:",
        "urn:epc:idpat:sgtin:",
        "urn:epc:id:sgln:",
    ]
)
numbers = st.text(string.digits + "\u0663", min_size=0, max_size=14)
serials = st.text(SERIAL_CHARS, min_size=0, max_size=22)
spaces = st.sampled_from(["", "", "", " ", "\t"])


@st.composite
def near_plain(draw: st.DrawFn) -> str:
    scheme = draw(schemes)
    company = draw(numbers)
    # mostly a reference that completes the partition, sometimes not
    total = 17 if "sscc" in scheme else 13
    reference = draw(
        st.one_of(
            st.text(
                string.digits,
                min_size=max(0, total - len(company)),
                max_size=max(0, total - len(company)),
            ),
            numbers,
        )
    )
    parts = [company, reference]
    if "sscc" not in scheme or draw(st.booleans()):
        parts.append(draw(serials))
    return draw(spaces) + scheme + ".".join(parts) + draw(spaces)


@settings(max_examples=2000)
@given(near_plain())
def test_shortcut_agrees_with_the_general_parse(text: str) -> None:
    shortcut = _plain_urn(text)
    assert shortcut is None or shortcut == _parsed(text)


@settings(max_examples=300)
@given(
    st.integers(6, 12).flatmap(
        lambda n: st.tuples(
            st.text(string.digits, min_size=n, max_size=n),
            st.text(string.digits, min_size=13 - n, max_size=13 - n),
            st.text(string.ascii_letters + string.digits + "_.-", min_size=1, max_size=20),
        )
    )
)
def test_plain_sgtins_take_the_shortcut(parts: tuple[str, str, str]) -> None:
    text = "urn:epc:id:sgtin:" + ".".join(parts)
    assert _plain_urn(text) is not None
    assert read(text) == _parsed(text)
    assert read(text).problem is None


def test_plain_sscc_takes_the_shortcut() -> None:
    text = "urn:epc:id:sscc:6972202.0000401900"
    assert _plain_urn(text) == _parsed(text)
    assert read(text).canonical == "https://id.gs1.org/00/069722020004019008"


def test_plain_lgtin_takes_the_shortcut() -> None:
    text = "urn:epc:class:lgtin:6971103.010003.SUGAR-260528G1"
    assert _plain_urn(text) == _parsed(text)
    assert read(text).canonical == "https://id.gs1.org/01/06971103100031/10/SUGAR-260528G1"


links = st.builds(
    lambda stem, ai, digits, rest, end: f"{stem}/{ai}/{digits}{rest}{end}",
    st.sampled_from(
        ["https://id.gs1.org", "https://id.gs1.org", "http://id.gs1.org", "https://x.org"]
    ),
    st.sampled_from(["01", "00", "414", "01"]),
    st.one_of(
        st.text(string.digits, min_size=14, max_size=14).map(
            lambda d: d[:-1] + str(gs1_check_digit(d[:-1]))
        ),
        st.text(string.digits, min_size=18, max_size=18).map(
            lambda d: d[:-1] + str(gs1_check_digit(d[:-1]))
        ),
        numbers,
    ),
    st.one_of(
        st.just(""),
        st.builds(lambda q, v: f"/{q}/{v}", st.sampled_from(["21", "10", "22", "21"]), serials),
    ),
    st.sampled_from(["", "", "", "/", "?17=261231", " "]),
)


@settings(max_examples=2000)
@given(links)
def test_link_shortcut_agrees_with_the_general_parse(text: str) -> None:
    shortcut = _plain_link(text)
    assert shortcut is None or shortcut == _parsed(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://id.gs1.org/01/09521234543213/21/A1234567",
        "https://id.gs1.org/01/09521234543213/10/LOT-1",
        "https://id.gs1.org/01/09521234543213",
        "https://id.gs1.org/00/095212345000000018",
    ],
)
def test_canonical_links_take_the_shortcut(text: str) -> None:
    assert _plain_link(text) is not None
    assert read(text) == _parsed(text)
    assert read(text).canonical == text
