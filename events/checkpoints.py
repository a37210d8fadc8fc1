r"""Signed checkpoints: the ledger's Merkle tree head, signed with Ed25519 as a C2SP signed note.

The signed body is a C2SP ``tlog-checkpoint`` (https://c2sp.org/tlog-checkpoint): UTF-8 text in
which every line, the last one included, ends in a single ``\n``::

    <origin>
    <tree size in decimal, no leading zeros>
    <root hash: standard base64 with padding>
    timestamp <ISO-8601 UTC: 2026-05-09T07:35:25Z, or 2026-05-09T07:35:25.123456Z>

The fourth line is an extension line, which the spec leaves to the log; ours carries the time the
head was made. Ed25519 signs exactly these bytes. Rendered as a signed note
(https://c2sp.org/signed-note), the body is followed by an empty line and
``— <origin> <base64(key ID || signature)>``, where the key ID is the first four bytes of
SHA-256(<origin> || 0x0A || 0x01 || public key): the origin is the key name, 0x01 means Ed25519.

References:
    RFC 9162 §4.10 (signed tree heads), §2.1.1 (the root hash); C2SP tlog-checkpoint and
    signed-note; RFC 8032 (Ed25519).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.domain.errors import LedgerError
from events.domain.merkle import HASH_SIZE

DEFAULT_ORIGIN = "onecode-trace/ledger"
"""Deployments should set their own, e.g. ``trace.example.com/ledger`` (C2SP: schema-less URL)."""
ED25519_ALGORITHM = b"\x01"
"""The signed-note signature type of Ed25519."""
KEY_SIZE = 32
SIGNATURE_SIZE = 64
KEY_ID_SIZE = 4


class CheckpointError(LedgerError):
    """A checkpoint, key or checkpoint JSON document is malformed."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The head of the ledger's tree: its size, its RFC 9162 root hash and when it was made."""

    tree_size: int
    root_hash: bytes
    timestamp: datetime
    origin: str = DEFAULT_ORIGIN

    def __post_init__(self) -> None:
        if isinstance(self.tree_size, bool) or self.tree_size < 0:
            raise CheckpointError(f"tree size must be a count, got {self.tree_size!r}")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes")
        if self.timestamp.utcoffset() is None:
            raise CheckpointError("checkpoint timestamp must be timezone-aware")
        if not self.origin or any(c.isspace() or c == "+" for c in self.origin):
            raise CheckpointError(f"origin {self.origin!r} must be non-empty, without spaces or +")
        object.__setattr__(self, "timestamp", self.timestamp.astimezone(UTC))

    def body(self) -> str:
        """The exact text that is signed (see the module docstring)."""
        root = base64.b64encode(self.root_hash).decode()
        return f"{self.origin}\n{self.tree_size}\n{root}\ntimestamp {_iso(self.timestamp)}\n"


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint with the Ed25519 signature over its body and the signer's public key."""

    checkpoint: Checkpoint
    signature: bytes
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The signed-note key ID of the signer, named by the checkpoint's origin."""
        return key_id(self.checkpoint.origin, self.public_key)

    def note(self) -> str:
        """The checkpoint as a C2SP signed note, readable by signed-note verifiers."""
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{self.checkpoint.body()}\n\u2014 {self.checkpoint.origin} {blob}\n"

    def to_json(self) -> dict[str, object]:
        """The API's JSON object of this checkpoint (bytes as standard base64, key ID as hex)."""
        cp = self.checkpoint
        return {
            "treeSize": cp.tree_size,
            "rootHash": base64.b64encode(cp.root_hash).decode(),
            "timestamp": _iso(cp.timestamp),
            "origin": cp.origin,
            "signature": base64.b64encode(self.signature).decode(),
            "keyId": self.key_id.hex(),
            "publicKey": base64.b64encode(self.public_key).decode(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> SignedCheckpoint:
        """Parse :meth:`to_json` output. It says nothing of the signature: call :func:`verify`.

        Raises:
            CheckpointError: a field is missing or malformed, or keyId does not match publicKey.
        """
        try:
            size = data["treeSize"]
            if not isinstance(size, int):
                raise CheckpointError(f"treeSize must be an integer, got {size!r}")
            stamp = datetime.fromisoformat(_text(data, "timestamp"))
            checkpoint = Checkpoint(size, _b64(data, "rootHash"), stamp, _text(data, "origin"))
            signed = cls(checkpoint, _b64(data, "signature"), _b64(data, "publicKey"))
        except (KeyError, ValueError, binascii.Error) as e:
            raise CheckpointError(f"malformed checkpoint JSON: {e}") from e
        if len(signed.signature) != SIGNATURE_SIZE or len(signed.public_key) != KEY_SIZE:
            raise CheckpointError("signature must be 64 bytes and publicKey 32 bytes")
        if _text(data, "keyId") != signed.key_id.hex():
            raise CheckpointError("keyId does not belong to publicKey and origin")
        return signed


def key_id(name: str, public_key: bytes) -> bytes:
    """The signed-note key ID: SHA-256(name || 0x0A || 0x01 || public key), first 4 bytes."""
    digest = hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + public_key).digest()
    return digest[:KEY_ID_SIZE]


def generate_key() -> bytes:
    """A new Ed25519 private key, as its raw 32 bytes (RFC 8032 §5.1.5)."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


def load_private_key(raw: bytes) -> Ed25519PrivateKey:
    """The Ed25519 private key of 32 raw bytes (from :func:`generate_key` or a secret store).

    Raises:
        CheckpointError: ``raw`` is not 32 bytes.
    """
    try:
        return Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError as e:
        raise CheckpointError("an Ed25519 private key is 32 raw bytes") from e


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key of ``private_key``: what verifiers are given."""
    return private_key.public_key().public_bytes_raw()


def sign(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> SignedCheckpoint:
    """Sign the checkpoint's body with Ed25519."""
    signature = private_key.sign(checkpoint.body().encode())
    return SignedCheckpoint(checkpoint, signature, public_key_bytes(private_key))


def verify(signed: SignedCheckpoint, public_key: bytes) -> bool:
    """Whether the trusted ``public_key`` signed this checkpoint.

    The key carried inside ``signed`` is only a hint; it must equal the trusted key.

    Raises:
        CheckpointError: the trusted ``public_key`` is not 32 bytes.
    """
    if len(public_key) != KEY_SIZE:
        raise CheckpointError("an Ed25519 public key is 32 raw bytes")
    if signed.public_key != public_key:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signed.signature, signed.checkpoint.body().encode()
        )
    except InvalidSignature:
        return False
    return True


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _text(data: Mapping[str, object], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise CheckpointError(f"{name} must be a string")
    return value


def _b64(data: Mapping[str, object], name: str) -> bytes:
    return base64.b64decode(_text(data, name), validate=True)
