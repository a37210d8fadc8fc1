"""Write normalised events back as EPCIS 2.0 JSON-LD (EPCIS 2.0 §10, the JSON-LD binding).

The normalised shape already uses the standard compact keys and bare CBV terms, which the
standard context maps; only user extensions (Clark keys ``{namespace}local``) need prefixes,
declared in a generated ``@context`` (``ext1``, ``ext2``, … in order of first use).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


class _Prefixes:
    """Namespace → generated prefix, stable in order of first use."""

    def __init__(self) -> None:
        self.by_namespace: dict[str, str] = {}

    def key(self, key: str) -> str:
        if not key.startswith("{"):
            return key
        namespace, _, local = key[1:].partition("}")
        prefix = self.by_namespace.setdefault(namespace, f"ext{len(self.by_namespace) + 1}")
        return f"{prefix}:{local}"

    def context(self) -> list[Any]:
        extra = {prefix: namespace for namespace, prefix in self.by_namespace.items()}
        return [EPCIS_CONTEXT, extra] if extra else [EPCIS_CONTEXT]


def _compact(value: Any, prefixes: _Prefixes) -> Any:  # noqa: ANN401  JSON data
    if isinstance(value, Mapping):
        return {prefixes.key(k): _compact(v, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v, prefixes) for v in value]
    return value


def write_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """One event as a stand-alone JSON-LD object (with its ``@context``)."""
    prefixes = _Prefixes()
    body = _compact(event, prefixes)
    return {"@context": prefixes.context(), **body}


def write_query_document(
    events: Iterable[Mapping[str, Any]],
    *,
    creation_date: str,
    query_name: str = "SimpleEventQuery",
) -> dict[str, Any]:
    """An ``EPCISQueryDocument`` holding ``events`` (EPCIS 2.0 §8.2.7 query results)."""
    prefixes = _Prefixes()
    body = [_compact(e, prefixes) for e in events]
    return {
        "@context": prefixes.context(),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": creation_date,
        "epcisBody": {
            "queryResults": {"queryName": query_name, "resultsBody": {"eventList": body}}
        },
    }
