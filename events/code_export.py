"""Rows of a minted batch in every spelling a printer, an ERP or a partner needs.

SGTIN and SSCC rows carry the GS1 Digital Link URI (what the QR encodes), the human-readable
element string (printed under the symbol) and the EPC URN (what EPCIS events may carry);
Handle rows carry the handle. Rows stream from the database: memory stays flat for any size.
"""

from __future__ import annotations

from collections.abc import Iterator

from events.domain.code_batches import CodeBatch, CodeScheme
from events.ports import UnitOfWork
from identifiers import Identifier

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


def batch_rows(
    uow: UnitOfWork, batch: CodeBatch, company_prefix_length: int | None
) -> Iterator[tuple[str, ...]]:
    """The header, then one row per code in minting order (call inside ``with uow``)."""
    request = batch.request
    yield COLUMNS[request.scheme]
    for serial in uow.codes.serials(batch.id):
        if request.scheme is CodeScheme.HANDLE:
            yield (f"{request.handle_prefix}/{serial}", str(request.handle_prefix), serial)
        elif request.scheme is CodeScheme.SSCC:
            code = Identifier.from_gs1(
                (("00", serial),), company_prefix_length=company_prefix_length
            )
            yield (code.canonical, code.element_string or "", code.epc_urn or "", serial)
        else:
            yield _sgtin_row(batch, serial, company_prefix_length)


def _sgtin_row(batch: CodeBatch, serial: str, company_prefix_length: int | None) -> tuple[str, ...]:
    request = batch.request
    key = (
        [("01", str(request.gtin))]
        + ([("10", request.lot)] if request.lot else [])
        + [("21", serial)]
    )
    attributes = (("17", request.expiry),) if request.expiry else ()
    code = Identifier.from_gs1(tuple(key), attributes, company_prefix_length=company_prefix_length)
    return (
        code.to_digital_link(),
        code.element_string or "",
        code.epc_urn or "",
        str(request.gtin),
        serial,
        request.lot or "",
        request.expiry or "",
    )
