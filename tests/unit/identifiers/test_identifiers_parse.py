from __future__ import annotations

import pytest

from identifiers import (
    CnDrugCode,
    Gln,
    Gtin,
    HandleId,
    IdentifierError,
    KnownPrefixes,
    ParseError,
    Scheme,
    Sscc,
    parse,
)

GTIN = "09521234543213"


@pytest.mark.parametrize(
    "text",
    [
        f"(01){GTIN}(21)A/B%1",
        f"01{GTIN}21A/B%1",
        f"]d201{GTIN}21A/B%1",
        f"]Q301{GTIN}21A/B%1",
        f"]C1(01){GTIN}(21)A/B%1",
        f"https://id.gs1.org/01/{GTIN}/21/A%2FB%251",
        f"https://example.com/shop/01/{GTIN[1:]}/21/A%2FB%251",
        f"https://example.com/gtin/{GTIN}/ser/A%2FB%251",
        "urn:epc:id:sgtin:9521234.054321.A%2FB%251",
        f"  (01){GTIN}(21)A/B%1\r\n",
    ],
)
def test_every_spelling_of_one_item_is_the_same_identifier(text):
    item = parse(text)
    assert item == parse(f"(01){GTIN}(21)A/B%1")
    assert item.scheme is Scheme.SGTIN
    assert item.canonical == f"https://id.gs1.org/01/{GTIN}/21/A%2FB%251"
    assert item.epc_urn == "urn:epc:id:sgtin:9521234.054321.A%2FB%251"
    assert item.element_string == f"(01){GTIN}(21)A/B%1"
    assert (item.gtin, item.serial) == (GTIN, "A/B%1")


def test_attributes_and_spellings():
    item = parse(f"]d201{GTIN}17261200\x1d10LOT1\x1d21S1")
    assert item.scheme is Scheme.SGTIN
    assert dict(item.attributes) == {"17": "261200"}
    assert item.lot == "LOT1"
    assert item.expiry == "261200"
    assert item.element_string == f"(01){GTIN}(10)LOT1(21)S1(17)261200"
    assert item.to_element_string() == f"01{GTIN}17261200" + "10LOT1\x1d21S1"
    assert item.to_element_string(gs="|") == f"01{GTIN}1726120010LOT1|21S1"
    assert item.to_digital_link() == f"https://id.gs1.org/01/{GTIN}/10/LOT1/21/S1?17=261200"
    assert item.to_digital_link("https://d.example.cn/") == (
        f"https://d.example.cn/01/{GTIN}/10/LOT1/21/S1?17=261200"
    )
    # A serialised item is GTIN + serial: the lot is data about it, not part of its identity.
    assert item.canonical == f"https://id.gs1.org/01/{GTIN}/21/S1"
    assert item.epc_urn == "urn:epc:id:sgtin:9521234.054321.S1"


def test_one_item_in_every_spelling_has_one_canonical_form():
    spellings = [
        f"(01){GTIN}(10)LOT1(21)S1",
        f"https://brand.example.cn/01/{GTIN}/10/LOT1/21/S1?17=261200",
        f"https://id.gs1.org/01/{GTIN}/21/S1",
        "urn:epc:id:sgtin:9521234.054321.S1",
        f"]d201{GTIN}21S1",
    ]
    assert {parse(text).canonical for text in spellings} == {f"https://id.gs1.org/01/{GTIN}/21/S1"}


def test_lgtin_gtin_sscc_sgln_and_friends():
    assert parse(f"(01){GTIN}(10)L1").epc_urn == "urn:epc:class:lgtin:9521234.054321.L1"
    assert parse(f"(01){GTIN}(10)L1").scheme is Scheme.LGTIN
    assert parse(GTIN[1:]).scheme is Scheme.GTIN
    assert parse(GTIN[1:]).epc_urn == "urn:epc:idpat:sgtin:9521234.054321.*"
    sscc = parse("106141411234567897")
    assert (sscc.scheme, sscc.epc_urn) == (Scheme.SSCC, "urn:epc:id:sscc:0614141.1123456789")
    sgln = parse("(414)9521234543213(254)X/1")
    assert (sgln.scheme, sgln.epc_urn) == (Scheme.SGLN, "urn:epc:id:sgln:9521234.54321.X%2F1")
    assert parse("urn:epc:id:sgln:9521234.54321.0").scheme is Scheme.GLN
    assert parse("(417)9521234543213").epc_urn == "urn:epc:id:pgln:9521234.54321"
    assert parse("(8003)09521234543213X1").epc_urn == "urn:epc:id:grai:9521234.54321.X1"
    assert parse("(8004)9521234A/1").epc_urn == "urn:epc:id:giai:9521234.A%2F1"
    assert parse("(253)9521234543213D1").epc_urn == "urn:epc:id:gdti:9521234.54321.D1"


