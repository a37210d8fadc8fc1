"""GS1 Digital Link <-> element string vectors, read in place from the shared corpus.

Source: Solidsoft-Reply/Gs1DigitalLinkLib ``Tests/Features/*.feature`` (Apache-2.0), copied
to ``shared/conformance/gs1-identifiers/digital-link-vectors-gherkin``. Only the Gherkin
``Examples:`` tables of Scenario Outlines are read.

Not run, on purpose:
* compressed and partially compressed Digital Links (every scenario whose title says
  "compress"): this package does not implement DL compression yet;
* ``AdditionalUriContent.feature`` and ``TableTests.feature``: free-form scenarios and the
  library's own table layout, not conversion vectors (the AI table is checked against
  the Syntax Dictionary in ``test_identifiers_ai_table.py``);
* "without validation" scenarios: this package always validates.

Element strings are compared as AI/value pairs, not byte for byte: the order of AIs in an
element string is free (GS1 Gen Spec §7.8.5 only asks pre-defined length AIs to come
first), and the library that wrote the vectors orders the others in its own way.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from identifiers import ParseError, parse, parse_element_string

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
FEATURES = CORPUS / "gs1-identifiers" / "digital-link-vectors-gherkin"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def outlines(name: str) -> list[tuple[str, dict[str, str]]]:
    """(scenario title, example row) for every Examples row of every Scenario Outline."""
    rows: list[tuple[str, dict[str, str]]] = []
    title, header, in_examples = "", None, False
    for raw in (FEATURES / name).read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if line.startswith("Scenario"):
            title, header, in_examples = line.split(":", 1)[1].strip(), None, False
        elif line.startswith("Examples:"):
            in_examples = True
        elif in_examples and line.startswith("|"):
            if header is None:
                header = _cells(line)
            else:
                rows.append((title, dict(zip(header, _cells(line), strict=False))))
        elif line and not line.startswith("|"):
            in_examples = False
    return rows


def _gs(text: str) -> str:
    return text.replace("<GS>", "\x1d").replace("<gs>", "\x1d")


def _pairs(element_string: str) -> set[tuple[str, str]]:
    return set(parse_element_string(_gs(element_string)))


def _all_pairs(uri_or_text: str) -> set[tuple[str, str]]:
    item = parse(uri_or_text)
    return set(item.key + item.attribute_pairs)


# Excluded vectors, by the value that makes them wrong:
# (8006) ITIP 05412345000013 piece "02" of total "01": the Syntax Dictionary's
# ``pieceoftotal`` linter (and GS1 Gen Spec §3.9.x, AI 8006: piece number <= total) makes
# this invalid, so we refuse it; ``test_excluded_itip_vectors_are_refused`` checks that.
# (410)-(413), (416) as Digital Link primary keys (also spelled shipTo, billTo,
# purchasedFrom, shipFor, glnProd): primary keys in Digital Link 1.0/1.1, but the current
# GS1 Syntax Dictionary gives them no ``dlpkey`` (they are data attributes), so a path
# /410/… is not a Digital Link we accept; ``test_excluded_gln_role_vectors_are_refused``.
WRONG_VECTOR_VALUES = ("054123450000130201",)
OLD_PRIMARY_KEYS = re.compile(
    r"41[01236]\)?/?5060917510004|/(?:shipTo|billTo|purchasedFrom|shipFor|glnProd)/"
)


def _is_wrong(row: dict[str, str]) -> bool:
    return any(
        bad in cell or OLD_PRIMARY_KEYS.search(cell)
        for cell in row.values()
        for bad in WRONG_VECTOR_VALUES
    )


def _uncompressed(rows: list[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, str]]]:
    return [(t, r) for t, r in rows if "compress" not in t.lower() and not _is_wrong(r)]


def _ids(rows: list[tuple[str, dict[str, str]]]) -> list[str]:
    return [f"{t[:40]}|{next(iter(r.values()))[:60]}" for t, r in rows]


DL_TO_ES = _uncompressed(outlines("Gs1DigitalLinkToGs1ElementStrings.feature"))
ES_TO_DL = [
    (t, r)
    for t, r in _uncompressed(outlines("Gs1ElementStringsToGs1DigitalLink.feature"))
    if "invalid" not in t.lower()
]
INVALID_STEMS = [
    r
    for t, r in outlines("Gs1ElementStringsToGs1DigitalLink.feature")
    if "invalid uri stem" in t.lower()
]
EXTRACT_DL = _uncompressed(outlines("ExtractFromGs1DigitalLink.feature"))
EXTRACT_ES = outlines("ExtractFromGs1ElementStrings.feature")


def test_corpus_is_there_and_tables_were_read():
    assert len(DL_TO_ES) > 100
    assert len(ES_TO_DL) > 150
    assert len(EXTRACT_DL) > 40
    assert INVALID_STEMS


@pytest.mark.parametrize("ai", ["410", "411", "412", "413", "416"])
def test_excluded_gln_role_vectors_are_refused(ai):
    with pytest.raises(ParseError):
        parse(f"https://id.gs1.org/{ai}/5060917510004")


def test_excluded_itip_vectors_are_refused():
    with pytest.raises(ParseError, match="piece"):
        parse("https://id.gs1.org/8006/054123450000130201")


@pytest.mark.parametrize(("title", "row"), DL_TO_ES, ids=_ids(DL_TO_ES))
def test_digital_link_to_element_string(title, row):
    item = parse(row["digitalLink"])
    expected = _pairs(row["elementStrings"])
    assert set(item.key + item.attribute_pairs) == expected
    assert set(parse_element_string(item.to_element_string())) == expected
    assert set(parse_element_string(item.element_string or "")) == expected


@pytest.mark.parametrize(("title", "row"), ES_TO_DL, ids=_ids(ES_TO_DL))
def test_element_string_to_digital_link(title, row):
    item = parse(_gs(row["elementString"]))
    expected = row["digitalLink"]
    if "short" in title.lower():
        # We write numeric AIs only (short names are deprecated since DL 1.1); the
        # vector must read back to the same identifier.
        assert parse(expected) == item
        return
    parts = urlsplit(expected)
    domain = row.get("uriStem") or f"{parts.scheme}://{parts.netloc}"
    assert item.to_digital_link(domain) == expected


@pytest.mark.parametrize("row", INVALID_STEMS, ids=[r["uriStem"] for r in INVALID_STEMS])
def test_invalid_uri_stem_is_refused(row):
    item = parse(_gs(row["elementString"]))
    with pytest.raises(ParseError, match="stem"):
        item.to_digital_link(row["uriStem"])


def _expected_ai_values(row: dict[str, str]) -> set[tuple[str, str]]:
    return {(row[f"AI{i}"], row[f"Value{i}"]) for i in range(1, 5) if row.get(f"AI{i}")}


@pytest.mark.parametrize(("title", "row"), EXTRACT_DL, ids=_ids(EXTRACT_DL))
def test_extract_from_digital_link(title, row):
    assert _expected_ai_values(row) <= _all_pairs(row["digitalLink"])


@pytest.mark.parametrize(("title", "row"), EXTRACT_ES, ids=_ids(EXTRACT_ES))
def test_extract_from_element_string(title, row):
    text = _gs(row["elementString"])
    if "AI1" in row:
        assert _expected_ai_values(row) <= set(parse_element_string(text))
    else:  # the symbology identifier scenario
        assert {("01", "05412345000013"), ("10", "ABC123")} <= _all_pairs(text)


@pytest.mark.parametrize(
    "text",
    [
        "(01)05412345000013(15)ABCDEF",
        "010541234500001310ABC123\x1d15ABCDEF",
        "(49)991234567890",
        "49991234567890",
    ],
)
def test_invalid_element_strings_from_the_feature_are_refused(text):
    with pytest.raises(ParseError):
        parse(text)


def test_group_separator_scenario():
    pairs = parse_element_string("0105412345000013310300018939232172\x1d10ABC123")
    assert pairs == (
        ("01", "05412345000013"),
        ("3103", "000189"),
        ("3923", "2172"),
        ("10", "ABC123"),
    )
