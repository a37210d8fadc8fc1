"""The entry points each kind of user starts from.

Blueprints add theirs when they are registered; the home page and ``onecode serve``'s start-up
banner both list them, so a new page is announced in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_babel import LazyString

_KEY = "onecode.entry_points"


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """One address a user opens, with whom it is for and what it does (both localised)."""

    audience: LazyString
    title: LazyString
    path: str
    description: LazyString


def add(app: Flask, entry: EntryPoint) -> None:
    """Announce ``entry`` on ``app``'s home page and start-up banner."""
    app.extensions.setdefault(_KEY, []).append(entry)


def of(app: Flask) -> list[EntryPoint]:
    """The entry points announced on ``app``, in the order they were added."""
    entries: list[EntryPoint] = app.extensions.get(_KEY, [])
    return entries
