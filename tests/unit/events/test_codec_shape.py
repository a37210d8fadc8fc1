"""The normalised event shape: CBV terms, extensions in Clark notation, own checks."""

from __future__ import annotations

import json

import pytest

from events.codec import EpcisValidationError, read_document, read_event
from events.domain.hashing import event_hash, prehash

CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"example": "https://ns.example.com/epcis/"},
]


def _event(**fields: object) -> dict[str, object]:
    event: dict[str, object] = {
        "type": "ObjectEvent",
        "eventTime": "2020-03-04T11:00:30.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "epcList": ["urn:epc:id:sgtin:0614141.011111.987"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.0"},
    }
    event.update(fields)
    return event


def _document(*events: dict[str, object]) -> bytes:
    return json.dumps(
        {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2020-03-04T11:00:30Z",
            "epcisBody": {"eventList": list(events)},
        }
    ).encode()


def _xml(event_xml: str) -> bytes:
    return f"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
      xmlns:example="https://ns.example.com/epcis/" schemaVersion="2.0"
      creationDate="2020-03-04T11:00:30Z"><EPCISBody><EventList>{event_xml}</EventList>
      </EPCISBody></epcis:EPCISDocument>""".encode()


@pytest.mark.parametrize(
    "spelling",
    [
        "shipping",
        "urn:epcglobal:cbv:bizstep:shipping",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "cbv:BizStep-shipping",
    ],
)
def test_cbv_values_become_bare_terms(spelling: str) -> None:
    xml = _xml(f"""<ObjectEvent><eventTime>2020-03-04T11:00:30.000+01:00</eventTime>
      <eventTimeZoneOffset>+01:00</eventTimeZoneOffset><epcList>
      <epc>urn:epc:id:sgtin:0614141.011111.987</epc></epcList><action>OBSERVE</action>
      <bizStep>{spelling}</bizStep><disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
      </ObjectEvent>""")
    event = read_document(xml, "application/xml").events[0]
    assert event["bizStep"] == "shipping"
    assert event["disposition"] == "in_transit"


def test_non_cbv_values_stay_full_uris() -> None:
    event = read_document(
        _document(_event(bizStep="example:checking")), "application/ld+json"
    ).events[0]
    assert event["bizStep"] == "https://ns.example.com/epcis/checking"


def test_extensions_use_clark_keys_in_both_bindings() -> None:
    from_json = read_document(
        _document(
            _event(
                **{"example:myField": {"example:sub": "1"}},
                action="ADD",
                ilmd={"example:lot": "L1"},
            )
        ),
        "application/ld+json",
    ).events[0]
    from_xml = read_document(
        _xml("""<ObjectEvent>
      <eventTime>2020-03-04T11:00:30.000+01:00</eventTime>
      <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:0614141.011111.987</epc></epcList>
      <action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
      <readPoint><id>urn:epc:id:sgln:4012345.00011.0</id></readPoint>
      <ilmd><example:lot>L1</example:lot></ilmd>
      <example:myField><example:sub>1</example:sub></example:myField></ObjectEvent>"""),
        "application/xml",
    ).events[0]
    assert from_json["{https://ns.example.com/epcis/}myField"] == {
        "{https://ns.example.com/epcis/}sub": "1"
    }
    assert from_json == from_xml
    assert event_hash(from_json) == event_hash(from_xml)
    assert json.loads(json.dumps(from_json)) == from_json


def test_one_event_json_and_xml_hash_alike_to_the_reference() -> None:
    event = read_event(
        json.dumps({"@context": CONTEXT, **_event()}).encode(), "application/ld+json"
    )
    assert prehash(event).startswith("eventType=ObjectEventeventTime=2020-03-04T10:00:30.000Z")
    assert "bizStep=https://ref.gs1.org/cbv/BizStep-shipping" in prehash(event)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"bizStep": "transforming"}, "epcisBody.eventList[0].bizStep"),
        ({"action": None}, "epcisBody.eventList[0].action"),
        (
            {
                "epcList": [
                    "urn:epc:id:sgtin:0614141.011111.987",
                    "https://id.gs1.org/01/04012345111117/21/1",
                ]
            },
            "epcisBody.eventList[0].epcList[1]",
        ),
        ({"ilmd": {"lot": "L1"}}, "epcisBody.eventList[0].ilmd"),
        ({"eventTime": "2020-03-04T11:00:30"}, "epcisBody.eventList[0].eventTime"),
    ],
)
def test_invalid_events_name_the_field(fields: dict[str, object], field: str) -> None:
    event = _event(**fields)
    event = {k: v for k, v in event.items() if v is not None}
    with pytest.raises(EpcisValidationError) as caught:
        read_document(_document(event), "application/ld+json")
    assert any(e.field.startswith(field) for e in caught.value.errors)


def test_epcis_12_extension_wrappers_are_flattened() -> None:
    body = b"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2"
      creationDate="2020-03-04T11:00:30Z"><EPCISBody><EventList><ObjectEvent>
      <eventTime>2020-03-04T11:00:30.000+01:00</eventTime>
      <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <baseExtension><eventID>urn:uuid:1</eventID></baseExtension><epcList/>
      <action>ADD</action><extension><quantityList><quantityElement>
      <epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>200.5</quantity>
      <uom>KGM</uom></quantityElement></quantityList></extension></ObjectEvent>
      </EventList></EPCISBody></epcis:EPCISDocument>"""
    event = read_document(body, "text/xml").events[0]
    assert event["eventID"] == "urn:uuid:1"
    assert event["quantityList"] == [
        {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 200.5, "uom": "KGM"}
    ]
