"""Opaque, signed, expiring ``nextPageToken``s (EPCIS 2.0 REST binding paging).

A token carries the query's fingerprint, the ledger position bounding the whole walk (the
snapshot: events captured after the first page are not part of this result, so a walk returns
every event that matched when it began exactly once, whatever is captured meanwhile), the sort
key and position of the last event delivered, how many were delivered (for ``eventCountLimit``)
and an expiry. It is HMAC-SHA256-signed with a per-application secret, so it cannot be forged,
and a token presented with a different query is refused. Tokens are stateless: nothing is kept
on the server, so ``DELETE /nextPageToken/{token}`` answers 501.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from events.query.params import QueryParameterError

TOKEN_TTL = timedelta(hours=1)


class PageTokenError(QueryParameterError):
    """A ``nextPageToken`` that is malformed, forged, expired or from another query."""

    def __init__(self, message: str) -> None:
        super().__init__("nextPageToken", message)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a walk over a query's results stands."""

    snapshot: int  # highest ledger position included in the walk
    key: str | None = None  # ISO time of the last event's orderBy field (None: ordered by position)
    position: int = 0  # position of the last event delivered (0: none yet)
    delivered: int = 0


class PageTokens:
    """Issue and check tokens with ``secret`` (derive it from a key the application keeps)."""

    def __init__(self, secret: bytes, ttl: timedelta = TOKEN_TTL) -> None:
        self._secret = secret
        self._ttl = ttl

    def issue(self, fingerprint: str, cursor: Cursor, now: datetime) -> tuple[str, datetime]:
        """A token for the page after ``cursor`` and the time it expires."""
        expires = now + self._ttl
        body = json.dumps(
            {"f": fingerprint, "e": int(expires.timestamp()), "c": asdict(cursor)},
            separators=(",", ":"),
        ).encode()
        data = _b64(body)
        return f"{data}.{_b64(self._sign(data))}", expires

    def read(self, token: str, fingerprint: str, now: datetime) -> Cursor:
        """The cursor in ``token``.

        Raises:
            PageTokenError: malformed, badly signed, expired, or issued for another query.
        """
        data, _, signature = token.partition(".")
        try:
            good = hmac.compare_digest(_unb64(signature), self._sign(data))
            body = json.loads(_unb64(data)) if good else None
        except ValueError:
            raise PageTokenError("malformed token") from None
        if body is None:
            raise PageTokenError("the token's signature does not match")
        if body["f"] != fingerprint:
            raise PageTokenError("the token belongs to another query")
        if body["e"] < now.timestamp():
            raise PageTokenError("the token has expired; start the query again")
        return Cursor(**body["c"])

    def _sign(self, data: str) -> bytes:
        return hmac.new(self._secret, data.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
