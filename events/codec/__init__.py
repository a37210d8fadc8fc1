"""EPCIS 2.0 bindings: JSON-LD and XML (2.0 and 1.2) in, one normalised event shape out.

References:
    GS1 EPCIS 2.0 §9-§11 (schemas and bindings); GS1 CBV 2.0.
"""

from events.codec.document import CaptureDocument, read_document, read_event
from events.codec.errors import EpcisValidationError, FieldError
from events.codec.jsonld_writer import write_event, write_query_document
from events.codec.xml_writer import write_event_xml, write_events_xml

__all__ = [
    "CaptureDocument",
    "EpcisValidationError",
    "FieldError",
    "read_document",
    "read_event",
    "write_event",
    "write_event_xml",
    "write_events_xml",
    "write_query_document",
]
