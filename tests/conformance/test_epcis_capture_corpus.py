"""Every EPCIS document of the conformance corpus that the codec reads is captured, read back
from the database unchanged, and hashes to the same value after the round trip.

Which documents are valid is the codec's conformance test's business (it names every
exclusion); here every readable document goes through capture on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from events.adapters import make_engine
from events.adapters.sql_uow import SqlUnitOfWork
from events.audit import verify
from events.capture import ErrorBehaviour, capture
from events.codec import EpcisValidationError, read_document
from events.domain.hashing import event_hash

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "epcis-examples"
MEDIA = {
    ".json": "application/ld+json",
    ".jsonld": "application/ld+json",
    ".xml": "application/xml",
}


def readable_documents() -> list[tuple[Path, list[dict]]]:
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix not in MEDIA or "Invalid" in path.parts or "Query" in path.parts:
            continue
        try:
            events = list(read_document(path.read_bytes(), MEDIA[path.suffix]).events)
        except EpcisValidationError:
            continue
        if events:
            found.append((path, events))
    return found


def test_the_corpus_is_captured_read_back_and_hashed(migrated_database_url: str) -> None:
    documents = readable_documents()
    assert len(documents) > 150, "the corpus should yield well over 150 event documents"
    engine = make_engine(migrated_database_url)
    stored_total = 0
    for path, events in documents:
        # The same examples recur across bindings and folders: proceed stores the new ones.
        outcome = capture(
            SqlUnitOfWork(engine), events, organisation_id=None, behaviour=ErrorBehaviour.PROCEED
        )
        assert {e.kind for e in outcome.errors} <= {"duplicate", "unknown-event"}, (
            path,
            outcome.errors,
        )
        stored_total += len(outcome.stored)
    with SqlUnitOfWork(engine) as uow:
        stored = list(uow.ledger.read())
        assert len(stored) == stored_total > 80  # the corpus repeats examples across bindings
        for event in stored:
            payload = event.record.payload
            if event.record.kind == "event":
                assert event_hash(payload) == event.record.event_hash, event.event_id
    assert verify(SqlUnitOfWork(engine)).ok
    engine.dispose()
