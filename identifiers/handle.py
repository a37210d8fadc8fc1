"""China industrial-internet identifiers (工业互联网标识) in the Handle syntax.

A handle is ``<naming authority prefix>/<local name>`` (RFC 3650 §3). China's national
top-level node (国家顶级节点) assigns prefixes under ``88``: ``88.<industry>.<enterprise>``
such as ``88.100.1``. This module accepts:

* the bare handle ``88.100.1/ABC-123``;
* the ``hdl:`` form ``hdl:88.100.1/ABC-123`` (RFC 3650 §3 URI style);
* a resolver URL on any host and path prefix, ``https://any.host/x/88.100.1/ABC-123``:
  the first path segment shaped like an ``88.`` prefix starts the handle, and the
  rest of the path (percent-decoded, ``/`` kept) is the local name.

Rules applied (choices, where the RFCs leave them open, are marked *policy*):

* prefix: ASCII digits in dot-separated segments, first segment ``88``, at least three
  segments (top node, industry, enterprise) — *policy* for the IDIS namespace;
  at most 64 characters — *policy*.
* local name: UTF-8 (RFC 3651 §2.1), non-empty; control characters (C0, DEL, C1) and
  whitespace are refused — *policy*, scanners and logs must show what was meant.
* length: the RFCs set no maximum (RFC 3652 §2.1.4 encodes lengths in 4 octets); this
  platform refuses handles over 255 UTF-8 octets — *policy*.
* case: handles are case-sensitive by default (RFC 3652 §2.1.3); a service may treat ASCII
  case-insensitively, and then "their original case should be preserved". The canonical form
  therefore keeps the case as written. Minted suffixes use upper-case letters only, so no two
  minted handles differ only in case.

References:
    RFC 3650 §3 (handle syntax), RFC 3651 §2.1 (UTF-8, naming authority),
    RFC 3652 §2.1.4 (UTF8-String encoding).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

from identifiers._errors import ParseError

__all__ = ["MAX_HANDLE_OCTETS", "HandleId", "looks_like_handle"]

MAX_HANDLE_OCTETS: Final = 255
MAX_PREFIX_CHARS: Final = 64
_PREFIX: Final = re.compile(r"88(?:\.[0-9]+){2,}")
_BARE: Final = re.compile(r"(?i:hdl:)?(88(?:\.[0-9]+)+)/(.*)", re.DOTALL)
_IN_URL: Final = re.compile(r"(?i:https?)://[^/?#\s]+/(?:[^?#]*?/)?(88(?:\.[0-9]+)+)/([^?#]*)")
_BAD_CHAR: Final = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


def looks_like_handle(text: str) -> bool:
    """Whether ``text`` has the shape of an ``88.`` handle or a URL carrying one.

    >>> looks_like_handle("88.100.1/A"), looks_like_handle("https://h/88.100.1/A")
    (True, True)
    """
    return _BARE.match(text) is not None or _IN_URL.match(text) is not None


@dataclass(frozen=True, slots=True)
class HandleId:
    """An industrial-internet handle, ``prefix/suffix``, case preserved."""

    prefix: str
    suffix: str

    @property
    def canonical(self) -> str:
        """``prefix/suffix``."""
        return f"{self.prefix}/{self.suffix}"

    @classmethod
    def parse(cls, raw: str) -> HandleId:
        """Read a handle, ``hdl:`` URI or resolver URL.

        >>> HandleId.parse("hdl:88.100.1/abc-123").canonical
        '88.100.1/abc-123'
        >>> HandleId.parse("https://idis.example.cn/r/88.100.1/A%2FB").canonical
        '88.100.1/A/B'
        >>> HandleId.parse("88.1/x")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        identifiers._errors.ParseError: '88.1/x': expected a prefix 88.<industry>..., got '88.1'
        """
        match = _BARE.fullmatch(raw)
        suffix = match.group(2) if match else ""
        if match is None:
            match = _IN_URL.fullmatch(raw)
            if match is None:
                raise ParseError(f"{raw!r}: expected a handle such as 88.100.1/ABC, got no prefix")
            suffix = _decode(match.group(2), raw)
        return cls._checked(raw, match.group(1), suffix)

    @classmethod
    def _checked(cls, raw: str, prefix: str, suffix: str) -> HandleId:
        if _PREFIX.fullmatch(prefix) is None or len(prefix) > MAX_PREFIX_CHARS:
            raise ParseError(
                f"{raw!r}: expected a prefix 88.<industry>.<enterprise>, got {prefix!r}"
            )
        if not suffix:
            raise ParseError(f"{raw!r}: expected a local name after '{prefix}/', got nothing")
        bad = _BAD_CHAR.search(suffix)
        if bad is not None:
            got = bad.group()
            raise ParseError(f"{raw!r}: expected no spaces or control characters, got {got!r}")
        octets = len(prefix) + 1 + len(suffix.encode("utf-8", "surrogatepass"))
        if octets > MAX_HANDLE_OCTETS:
            raise ParseError(
                f"{raw!r}: expected at most {MAX_HANDLE_OCTETS} UTF-8 octets, got {octets}"
            )
        try:
            suffix.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ParseError(f"{raw!r}: expected UTF-8 text, got a lone surrogate") from error
        return cls(prefix, suffix)


def _decode(segment: str, raw: str) -> str:
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError as error:
        raise ParseError(f"{raw!r}: expected UTF-8 percent-encoding, got {segment!r}") from error
