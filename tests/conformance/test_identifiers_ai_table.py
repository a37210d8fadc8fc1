"""The committed AI table agrees with the GS1 Syntax Dictionary it was generated from."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from identifiers.ai_table import ai_length, ai_spec, all_ais

REPO = Path(__file__).resolve().parents[2]
DICTIONARY = (
    REPO.parent / "shared" / "conformance" / "gs1-identifiers" / "syntax-dictionary"
    / "gs1-syntax-dictionary.txt"
)  # fmt: skip


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_ai_table", REPO / "scripts" / "gen_ai_table.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_table_is_what_the_generator_makes_from_the_dictionary():
    fresh = _generator().build_table(DICTIONARY)
    committed = json.loads(
        (REPO / "identifiers" / "_data" / "application_identifiers.json").read_text("utf-8")
    )["ais"]
    assert committed == fresh


def test_every_dictionary_ai_is_present_with_its_format():
    for raw in DICTIONARY.read_text("utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        first = raw.split()[0].split("-")
        low, high = int(first[0]), int(first[-1])
        for number in range(low, high + 1):
            ai = str(number).zfill(len(first[0]))
            spec = ai_spec(ai)
            assert spec is not None, ai
            assert spec.fnc1_free == ("*" in raw.split()[1]), ai
    assert len(all_ais()) > 500


def test_ai_length_is_fixed_by_the_first_two_digits():
    for ai in all_ais():
        assert ai_length(ai[:2]) == len(ai)


def test_known_formats():
    gtin = ai_spec("01")
    assert gtin is not None
    assert (gtin.min_length, gtin.max_length, gtin.fnc1_free) == (14, 14, True)
    assert gtin.dlpkey == (("22", "10", "21"), ("235",))
    grai = ai_spec("8003")
    assert grai is not None
    assert (grai.min_length, grai.max_length, grai.fnc1_free) == (14, 30, False)
    lot = ai_spec("10")
    assert lot is not None
    assert (lot.min_length, lot.max_length, lot.dl_data_attribute) == (1, 20, True)
