"""The SQL query adapter returns what the reference oracle returns, on SQLite and PostgreSQL.

Data: the GS1 conformance examples that ``read_document`` accepts plus a generated data set
(every event type, CBV values, locations as URNs and Digital Links, quantities, business
transactions, sources/destinations, sensors, extensions, error declarations), captured for two
organisations. Every query parameter, and random combinations of them, must give the same
events in the same order through SQL (``events.adapters.sql_query``) as through
``events.query.oracle.run`` over the caller's events.

Master data: the querying organisation has a location hierarchy (with a cycle, both location
vocabulary types, CBV attributes in several spellings, numbers, nulls and an extension attribute);
the other organisation has a contradicting one that must stay invisible. SQL resolves the
master-data parameters through the master-data store; the oracle walks the organisation's
elements as given. Random hierarchies check the resolver's walk against the oracle's.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

import events.master_data
from events.adapters import make_engine
from events.adapters.memory import SystemClock
from events.adapters.schema import upgrade
from events.adapters.sql_master_data import SqlMasterData
from events.adapters.sql_query import event_query
from events.adapters.sql_uow import SqlUnitOfWork
from events.capture import ErrorBehaviour, capture
from events.codec import read_document
from events.domain import StoredEvent
from events.domain.master_data import VocabularyElement
from events.master_data import resolve_query, store_master_data
from events.query import Cursor, Locations, QueryParams, QueryTooComplexError, parse_query, run
from events.query.params import attribute_key, attribute_spellings
from tests.conftest import BACKENDS, CONFORMANCE, _create_database

EXAMPLES = CONFORMANCE / "epcis-examples" / "gs1-epcis" / "json"
NS = "https://ns.example.com/epcis/"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
GTINS = ("6901234.012345", "6901234.054321", "9521234.012345")
LOCS = (
    "urn:epc:id:sgln:6901234.00001.0",
    "https://id.gs1.org/414/6901234000023",
    "urn:epc:id:sgln:6901234.00003.0",  # a dock of LOCS[0]
    "https://id.gs1.org/414/6901234000047",  # no master data
)
REGION = "urn:epc:id:sgln:6901234.00000.0"  # no event is here: only its descendants
BIZ = "urn:epcglobal:epcis:vtype:BusinessLocation"
READ = "urn:epcglobal:epcis:vtype:ReadPoint"
MDA = "urn:epcglobal:cbv:mda#"


def _loc(kind: str, id_: str, children: list[str], **attributes: object) -> dict:
    return {"type": kind, "id": id_, "attributes": attributes, "children": children}


MASTER_DATA = [  # the querying organisation's
    _loc(BIZ, REGION, ["https://id.gs1.org/414/6901234000016", LOCS[3] + "x"]),
    _loc(BIZ, LOCS[0], [LOCS[2]], **{f"{MDA}city": "Haikou", f"{MDA}postalCode": 570000}),
    _loc(READ, LOCS[2], [REGION], **{"cbvmda:city": " Haikou", "cbvmda:state": None}),  # a cycle
    _loc(READ, LOCS[1], [LOCS[1]], city="Sanya", **{"http://example.com/mda#region": "south"}),
    _loc(BIZ, LOCS[1], [], **{"urn:epcglobal:cbv:mda:postalCode": "572000"}),
    _loc("urn:epcglobal:epcis:vtype:EPCClass", LOCS[3], [], **{f"{MDA}city": "Haikou"}),
]
OTHER_MASTER_DATA = [  # invisible to the querying organisation
    _loc(BIZ, LOCS[1], [LOCS[0], LOCS[3]], **{f"{MDA}city": "Haikou", f"{MDA}state": "Hainan"}),
    _loc(BIZ, LOCS[3], [], **{f"{MDA}city": "Haikou"}),
]


def _locations(elements: list[dict]) -> Locations:
    return Locations.of(VocabularyElement.from_codec(e) for e in elements)


def _sgtin(rng: random.Random) -> str:
    gtin = rng.choice(GTINS)
    return f"urn:epc:id:sgtin:{gtin}.S{rng.randrange(40)}"


def generated(rng: random.Random, n: int) -> list[dict]:  # noqa: C901, PLR0912  one per field
    events = []
    for i in range(n):
        kind = rng.choice(["ObjectEvent", "AggregationEvent", "TransformationEvent", "ObjectEvent"])
        time = T0 + timedelta(minutes=rng.randrange(600))
        event: dict = {
            "type": kind,
            "eventTime": time.isoformat(),
            "eventTimeZoneOffset": "+00:00",
            "bizStep": rng.choice(["shipping", "receiving", "commissioning"]),
            "readPoint": {"id": rng.choice(LOCS)},
            f"{{{NS}}}serial": str(i),
        }
        if kind == "TransformationEvent":
            event["inputEPCList"] = [_sgtin(rng)]
            event["outputEPCList"] = [_sgtin(rng)]
            event["transformationID"] = f"urn:example:tx:{rng.randrange(3)}"
        elif kind == "AggregationEvent":
            event["action"] = rng.choice(["ADD", "DELETE"])
            event["parentID"] = f"urn:epc:id:sscc:6901234.{rng.randrange(5):010d}"
            event["childEPCs"] = [_sgtin(rng)]
        else:
            event["action"] = rng.choice(["ADD", "OBSERVE", "DELETE"])
            event["epcList"] = [_sgtin(rng) if rng.random() < 0.8 else _dl(rng)]
        if rng.random() < 0.5:
            event["disposition"] = rng.choice(["in_transit", "in_progress", "recalled"])
        if rng.random() < 0.3:
            event["bizLocation"] = {"id": rng.choice(LOCS)}
        if rng.random() < 0.3 and kind != "TransformationEvent":
            cls = f"urn:epc:class:lgtin:{rng.choice(GTINS)}.L{rng.randrange(3)}"
            key = "quantityList" if kind == "ObjectEvent" else "childQuantityList"
            event[key] = [{"epcClass": cls, "quantity": rng.randrange(1, 20), "uom": "KGM"}]
        if rng.random() < 0.3:
            event["bizTransactionList"] = [
                {"type": "po", "bizTransaction": f"urn:example:po:{i % 4}"}
            ]
        if rng.random() < 0.2:
            event["sourceList"] = [{"type": "owning_party", "source": LOCS[0]}]
            event["destinationList"] = [{"type": "location", "destination": LOCS[1]}]
        if rng.random() < 0.2:
            event["persistentDisposition"] = {"set": ["recalled"]}
        if rng.random() < 0.2:
            event["sensorElementList"] = [_sensor(rng, time)]
        if rng.random() < 0.2:
            event[f"{{{NS}}}box"] = {f"{{{NS}}}weight": rng.randrange(10)}
        if kind == "ObjectEvent" and event["action"] == "ADD" and rng.random() < 0.3:
            event["ilmd"] = {f"{{{NS}}}lot": f"L{rng.randrange(3)}"}
        events.append(event)
    return events


def _dl(rng: random.Random) -> str:
    return f"https://id.gs1.org/01/09521234123453/21/S{rng.randrange(40)}"


def _sensor(rng: random.Random, time: datetime) -> dict:
    return {
        "sensorMetadata": {
            "time": time.isoformat(),
            "deviceID": f"urn:example:dev:{rng.randrange(2)}",
        },
        "sensorReport": [
            {"type": "Temperature", "value": rng.randrange(-5, 30), "uom": "CEL", "percRank": 50}
        ],
    }


def _declarations(stored: list[StoredEvent], rng: random.Random) -> list[dict]:
    chosen = rng.sample([s for s in stored if s.record.kind == "event"], 5)
    return [
        {
            **{k: v for k, v in s.record.payload.items() if k != "recordTime"},
            "errorDeclaration": {
                "declarationTime": (T0 + timedelta(days=i)).isoformat(),
                "reason": "incorrect_data",
                "correctiveEventIDs": [f"urn:uuid:00000000-0000-4000-8000-00000000000{i}"],
            },
        }
        for i, s in enumerate(chosen)
    ]


def _examples() -> list[dict]:
    events = []
    for path in sorted(EXAMPLES.glob("*.jsonld")):
        try:
            events.extend(read_document(path.read_bytes(), "application/ld+json").events)
        except Exception:  # noqa: BLE001, S112  only the examples our reader accepts
            continue
    return events


class Data:
    def __init__(self, engine: Engine, org: int, other: int) -> None:
        self.engine, self.org, self.other = engine, org, other

    def all(self) -> list[StoredEvent]:
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            return list(uow.ledger.read())

    def capture(self, events: list[dict], org: int | None = None) -> None:
        capture(
            SqlUnitOfWork(self.engine),
            events,
            organisation_id=org or self.org,
            behaviour=ErrorBehaviour.PROCEED,
        )


@pytest.fixture(scope="module", params=BACKENDS)
def data(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Data]:
    url = _create_database(tmp_path_factory.mktemp(request.param), request.param, request)
    engine = make_engine(url)
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        org = uow.organisations.add("Query Co", company_prefixes=["6901234"]).id
        other = uow.organisations.add("Other Co", company_prefixes=["6905555"]).id
        uow.commit()
    data = Data(engine, org, other)
    store_master_data(SqlUnitOfWork(engine), org, MASTER_DATA, SystemClock())
    store_master_data(SqlUnitOfWork(engine), other, OTHER_MASTER_DATA, SystemClock())
    rng = random.Random(20260301)
    data.capture(_examples())
    data.capture(generated(rng, 160))
    data.capture(generated(rng, 20), org=other)
    data.capture(_declarations(data.all(), rng))
    yield data
    engine.dispose()


def sql_run(data: Data, params: QueryParams, org: int | None = None) -> list[int]:
    with event_query(data.engine) as query:
        cursor = Cursor(snapshot=query.snapshot())
        found, _ = query.page(params, organisation_id=org or data.org, cursor=cursor, limit=10**6)
    return [e.position for e in found]


def oracle_run(data: Data, params: QueryParams, org: int | None = None) -> list[int]:
    mine = [e for e in data.all() if e.record.organisation_id == (org or data.org)]
    known = _locations(OTHER_MASTER_DATA if org == data.other else MASTER_DATA)
    return [e.position for e in run(params, mine, known)]


EXT = f"{NS}#"
QUERIES = [
    {},
    {"eventType": "ObjectEvent|TransformationEvent"},
    {"GE_eventTime": "2026-03-01T03:00:00+00:00", "LT_eventTime": "2026-03-01T06:00:00Z"},
    {"GE_recordTime": "2000-01-01T00:00:00Z"},
    {"LT_recordTime": "2000-01-01T00:00:00Z"},
    {"EQ_action": "ADD|DELETE"},
    {"EQ_bizStep": "urn:epcglobal:cbv:bizstep:shipping"},
    {"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-receiving,commissioning"},
    {"EQ_disposition": "in_transit"},
    {"EQ_persistentDisposition_set": "recalled"},
    {"EQ_persistentDisposition_unset": "completeness_verified"},
    {"EQ_readPoint": "https://id.gs1.org/414/6901234000016"},
    {"WD_readPoint": "urn:epc:id:sgln:6901234.00002.0"},
    {"EQ_bizLocation": LOCS[1]},
    {"WD_bizLocation": "urn:epc:id:sgln:6901234.00001.0"},
    {"EQ_transformationID": "urn:example:tx:1"},
    {"MATCH_epc": "https://id.gs1.org/01/09521234123453/21/S3|urn:epc:id:sgtin:6901234.012345.S4"},
    {"MATCH_epc": "urn:epc:idpat:sgtin:9521234.012345.*"},
    {"MATCH_anyEPC": "urn:epc:idpat:sgtin:6901234.*.*"},
    {"MATCH_parentID": "urn:epc:idpat:sscc:6901234.*"},
    {"MATCH_parentID": "urn:epc:id:sscc:6901234.0000000001"},
    {"MATCH_inputEPC": "urn:epc:idpat:sgtin:6901234.054321.*"},
    {"MATCH_outputEPC": "urn:epc:idpat:sgtin:6901234.012345.*"},
    {"MATCH_epcClass": "urn:epc:class:lgtin:6901234.012345.L1"},
    {"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:6901234.012345.*"},
    {"MATCH_inputEPCClass": "urn:epc:idpat:sgtin:4012345.*.*"},
    {"MATCH_outputEPCClass": "urn:epc:idpat:sgtin:4012345.*.*"},
    {"EQ_quantity": "5"},
    {"GT_quantity": "10"},
    {"GE_quantity_KGM": "10", "LE_quantity": "15"},
    {"LT_quantity": "3"},
    {"EXISTS_errorDeclaration": ""},
    {"GE_errorDeclarationTime": "2026-03-03T00:00:00Z"},
    {"LT_errorDeclaration_Time": "2026-03-03T00:00:00Z"},
    {"EQ_errorReason": "incorrect_data"},
    {"EQ_correctiveEventID": "urn:uuid:00000000-0000-4000-8000-000000000002"},
    {"EXISTS_sensorElementList": ""},
    {"GE_time": "2026-03-01T05:00:00Z"},
    {"EQ_deviceID": "urn:example:dev:1"},
    {"EQ_type": "gs1:Temperature"},
    {"GT_value_CEL": "20"},
    {"LE_percRank": "50"},
    {"EQ_bizTransaction_po": "urn:example:po:1"},
    {"EQ_source_owning_party": LOCS[0]},
    {"EQ_destination_location": "urn:epc:id:sgln:6901234.00002.0"},
    {f"EQ_{EXT}serial": "7|8|9|10"},
    {f"GE_{EXT}serial": "150"},
    {f"EXISTS_{EXT}box": ""},
    {f"EQ_INNER_{EXT}weight": "3"},
    {f"LT_INNER_{EXT}weight": "3"},
    {f"EQ_ILMD_{EXT}lot": "L1"},
    {f"EXISTS_ILMD_{EXT}lot": ""},
    {"WD_readPoint": REGION},
    {"WD_bizLocation": "https://id.gs1.org/414/6901234000016"},
    {"WD_readPoint": f"{LOCS[1]}|{LOCS[3]}"},
    {"HASATTR_bizLocation": "urn:epcglobal:cbv:mda#city"},
    {"HASATTR_readPoint": "cbvmda:state|http://example.com/mda#region"},
    {"HASATTR_readPoint": "http://example.com/mda#unknown"},
    {"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda#city": "Haikou"},
    {"EQ_ATTR_readPoint_city": "Sanya|Haikou"},
    {"EQATTR_readPoint_cbvmda:postalCode": "570000|572000"},
    {"EQ_ATTR_bizLocation_city": "Nowhere"},
    {"EQ_readPoint_urn:example:x#y": "z"},
    {"EQ_eventID": "ni:///sha-256;nothing"},
    {"orderBy": "eventTime"},
    {"orderBy": "recordTime", "orderDirection": "ASC"},
    {"orderBy": "eventTime", "orderDirection": "ASC", "eventCountLimit": "7"},
    {"orderDirection": "DESC", "EQ_bizStep": "shipping"},
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: ",".join(q) or "all")
def test_sql_equals_oracle_for_every_parameter(data: Data, query: dict[str, str]) -> None:
    params = parse_query(query.items())
    assert sql_run(data, params) == oracle_run(data, params)


def test_eq_event_id_and_visibility(data: Data) -> None:
    mine = [e for e in data.all() if e.record.organisation_id == data.org]
    ids = "|".join(e.event_id for e in mine[:3])
    params = parse_query([("EQ_eventID", ids)])
    assert sql_run(data, params) == oracle_run(data, params)
    assert len(sql_run(data, params)) >= 3
    assert set(sql_run(data, parse_query([]), data.other)).isdisjoint(
        sql_run(data, parse_query([]))
    )


EXPECTED_EMPTY = (
    "LT_recordTime",
    "EQ_persistentDisposition_unset",
    "MATCH_outputEPCClass",
    "HASATTR_readPoint",
    "EQ_ATTR_bizLocation_city",
    "EQ_readPoint_urn:example:x#y",
    "EQ_eventID",
)


def test_the_data_set_exercises_the_parameters(data: Data) -> None:
    everything = len(oracle_run(data, parse_query([])))
    empty = [q for q in QUERIES if not oracle_run(data, parse_query(q.items()))]
    assert [next(iter(q)) for q in empty] == list(EXPECTED_EMPTY), [next(iter(q)) for q in empty]
    narrowed = [
        q for q in QUERIES[1:] if len(oracle_run(data, parse_query(q.items()))) < everything
    ]
    assert len(narrowed) >= len(QUERIES) - 10


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(QUERIES[1:-4]), min_size=2, max_size=4), st.sampled_from(QUERIES[-4:])
)
def test_random_combinations(
    data: Data, queries: list[dict[str, str]], order: dict[str, str]
) -> None:
    merged: dict[str, str] = {}
    for query in [*queries, order]:
        merged.update(query)
    params = parse_query(merged.items())
    assert sql_run(data, params) == oracle_run(data, params)


@pytest.mark.parametrize(
    "order", [{}, {"orderBy": "eventTime"}, {"orderBy": "recordTime", "orderDirection": "ASC"}]
)
def test_paging_is_exact_while_capturing(data: Data, order: dict[str, str]) -> None:
    params = parse_query(order.items())
    with event_query(data.engine) as query:
        cursor: Cursor | None = Cursor(snapshot=query.snapshot())
    expected = [p for p in oracle_run(data, params) if p <= cursor.snapshot]
    stop = threading.Event()

    def keep_capturing() -> None:
        rng = random.Random()
        while not stop.is_set():
            data.capture(generated(rng, 3))

    writer = threading.Thread(target=keep_capturing)
    writer.start()
    walked: list[int] = []
    try:
        while cursor is not None:
            with event_query(data.engine) as query:
                found, cursor = query.page(
                    params, organisation_id=data.org, cursor=cursor, limit=17
                )
            walked.extend(e.position for e in found)
    finally:
        stop.set()
        writer.join()
    assert walked == expected


def test_master_data_of_another_organisation_is_not_seen(data: Data) -> None:
    # The other organisation says LOCS[1] contains LOCS[0] and is in Haikou; not for us.
    wd = parse_query([("WD_readPoint", LOCS[1])])
    assert sql_run(data, wd) == sql_run(data, parse_query([("EQ_readPoint", LOCS[1])]))
    haikou = parse_query([("EQ_ATTR_readPoint_city", "Haikou")])
    found = {e.position: e for e in data.all()}
    assert sql_run(data, haikou)
    assert all(
        found[p].record.payload["readPoint"]["id"] in {LOCS[0], LOCS[2]}
        for p in sql_run(data, haikou)
    )
    for params in (wd, haikou, parse_query([("HASATTR_bizLocation", "state")])):
        assert sql_run(data, params, data.other) == oracle_run(data, params, data.other)


def test_resolved_sets_are_bounded(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events.master_data, "MAX_RESOLVED", 2)
    with pytest.raises(QueryTooComplexError, match="WD_readPoint"):
        sql_run(data, parse_query([("WD_readPoint", REGION)]))
    with pytest.raises(QueryTooComplexError, match="HASATTR_bizLocation"):
        sql_run(data, parse_query([("HASATTR_bizLocation", "city")]))
    assert sql_run(data, parse_query([("WD_readPoint", LOCS[1])]))  # one location: within


@settings(max_examples=40)
@given(st.text(alphabet="abc:#/-_{}.xyzcbvmdaurnepcglobal", max_size=40))
def test_every_attribute_spelling_is_searched(name: str) -> None:
    # SQL finds elements by stored key spellings; the oracle compares attribute_key.
    assert name in attribute_spellings(attribute_key(name))


IDS = [f"urn:epc:id:sgln:6901234.{n:05d}.0" for n in range(12)]
SERIAL = itertools.count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([BIZ, READ]),
            st.sampled_from(IDS),
            st.lists(st.sampled_from(IDS), max_size=3),
            st.sampled_from([{}, {"cbvmda:city": "Haikou"}, {f"{MDA}city": "Sanya"}]),
        ),
        max_size=14,
    ),
    st.lists(st.sampled_from(IDS), min_size=1, max_size=3),
)
def test_random_hierarchies_resolve_as_the_oracle_walks(
    data: Data, elements: list[tuple], roots: list[str]
) -> None:
    md = [_loc(kind, id_, children, **attrs) for kind, id_, children, attrs in elements]
    with SqlUnitOfWork(data.engine) as uow:
        org = uow.organisations.add(f"Hierarchy {next(SERIAL)}").id
        uow.commit()
    store_master_data(SqlUnitOfWork(data.engine), org, md, SystemClock())
    stored = {(e["type"], e["id"]): e for e in md}  # a repeated element replaces the earlier
    known = _locations(list(stored.values()))
    queries = [("WD_bizLocation", "|".join(roots)), ("EQ_ATTR_readPoint_city", "Haikou")]
    with data.engine.connect() as connection:
        store = SqlMasterData(connection)
        for name, value in queries:
            params = parse_query([(name, value)])
            (resolved,) = resolve_query(store, org, params).conditions
            condition = params.conditions[0]
            if condition.op == "WD":
                expected = known.with_descendants(condition.values)
            else:
                expected = {
                    id_
                    for id_, found in known.by_id.items()
                    if any(e.attributes.get("cbvmda:city") == "Haikou" for e in found)
                }
            assert (resolved.op, set(resolved.values)) == ("EQ", expected)
