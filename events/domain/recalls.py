"""Recall cases (召回): the case, its holders' progress, and the hold events it records.

A hold is a standard EPCIS 2.0 ObjectEvent (§7.4.2) with action ``OBSERVE``, CBV 2.0 bizStep
``holding``, disposition ``recalled`` and ``persistentDisposition: {set: ["recalled"]}`` (EPCIS
2.0 §7.3.5.2), so it lands in the ledger like any other event and ``item_state`` shows
``recalled``. Pure: no framework, no database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

OPEN: Final = "open"
CLOSED: Final = "closed"
HOLD_BATCH: Final = 500  # objects per hold event
RECALLED: Final = "recalled"


class RecallError(Exception):
    """A recall request that cannot be carried out."""


class RecallClosedError(RecallError):
    """The case is closed: no confirmation, no second close."""


class UnknownHolderError(RecallError):
    """The holder is not one of the case's holders."""


@dataclass(frozen=True, slots=True)
class HolderProgress:
    """One holder to notify: how much it should hand back and what it confirmed so far."""

    holder: str
    biz_location: str | None
    items: int
    expected_quantity: float
    uom: str | None
    returned: float = 0.0
    destroyed: float = 0.0
    updated_at: datetime | None = None

    @property
    def outstanding(self) -> float:
        """Expected less confirmed (never below zero)."""
        return max(self.expected_quantity - self.returned - self.destroyed, 0.0)

    def to_json(self) -> dict[str, Any]:
        """The API's view of one holder."""
        return {
            "holder": self.holder,
            "biz_location": self.biz_location,
            "items": self.items,
            "expected_quantity": self.expected_quantity,
            "uom": self.uom,
            "returned": self.returned,
            "destroyed": self.destroyed,
            "outstanding": self.outstanding,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass(frozen=True, slots=True)
class Confirmation:
    """One confirmation received from a holder (the case's timeline)."""

    holder: str
    returned: float
    destroyed: float
    at: datetime


@dataclass(frozen=True)
class RecallCase:
    """A recall case of one organisation."""

    id: str
    organisation_id: int
    reason: str
    codes: tuple[str, ...]
    include_siblings: bool
    created_at: datetime
    scope: Mapping[str, Any]
    hold_event_ids: tuple[str, ...]
    status: str = OPEN
    closed_at: datetime | None = None
    holders: tuple[HolderProgress, ...] = ()
    confirmations: tuple[Confirmation, ...] = field(default=())

    def to_json(self, *, with_scope: bool = True) -> dict[str, Any]:
        """The API's view of the case."""
        body: dict[str, Any] = {
            "id": self.id,
            "reason": self.reason,
            "codes": list(self.codes),
            "include_siblings": self.include_siblings,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "hold_event_ids": list(self.hold_event_ids),
            "holders": [h.to_json() for h in self.holders],
            "timeline": timeline(self),
        }
        if with_scope:
            body["scope"] = dict(self.scope)
        return body


def new_case_id() -> str:
    """A short, unguessable case id such as ``RC-3F9A1C2B7D4E``."""
    return f"RC-{uuid.uuid4().hex[:12].upper()}"


def hold_events(
    items: Sequence[str], classes: Sequence[str], when: datetime, case_id: str
) -> list[dict[str, Any]]:
    """The hold ObjectEvents for the scope, ``HOLD_BATCH`` objects per event."""
    stamp = when.isoformat()
    offset = when.strftime("%z")
    common = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "eventTime": stamp,
        "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}" if offset else "+00:00",
        "bizStep": "holding",
        "disposition": RECALLED,
        "persistentDisposition": {"set": [RECALLED]},
    }
    events: list[dict[str, Any]] = [
        {**common, "epcList": list(items[start : start + HOLD_BATCH]), "quantityList": []}
        for start in range(0, len(items), HOLD_BATCH)
    ]
    for start in range(0, len(classes), HOLD_BATCH):
        lots = [{"epcClass": c} for c in classes[start : start + HOLD_BATCH]]
        events.append({**common, "epcList": [], "quantityList": lots})
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"onecode:recall:{case_id}")
    for index, event in enumerate(events):
        event["eventID"] = f"urn:uuid:{uuid.uuid5(namespace, str(index))}"
    return events


def holder_progress(groups: Iterable[Mapping[str, Any]]) -> list[HolderProgress]:
    """One progress line per holder from the scope's ``holders`` groups.

    Items count one each (uom ``EA``); lots (classes) count the quantity that went into the
    affected goods. A holder with both gets ``uom`` ``mixed``.
    """
    merged: dict[str, dict[str, Any]] = {}
    for group in groups:
        key = group.get("holder") or group.get("biz_location") or "unknown"
        line = merged.setdefault(
            key,
            {"biz_location": group.get("biz_location"), "items": 0, "amount": 0.0, "uoms": set()},
        )
        line["items"] += int(group.get("items") or 0)
        line["amount"] += int(group.get("items") or 0)
        if group.get("items"):
            line["uoms"].add("EA")
        for cls in group.get("classes") or ():
            for used in cls.get("used") or ():
                line["amount"] += float(used.get("quantity") or 0)
                line["uoms"].add(used.get("uom") or "")
    lines = []
    for key, line in sorted(merged.items()):
        uoms = line["uoms"]
        uom = None if not uoms else next(iter(uoms)) if len(uoms) == 1 else "mixed"
        lines.append(
            HolderProgress(key, line["biz_location"], line["items"], line["amount"], uom or None)
        )
    return lines


def confirm(
    case: RecallCase, holder: str, returned: float, destroyed: float, at: datetime
) -> HolderProgress:
    """The holder's new totals (confirmations give totals so far: a resend changes nothing)."""
    if case.status != OPEN:
        raise RecallClosedError(f"recall {case.id} is closed")
    for line in case.holders:
        if line.holder == holder:
            return HolderProgress(
                line.holder,
                line.biz_location,
                line.items,
                line.expected_quantity,
                line.uom,
                returned,
                destroyed,
                at,
            )
    raise UnknownHolderError(f"{holder} is not a holder of recall {case.id}")


def timeline(case: RecallCase) -> list[dict[str, Any]]:
    """Opened, held, each confirmation, closed: in time order."""
    entries: list[dict[str, Any]] = [
        {"at": case.created_at.isoformat(), "what": "opened", "detail": case.reason},
        {
            "at": case.created_at.isoformat(),
            "what": "held",
            "detail": f"{len(case.hold_event_ids)} hold events",
        },
    ]
    entries += [
        {
            "at": c.at.isoformat(),
            "what": "confirmed",
            "detail": f"{c.holder}: returned {c.returned:g}, destroyed {c.destroyed:g}",
        }
        for c in case.confirmations
    ]
    if case.closed_at is not None:
        entries.append({"at": case.closed_at.isoformat(), "what": "closed", "detail": ""})
    return entries
