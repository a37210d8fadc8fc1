"""``read_document`` and ``read_event``: bytes and a media type in, normalised events out.

References:
    EPCIS 2.0 §8.2.10 (EPCISDocument), REST binding ``POST /capture`` and ``POST /events``;
    §10 (XML binding), §11 (JSON-LD binding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from events.codec.errors import EpcisValidationError, FieldError
from events.codec.jsonld import RawDocument, read_json_document, read_json_event
from events.codec.xml_reader import read_xml_document, read_xml_event

__all__ = ["CaptureDocument", "read_document", "read_event"]

_JSON: Final = frozenset({"application/json", "application/ld+json"})
_XML: Final = frozenset({"application/xml", "text/xml"})


@dataclass(frozen=True, slots=True)
class CaptureDocument:
    """A read document: events in document order, master data and header facts.

    ``hash_ignored`` holds the Clark keys a document's ``ignoreFields`` extension asks the
    event hash to leave out (empty for nearly every document).
    """

    events: tuple[dict[str, object], ...]
    master_data: tuple[dict[str, object], ...]
    schema_version: str
    creation_date: str | None
    hash_ignored: frozenset[str] = field(default=frozenset())


def _kind(media_type: str) -> str:
    base = media_type.split(";", 1)[0].strip().lower()
    if base in _JSON or base.endswith("+json"):
        return "json"
    if base in _XML or base.endswith("+xml"):
        return "xml"
    raise EpcisValidationError(
        [FieldError("Content-Type", f"unsupported media type {media_type!r}")]
    )


def read_document(body: bytes, media_type: str, *, validate: bool = True) -> CaptureDocument:
    """Read an EPCISDocument or EPCISQueryDocument in either binding.

    ``validate=False`` skips the JSON Schema and keeps events that fail our own checks (for
    hashing third-party documents and diagnostics); never use it on the capture path.

    Raises:
        EpcisValidationError: for anything that is not a valid EPCIS 2.0 (or 1.2 XML) document.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise EpcisValidationError([FieldError("$", "expected bytes")])
    raw: RawDocument
    if _kind(media_type) == "json":
        raw = read_json_document(bytes(body), validate=validate)
    else:
        raw = read_xml_document(bytes(body), validate=validate)
    return CaptureDocument(
        events=tuple(raw.events),
        master_data=tuple(raw.master_data),
        schema_version=raw.schema_version,
        creation_date=raw.creation_date,
        hash_ignored=raw.ignored,
    )


def read_event(body: bytes, media_type: str, *, validate: bool = True) -> dict[str, object]:
    """Read one bare event (``POST /events``)."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise EpcisValidationError([FieldError("$", "expected bytes")])
    if _kind(media_type) == "json":
        return read_json_event(bytes(body), validate=validate)
    return read_xml_event(bytes(body), validate=validate)
