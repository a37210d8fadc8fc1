"""Signed checkpoints: round trips, and every alteration or wrong key fails verification."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.checkpoints import (
    Checkpoint,
    CheckpointError,
    SignedCheckpoint,
    generate_key,
    key_id,
    load_private_key,
    public_key_bytes,
    sign,
    verify,
)
from events.domain.errors import LedgerError

ROOT = hashlib.sha256(b"root").digest()
WHEN = datetime(2026, 5, 9, 7, 35, 25, tzinfo=UTC)
KEY = load_private_key(bytes(range(32)))  # a fixed key makes the expected texts stable
PUB = public_key_bytes(KEY)


def checkpoint(**changes) -> Checkpoint:
    return dataclasses.replace(Checkpoint(1234, ROOT, WHEN, "trace.example.com/ledger"), **changes)


def test_the_signed_body_is_a_c2sp_checkpoint_with_a_timestamp_extension_line():
    root = base64.b64encode(ROOT).decode()
    assert checkpoint().body() == (
        f"trace.example.com/ledger\n1234\n{root}\ntimestamp 2026-05-09T07:35:25Z\n"
    )
    micro = checkpoint(timestamp=WHEN.replace(microsecond=120))
    assert micro.body().endswith("timestamp 2026-05-09T07:35:25.000120Z\n")


def test_timestamps_are_normalised_to_utc():
    cet = timezone(timedelta(hours=2))
    assert checkpoint(timestamp=datetime(2026, 5, 9, 9, 35, 25, tzinfo=cet)) == checkpoint()
    assert checkpoint().timestamp.tzinfo is UTC


def test_sign_then_verify_round_trips():
    signed = sign(checkpoint(), KEY)
    assert signed.public_key == PUB
    assert len(signed.signature) == 64
    assert verify(signed, PUB)
    assert (
        Ed25519PublicKey.from_public_bytes(PUB).verify(
            signed.signature, checkpoint().body().encode()
        )
        is None
    )  # a plain Ed25519 verifier accepts it over the body bytes


def test_the_note_form_follows_signed_note():
    signed = sign(checkpoint(), KEY)
    body, signature_line = signed.note().split("\n\n")
    assert body + "\n" == checkpoint().body()
    dash, name, blob = signature_line.rstrip("\n").split(" ")
    assert (dash, name) == ("\u2014", "trace.example.com/ledger")
    raw = base64.b64decode(blob)
    expected_id = hashlib.sha256(b"trace.example.com/ledger\n\x01" + PUB).digest()[:4]
    assert raw == expected_id + signed.signature
    assert signed.key_id == key_id("trace.example.com/ledger", PUB) == expected_id


@pytest.mark.parametrize(
    "changes",
    [
        {"tree_size": 1235},
        {"tree_size": 0},
        {"root_hash": hashlib.sha256(b"other").digest()},
        {"timestamp": WHEN + timedelta(microseconds=1)},
        {"origin": "trace.example.com/other"},
    ],
)
def test_any_change_to_the_checkpoint_fails_verification(changes):
    signed = sign(checkpoint(), KEY)
    forged = dataclasses.replace(signed, checkpoint=checkpoint(**changes))
    assert not verify(forged, PUB)


@pytest.mark.parametrize("at", [0, 31, 63])
def test_any_change_to_the_signature_fails_verification(at):
    signed = sign(checkpoint(), KEY)
    bad = bytearray(signed.signature)
    bad[at] ^= 0x01
    assert not verify(dataclasses.replace(signed, signature=bytes(bad)), PUB)
    assert not verify(dataclasses.replace(signed, signature=signed.signature[:-1]), PUB)


def test_a_wrong_key_fails_verification():
    signed = sign(checkpoint(), KEY)
    other = public_key_bytes(load_private_key(generate_key()))
    assert not verify(signed, other)  # the trusted key is another one
    impostor = sign(checkpoint(), load_private_key(generate_key()))
    assert not verify(impostor, PUB)
    relabelled = dataclasses.replace(impostor, public_key=PUB)  # claims to be PUB's
    assert not verify(relabelled, PUB)


def test_key_helpers():
    raw = generate_key()
    assert len(raw) == 32
    assert raw != generate_key()
    assert len(public_key_bytes(load_private_key(raw))) == 32
    with pytest.raises(CheckpointError):
        load_private_key(b"short")
    with pytest.raises(CheckpointError):
        verify(sign(checkpoint(), KEY), b"short")


def test_json_round_trips_and_still_verifies():
    signed = sign(checkpoint(timestamp=WHEN.replace(microsecond=5)), KEY)
    doc = signed.to_json()
    assert doc == {
        "treeSize": 1234,
        "rootHash": base64.b64encode(ROOT).decode(),
        "timestamp": "2026-05-09T07:35:25.000005Z",
        "origin": "trace.example.com/ledger",
        "signature": base64.b64encode(signed.signature).decode(),
        "keyId": signed.key_id.hex(),
        "publicKey": base64.b64encode(PUB).decode(),
    }
    back = SignedCheckpoint.from_json(doc)
    assert back == signed
    assert verify(back, PUB)


def test_tampered_json_parses_but_does_not_verify():
    doc = sign(checkpoint(), KEY).to_json()
    for name, value in [("treeSize", 1), ("timestamp", "2026-05-09T07:35:26Z")]:
        assert not verify(SignedCheckpoint.from_json({**doc, name: value}), PUB)


@pytest.mark.parametrize(
    "changes",
    [
        {"treeSize": "1234"},
        {"treeSize": True},
        {"treeSize": -1},
        {"treeSize": None},
        {"rootHash": "not base64!"},
        {"rootHash": base64.b64encode(b"short").decode()},
        {"timestamp": "yesterday"},
        {"timestamp": "2026-05-09T07:35:25"},  # naive: no offset
        {"origin": ""},
        {"origin": "has space"},
        {"origin": 7},
        {"signature": base64.b64encode(b"x" * 63).decode()},
        {"publicKey": base64.b64encode(b"x" * 31).decode()},
        {"keyId": "00000000"},
    ],
)
def test_malformed_json_is_refused(changes):
    doc = {**sign(checkpoint(), KEY).to_json(), **changes}
    with pytest.raises(CheckpointError) as err:
        SignedCheckpoint.from_json(doc)
    assert isinstance(err.value, LedgerError)


def test_missing_json_field_is_refused():
    doc = sign(checkpoint(), KEY).to_json()
    del doc["rootHash"]
    with pytest.raises(CheckpointError, match="rootHash"):
        SignedCheckpoint.from_json(doc)


@pytest.mark.parametrize(
    "changes",
    [
        {"tree_size": -1},
        {"root_hash": b"short"},
        {"timestamp": datetime(2026, 5, 9)},  # noqa: DTZ001 - naive on purpose
        {"origin": "a+b"},
    ],
)
def test_invalid_checkpoints_cannot_be_made(changes):
    with pytest.raises(CheckpointError):
        checkpoint(**changes)
