"""PDF labels: every template rasterised with PDFium and decoded in full with zxing-cpp."""

from __future__ import annotations

import io
import re

import pytest
from tests_support_pdf import pdf_text

from identifiers import GS, Identifier, parse
from label_printing import LabelError, LabelFields, LabelJob, font_is_embedded, render, symbol_for

GTIN = "06901234000016"
FIELDS = LabelFields(
    product_zh="海南椰子汁", product_en="Hainan coconut juice", lot="L2401", expiry="270630"
)


def pdf_of(template: str, codes: list[Identifier], fields: LabelFields = FIELDS) -> bytes:
    out = io.BytesIO()
    assert render(LabelJob(template, iter(codes), fields), "pdf", out) == len(codes)
    return out.getvalue()


def sgtins(n: int) -> list[Identifier]:
    return [parse(f"(01){GTIN}(21)S{i:05d}X") for i in range(n)]


def test_consumer_label_decodes_and_carries_lot_and_expiry(rasterise, decode) -> None:
    [page] = rasterise(pdf_of("consumer", sgtins(1)))
    uri = f"https://id.gs1.org/01/{GTIN}/10/L2401/21/S00000X?17=270630"
    assert decode(page) == [f"]Q1{uri}"]


def test_pharma_label_is_gs1_datamatrix_with_fnc1_and_gs(rasterise, decode) -> None:
    code = parse(f"(01){GTIN}(21)ABC123")
    fields = LabelFields(
        product_zh="阿莫西林胶囊", lot="B7", expiry="261200", national_code="1234567"
    )
    [page] = rasterise(pdf_of("pharma", [code], fields))
    assert decode(page) == [f"]d201{GTIN}1726120010B7{GS}21ABC123{GS}7141234567"]


def test_pharma_label_prints_a_drug_code_as_code_128(rasterise, decode) -> None:
    [page] = rasterise(pdf_of("pharma", [parse("81234567890123456789")], LabelFields()))
    assert decode(page) == ["]C081234567890123456789"]


def test_logistics_label_has_sscc_and_content_gs1_128(rasterise, decode) -> None:
    fields = LabelFields(
        ship_from="海南椰子 Coconut Co",
        ship_to="北京仓 Beijing DC",
        content_gtin=GTIN,
        count=24,
        lot="L2401",
        expiry="270630",
    )
    [page] = rasterise(pdf_of("logistics", [parse("(00)069012340000000016")], fields))
    assert decode(page) == sorted(
        [
            "]C100069012340000000016",
            f"]C102{GTIN}3724",
            "]C11727063010L2401",
        ]
    )


def test_delivery_ticket_has_the_handle_qr_and_net_weight(rasterise, decode) -> None:
    fields = LabelFields(
        truck="琼A12345",
        gross_kg=32000,
        tare_kg=14000,
        mix="C30",
        customer="海口建工",
        site="美兰机场二期",
        batched_at="2025-11-26 08:30",
    )
    pdf = pdf_of("delivery-ticket", [parse("88.100.1/ABC-123")], fields)
    [page] = rasterise(pdf, dpi=200)
    assert page.size == (1166, 1654)  # A5 (148 × 210 mm) at 200 dpi
    assert decode(page) == ["]Q188.100.1/ABC-123"]
    assert "18,000 kg" in pdf_text(pdf)


def test_a4_sheet_of_24_decodes_in_full(rasterise, decode) -> None:
    codes = sgtins(24)
    [page] = rasterise(pdf_of("a4-24", codes))
    expected = sorted(
        symbol_for(kind, parse(f"{c.element_string}(10)L2401(17)270630")).payload
        for c in codes
        for kind in ("qr", "datamatrix")
    )
    assert decode(page) == expected


def test_a_long_batch_streams_into_many_pages(rasterise, decode) -> None:
    codes = sgtins(24 * 11 + 5)  # more than one chunk of pages, and a partly filled last page
    pdf = pdf_of("a4-24", codes)
    pages = int(re.search(rb"/Count (\d+)", pdf)[1])  # type: ignore[index]
    assert pages == 12
    [last] = rasterise(pdf, dpi=300, first=12, last=12)
    assert len(decode(last)) == 10  # five labels: QR + DataMatrix each


def test_chinese_and_english_text_is_embedded_and_extractable() -> None:
    pdf = pdf_of("consumer", sgtins(1))
    text = pdf_text(pdf)
    for words in (
        "海南椰子汁",
        "Hainan coconut juice",
        "批号 Lot: L2401",
        "有效期至 Exp.: 2027-06-30",
    ):
        assert words in text
    assert font_is_embedded()
    assert b"/FontFile2" in pdf  # the TrueType subset is in the file


def test_symbols_are_vector_not_images() -> None:
    pdf = pdf_of("a4-24", sgtins(2))
    assert b"/Image" not in pdf.replace(b"/ImageB /ImageC /ImageI", b"")


@pytest.mark.parametrize(
    ("template", "code", "fields", "words"),
    [
        ("consumer", f"(01){GTIN}(21)A", LabelFields(expiry="271301"), "month 01-12"),
        ("consumer", f"(01){GTIN}(21)A", LabelFields(lot="L 1"), "(10)"),
        ("consumer", f"(01){GTIN}(10)X(21)A", LabelFields(lot="Y"), "carries 'X'"),
        ("logistics", f"(01){GTIN}(21)A", LabelFields(), "needs an SSCC"),
        ("logistics", "(00)069012340000000016", LabelFields(count=5), "go together"),
        ("delivery-ticket", "88.100.1/T1", LabelFields(gross_kg=1000, tare_kg=2000), "tare"),
        ("nope", "88.100.1/T1", LabelFields(), "unknown template"),
    ],
)
def test_label_data_breaking_rules_is_refused(template, code, fields, words) -> None:
    with pytest.raises(LabelError, match=re.escape(words)):
        pdf_of(template, [parse(code)], fields)


def test_empty_job_is_refused() -> None:
    with pytest.raises(LabelError, match="no codes"):
        pdf_of("consumer", [])


def test_stitched_pdf_has_a_correct_cross_reference_table() -> None:
    pdf = pdf_of("consumer", sgtins(300))  # two chunks
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref : xref + 4] == b"xref"
    rows = re.findall(rb"(\d{10}) 00000 n", pdf[xref:])
    for number, offset in enumerate(rows, 1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    assert int(re.search(rb"/Count (\d+)", pdf)[1]) == 300  # type: ignore[index]
