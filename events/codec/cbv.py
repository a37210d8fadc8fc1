"""CBV 2.0 vocabularies: every spelling of a standard value becomes its bare term.

A standard value may arrive as a bare term (``shipping``), a CBV 1.x URN
(``urn:epcglobal:cbv:bizstep:shipping``), a web URI (``https://ref.gs1.org/cbv/BizStep-shipping``)
or a CURIE (``cbv:BizStep-shipping``); the normalised event keeps ``shipping``. Values outside
the CBV stay full URIs (CURIEs with a declared prefix are expanded).

References:
    GS1 CBV 2.0 §7 (BizStep §7.1, Disp §7.2, BTT §7.3, SDT §7.4, ER §7.5, Comp §7.6) and
    §8.2-8.4 (URN and web URI forms); EPCIS 2.0 §8.2 (CBV-compliant values).
"""

# ruff: noqa: SIM905  the CBV term lists read best as the standard prints them

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = ["TERMS", "VocabKind", "expand", "normalise_vocab", "web_uri"]

VocabKind = str  # one of the keys of TERMS
TERMS: Final[dict[VocabKind, frozenset[str]]] = {
    "BizStep": frozenset(
        "accepting arriving assembling collecting commissioning consigning "
        "creating_class_instance cycle_counting decommissioning departing destroying "
        "disassembling dispensing encoding entering_exiting holding inspecting installing "
        "killing loading other packing picking receiving removing repackaging repairing "
        "replacing reserving retail_selling sampling sensor_reporting shipping "
        "staging_outbound stock_taking stocking storing transporting unloading unpacking "
        "void_shipping".split()
    ),
    "Disp": frozenset(
        "active available completeness_inferred completeness_verified conformant "
        "container_closed container_open damaged destroyed dispensed disposed encoded expired "
        "in_progress in_transit inactive mismatch_class mismatch_instance mismatch_quantity "
        "needs_replacement no_pedigree_match non_conformant non_sellable_other "
        "partially_dispensed recalled reserved retail_sold returned sellable_accessible "
        "sellable_not_accessible stolen unavailable unknown".split()
    ),
    "BTT": frozenset(
        "bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt".split()
    ),
    "SDT": frozenset({"location", "owning_party", "possessing_party"}),
    "ER": frozenset({"did_not_occur", "incorrect_data"}),
    "Comp": frozenset(
        "altitude axial_distance azimuth easting elevation_angle height latitude longitude "
        "northing polar_angle spherical_radius x y z".split()
    ),
}
_URN_NAMES: Final = {
    "BizStep": "bizstep",
    "Disp": "disp",
    "BTT": "btt",
    "SDT": "sdt",
    "ER": "er",
    "Comp": "comp",
}
_WEB: Final = "https://ref.gs1.org/cbv/"
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
STANDARD_PREFIXES: Final = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": _WEB,
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}


def normalise_vocab(value: str, kind: VocabKind, prefixes: Mapping[str, str]) -> str | None:
    """Return the bare CBV term, the full URI of a non-CBV value, or None if it is neither."""
    value = value.strip()
    if value in TERMS[kind]:
        return value
    for candidate in _spellings(value, kind):
        if candidate in TERMS[kind]:
            return candidate
    full = expand(value, prefixes)
    return full if _SCHEME.fullmatch(full) else None


def _spellings(value: str, kind: VocabKind) -> tuple[str, ...]:
    urn = f"urn:epcglobal:cbv:{_URN_NAMES[kind]}:"
    prefixes = (urn, f"{_WEB}{kind}-", f"cbv:{kind}-", f"http://ref.gs1.org/cbv/{kind}-")
    return tuple(value[len(p) :] for p in prefixes if value.startswith(p))


def expand(value: str, prefixes: Mapping[str, str]) -> str:
    """Expand a CURIE whose prefix is declared; return anything else unchanged."""
    head, sep, tail = value.partition(":")
    if sep and not tail.startswith("//") and head in prefixes:
        return prefixes[head] + tail
    return value


def web_uri(term: str, kind: VocabKind) -> str:
    """The CBV 2.0 web URI of a bare term, or the value itself when it is already a URI."""
    return term if ":" in term else f"{_WEB}{kind}-{term}"


def urn(term: str, kind: VocabKind) -> str:
    """The CBV 1.x URN of a bare term (the XML binding's traditional form)."""
    return term if ":" in term else f"urn:epcglobal:cbv:{_URN_NAMES[kind]}:{term}"
