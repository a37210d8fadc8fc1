"""Every user-facing message has a Simplified Chinese translation (extracted from the sources)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[3]
CATALOGUE = REPO / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    found = extract_from_dir(str(REPO), method_map=method_map, keywords=KEYWORDS)
    return {message for _file, _line, message, _comments, _context in found}


def test_the_extraction_finds_messages() -> None:
    messages = source_messages()
    assert "Not found" in messages  # app/problems.py
    assert "Back to the home page" in messages  # templates/error.html


def test_every_message_is_translated() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert missing == [], "run make translations-update and translate these in messages.po"
