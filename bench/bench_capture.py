"""Capturing EPCIS events through the API on SQLite and PostgreSQL: throughput, at scale, latency.

Three measurements, each in fresh spawned processes against fresh databases (SQLite file in a
temp dir; PostgreSQL database ``onecode_bench_*``, dropped afterwards):

1. **Throughput.** A deterministic EPCIS 2.0 JSON-LD document (``document``; 10,000 events) is
   posted to ``POST /epcis/capture`` through Flask's test client (the whole WSGI stack: auth,
   parsing, JSON Schema and identifier validation, the capture job, hashing, ledger, projections
   and Merkle leaves), with ``CAPTURE_INLINE_LIMIT`` high enough that the capture completes in
   the request; the job must report success and the ledger must have grown by every event. The
   raw baseline inserts the same ``ledger_events`` and ``event_links`` rows (computed before the
   clock starts) into the same migrated tables, in one transaction: psycopg ``COPY`` on
   PostgreSQL, sqlite3 ``executemany`` with the project's pragmas on SQLite.
2. **At scale** (full mode only). A database pre-filled through ``events.capture.capture`` for a
   fixed time budget, then the same document rate on top of it, as % of the empty-database rate.
3. **Latency.** ``POST /epcis/events`` (one event, durable commit) on a real waitress server in
   its own process, 8 client threads with ``http.client``; the baseline is the same loop against
   ``GET /healthz`` on the same server.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from bench.bench_minting import (
    DB_PREFIX,
    DEFAULT_PG_URL,
    _Backend,
    _Postgres,
    _Sqlite,
    postgres_version,
)
from bench.stats import (
    Section,
    Summary,
    fmt_rate,
    fmt_seconds,
    percentile,
    rate,
    spread_note,
    table,
    yes_no,
)

TITLE = "Capturing events"
COMPANY_PREFIX = "6901234"
CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]
API_KEY = "oc_bench_capture"
TARGET_RAW_SHARE = 0.50  # ours ≥ 50 % of the raw insert rate
TARGET_SCALE_SHARE = 0.70  # rate with 10M stored ≥ 70 % of the empty-database rate
TARGET_SCALE_EVENTS = 10_000_000
TARGET_P99_MS = 100.0
ISSUE_PG_RATE = 4_000  # events/s the issue expects on PostgreSQL
WARM_UP_EVENTS = 50
_BASE_TIME = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
# Document numbers keep every document's serials and SSCCs apart (see _Factory).
_DOC_WARM_UP, _DOC_PREFILL, _DOC_ON_TOP = 900, 100, 800


@dataclass(frozen=True, slots=True)
class Config:
    events: int
    repetitions: int
    prefill_seconds: float  # 0: no at-scale measurement
    on_top: int  # documents measured on the pre-filled database
    clients: int
    requests: int  # per client


FULL = Config(events=10_000, repetitions=3, prefill_seconds=170, on_top=2, clients=8, requests=400)
QUICK = Config(events=1_000, repetitions=1, prefill_seconds=0, on_top=0, clients=8, requests=25)


# --- the document ---------------------------------------------------------------------------------


def _check(body: str) -> str:
    from identifiers import gs1_check_digit  # noqa: PLC0415

    return body + str(gs1_check_digit(body))


class _Factory:
    """Identifiers under the bench company prefix; document number ``doc`` keeps them unique."""

    def __init__(self, rng: random.Random, doc: int) -> None:
        self.rng = rng
        self.doc = doc
        self.serials = 0
        self.ssccs = 0
        self.gtins = [_check(f"0{COMPANY_PREFIX}{ref:05d}") for ref in range(1, 13)]
        self.glns = [_check(f"{COMPANY_PREFIX}{ref:05d}") for ref in range(10, 18)]
        self.partners = [_check(f"69055{ref:07d}") for ref in range(1, 6)]

    def sgtin(self, gtin: str | None = None) -> str:
        """A unique SGTIN: mostly a GS1 Digital Link URI, sometimes an EPC URN."""
        gtin = gtin or self.rng.choice(self.gtins)
        self.serials += 1
        serial = f"D{self.doc:04d}S{self.serials:07d}"
        if self.rng.random() < 0.8:
            return f"https://id.gs1.org/01/{gtin}/21/{serial}"
        return f"urn:epc:id:sgtin:{COMPANY_PREFIX}.{gtin[0]}{gtin[8:13]}.{serial}"

    def sscc(self) -> str:
        """A unique SSCC (extension 0, serial reference from the document number)."""
        self.ssccs += 1
        return f"https://id.gs1.org/00/{_check(f'0{COMPANY_PREFIX}{self.doc:04d}{self.ssccs:05d}')}"

    def places(self) -> dict[str, Any]:
        gln = self.rng.choice(self.glns)
        return {
            "readPoint": {"id": f"https://id.gs1.org/414/{gln}/254/{self.rng.randint(1, 9)}"},
            "bizLocation": {"id": f"https://id.gs1.org/414/{gln}"},
        }


def events(count: int, seed: int, doc: int) -> list[dict[str, Any]]:
    """``count`` distinct EPCIS 2.0 events telling a plausible story, from ``random.Random(seed)``.

    About 70 % commissioning ObjectEvents (1–10 SGTINs), 15 % AggregationEvents (6–24 items
    into an SSCC), 8 % shipping and 4 % receiving ObjectEvents (SSCCs, source and destination
    lists, a purchase order), 3 % TransformationEvents; eventTime with offset +08:00.
    """
    rng = random.Random(seed)
    ids = _Factory(rng, doc)
    loose: list[str] = []  # commissioned, not packed
    packed: list[str] = []  # SSCCs not shipped
    shipped: list[str] = []  # SSCCs not received
    out: list[dict[str, Any]] = []
    moment = _BASE_TIME + dt.timedelta(days=doc)
    while len(out) < count:
        moment += dt.timedelta(milliseconds=rng.randint(50, 2000))
        head = {
            "eventID": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            "eventTime": moment.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": "+08:00",
        }
        roll = rng.random()
        if roll < 0.15 and len(loose) >= 24:
            size = rng.randint(6, 24)
            children, loose[:] = loose[:size], loose[size:]
            parent = ids.sscc()
            packed.append(parent)
            event = {
                "type": "AggregationEvent",
                **head,
                "parentID": parent,
                "childEPCs": children,
                "action": "ADD",
                "bizStep": "packing",
                "disposition": "in_progress",
                **ids.places(),
            }
        elif roll < 0.23 and packed:
            cases = [packed.pop(0) for _ in range(min(len(packed), rng.randint(1, 3)))]
            shipped += cases
            event = _shipping(head, cases, ids, "shipping", "in_transit")
        elif roll < 0.27 and shipped:
            cases = [shipped.pop(0) for _ in range(min(len(shipped), rng.randint(1, 3)))]
            event = _shipping(head, cases, ids, "receiving", "in_progress")
        elif roll < 0.30 and len(loose) >= 4:
            inputs, loose[:] = loose[:4], loose[4:]
            gtin = rng.choice(ids.gtins)
            outputs = [ids.sgtin(gtin) for _ in range(rng.randint(1, 3))]
            loose += outputs
            event = {
                "type": "TransformationEvent",
                **head,
                "inputEPCList": inputs,
                "outputEPCList": outputs,
                "transformationID": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "bizStep": "assembling",
                "disposition": "active",
                **ids.places(),
            }
        else:
            gtin = rng.choice(ids.gtins)
            items = [ids.sgtin(gtin) for _ in range(rng.randint(1, 10))]
            loose += items
            event = {
                "type": "ObjectEvent",
                **head,
                "epcList": items,
                "action": "ADD",
                "bizStep": "commissioning",
                "disposition": "active",
                **ids.places(),
            }
        out.append(event)
    return out


def _shipping(
    head: dict[str, str], cases: list[str], ids: _Factory, step: str, disposition: str
) -> dict[str, Any]:
    partner = ids.rng.choice(ids.partners)
    own = ids.glns[0]
    source, destination = (own, partner) if step == "shipping" else (partner, own)
    return {
        "type": "ObjectEvent",
        **head,
        "epcList": cases,
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": disposition,
        **ids.places(),
        "bizTransactionList": [
            {
                "type": "po",
                "bizTransaction": f"urn:epcglobal:cbv:bt:{own}:PO{ids.rng.randint(1, 99999):05d}",
            }
        ],
        "sourceList": [
            {"type": "owning_party", "source": f"https://id.gs1.org/417/{source}"},
            {"type": "location", "source": f"https://id.gs1.org/414/{source}"},
        ],
        "destinationList": [
            {"type": "owning_party", "destination": f"https://id.gs1.org/417/{destination}"},
            {"type": "location", "destination": f"https://id.gs1.org/414/{destination}"},
        ],
    }


def document(event_list: list[dict[str, Any]]) -> bytes:
    """An EPCISDocument holding ``event_list``, as the JSON-LD bytes a client would send."""
    body = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T09:00:00Z",
        "epcisBody": {"eventList": event_list},
    }
    return json.dumps(body, ensure_ascii=False).encode()


def composition(event_list: list[dict[str, Any]]) -> dict[str, int]:
    """Event counts by kind, and the identifiers the events name."""
    kinds = Counter(
        e["type"] if e["type"] != "ObjectEvent" else f"ObjectEvent {e['bizStep']}"
        for e in event_list
    )
    fields = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
    names = sum(sum(len(e.get(f, ())) for f in fields) + ("parentID" in e) for e in event_list)
    return {**dict(sorted(kinds.items())), "identifiers named": names}


# --- workers: each runs in a fresh spawned process --------------------------------------------


def _setup(url: str) -> int:
    """Migrate the database and add the bench organisation with its API key (when missing)."""
    from events.adapters import make_engine  # noqa: PLC0415
    from events.adapters.schema import upgrade  # noqa: PLC0415
    from events.adapters.sql_registry import hash_api_key  # noqa: PLC0415
    from events.adapters.sql_uow import SqlUnitOfWork  # noqa: PLC0415

    engine = make_engine(url)
    try:
        upgrade(engine)
        with SqlUnitOfWork(engine) as uow:
            org = uow.organisations.by_name("Bench Co")
            if org is None:
                org = uow.organisations.add("Bench Co", company_prefixes=[COMPANY_PREFIX])
                uow.organisations.add_api_key(org.id, hash_api_key(API_KEY), "bench")
                uow.commit()
    finally:
        engine.dispose()
    return org.id


def _app_config(url: str, key_file: str, **extra: Any) -> dict[str, Any]:
    return {"DATABASE_URL": url, "SIGNING_KEY_FILE": key_file, **extra}


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/ld+json"}


def _stored(url: str) -> tuple[int, int]:
    from sqlalchemy import func, select  # noqa: PLC0415

    from events.adapters import make_engine  # noqa: PLC0415
    from events.adapters.tables import event_links, ledger_events  # noqa: PLC0415

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            events_ = connection.execute(select(func.count()).select_from(ledger_events)).scalar()
            links = connection.execute(select(func.count()).select_from(event_links)).scalar()
    finally:
        engine.dispose()
    return int(events_ or 0), int(links or 0)


def _time_writes() -> list[float]:
    """Time this process's row writes and commits from here on (a one-item accumulator).

    Every row a capture stores goes through ``sql_bulk.append_rows`` or ``upsert_rows`` (ledger,
    item links, item state, lineage edges, containment ends, Merkle nodes), but the job queue's
    own few statements; the time inside those two bulk writers and in ``SqlUnitOfWork.commit``
    (the job's and the capture's) is a lower bound of the database's share of a request, before
    any parsing, validation, hashing or projection computing: the floor under the capture time.
    """
    from events.adapters import sql_ledger, sql_projections, sql_tree  # noqa: PLC0415
    from events.adapters.sql_uow import SqlUnitOfWork  # noqa: PLC0415

    spent = [0.0]

    def timed(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        return call

    for module in (sql_ledger, sql_projections, sql_tree):
        for name in ("append_rows", "upsert_rows"):
            if hasattr(module, name):
                setattr(module, name, timed(getattr(module, name)))
    SqlUnitOfWork.commit = timed(SqlUnitOfWork.commit)  # type: ignore[method-assign]
    return spent


def ours_worker(url: str, count: int, seeds: list[int], docs: list[int], key_file: str) -> dict:
    """Post one document per seed to ``POST /epcis/capture``; set up the database when empty."""
    from app import create_app  # noqa: PLC0415
    from app.wiring import wiring_of  # noqa: PLC0415

    prefilled, _ = _stored(url) if _has_schema(url) else (0, 0)
    if not prefilled:
        _setup(url)
    config = _app_config(url, key_file, CAPTURE_INLINE_LIMIT=count, LOG_LEVEL="WARNING")
    app = create_app(config)
    client = app.test_client()
    writing = _time_writes()
    try:
        # a warm process, as a running server is: imports, schema compiled, statements cached
        _post(
            client,
            document(events(WARM_UP_EVENTS, docs[0], _DOC_WARM_UP + docs[0])),
            WARM_UP_EVENTS,
        )
        runs = []
        for seed, doc in zip(seeds, docs, strict=True):
            event_list = events(count, seed, doc)
            body = document(event_list)
            before, links_before = _stored(url)
            writing[0] = 0.0
            start = time.perf_counter()
            _post(client, body, count)
            seconds = time.perf_counter() - start
            writes = writing[0]
            after, links_after = _stored(url)
            if after - before != count:
                raise RuntimeError(f"{url}: {after - before} events stored, expected {count}")
            runs.append(
                {
                    "seconds": seconds,
                    "writes": writes,
                    "stored_before": before,
                    "links": links_after - links_before,
                    "bytes": len(body),
                    "composition": composition(event_list),
                }
            )
    finally:
        wiring_of(app).engine.dispose()
    return {"runs": runs, "prefilled": prefilled}


def _has_schema(url: str) -> bool:
    from sqlalchemy import inspect  # noqa: PLC0415

    from events.adapters import make_engine  # noqa: PLC0415

    engine = make_engine(url)
    try:
        return inspect(engine).has_table("ledger_events")
    finally:
        engine.dispose()


def _post(client: Any, body: bytes, count: int) -> None:
    response = client.post("/epcis/capture", data=body, headers=_headers())
    if response.status_code != 202:
        raise RuntimeError(f"POST /epcis/capture: {response.status_code} {response.get_data()!r}")
    job = client.get(response.headers["Location"], headers=_headers()).get_json()
    if job["running"] or not job["success"] or job["capturedCount"] != count:
        raise RuntimeError(f"capture job did not store {count} events: {job}")


def raw_worker(url: str, count: int, seed: int, doc: int) -> dict:
    """The same ledger_events and event_links rows, bulk-inserted in one transaction."""
    from events.capture import prepare  # noqa: PLC0415
    from events.codec import read_document  # noqa: PLC0415
    from events.domain.links import item_links  # noqa: PLC0415

    org_id = _setup(url)  # the same migrated tables, indexes and constraints as ours
    normalised = read_document(document(events(count, seed, doc)), "application/ld+json").events
    capture_id = uuid.uuid4().hex
    record_time = dt.datetime.now(dt.UTC)
    ledger_rows, link_rows = [], []
    for position, event in enumerate(normalised, 1):
        record = prepare(event, org_id, capture_id)
        ledger_rows.append(
            [
                position,
                record.event_id,
                record.event_hash,
                record.kind,
                record.event_type,
                record.event_time.astimezone(dt.UTC),
                record_time,
                org_id,
                capture_id,
                json.dumps(record.payload),
            ]
        )
        link_rows += [[item, position, role] for item, role in dict.fromkeys(item_links(event))]
    insert = _raw_sqlite if url.startswith("sqlite:///") else _raw_postgres
    seconds = insert(url, ledger_rows, link_rows)
    stored, links = _stored(url)
    if (stored, links) != (count, len(link_rows)):
        raise RuntimeError(f"raw on {url}: {stored} events and {links} links stored")
    return {"seconds": seconds, "links": links}


_LEDGER_COLUMNS = (
    "position, event_id, event_hash, kind, event_type, event_time, record_time, "
    "organisation_id, capture_id, payload"
)


_SQLITE_INSERT = f"INSERT INTO ledger_events ({_LEDGER_COLUMNS}) VALUES ({', '.join('?' * 10)})"  # noqa: S608  constants


def _raw_sqlite(url: str, ledger_rows: list[list[Any]], link_rows: list[list[Any]]) -> float:
    def stamp(value: dt.datetime) -> str:  # SQLAlchemy's SQLite DATETIME text, in UTC
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    rows = [[*r[:5], stamp(r[5]), stamp(r[6]), *r[7:]] for r in ledger_rows]
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")  # the project's engine settings
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(_SQLITE_INSERT, rows)
        connection.executemany(
            "INSERT INTO event_links (item, position, role) VALUES (?, ?, ?)", link_rows
        )
        connection.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        connection.close()


def _raw_postgres(url: str, ledger_rows: list[list[Any]], link_rows: list[list[Any]]) -> float:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url) as connection:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY ledger_events ({_LEDGER_COLUMNS}) FROM STDIN") as copy:
                for row in ledger_rows:
                    copy.write_row(row)
            with cursor.copy("COPY event_links (item, position, role) FROM STDIN") as copy:
                for row in link_rows:
                    copy.write_row(row)
        connection.commit()
        return time.perf_counter() - start


def prefill_worker(url: str, seconds: float, batch: int) -> dict:
    """Capture generated documents through ``events.capture.capture`` for about ``seconds``."""
    from events.adapters import make_engine  # noqa: PLC0415
    from events.adapters.sql_uow import SqlUnitOfWork  # noqa: PLC0415
    from events.capture import capture  # noqa: PLC0415

    org_id = _setup(url)
    engine = make_engine(url)
    stored, doc, start, slowest = 0, _DOC_PREFILL, time.perf_counter(), 0.0
    try:
        # stop before a batch would overrun the budget (the slowest batch so far as its guess)
        while time.perf_counter() - start + slowest < seconds and doc < _DOC_ON_TOP:
            began = time.perf_counter()
            outcome = capture(
                SqlUnitOfWork(engine), events(batch, doc, doc), organisation_id=org_id
            )
            if not outcome.success:
                raise RuntimeError(f"pre-fill document {doc}: {outcome.errors[:3]}")
            stored += len(outcome.stored)
            doc += 1
            slowest = max(slowest, time.perf_counter() - began)
    finally:
        engine.dispose()
    return {"stored": stored, "seconds": time.perf_counter() - start}


# --- latency: a real server in its own process, clients in another -------------------------


def _serve(url: str, key_file: str, ready: Any) -> None:
    """Run the app on waitress (8 threads) on a free port; put the port on ``ready``."""
    import sys  # noqa: PLC0415

    import waitress  # noqa: PLC0415

    from app import create_app  # noqa: PLC0415

    sys.stderr = Path(os.devnull).open("w")  # noqa: SIM115  the access log, one line a request
    app = create_app(_app_config(url, key_file))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    ready.put(server.effective_port)
    server.run()


def _one_event(client: int, n: int) -> bytes:
    gtin = _check(f"0{COMPANY_PREFIX}00001")
    moment = _BASE_TIME + dt.timedelta(seconds=n, milliseconds=client)
    return json.dumps(
        {
            "@context": CONTEXT,
            "type": "ObjectEvent",
            "eventTime": moment.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": "+08:00",
            "epcList": [f"https://id.gs1.org/01/{gtin}/21/L{client:02d}N{n:06d}"],
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": {"id": f"https://id.gs1.org/414/{_check(f'{COMPANY_PREFIX}00010')}"},
        }
    ).encode()


def clients_worker(port: int, clients: int, requests: int) -> dict:
    """``GET /healthz`` then ``POST /epcis/events`` from ``clients`` threads, ``requests`` each."""
    return {kind: _load(port, kind, clients, requests) for kind in ("healthz", "events")}


def _load(port: int, kind: str, clients: int, requests: int) -> dict[str, Any]:
    warm = 3  # the first requests of each client are not measured
    bodies = [
        [_one_event(c, n) if kind == "events" else b"" for n in range(warm + requests)]
        for c in range(clients)
    ]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[Counter[str]] = [Counter() for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def loop(c: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for n, body in enumerate(bodies[c]):
            start = time.perf_counter()
            try:
                if kind == "events":
                    connection.request("POST", "/epcis/events", body, _headers())
                else:
                    connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = type(exc).__name__
            elapsed = time.perf_counter() - start
            if n >= warm:
                latencies[c].append(elapsed)
                statuses[c][status] += 1
        connection.close()

    threads = [threading.Thread(target=loop, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return {
        "latencies": latencies,
        "statuses": dict(sum(statuses, Counter())),
        "wall": time.perf_counter() - start,
    }


# --- the parent: databases, repetitions, report ---------------------------------------------


def _in_fresh_process(worker: Callable[..., dict], *args: Any) -> dict:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(worker, *args).result()


def _latency(backend: _Backend, config: Config, key_file: str) -> dict:
    url = backend.fresh("latency")
    context = multiprocessing.get_context("spawn")
    server = None
    try:
        _in_fresh_process(_setup_worker, url)
        ready = context.Queue()
        server = context.Process(target=_serve, args=(url, key_file, ready), daemon=True)
        server.start()
        port = ready.get(timeout=60)
        result = _in_fresh_process(clients_worker, port, config.clients, config.requests)
    finally:
        if server is not None:
            server.terminate()
            server.join(10)
        backend.drop(url)
    events_ = result["events"]
    print(
        f"  capture {backend.name} latency: POST /epcis/events p99 "
        f"{percentile(_flat(events_['latencies']), 99) * 1000:.1f} ms, "
        f"answers {events_['statuses']}",
        flush=True,
    )
    return result


def _setup_worker(url: str) -> dict:
    return {"organisation": _setup(url)}


def _throughput(backend: _Backend, config: Config, key_file: str) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {"ours": [], "raw": []}
    for rep in range(config.repetitions):
        seed, doc = 1000 + rep, rep + 1
        for kind in ("ours", "raw") if rep % 2 == 0 else ("raw", "ours"):
            url = backend.fresh(f"{kind}_{rep}")
            try:
                if kind == "ours":
                    result = _in_fresh_process(
                        ours_worker, url, config.events, [seed], [doc], key_file
                    )["runs"][0]
                else:
                    result = _in_fresh_process(raw_worker, url, config.events, seed, doc)
            finally:
                backend.drop(url)
            runs[kind].append(result)
            print(
                f"  capture {backend.name} {kind} rep {rep + 1}/{config.repetitions}: "
                f"{config.events:,} events in {result['seconds']:.2f} s "
                f"({rate(config.events, result['seconds']):,.0f}/s)",
                flush=True,
            )
    return runs


class Kept(NamedTuple):
    """A pre-fill kept by ``bench scale``: its database and the JSON record of how it was made."""

    url: str
    record: Path
    shown: str  # how the section names it

    @classmethod
    def sqlite(cls, path: Path) -> Kept:
        """A SQLite pre-fill kept with ``--scale-keep FILE.db`` (record: ``FILE.json``)."""
        return cls(f"sqlite:///{path.resolve()}", path.with_suffix(".json"), str(path))


def _on_prefilled(kept: Kept, name: str, config: Config, key_file: str) -> dict:
    """The document rate on top of a kept ``bench scale`` pre-fill, which it grows."""
    url = kept.url
    filled = json.loads(kept.record.read_text())
    _in_fresh_process(_setup_worker, url)
    # The file keeps what earlier runs posted: seeds and document numbers (eventIDs, serials)
    # start past them, derived from its size (each run adds more than 10,000 events).
    # Document numbers have four digits (serials, SSCCs): 1000-9999, warm-up adds 900.
    base = 1 + _stored(url)[0] // config.events
    seeds = [3000 + 10 * base + n for n in range(config.on_top)]
    docs = [1000 + (10 * base + n) % 8000 for n in range(config.on_top)]
    result = _in_fresh_process(ours_worker, url, config.events, seeds, docs, key_file)
    for run in result["runs"]:
        print(
            f"  capture {name} on {run['stored_before']:,} stored (kept pre-fill): "
            f"{rate(config.events, run['seconds']):,.0f}/s",
            flush=True,
        )
    return {"prefill": {**filled, "kept": kept.shown}, **result}


def _at_scale(backend: _Backend, config: Config, key_file: str) -> dict:
    url = backend.fresh("scale")
    try:
        filled = _in_fresh_process(prefill_worker, url, config.prefill_seconds, config.events)
        print(
            f"  capture {backend.name} pre-filled {filled['stored']:,} events in "
            f"{filled['seconds']:.0f} s",
            flush=True,
        )
        seeds = [2000 + n for n in range(config.on_top)]
        docs = [_DOC_ON_TOP + n for n in range(config.on_top)]
        result = _in_fresh_process(ours_worker, url, config.events, seeds, docs, key_file)
    finally:
        backend.drop(url)
    for run in result["runs"]:
        print(
            f"  capture {backend.name} on {run['stored_before']:,} stored: "
            f"{rate(config.events, run['seconds']):,.0f}/s",
            flush=True,
        )
    return {"prefill": filled, **result}


def _measure(
    backend: _Backend, config: Config, key_file: str, prefilled: Kept | None = None
) -> dict[str, Any]:
    measured: dict[str, Any] = {"throughput": _throughput(backend, config, key_file)}
    if prefilled is not None:
        measured["scale"] = _on_prefilled(prefilled, backend.name, config, key_file)
    elif config.prefill_seconds > 0:
        measured["scale"] = _at_scale(backend, config, key_file)
    measured["latency"] = _latency(backend, config, key_file)
    return measured


def run_postgres_on(kept: Kept, *, pg_url: str = DEFAULT_PG_URL) -> Section:
    """PostgreSQL only, at scale on a kept pre-fill (``bench scale --scale-pg-direct``).

    A section of its own, so the SQLite one (and its kept pre-fill's figure) stays.
    """
    version, reason = postgres_version(pg_url)
    if reason is not None:
        raise RuntimeError(f"PostgreSQL not reachable: {reason}")
    config = FULL
    with tempfile.TemporaryDirectory(prefix=DB_PREFIX) as tmp:
        key_file = str(Path(tmp) / "signing.key")
        measured = _measure(_Postgres(pg_url), config, key_file, kept)
    body = (
        _intro(config, quick=False)
        + "\n\n"
        + _render_backend(f"PostgreSQL {version}", "psycopg `COPY`", config, measured, quick=False)
    )
    return Section(f"{TITLE}: PostgreSQL on a kept pre-fill", body)


def run(*, quick: bool, pg_url: str = DEFAULT_PG_URL, prefilled: Path | None = None) -> Section:
    """Measure; ``prefilled``: a SQLite pre-fill kept by ``bench scale --scale-keep`` to
    measure SQLite's rate at scale on (instead of a pre-fill of ``prefill_seconds``)."""
    config = QUICK if quick else FULL
    parts = [_intro(config, quick=quick)]
    with tempfile.TemporaryDirectory(prefix=DB_PREFIX) as tmp:
        workdir = Path(tmp)
        key_file = str(workdir / "signing.key")
        kept = Kept.sqlite(prefilled) if prefilled is not None else None
        sqlite = _measure(_Sqlite(workdir), config, key_file, kept)
        parts.append(
            _render_backend("SQLite", "sqlite3 `executemany`", config, sqlite, quick=quick)
        )
        version, reason = postgres_version(pg_url)
        measured: dict[str, Any] = {}
        if reason is None:
            try:
                measured = _measure(_Postgres(pg_url), config, key_file)
            except Exception as exc:  # noqa: BLE001  the report says why instead of failing the run
                reason = f"the run failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        if reason is None:
            parts.append(
                _render_backend(
                    f"PostgreSQL {version}", "psycopg `COPY`", config, measured, quick=quick
                )
            )
        else:
            print(f"  capture PostgreSQL not measured: {reason}", flush=True)
            parts.append(f"### PostgreSQL\n\nnot measured: {reason}")
    return Section(TITLE, "\n\n".join(parts))


# --- rendering --------------------------------------------------------------------------------


def _flat(per_client: list[list[float]]) -> list[float]:
    return [value for values in per_client for value in values]


def _intro(config: Config, *, quick: bool) -> str:
    note = "*Quick mode: sizes are reduced and targets are not evaluated.*\n\n" if quick else ""
    sample = events(config.events, 1000, 1)
    parts = ", ".join(f"{n:,} {kind}" for kind, n in composition(sample).items())
    scale = (
        f"**At scale**: the issue asks for the rate with {TARGET_SCALE_EVENTS:,} events stored; "
        "that many cannot be built within this benchmark's budget, so it is **not measured**. "
        f"Instead a database is pre-filled for about {config.prefill_seconds:.0f} s through "
        "`events.capture.capture(SqlUnitOfWork(engine), …)` with generated "
        f"{config.events:,}-event documents (sizes below), then {config.on_top} further "
        f"documents are posted through the API as above, in one fresh process, one after "
        "another; their rate is compared with the empty-database median. "
        if config.prefill_seconds > 0
        else "The at-scale measurement (a pre-filled database) runs in full mode only. "
    )
    return (
        f"{note}**Throughput**: one EPCIS 2.0 JSON-LD document of {config.events:,} distinct "
        f"events generated with `random.Random(seed)` (first repetition: {parts}; SGTINs and "
        "SSCCs as GS1 Digital Link URIs with valid check digits, a fifth of the SGTINs as EPC "
        "URNs, SGLN readPoint/bizLocation, eventTime offset +08:00) is posted to "
        "`POST /epcis/capture` through Flask's test client (the full WSGI stack: API-key "
        "authentication, JSON parsing, JSON Schema and identifier validation, then with "
        f"`CAPTURE_INLINE_LIMIT={config.events}` the capture in the request: CBV 2.0 event "
        "hashes, duplicate check, ledger rows, item links, item state, lineage edges, Merkle "
        "leaves and the finished capture job, one transaction); the time is the request's, then "
        "the job must report success and the ledger must have grown by every event. Each "
        "repetition runs in a fresh spawned process against a fresh database (SQLite file in a "
        f"temp dir with the project's WAL + `synchronous=FULL`; PostgreSQL database "
        f"`{DB_PREFIX}*`), after one {WARM_UP_EVENTS}-event warm-up document (a running server "
        "is warm). The **raw baseline** inserts the same `ledger_events` rows and the same "
        "`event_links` rows, computed before the clock starts, into the same migrated tables "
        "(same indexes and constraints) in one transaction: sqlite3 `executemany` on SQLite, "
        "psycopg `COPY` on PostgreSQL. Ours and raw alternate. Within the same requests, the "
        "row **our row writes and commits alone** is the time spent in the bulk writers "
        "(`sql_bulk.append_rows`/`upsert_rows`: ledger, item links, item state, lineage edges, "
        "containment ends, Merkle nodes) and in the commits (the job's and the capture's): a "
        "lower bound of the database's share, before any parsing, validation, hashing or "
        "projection computing; the rate target leaves the whole request twice the raw time. "
        f"{spread_note(config.repetitions)} Targets are judged on the medians. {scale}"
        f"**Latency**: `POST /epcis/events` (one event, committed durably before the 201) on a "
        "waitress server (8 threads) in its own process, LOG_LEVEL INFO with the access log "
        f"to /dev/null; {config.clients} client threads in another process, each with one "
        f"keep-alive `http.client` connection, send {config.requests} distinct events each "
        "(after 3 unmeasured warm-up requests); only 201 counts as a success. The baseline is "
        "the same loop against `GET /healthz` on the same server, just before. Percentiles are "
        f"nearest-rank over all {config.clients * config.requests:,} requests; the spread is "
        "min–max of the same percentile per client."
    )


def _render_backend(
    heading: str, raw_method: str, config: Config, measured: dict[str, Any], *, quick: bool
) -> str:
    runs = measured["throughput"]
    ours = Summary.of([rate(config.events, r["seconds"]) for r in runs["ours"]])
    raw = Summary.of([rate(config.events, r["seconds"]) for r in runs["raw"]])
    ours_s = Summary.of([r["seconds"] for r in runs["ours"]])
    raw_s = Summary.of([r["seconds"] for r in runs["raw"]])
    share = ours.median / raw.median
    goal = f"≥ {100 * TARGET_RAW_SHARE:.0f} % of raw (= {fmt_rate(TARGET_RAW_SHARE * raw.median)})"
    if heading.startswith("PostgreSQL"):
        goal += f"; the issue expects ≈ {ISSUE_PG_RATE:,}/s"
    met = yes_no(None if quick else share >= TARGET_RAW_SHARE)
    if not quick:
        met += f" (slowest {fmt_rate(ours.low)} = {100 * ours.low / raw.median:,.0f} %)"
    rows = [
        [
            f"capture rate, {config.events:,}-event document, events/s",
            fmt_rate(ours.median),
            ours.spread(),
            f"{fmt_rate(raw.median)} ({raw.spread()})",
            f"{100 * share:,.0f} %",
            goal,
            met,
        ],
        [
            "request time",
            fmt_seconds(ours_s.median),
            ours_s.spread("{:,.2f} s"),
            fmt_seconds(raw_s.median),
            f"{100 * raw_s.median / ours_s.median:,.0f} %",
            "—",
            "—",
        ],
    ]
    if all("writes" in r for r in runs["ours"]):
        writes = Summary.of([r["writes"] for r in runs["ours"]])
        budget = raw_s.median / TARGET_RAW_SHARE
        rows.append(
            [
                "of it, our row writes and commits alone",
                fmt_seconds(writes.median),
                writes.spread("{:,.2f} s"),
                fmt_seconds(raw_s.median),
                f"{100 * raw_s.median / writes.median:,.0f} %",
                f"the whole request within {fmt_seconds(budget)} for the rate target",
                f"writes alone take {100 * writes.median / budget:,.0f} % of that",
            ]
        )
    notes = [
        (
            f"Rows per document: {config.events:,} `ledger_events` and "
            f"{runs['ours'][0]['links']:,} `event_links` (ours also writes item state, lineage "
            f"edges, Merkle nodes and the capture job); document "
            f"{runs['ours'][0]['bytes'] / 1e6:,.1f} MB; raw baseline by {raw_method}."
        )
    ]
    if "scale" in measured:
        rows.append(_scale_row(config, measured["scale"], ours, quick=quick))
        filled = measured["scale"]["prefill"]
        reached = filled["stored"] >= TARGET_SCALE_EVENTS
        notes.append(
            (
                f"At scale: a `bench scale` pre-fill kept in {filled['kept']} "
                "(`--capture-prefilled` or `--capture-pg-prefilled`; the demo chains, not this "
                "document's shape), "
                if "kept" in filled
                else "At scale: "
            )
            + (
                ""
                if reached
                else f"{TARGET_SCALE_EVENTS:,} stored events were **not measured**; the "
            )
            + f"database was pre-filled with {filled['stored']:,} events "
            f"({100 * filled['stored'] / TARGET_SCALE_EVENTS:.1f} % of {TARGET_SCALE_EVENTS:,}) "
            f"in {filled['seconds']:.0f} s "
            f"through `events.capture.capture` ({rate(filled['stored'], filled['seconds']):,.0f} "
            "events/s, no HTTP or validation); the documents on top found "
            + ", ".join(f"{r['stored_before']:,}" for r in measured["scale"]["runs"])
            + " events stored."
        )
    rows += _latency_rows(config, measured["latency"], quick=quick)
    return (
        f"### {heading}\n\n"
        + table(
            [
                "what",
                "ours, median",
                "ours, spread (min–max; IQR)",
                "baseline, median",
                "% of baseline",
                "target",
                "met?",
            ],
            rows,
        )
        + "\n\n"
        + "\n\n".join(notes)
    )


def _scale_row(config: Config, scale: dict[str, Any], empty: Summary, *, quick: bool) -> list[str]:
    rates = Summary.of([rate(config.events, r["seconds"]) for r in scale["runs"]])
    share = rates.median / empty.median
    size, last = scale["runs"][0]["stored_before"], scale["runs"][-1]["stored_before"]
    reached = size >= TARGET_SCALE_EVENTS
    return [
        f"capture rate with {size:,}–{last:,} events stored"
        + ("" if reached else f" (not {TARGET_SCALE_EVENTS:,})"),
        fmt_rate(rates.median),
        rates.spread(),
        f"empty database {fmt_rate(empty.median)}",
        f"{100 * share:,.0f} %",
        f"≥ {100 * TARGET_SCALE_SHARE:.0f} % of empty with {TARGET_SCALE_EVENTS:,} stored",
        "n/a"
        if quick
        else yes_no(share >= TARGET_SCALE_SHARE)
        if reached
        else f"{yes_no(share >= TARGET_SCALE_SHARE)} at {size:,} stored; "
        f"at {TARGET_SCALE_EVENTS:,}: not measured",
    ]


def _latency_rows(config: Config, latency: dict[str, Any], *, quick: bool) -> list[list[str]]:
    events_, health = latency["events"], latency["healthz"]
    ours_all, base_all = _flat(events_["latencies"]), _flat(health["latencies"])
    rows = []
    for p in (50, 95, 99):
        per_client = Summary.of([percentile(c, p) * 1000 for c in events_["latencies"]])
        value, base = percentile(ours_all, p), percentile(base_all, p)
        target, met = "—", "—"
        if p == 99:
            target = f"< {TARGET_P99_MS:.0f} ms"
            met = yes_no(None if quick else value * 1000 < TARGET_P99_MS)
        rows.append(
            [
                f"`POST /epcis/events` latency p{p}, {config.clients} clients",
                f"{value * 1000:,.1f} ms",
                per_client.spread("{:,.1f} ms").replace("; IQR", " per client; IQR"),
                f"`GET /healthz` {base * 1000:,.1f} ms",
                f"{value / base:,.1f}× baseline",
                target,
                met,
            ]
        )
    total = config.clients * config.requests
    created = events_["statuses"].get("201", 0)
    others = {k: v for k, v in events_["statuses"].items() if k != "201"}
    rows.append(
        [
            "answers 201 / request rate",
            f"{created:,} of {total:,}; {total / events_['wall']:,.0f} requests/s",
            f"mean {statistics.fmean(ours_all) * 1000:,.1f} ms; max {max(ours_all) * 1000:,.1f} ms",
            f"`GET /healthz` {total / health['wall']:,.0f} requests/s",
            "—",
            "every answer 201",
            (
                "none other"
                if not others
                else "other: " + ", ".join(f"{v} × {k}" for k, v in others.items())
            ),
        ]
    )
    return rows
