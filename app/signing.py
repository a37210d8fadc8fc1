"""The platform's Ed25519 key that signs ledger checkpoints.

Kept in ``ONECODE_SIGNING_KEY_FILE`` (default ``instance/ledger-signing.key``, created with
mode 0600 on first use). Back it up: checkpoints signed with a lost key can still be verified
with its public key, but new ones will carry a new key id.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.checkpoints import generate_key, load_private_key


def signing_key(path: str) -> Ed25519PrivateKey:
    """Load the key, creating it (0600) when the file does not exist yet."""
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(generate_key())
    return load_private_key(file.read_bytes())
