"""Dates as people type them, turned into the GS1 YYMMDD form (GS1 General Specifications §7.12)."""

from __future__ import annotations

import datetime as dt

import click


def gs1_date(value: str | None, option: str) -> str | None:
    """``2027-06-30`` → ``270630``; ``YYMMDD`` passes through (day ``00`` allowed, GS1 §3.4.6).

    Full validation of YYMMDD is the identifiers layer's (AI 17 rules).
    """
    if value is None:
        return None
    text = value.strip()
    if len(text) == 6 and text.isdigit():  # noqa: PLR2004  YYMMDD
        return text
    try:
        return dt.date.fromisoformat(text).strftime("%y%m%d")
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: expected YYYY-MM-DD or YYMMDD", param_hint=option
        ) from None
