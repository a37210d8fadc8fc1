"""ZPL II text, golden-tested at 203 and 300 dpi (regenerate: ONECODE_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import io
import os
import re
import socket
import threading

import pytest

from identifiers import GS, parse
from label_printing import LabelError, LabelFields, LabelJob, render
from label_printing.printer import send
from label_printing.zpl import gs1_128_data

from .conftest import GOLDEN

GTIN = "06901234000016"
CASES = {
    "consumer": (
        f"(01){GTIN}(21)ABC123",
        LabelFields(
            product_zh="海南椰子汁", product_en="Hainan coconut juice", lot="L2401", expiry="270630"
        ),
    ),
    "pharma": (
        f"(01){GTIN}(21)ABC123",
        LabelFields(
            product_zh="阿莫西林胶囊", product_en="Amoxicillin capsules", lot="B7", expiry="261200"
        ),
    ),
    "logistics": (
        "(00)069012340000000016",
        LabelFields(
            ship_from="海南椰子 Coconut Co",
            ship_to="北京仓 Beijing DC",
            content_gtin=GTIN,
            count=24,
            lot="L2401",
            expiry="270630",
        ),
    ),
}


def zpl(template: str, dpi: int) -> str:
    code, fields = CASES[template]
    out = io.BytesIO()
    render(LabelJob(template, [parse(code)], fields), "zpl", out, dpi=dpi)
    return out.getvalue().decode()


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("template", sorted(CASES))
def test_zpl_matches_golden(template: str, dpi: int) -> None:
    path = GOLDEN / f"{template}_{dpi}.zpl"
    text = zpl(template, dpi)
    if os.environ.get("ONECODE_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_datamatrix_field_starts_with_fnc1_and_separates_with_fnc1() -> None:
    field = re.search(r"\^BXN,\d+,200,0,0,1,#\^FD([^^]*)\^FS", zpl("pharma", 203))
    assert field is not None
    assert field[1].replace("#1", GS)[1:] == f"01{GTIN}1726120010B7{GS}21ABC123"
    assert field[1].startswith("#1")


@pytest.mark.parametrize(
    ("raw", "data"),
    [
        ("00069012340000000016", ">;>800069012340000000016"),
        (f"02{GTIN}3724", f">;>802{GTIN}3724"),
        ("1727063010L2401", ">;>81727063010>6L>52401"),
        (f"10A>B{GS}21123456", ">;>810>6A><B>8>521123456"),
    ],
)
def test_gs1_128_field_data_switches_code_sets(raw: str, data: str) -> None:
    assert gs1_128_data(raw) == data


def test_zpl_refuses_unknown_dpi_and_template() -> None:
    with pytest.raises(LabelError, match="dpi"):
        render(LabelJob("consumer", [parse(f"(01){GTIN}")]), "zpl", io.BytesIO(), dpi=600)
    with pytest.raises(LabelError, match="ZPL for template"):
        render(LabelJob("a4-24", [parse(f"(01){GTIN}")]), "zpl", io.BytesIO())


def test_send_to_a_fake_printer_on_localhost() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    received = bytearray()

    def accept() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=accept)
    thread.start()
    label = zpl("consumer", 203).encode()
    send(label, "127.0.0.1", server.getsockname()[1])
    thread.join(5)
    server.close()
    assert bytes(received) == label
