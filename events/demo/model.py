"""Building blocks of the demo chains: companies, GS1 keys with check digits, events, master data.

Pure functions and plain data: nothing here touches a database. Events are produced in the
normalised shape of ``events.codec.shape`` (compact EPCIS 2.0 keys, bare CBV terms, Clark keys
for extension fields), so they go through ``events.capture.capture`` like any captured document.

References:
    GS1 General Specifications §3.2 (GTIN, SSCC, GLN) and §7.9.1 (check digits); EPC Tag Data
    Standard 2.1 §6 (EPC URIs); EPCIS 2.0 §7.3-7.4; CBV 2.0 §7 and §8 (master data attributes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from identifiers import gs1_check_digit

DEMO_NS: Final = "https://onecode-trace.example/ns/demo#"
MDA: Final = "urn:epcglobal:cbv:mda#"
NAME: Final = f"{MDA}name"
TZ: Final = timezone(timedelta(hours=8))
OFFSET: Final = "+08:00"
LOCATION: Final = "urn:epcglobal:epcis:vtype:BusinessLocation"
PARTY: Final = "urn:epcglobal:epcis:vtype:Party"
PRODUCT: Final = "urn:epcglobal:epcis:vtype:EPCClass"

Event = dict[str, Any]


def x(local: str) -> str:
    """The Clark key of a demo extension field (``{namespace}local``)."""
    return f"{{{DEMO_NS}}}{local}"


@dataclass(frozen=True, slots=True)
class Site:
    """One physical place of a company: a GLN with a location reference."""

    ref: int
    name: str
    street: str
    city: str


@dataclass(frozen=True, slots=True)
class Company:
    """A demo organisation: name in Chinese and English, GS1 Company Prefix, sites."""

    key: str
    name: str
    gcp: str
    sites: tuple[Site, ...]
    handle_prefix: str | None = None

    def _ref(self, number: int) -> str:
        return str(number).zfill(12 - len(self.gcp))

    def gln(self, site: int = 0) -> str:
        """The 13-digit GLN of ``sites[site]`` (with its check digit)."""
        body = self.gcp + self._ref(self.sites[site].ref)
        return body + str(gs1_check_digit(body))

    def sgln(self, site: int = 0) -> str:
        """The location as an SGLN EPC URI."""
        return f"urn:epc:id:sgln:{self.gcp}.{self._ref(self.sites[site].ref)}.0"

    @property
    def party(self) -> str:
        """The company as a party (PGLN of its first site)."""
        return f"urn:epc:id:pgln:{self.gcp}.{self._ref(self.sites[0].ref)}"

    def _item(self, item_ref: int, indicator: int = 0) -> str:
        return f"{indicator}{str(item_ref).zfill(12 - len(self.gcp))}"

    def gtin(self, item_ref: int, indicator: int = 0) -> str:
        """The 14-digit GTIN of a trade item."""
        body = self._item(item_ref, indicator)
        digits = body[0] + self.gcp + body[1:]
        return digits + str(gs1_check_digit(digits))

    def lot(self, item_ref: int, lot: str) -> str:
        """A lot (GTIN + batch) as an LGTIN EPC class URI."""
        return f"urn:epc:class:lgtin:{self.gcp}.{self._item(item_ref)}.{lot}"

    def sgtin(self, item_ref: int, serial: str) -> str:
        """One serialised item as an SGTIN EPC URI."""
        return f"urn:epc:id:sgtin:{self.gcp}.{self._item(item_ref)}.{serial}"

    def sscc(self, serial_ref: int, extension: int = 0) -> str:
        """A logistic unit (case, pallet) as an SSCC EPC URI."""
        return f"urn:epc:id:sscc:{self.gcp}.{extension}{str(serial_ref).zfill(16 - len(self.gcp))}"

    def handle(self, suffix: str) -> str:
        """An industrial-internet identifier ``88.x.y/suffix`` as an ``hdl:`` URI."""
        return f"hdl:{self.handle_prefix}/{suffix}"


@dataclass(frozen=True, slots=True)
class Product:
    """A product of a company, for master data: item reference and bilingual name."""

    company: Company
    item_ref: int
    name: str


@dataclass(slots=True)
class ChainBuilder:
    """Collects the events (with the company that captures each) and master data of a chain."""

    name: str
    start: datetime
    companies: list[Company] = field(default_factory=list)
    steps: list[tuple[str, Event]] = field(default_factory=list)
    elements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    codes: list[tuple[str, str]] = field(default_factory=list)

    def company(self, company: Company) -> Company:
        """Register ``company`` with its sites and party as master data."""
        self.companies.append(company)
        own = self.elements.setdefault(company.key, [])
        first = company.sites[0]
        own.append(_element(PARTY, company.party, company.name, first))
        own.extend(
            _element(LOCATION, company.sgln(i), site.name, site)
            for i, site in enumerate(company.sites)
        )
        return company

    def product(self, product: Product, lots: list[str]) -> None:
        """Name a product (its GTIN) and each of its lots in master data."""
        owner, ref = product.company, product.item_ref
        own = self.elements.setdefault(owner.key, [])
        own.append(_element(PRODUCT, f"https://id.gs1.org/01/{owner.gtin(ref)}", product.name))
        for lot in lots:
            own.append(_element(PRODUCT, owner.lot(ref, lot), f"{product.name} {lot}"))

    def at(self, day: int, hour: float) -> str:
        """A time ``day`` days and ``hour`` hours after the chain's start, at +08:00."""
        return (self.start + timedelta(days=day, hours=hour)).isoformat()

    def add(self, company: Company, kind: str, when: str, **fields: Any) -> Event:  # noqa: ANN401
        """Append one event captured by ``company``."""
        event: Event = {
            "type": kind,
            "eventTime": when,
            "eventTimeZoneOffset": OFFSET,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.steps.append((company.key, event))
        return event

    def observe(  # noqa: PLR0913  the fields of a scan
        self,
        company: Company,
        when: str,
        step: str,
        disposition: str | None,
        *,
        site: int = 0,
        epcs: list[str] | None = None,
        lots: list[dict[str, Any]] | None = None,
        to: Company | None = None,
        sender: Company | None = None,
        action: str = "OBSERVE",
        **fields: Any,  # noqa: ANN401
    ) -> Event:
        """An ObjectEvent by ``company`` at its ``site``; ``to`` moves ownership and possession."""
        place = where(company.sgln(site))
        moved = moves(sender or company, to) if to else {}
        return self.add(
            company,
            "ObjectEvent",
            when,
            action=action,
            bizStep=step,
            disposition=disposition,
            epcList=epcs,
            quantityList=lots,
            readPoint=place,
            bizLocation=None if step == "shipping" else place,
            **moved,
            **fields,
        )


def _element(kind: str, element_id: str, name: str, site: Site | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {NAME: name}
    if site is not None:
        attributes[f"{MDA}streetAddressOne"] = site.street
        attributes[f"{MDA}city"] = site.city
        attributes[f"{MDA}countryCode"] = "CN"
    return {"type": kind, "id": element_id, "attributes": attributes, "children": []}


def qty(epc_class: str, quantity: float, uom: str | None = "KGM") -> dict[str, Any]:
    """A quantity element."""
    element: dict[str, Any] = {"epcClass": epc_class, "quantity": quantity}
    if uom:
        element["uom"] = uom
    return element


def where(location: str) -> dict[str, Any]:
    """``readPoint``/``bizLocation`` value."""
    return {"id": location}


def moves(source: Company, destination: Company) -> dict[str, Any]:
    """``sourceList`` and ``destinationList`` for a change of owner and possessor."""
    return {
        "sourceList": [
            {"type": "owning_party", "source": source.party},
            {"type": "possessing_party", "source": source.party},
        ],
        "destinationList": [
            {"type": "owning_party", "destination": destination.party},
            {"type": "possessing_party", "destination": destination.party},
        ],
    }


def reading(kind: str, value: float, uom: str | None, analyte: str, limit: float) -> dict[str, Any]:
    """One sensor report of a laboratory result with the analyte and its legal limit."""
    report: dict[str, Any] = {"type": kind, "value": value, x("analyte"): analyte}
    if uom:
        report["uom"] = uom
    report[x("limit")] = limit
    return report


def lab(when: str, method: str, reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A ``sensorElementList`` of laboratory results."""
    return [
        {
            "sensorMetadata": {"time": when, x("method"): method},
            "sensorReport": reports,
        }
    ]


def verdict(reports: list[dict[str, Any]]) -> str:
    """``conformant`` when every value is within its limit, else ``non_conformant``."""
    ok = all(r["value"] <= r[x("limit")] for r in reports)
    return "conformant" if ok else "non_conformant"
