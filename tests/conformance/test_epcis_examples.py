"""Every published EPCIS example is read; every negative example is refused with a field.

References: EPCIS 2.0 §9-§11; the gs1/EPCIS and openepcis-test-resources example sets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from events.codec import EpcisValidationError, read_document, read_event
from events.codec.shape import EVENT_TYPES

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
EXAMPLES = CONFORMANCE / "epcis-examples"
OPEN20 = EXAMPLES / "openepcis" / "2.0" / "EPCIS"
VALID_DIRS = [
    EXAMPLES / "gs1-epcis" / "json",
    EXAMPLES / "gs1-epcis" / "json-simple-context",
    EXAMPLES / "gs1-epcis" / "xml",
    EXAMPLES / "gs1-epcis" / "xml-1.2",
    OPEN20 / "JSON" / "Capture" / "Documents",
    OPEN20 / "XML" / "Capture" / "Documents",
    EXAMPLES / "openepcis" / "1.2" / "EPCIS" / "XML" / "Capture" / "Documents",
]
BARE_EVENT_DIRS = [OPEN20 / "JSON" / "Capture" / "Events", OPEN20 / "XML" / "Capture" / "Events"]
BARE_EVENT_FILES = {"Single_event.xml", "Single_event_with_namespace.xml"}  # 1.2, no document
INVALID_DIRS = [OPEN20 / "JSON" / "Capture" / "Invalid", OPEN20 / "XML" / "Capture" / "Invalid"]

NOT_EPCIS_EVENT_DOCUMENTS = {
    "Example-CaptureJobRunning.xml": "a CaptureJob resource, not an EPCIS document",
    "Example-CaptureJobSuccess.xml": "a CaptureJob resource, not an EPCIS document",
    "Example-CaptureJobWithErrorFile.xml": "a CaptureJob resource, not an EPCIS document",
    "Example-CaptureJobWithErrors.xml": "a CaptureJob resource, not an EPCIS document",
    "Example-masterData.xml": "an EPCISMasterDataDocument (no events)",
}
_TYPED_SENSOR = "sensorElement carries an un-namespaced 'type' key"
_FULL = "json-simple-context/WithFullCombinationOfFields/"
_SENSORS = "json-simple-context/WithSensorData/"
ACTUALLY_INVALID = {
    "json-simple-context/Example-TransactionEvents-2020_07_03y.jsonld": "sourceList is an object",
    "json-simple-context/PersistentDisposition-example.jsonld": "event id is not a URI",
    _FULL + "aggregation_event_all_possible_fields.jsonld": _TYPED_SENSOR,
    _FULL + "association_event_all_possible_fields.jsonld": _TYPED_SENSOR,
    _FULL + "object_event_all_possible_fields.jsonld": _TYPED_SENSOR + "; OBSERVE with ilmd",
    _FULL + "transaction_event_all_possible_fields.jsonld": _TYPED_SENSOR,
    _FULL + "transformation_event_all_possible_fields.jsonld": _TYPED_SENSOR,
    _SENSORS + "SensorDataExample12.jsonld": "schemaVersion missing",
    _SENSORS + "SensorDataExample14.jsonld": _TYPED_SENSOR,
    _SENSORS + "SensorDataExample15.jsonld": _TYPED_SENSOR,
    _SENSORS + "SensorDataExample17.jsonld": "schemaVersion is a number",
    "xml/WithEventHashID/event_with_identical_hash_id_7.json": (
        "CBV URNs where the JSON schema wants bare terms (a deliberate equivalence test)"
    ),
    "xml-1.2/AssociationEvent.xml": "sensorMetaData (wrong case) is not an EPCIS element",
    "xml-1.2/ObjectEvent.xml": "un-namespaced myField extension",
    "Documents/Combination_of_different_event.json": "GRAI 0300134500077 has a bad check digit",
    "Documents/Combination_of_different_event.xml": "GRAI 0300134500077 has a bad check digit",
    "Documents/SensorData_with_combined_events.json": "a sensorReport lacks 'type'",
    "Documents/SensorData_with_combined_events.xml": "GRAI 9520122000000 check digit / length",
    "Documents/TransactionEvent_with_userExtensions.json": (
        "sensorReport type 'EffectiveDoseRate' is not a GS1 measurement type"
    ),
    "Documents/All_eventTypes_in_single_document.xml": "GRAI 0391234500077 has a bad check digit",
}
NOT_DETECTED = {
    "ObjectEvent_with_wrong_element_order.xml": "element order needs XSD validation (not run)",
}


def _key(path: Path) -> str:
    return (
        "/".join(path.parts[-3:])
        if path.parent.name in {"WithFullCombinationOfFields", "WithSensorData", "WithEventHashID"}
        else "/".join(path.parts[-2:])
    )


def _excluded(path: Path) -> bool:
    key = _key(path)
    return path.name in NOT_EPCIS_EVENT_DOCUMENTS or any(key.endswith(k) for k in ACTUALLY_INVALID)


def _media(path: Path) -> str:
    return "application/ld+json" if path.suffix in (".json", ".jsonld") else "application/xml"


VALID = sorted(
    p for d in VALID_DIRS for p in d.rglob("*") if p.is_file() and p.name not in BARE_EVENT_FILES
)
BARE = sorted(p for d in BARE_EVENT_DIRS for p in d.iterdir()) + sorted(
    p for p in VALID_DIRS[-1].iterdir() if p.name in BARE_EVENT_FILES
)
INVALID = sorted(p for d in INVALID_DIRS for p in d.iterdir() if p.name not in NOT_DETECTED)


@pytest.mark.parametrize("path", [p for p in VALID if not _excluded(p)], ids=_key)
def test_valid_documents_are_read(path: Path) -> None:
    document = read_document(path.read_bytes(), _media(path))
    assert document.events or document.master_data  # masterdata_all_possible_fields: no events
    assert all(event["type"] in EVENT_TYPES for event in document.events)


@pytest.mark.parametrize("path", [p for p in VALID if _excluded(p)], ids=_key)
def test_excluded_documents_are_refused_or_not_event_documents(path: Path) -> None:
    with pytest.raises(EpcisValidationError):
        read_document(path.read_bytes(), _media(path))


@pytest.mark.parametrize("path", BARE, ids=_key)
def test_bare_events_are_read(path: Path) -> None:
    event = read_event(path.read_bytes(), _media(path))
    assert event["type"] in EVENT_TYPES


@pytest.mark.parametrize("path", INVALID, ids=_key)
def test_invalid_documents_are_refused_with_a_field(path: Path) -> None:
    reader = read_event if "bare_event" in path.name else read_document
    with pytest.raises(EpcisValidationError) as caught:
        reader(path.read_bytes(), _media(path))
    first = caught.value.errors[0]
    assert first.field
    assert first.message


def test_master_data_is_read_from_the_header() -> None:
    path = EXAMPLES / "gs1-epcis" / "xml" / "WithFullCombinationOfFields"
    document = read_document(
        (path / "masterdata_all_possible_fields.xml").read_bytes(), "application/xml"
    )
    elements = document.master_data
    assert elements
    assert all(m["id"] and m["type"] for m in elements)