@pytest.mark.parametrize(
    "urn",
    [
        "urn:epc:id:sscc:0614141.1123456789",
        "urn:epc:id:sgln:9521234.54321.X%2F1",
        "urn:epc:id:pgln:9521234.54321",
        "urn:epc:id:grai:9521234.54321.X1",
        "urn:epc:id:giai:9521234.A%2F1",
        "urn:epc:id:gdti:9521234.54321.D1",
        "urn:epc:id:gsrn:9521234.5432100001",
        "urn:epc:id:gsin:9521234.543210000",
        "urn:epc:id:ginc:9521234.X%26Y",
        "urn:epc:class:lgtin:9521234.054321.L%3F1",
    ],
)
def test_urns_round_trip(urn):
    assert parse(urn).epc_urn == urn


def test_company_prefix_from_registered_prefixes_and_unknown():
    item = parse(f"(01){GTIN}(21)1", company_prefixes=frozenset({"95212345"}))
    assert item.epc_urn == "urn:epc:id:sgtin:95212345.04321.1"
    assert parse(f"(01){GTIN}(21)1", company_prefixes=KnownPrefixes(frozenset())).epc_urn
    # GS1 prefix 951 is reserved for GS1 Global Office (GTIN-13 use only as GRAI etc.):
    unknown = parse("(01)09510000000012(21)1")
    if unknown.epc_urn is None:
        assert "Company Prefix length" in (unknown.epc_urn_problem or "")
        with pytest.raises(ParseError, match="Company Prefix length"):
            unknown.to_epc_urn()


def test_urn_none_with_reason_for_cpv():
    item = parse(f"(01){GTIN}(22)V1")
    assert item.epc_urn is None
    with pytest.raises(ParseError, match=r"\(22\)"):
        item.to_epc_urn()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("09521234543214", "check digit should be 3, got 4"),
        (f"(01){GTIN}(10)AB C", "character set 82"),
        (f"(01){GTIN}(17)261301", "month 01-12, got 13"),
        (f"(01){GTIN}(17)260230", "day 00-28"),
        (f"(01){GTIN}(10)" + "A" * 21, "1-20 characters, got 21"),
        ("(10)LOT", "expected a GS1 key"),
        ("https://id.gs1.org/01/09521234543213/21/1/10/2", "in that order"),
        ("urn:epc:id:sgtin:95.054321.1", "6-12 digit company prefix"),
        ("hello", "expected a GS1 element string"),
        ("", "expected a GS1 element string"),
        ("x" * 513, "at most 512"),
    ],
)
def test_errors_say_what_was_expected(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text)


def test_error_hierarchy():
    assert issubclass(ParseError, IdentifierError)
    assert issubclass(IdentifierError, ValueError)


def test_day_00_and_leap_day():
    assert parse(f"(01){GTIN}(17)261200").expiry == "261200"
    assert parse(f"(01){GTIN}(17)280229").expiry == "280229"


def test_handles():
    for text in (
        "88.100.1/abc-123",
        "hdl:88.100.1/abc-123",
        "https://r.example.cn/x/88.100.1/abc-123",
    ):
        item = parse(text)
        assert item.scheme is Scheme.HANDLE
        assert item.canonical == "88.100.1/abc-123"  # case preserved (RFC 3652 §2.1.3)
        assert (item.handle_prefix, item.handle_suffix) == ("88.100.1", "abc-123")
        assert item.epc_urn is None
        assert item.element_string is None
    assert parse("88.100.1/ABC-123").canonical == "88.100.1/ABC-123"
    assert HandleId.parse("88.100.1/设备/1").suffix == "设备/1"
    for bad in ("88.100/x", "88.100.1/", "88.100.1/a b", "88.100.1/" + "x" * 260):
        with pytest.raises(ParseError):
            HandleId.parse(bad)
    with pytest.raises(ParseError, match="GS1 identifier"):
        parse("88.100.1/A").to_digital_link()


def test_drug_code():
    item = parse("81234560000000011234")
    assert item.scheme is Scheme.CN_DRUG_CODE
    assert item.canonical == "81234560000000011234"
    assert item.serial == "000000001"
    assert CnDrugCode.parse(" 81234560000000011234 ").product_code == "8123456"
    with pytest.raises(ParseError):
        CnDrugCode.parse("8123456000000001123")
    # 00 + a valid SSCC is an element string, not a drug code
    assert parse("00106141411234567897").scheme is Scheme.SSCC


def test_key_value_objects():
    assert Gtin.parse("95212340").value == "00000095212340"
    assert Gtin.parse("9521234543213").value == GTIN
    assert Sscc.parse("106141411234567897").value == "106141411234567897"
    assert Gln.parse("9521234543213").value == "9521234543213"
    for cls, bad in ((Gtin, "952123454321"), (Sscc, "10614141123456789"), (Gln, "95212345432")):
        with pytest.raises(ParseError):
            cls.parse(bad)


def test_extras_kept_but_not_identity():
    item = parse(f"https://id.gs1.org/01/{GTIN}?17=261231&utm=x&flag")
    assert item.extras == (("utm", "x"), ("flag", ""))
    assert item == parse(f"(01){GTIN}(17)261231")
    assert item.to_digital_link(extras=True).endswith("?17=261231&utm=x&flag")
