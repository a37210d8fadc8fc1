"""Master data: the EPCIS vocabulary elements that give codes names (EPCIS 2.0 §7.2, CBV 2.0 §10).

Elements arrive in document headers (``epcisHeader.epcisMasterData.vocabularyList``); the codec
gives ``{"type", "id", "attributes", "children"}``. They are keyed by canonical id, so a location
written as an SGLN URN in the header and as a Digital Link in an event is one element.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from events.domain.links import canonical_id

# CBV 2.0 §10 master data attributes a person reads first (name, then address parts).
NAME: Final = "urn:epcglobal:cbv:mda#name"
NAME_KEYS: Final = (NAME, "https://ref.gs1.org/cbv/MDA-name", "cbvmda:name", "name")


@dataclass(frozen=True, slots=True)
class VocabularyElement:
    """One element: its vocabulary type, canonical id, the id as written, attributes, children."""

    vocabulary_type: str
    element_id: str
    original_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    children: tuple[str, ...] = ()

    @classmethod
    def from_codec(cls, element: Mapping[str, Any]) -> VocabularyElement:
        """From the codec's ``{"type", "id", "attributes", "children"}``."""
        original = str(element["id"])
        return cls(
            vocabulary_type=str(element.get("type", "")),
            element_id=canonical_id(original),
            original_id=original,
            attributes=dict(element.get("attributes") or {}),
            children=tuple(canonical_id(str(c)) for c in element.get("children") or ()),
        )

    @property
    def name(self) -> str | None:
        """The element's name attribute, if it has one."""
        for key in NAME_KEYS:
            value = self.attributes.get(key)
            if isinstance(value, Mapping):
                value = value.get("#text")
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    def to_json(self) -> dict[str, Any]:
        """For the API."""
        return {
            "type": self.vocabulary_type,
            "id": self.original_id,
            "canonical": self.element_id,
            "name": self.name,
            "attributes": self.attributes,
            "children": list(self.children),
        }
