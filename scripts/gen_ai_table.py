"""Generate ``identifiers/_data/application_identifiers.json`` from the GS1 Syntax Dictionary.

Usage::

    python scripts/gen_ai_table.py [path/to/gs1-syntax-dictionary.txt] [--out path.json]

The dictionary (github.com/gs1/gs1-syntax-dictionary, Apache-2.0) is the machine-readable
form of the GS1 General Specifications §3 AI table. Each entry line reads
``AIs [Flags] Specification [Attributes...] [# Title]``; see the header of that file.
The app never reads the dictionary at run time: this script's output is committed.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = (
    REPO.parent
    / "shared"
    / "conformance"
    / "gs1-identifiers"
    / "syntax-dictionary"
    / "gs1-syntax-dictionary.txt"
)
DEFAULT_OUT = REPO / "identifiers" / "_data" / "application_identifiers.json"

_AI_RANGE = re.compile(r"^(\d{2,4})(?:-(\d{2,4}))?$")
_COMPONENT = re.compile(r"^(\[)?([NXYZ])(\d+|\.\.\d+)(\])?((?:,\w+)*)$")
_FLAG_CHARS = set("*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~")


def parse_component(token: str) -> dict[str, object]:
    """Parse one specification component such as ``N13,csum,gcppos1`` or ``[X..17]``."""
    match = _COMPONENT.match(token)
    if match is None:
        msg = f"unrecognised component {token!r}"
        raise ValueError(msg)
    opening, cset, length, closing, linters = match.groups()
    if bool(opening) != bool(closing):
        msg = f"unbalanced brackets in component {token!r}"
        raise ValueError(msg)
    if length.startswith(".."):
        min_len, max_len = 1, int(length[2:])
    else:
        min_len = max_len = int(length)
    return {
        "cset": cset,
        "min": min_len,
        "max": max_len,
        "optional": bool(opening),
        "linters": [name for name in linters.split(",") if name],
    }


def parse_line(line: str) -> list[tuple[str, dict[str, object]]]:
    """Parse one dictionary entry line into ``(ai, entry)`` pairs (ranges are expanded)."""
    body, _, title = line.partition("#")
    tokens = body.split()
    ai_match = _AI_RANGE.match(tokens[0])
    if ai_match is None:
        msg = f"bad AI field in {line!r}"
        raise ValueError(msg)
    first, last = ai_match.group(1), ai_match.group(2) or ai_match.group(1)
    rest = tokens[1:]
    flags = ""
    if rest and set(rest[0]) <= _FLAG_CHARS:
        flags = rest.pop(0)
    components: list[dict[str, object]] = []
    attributes: list[str] = []
    for token in rest:
        if not attributes and _COMPONENT.match(token):
            components.append(parse_component(token))
        else:
            attributes.append(token)
    entry = {
        "title": title.strip(),
        "fnc1_free": "*" in flags,
        "dl_data_attribute": "?" in flags,
        "components": components,
        "dlpkey": None,
        "req": [],
        "ex": [],
    }
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        if key == "dlpkey":
            entry["dlpkey"] = [alt.split(",") if alt else [] for alt in value.split("|")]
        elif key in {"req", "ex"}:
            entry[key] = [*entry[key], *value.split(",")]  # type: ignore[misc]
    width = len(first)
    return [(str(ai).zfill(width), dict(entry)) for ai in range(int(first), int(last) + 1)]


def build_table(source: Path) -> dict[str, dict[str, object]]:
    """Read the whole dictionary into ``{ai: entry}``, in the dictionary's order."""
    lines = (raw.strip() for raw in source.read_text(encoding="utf-8").splitlines())
    return {
        ai: entry
        for line in lines
        if line and not line.startswith("#")
        for ai, entry in parse_line(line)
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    table = build_table(args.source)
    document = {
        "source": "gs1/gs1-syntax-dictionary: gs1-syntax-dictionary.txt (Apache-2.0)",
        "generated_by": "scripts/gen_ai_table.py",
        "ais": table,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {len(table)} AIs to {args.out}")


if __name__ == "__main__":
    main()
