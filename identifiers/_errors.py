"""The one error family of the identifiers package (ARCHITECTURE.md R6, R7)."""

from __future__ import annotations

__all__ = ["IdentifierError", "MintError", "ParseError"]


class IdentifierError(ValueError):
    """Base class: anything this package refuses. Messages say input, expected and got."""


class ParseError(IdentifierError):
    """Text could not be read as the identifier it was meant to be."""


class MintError(IdentifierError):
    """A minting request is unsafe or impossible (e.g. a guessable serial policy)."""
