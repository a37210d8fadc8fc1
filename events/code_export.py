"""Rows of a minted batch in every spelling a printer, an ERP or a partner needs.

SGTIN and SSCC rows carry the GS1 Digital Link URI (what the QR encodes), the human-readable
element string (printed under the symbol) and the EPC URN (what EPCIS events may carry);
Handle rows carry the handle. Rows stream from the database: memory stays flat for any size.
"""

from __future__ import annotations

from collections.abc import Iterator

from events.domain.code_batches import CodeBatch, CodeScheme
from events.domain.organisations import Organisation
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
    for serial in uow.codes.serials(batch.id, offset=offset, limit=limit):
        if request.scheme is CodeScheme.HANDLE:
            yield (f"{request.handle_prefix}/{serial}", str(request.handle_prefix), serial)
        elif request.scheme is CodeScheme.SSCC:
            code = Identifier.from_gs1((("00", serial),), company_prefix_length=prefix_length)
            yield (code.canonical, code.element_string or "", code.epc_urn or "", serial)
        else:
            yield _sgtin_row(batch, serial, prefix_length)


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
