"""``make_engine`` refuses what it cannot use with one clear sentence, never an import traceback."""

from __future__ import annotations

import sys

import pytest

from events.adapters.engine import StorageUnavailableError, make_engine


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "not a valid URL"),
        ("mysql://u@h/db", "expected sqlite:/// or postgresql://"),
    ],
)
def test_unusable_urls_are_refused(url: str, words: str) -> None:
    with pytest.raises(StorageUnavailableError, match=words):
        make_engine(url)


def test_a_missing_postgresql_driver_names_the_install_step(monkeypatch) -> None:
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    with pytest.raises(StorageUnavailableError, match=r"pip install -e '\.\[postgres\]'"):
        make_engine("postgresql://postgres@127.0.0.1:5432/onecode")
