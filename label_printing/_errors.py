"""The one error label printing raises."""

from __future__ import annotations

__all__ = ["LabelError"]


class LabelError(ValueError):
    """A label cannot be made as asked: unknown template or format, or data breaking GS1 rules.

    The message says what was expected and what was found, in one line.
    """
