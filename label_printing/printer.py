"""Send ZPL to a Zebra printer over raw TCP (port 9100, "JetDirect"). Optional; no replies read."""

from __future__ import annotations

import socket
from typing import Final

from label_printing._errors import LabelError

__all__ = ["RAW_PORT", "send"]

RAW_PORT: Final = 9100


def send(data: bytes, host: str, port: int = RAW_PORT, timeout: float = 10.0) -> None:
    """Write ``data`` to the printer and close the connection.

    Raises:
        LabelError: the printer cannot be reached or the connection breaks.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(data)
    except OSError as exc:
        raise LabelError(f"printer {host}:{port}: {exc.strerror or exc}") from exc
