"""Pharma reference chain (医药制造): API lot → tablet batch → serialised packs → hospital.

Metformin API lots from a supplier go into two tablet batches; each pack is an SGTIN with lot
and expiry in its ILMD, packed in cartons, cases and a pallet (SSCC), shipped to a wholesaler and
on to a hospital pharmacy, where packs are dispensed (ObjectEvent DELETE, ``dispensing``).
Planted problem: API lot ``MET-260511`` is found with an NDMA impurity above the limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from events.demo.model import (
    TZ,
    ChainBuilder,
    Company,
    Product,
    Site,
    lab,
    qty,
    reading,
    verdict,
    where,
    x,
)

SUPPLIER = Company(
    "api-supplier",
    "浙江康源原料药 Zhejiang Kangyuan API Co.",
    "6972201",
    (Site(1, "康源原料药厂 Kangyuan API Plant", "医化园区 2 号 2 Yihua Park", "台州 Taizhou"),),
)
MAKER = Company(
    "pharma-maker",
    "海南椰岛制药 Hainan Yedao Pharmaceutical",
    "6972202",
    (
        Site(1, "椰岛制药药谷工厂 Yedao Pharma Valley Plant", "药谷一横路 8 号", "海口 Haikou"),
        Site(2, "椰岛制药质检中心 Yedao QC Laboratory", "药谷一横路 8 号", "海口 Haikou"),
    ),
)
WHOLESALER = Company(
    "pharma-wholesaler",
    "海南康达医药物流 Hainan Kangda Medical Logistics",
    "6972203",
    (Site(1, "康达医药物流中心 Kangda Logistics Centre", "美安科技新城 3 号", "海口 Haikou"),),
)
HOSPITAL = Company(
    "hospital",
    "海口仁和医院 Haikou Renhe Hospital",
    "6972204",
    (Site(1, "仁和医院药房 Renhe Hospital Pharmacy", "龙华路 99 号 99 Longhua Rd", "海口 Haikou"),),
)
COMPANIES = (SUPPLIER, MAKER, WHOLESALER, HOSPITAL)
API, TABLETS, PACK = 30001, 40001, 40002
PACKS, PER_CARTON, CARTONS_PER_CASE = 40, 10, 2
BAD_API = "MET-260511"


def pharma_chain(run: int = 0) -> ChainBuilder:
    """The pharma chain; ``run`` > 0 makes a copy with its own lots, serials and times."""
    tag = f"R{run}" if run else ""
    chain = ChainBuilder("pharma", datetime(2026, 5, 20, 8, tzinfo=TZ) + timedelta(days=run))
    for company in COMPANIES:
        chain.company(company)
    api_lots = [f"{BAD_API}{tag}", f"MET-260512{tag}"]
    batches = [f"T2606{s}{tag}" for s in "AB"]
    api = [SUPPLIER.lot(API, lot) for lot in api_lots]
    chain.product(Product(SUPPLIER, API, "盐酸二甲双胍原料药 metformin HCl API"), api_lots)
    chain.product(Product(MAKER, TABLETS, "二甲双胍片(素片) metformin tablets, bulk"), batches)
    chain.product(Product(MAKER, PACK, "盐酸二甲双胍片 0.5g×20片 Metformin 0.5 g × 20"), [])
    for i, lot in enumerate(api):
        made = chain.at(i, 0)
        chain.observe(
            SUPPLIER,
            made,
            "commissioning",
            "active",
            action="ADD",
            lots=[qty(lot, 200)],
            ilmd={x("productionDate"): made[:10]},
        )
        _assay(chain, SUPPLIER, lot, chain.at(i, 4), 0, 0.03)
    chain.observe(
        SUPPLIER,
        chain.at(2, 0),
        "shipping",
        "in_transit",
        lots=[qty(lot, 200) for lot in api],
        to=MAKER,
    )
    chain.observe(
        MAKER,
        chain.at(4, 0),
        "receiving",
        "active",
        lots=[qty(lot, 200) for lot in api],
        sender=SUPPLIER,
        to=MAKER,
    )
    packs: list[list[str]] = []
    for b, batch in enumerate(batches):
        plant = where(MAKER.sgln())
        bulk = MAKER.lot(TABLETS, batch)
        chain.add(
            MAKER,
            "TransformationEvent",
            chain.at(10 + b, 0),
            bizStep="creating_class_instance",
            inputQuantityList=[qty(api[b], 50)],
            outputQuantityList=[qty(bulk, 100000, None)],
            readPoint=plant,
            bizLocation=plant,
        )
        expiry = chain.at(10 + b + 730, 0)[:10]
        serials = [MAKER.sgtin(PACK, f"{batch}{n:05d}") for n in range(1, PACKS + 1)]
        packs.append(serials)
        chain.add(
            MAKER,
            "TransformationEvent",
            chain.at(10 + b, 6),
            bizStep="commissioning",
            disposition="active",
            inputQuantityList=[qty(bulk, PACKS * 20, None)],
            outputEPCList=serials,
            readPoint=plant,
            bizLocation=plant,
            ilmd={x("lotNumber"): batch, x("itemExpirationDate"): expiry},
        )
    cases = _pack(chain, packs, run)
    chain.observe(MAKER, chain.at(15, 0), "shipping", "in_transit", epcs=[cases[-1]], to=WHOLESALER)
    chain.observe(
        WHOLESALER,
        chain.at(15, 8),
        "receiving",
        "sellable_not_accessible",
        epcs=[cases[-1]],
        sender=MAKER,
        to=WHOLESALER,
    )
    centre = where(WHOLESALER.sgln())
    chain.add(
        WHOLESALER,
        "AggregationEvent",
        chain.at(16, 0),
        action="DELETE",
        bizStep="unpacking",
        parentID=cases[-1],
        readPoint=centre,
        bizLocation=centre,
    )
    chain.observe(
        WHOLESALER,
        chain.at(16, 1),
        "storing",
        "sellable_not_accessible",
        epcs=cases[:-1],
        sender=MAKER,
        to=WHOLESALER,
    )
    to_hospital = [cases[0], cases[2]]
    chain.observe(
        WHOLESALER, chain.at(16, 2), "shipping", "in_transit", epcs=to_hospital, to=HOSPITAL
    )
    chain.observe(
        HOSPITAL,
        chain.at(16, 8),
        "receiving",
        "sellable_accessible",
        epcs=to_hospital,
        sender=WHOLESALER,
        to=HOSPITAL,
    )
    for n, pack in enumerate([packs[0][0], packs[0][1], packs[1][0]]):
        chain.observe(
            HOSPITAL, chain.at(18 + n, 10), "dispensing", "dispensed", action="DELETE", epcs=[pack]
        )
    # The planted problem: a pharmacovigilance retest finds NDMA above the limit.
    _assay(chain, MAKER, api[0], chain.at(20, 9), 1, 0.12)
    chain.codes.extend(
        [
            ("pharma: API lot with an NDMA impurity (trace forward)", api[0]),
            ("pharma: a dispensed pack (trace backward)", packs[0][0]),
        ]
    )
    return chain


def _assay(  # noqa: PLR0913, PLR0917  one certificate of analysis
    chain: ChainBuilder, company: Company, lot: str, when: str, site: int, ndma: float
) -> None:
    """Certificate of analysis: assay and the NDMA impurity (ppm) against its limit."""
    reports = [reading("MassConcentration", ndma, "NA", "N-亚硝基二甲胺 NDMA", 0.096)]
    sensors = lab(when, "中国药典 ChP 2020 / USP <1469>", reports)
    chain.observe(
        company,
        when,
        "inspecting",
        verdict(reports),
        site=site,
        lots=[qty(lot, 1)],
        sensorElementList=sensors,
    )


def _pack(chain: ChainBuilder, packs: list[list[str]], run: int) -> list[str]:
    """Cartons of ten packs, cases of two cartons, one pallet; return the cases + pallet."""
    plant = where(MAKER.sgln())
    base, cases = 2000 + run * 100, []
    for b, serials in enumerate(packs):
        cartons = []
        for c in range(0, len(serials), PER_CARTON):
            carton = MAKER.sscc(base + b * 20 + c // PER_CARTON)
            cartons.append(carton)
            chain.add(
                MAKER,
                "AggregationEvent",
                chain.at(12, b + c / 100),
                action="ADD",
                bizStep="packing",
                parentID=carton,
                childEPCs=serials[c : c + PER_CARTON],
                readPoint=plant,
                bizLocation=plant,
            )
        for k in range(0, len(cartons), CARTONS_PER_CASE):
            case = MAKER.sscc(base + 50 + b * 10 + k, extension=1)
            cases.append(case)
            chain.add(
                MAKER,
                "AggregationEvent",
                chain.at(13, b + k / 100),
                action="ADD",
                bizStep="packing",
                parentID=case,
                childEPCs=cartons[k : k + CARTONS_PER_CASE],
                readPoint=plant,
                bizLocation=plant,
            )
    pallet = MAKER.sscc(base + 99, extension=2)
    chain.add(
        MAKER,
        "AggregationEvent",
        chain.at(14, 0),
        action="ADD",
        bizStep="packing",
        parentID=pallet,
        childEPCs=list(cases),
        readPoint=plant,
        bizLocation=plant,
    )
    return [*cases, pallet]
