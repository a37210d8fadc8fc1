"""Rows of a minted batch in every spelling a printer, an ERP or a partner needs.

SGTIN and SSCC rows carry the GS1 Digital Link URI (what the QR encodes), the human-readable
element string (printed under the symbol) and the EPC URN (what EPCIS events may carry);
Handle rows carry the handle. Rows stream from the database: memory stays flat for any size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote

from events.domain.code_batches import CodeBatch, CodeScheme
from events.domain.organisations import Organisation
from events.ports import UnitOfWork
from identifiers import Identifier, escape_epc_component

COLUMNS: dict[CodeScheme, tuple[str, ...]] = {
    CodeScheme.SGTIN: (
        "digital_link",
        "element_string",
        "epc_urn",
        "gtin",
        "serial",
        "lot",
        "expiry",
    ),
    CodeScheme.SSCC: ("digital_link", "element_string", "epc_urn", "sscc"),
    CodeScheme.HANDLE: ("handle", "prefix", "suffix"),
}


def company_prefix_length(batch: CodeBatch, organisation: Organisation | None) -> int | None:
    """The length of the owner's company prefix that the batch's GTIN or SSCC is under."""
    request = batch.request
    digits = request.company_prefix or (request.gtin or "")[1:]
    prefixes = organisation.company_prefixes if organisation else ()
    return next((len(p) for p in prefixes if digits.startswith(p)), None)


def batch_rows(
    uow: UnitOfWork, batch: CodeBatch, *, offset: int = 0, limit: int | None = None
) -> Iterator[tuple[str, ...]]:
    """One row per code in minting order, columns as ``COLUMNS`` (call inside ``with uow``)."""
    request = batch.request
    prefix_length = company_prefix_length(batch, uow.organisations.by_id(batch.organisation_id))
    serials = uow.codes.serials(batch.id, offset=offset, limit=limit)
    if request.scheme is CodeScheme.SGTIN:
        yield from sgtin_rows(batch, serials, prefix_length)
        return
    for serial in serials:
        if request.scheme is CodeScheme.HANDLE:
            yield (f"{request.handle_prefix}/{serial}", str(request.handle_prefix), serial)
        else:
            code = Identifier.from_gs1((("00", serial),), company_prefix_length=prefix_length)
            yield (code.canonical, code.element_string or "", code.epc_urn or "", serial)


# Passes unchanged through Digital Link percent-encoding and EPC URN escaping.
_MARK = "Q7SERIALMARK7Q"
# How the serial is written in each SGTIN column (others carry it as it is).
_ENCODERS: dict[str, Callable[[str], str]] = {
    "digital_link": lambda serial: quote(serial, safe=""),  # as build_digital_link does
    "epc_urn": escape_epc_component,
}


def sgtin_rows(
    batch: CodeBatch, serials: Iterable[str], prefix_length: int | None
) -> Iterator[tuple[str, ...]]:
    """SGTIN rows for many serials of one batch: the row is built once, the serial spliced in.

    Equal to ``_sgtin_row`` for every serial (a property test holds it to that), and several
    times faster, because only the serial's own encoding is done per row.
    """
    cells = _sgtin_row(batch, _MARK, prefix_length)
    if any(cell.count(_MARK) > 1 for cell in cells):  # the mark occurs in the lot: no shortcut
        yield from (_sgtin_row(batch, serial, prefix_length) for serial in serials)
        return
    template = [cell.split(_MARK) for cell in cells]
    encoders = [_ENCODERS.get(column) for column in COLUMNS[CodeScheme.SGTIN]]
    for serial in serials:
        plain = serial.isascii() and serial.isalnum()  # needs no encoding anywhere
        yield tuple(
            parts[0]
            if len(parts) == 1
            else parts[0] + (serial if plain or encode is None else encode(serial)) + parts[1]
            for parts, encode in zip(template, encoders, strict=True)
        )


def _sgtin_row(batch: CodeBatch, serial: str, prefix_length: int | None) -> tuple[str, ...]:
    request = batch.request
    lot = [("10", request.lot)] if request.lot else []
    key = (("01", str(request.gtin)), *lot, ("21", serial))
    attributes = (("17", request.expiry),) if request.expiry else ()
    code = Identifier.from_gs1(key, attributes, company_prefix_length=prefix_length)
    return (
        code.to_digital_link(),
        code.element_string or "",
        code.epc_urn or "",
        str(request.gtin),
        serial,
        request.lot or "",
        request.expiry or "",
    )
