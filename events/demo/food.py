"""Food reference chain (农副食品加工): Hainan fruit → juice plant → distributor → supermarkets.

Coconut and mango harvest lots and two sugar lots go into two juice batches; each bottle is a
serialised SGTIN, packed in SSCC cases on SSCC pallets, shipped to a Haikou distributor and on to
three supermarkets. Planted problem: sugar lot ``SUGAR-260528`` passed intake but a retained
sample later fails for lead; forward from it reaches juice batch ``J260603`` and its bottles.
Scaled copies (``run`` > 0) share one bad sugar lot per ``SHARED_SUGAR_RUNS`` runs, so a recall
from it reaches about 10,000 bottles: the mill makes it, ships it and the plant receives and tests
it once, in the group's first run; every run of the group uses it; its retained sample fails once,
in the group's last run.
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

FARM = Company(
    "coconut-farm",
    "文昌椰林农场 Wenchang Coconut Farm",
    "6971101",
    (
        Site(
            1, "文昌椰林农场 Wenchang Coconut Farm", "东郊镇椰林路 8 号 8 Yelin Rd", "文昌 Wenchang"
        ),
    ),
)
ORCHARD = Company(
    "mango-orchard",
    "三亚芒果园 Sanya Mango Orchard",
    "6971102",
    (Site(1, "三亚芒果园 Sanya Mango Orchard", "育才镇芒果路 3 号 3 Mango Rd", "三亚 Sanya"),),
)
SUGAR_MILL = Company(
    "sugar-mill",
    "广西甘糖糖业 Guangxi Gantang Sugar Co.",
    "6971103",
    (Site(1, "甘糖糖厂 Gantang Sugar Mill", "糖厂路 1 号 1 Tangchang Rd", "崇左 Chongzuo"),),
)
PLANT = Company(
    "juice-plant",
    "海口果汁厂 Haikou Juice Plant",
    "6971104",
    (
        Site(
            1,
            "海口果汁厂 Haikou Juice Plant",
            "金盘工业区 18 号 18 Jinpan Ind. Park",
            "海口 Haikou",
        ),
        Site(2, "海口果汁厂质检室 Haikou Juice Plant QC Lab", "金盘工业区 18 号", "海口 Haikou"),
    ),
)
DISTRIBUTOR = Company(
    "distributor",
    "海口鲜达分销 Haikou Xianda Distribution",
    "6971105",
    (Site(1, "鲜达配送中心 Xianda Distribution Centre", "狮子岭工业园 6 号", "海口 Haikou"),),
)
STORES = Company(
    "supermarkets",
    "椰城超市 Yecheng Supermarkets",
    "6971106",
    (
        Site(
            1, "椰城超市国贸店 Yecheng Guomao Store", "国贸大道 56 号 56 Guomao Ave", "海口 Haikou"
        ),
        Site(2, "椰城超市海甸店 Yecheng Haidian Store", "海甸二东路 9 号", "海口 Haikou"),
        Site(3, "椰城超市府城店 Yecheng Fucheng Store", "府城大道 21 号", "海口 Haikou"),
    ),
)
COMPANIES = (FARM, ORCHARD, SUGAR_MILL, PLANT, DISTRIBUTOR, STORES)
COCONUT, MANGO, SUGAR, JUICE, BOTTLE = 10001, 10002, 10003, 20001, 20002
BOTTLES, PER_CASE = 24, 6
CASES = BOTTLES // PER_CASE
BAD_SUGAR = "SUGAR-260528"
# In scaled copies (run > 0) one mill lot of the bad sugar feeds this many consecutive runs, so a
# forward recall from it reaches about 10,000 bottles (420 runs x 24), the shape issue 6 measures.
SHARED_SUGAR_RUNS = 420


def food_chain(run: int = 0) -> ChainBuilder:
    """The food chain; ``run`` > 0 makes a copy with its own lots, serials and times."""
    tag = f"R{run}" if run else ""
    chain = ChainBuilder("food", datetime(2026, 6, 1, 7, tzinfo=TZ) + timedelta(days=run))
    for company in COMPANIES:
        chain.company(company)
    coco_lots = [f"COCO-2606{s}{tag}" for s in "AB"]
    shared = f"G{(run - 1) // SHARED_SUGAR_RUNS + 1}" if run else ""
    sugar_lots = [f"{BAD_SUGAR}{shared}", f"SUGAR-260529{tag}"]
    batches = [f"J26060{3 + i}{tag}" for i in range(2)]
    coco = [FARM.lot(COCONUT, lot) for lot in coco_lots]
    mango = ORCHARD.lot(MANGO, f"MANGO-2606A{tag}")
    sugar = [SUGAR_MILL.lot(SUGAR, lot) for lot in sugar_lots]
    within = (run - 1) % SHARED_SUGAR_RUNS if run else 0  # this run's place in its group
    juice = [PLANT.lot(JUICE, b) for b in batches]
    chain.product(Product(FARM, COCONUT, "海南椰子 Hainan coconut"), coco_lots)
    chain.product(Product(ORCHARD, MANGO, "三亚芒果 Sanya mango"), [f"MANGO-2606A{tag}"])
    chain.product(Product(SUGAR_MILL, SUGAR, "白砂糖 white sugar"), sugar_lots)
    chain.product(Product(PLANT, JUICE, "椰芒果汁(散装) coconut-mango juice, bulk"), batches)
    chain.product(Product(PLANT, BOTTLE, "椰芒果汁 350ml coconut-mango juice 350 ml"), [])
    _sources(chain, coco, mango, sugar if within == 0 else sugar[1:])
    bottles: list[list[str]] = []
    for b, batch in enumerate(batches):  # fruit + sugar -> bulk juice -> serialised bottles
        plant = where(PLANT.sgln())
        inputs = [qty(coco[b], 400), qty(mango, 250), qty(sugar[b], 60)]
        made = chain.at(3 + b, 8)
        chain.add(
            PLANT,
            "TransformationEvent",
            made,
            bizStep="creating_class_instance",
            inputQuantityList=inputs,
            outputQuantityList=[qty(juice[b], 900, "LTR")],
            readPoint=plant,
            bizLocation=plant,
            ilmd={x("productionDate"): made[:10]},
        )
        _test(
            chain, PLANT, juice[b], (3 + b + 0.2, 1), (0.002, 0.01, 0.008), toxin="展青霉素 patulin"
        )
        serials = [PLANT.sgtin(BOTTLE, f"{batch}{n:04d}") for n in range(1, BOTTLES + 1)]
        bottles.append(serials)
        best_before = chain.at(3 + b + 270, 0)[:10]
        chain.add(
            PLANT,
            "TransformationEvent",
            chain.at(3 + b, 11),
            bizStep="commissioning",
            disposition="active",
            inputQuantityList=[qty(juice[b], 8.4, "LTR")],
            outputEPCList=serials,
            readPoint=plant,
            bizLocation=plant,
            ilmd={x("lotNumber"): batch, x("bestBeforeDate"): best_before},
        )
    _pack_and_ship(chain, bottles, run)
    # The planted problem: the retained sugar sample fails for lead after the juice shipped.
    if not run or within == SHARED_SUGAR_RUNS - 1:
        _test(chain, PLANT, sugar[0], (9, 1), (0.0, 1.2, 0.0))
    chain.codes.extend(
        [
            ("food: contaminated sugar lot (trace forward)", sugar[0]),
            ("food: a bottle sold at a supermarket (trace backward)", bottles[0][0]),
            ("food: a coconut harvest lot", coco[0]),
        ]
    )
    return chain


def _sources(chain: ChainBuilder, coco: list[str], mango: str, sugar: list[str]) -> None:
    """Harvest, farm tests, sugar production, delivery to the plant and intake tests."""
    for company, lots in ((FARM, coco), (ORCHARD, [mango])):
        for day, lot in enumerate(lots):
            harvest = {x("harvestDate"): chain.at(day, 6)[:10], x("origin"): "海南 Hainan, CN"}
            chain.observe(
                company,
                chain.at(day, 6),
                "commissioning",
                "active",
                action="ADD",
                lots=[qty(lot, 1200 - 200 * day)],
                ilmd=harvest,
            )
        for lot in lots:
            _test(chain, company, lot, (1, 0), (0.004, 0.02, 0.001))
        chain.observe(
            company,
            chain.at(2, 6),
            "shipping",
            "in_transit",
            lots=[qty(lot, 1000) for lot in lots],
            to=PLANT,
        )
    for i, lot in enumerate(sugar):
        made = chain.at(-5 + i, 9)
        chain.observe(
            SUGAR_MILL,
            made,
            "commissioning",
            "active",
            action="ADD",
            lots=[qty(lot, 500)],
            ilmd={x("productionDate"): made[:10]},
        )
    chain.observe(
        SUGAR_MILL,
        chain.at(-2, 8),
        "shipping",
        "in_transit",
        lots=[qty(s, 500) for s in sugar],
        to=PLANT,
    )
    for sender, lots in ((FARM, coco), (ORCHARD, [mango]), (SUGAR_MILL, sugar)):
        chain.observe(
            PLANT,
            chain.at(2, 14),
            "receiving",
            "active",
            lots=[qty(lot, 500) for lot in lots],
            sender=sender,
            to=PLANT,
        )
    for lot in sugar:  # intake: both sugar lots pass
        _test(chain, PLANT, lot, (2.5, 1), (0.0, 0.1, 0.0))


def _test(  # noqa: PLR0913  one laboratory report
    chain: ChainBuilder,
    company: Company,
    lot: str,
    day_site: tuple[float, int],
    results: tuple[float, float, float],
    *,
    toxin: str = "黄曲霉毒素B1 aflatoxin B1",
) -> None:
    """Pesticide residue, lead and a mycotoxin (mg/kg) against the GB limits."""
    day, site = day_site
    when = chain.at(0, day * 24)
    pesticide, lead, mycotoxin = results
    reports = [
        reading("MassConcentration", pesticide, "NA", "毒死蜱 chlorpyrifos (GB 2763)", 0.05),
        reading("MassConcentration", lead, "NA", "铅 lead, Pb (GB 2762)", 0.5),
        reading("MassConcentration", mycotoxin, "NA", f"{toxin} (GB 2761)", 0.05),
    ]
    sensors = lab(when, "GB 2763 / GB 2762 / GB 2761", reports)
    chain.observe(
        company,
        when,
        "inspecting",
        verdict(reports),
        site=site,
        lots=[qty(lot, 1)],
        sensorElementList=sensors,
    )


def _pack_and_ship(chain: ChainBuilder, bottles: list[list[str]], run: int) -> None:
    """Cases of six, pallets of four cases; to the distributor, unpacked, on to the stores."""
    plant = where(PLANT.sgln())
    base = 1000 + run * 100
    pallets = []
    for b, serials in enumerate(bottles):
        cases = []
        for c in range(0, len(serials), PER_CASE):
            case = PLANT.sscc(base + b * 10 + c // PER_CASE)
            cases.append(case)
            chain.add(
                PLANT,
                "AggregationEvent",
                chain.at(3 + b, 13 + c / 60),
                action="ADD",
                bizStep="packing",
                parentID=case,
                childEPCs=serials[c : c + PER_CASE],
                readPoint=plant,
                bizLocation=plant,
            )
        pallet = PLANT.sscc(base + 90 + b, extension=1)
        pallets.append(pallet)
        chain.add(
            PLANT,
            "AggregationEvent",
            chain.at(3 + b, 15),
            action="ADD",
            bizStep="packing",
            parentID=pallet,
            childEPCs=cases,
            readPoint=plant,
            bizLocation=plant,
        )
    chain.observe(PLANT, chain.at(5, 8), "shipping", "in_transit", epcs=pallets, to=DISTRIBUTOR)
    chain.observe(
        DISTRIBUTOR,
        chain.at(5, 13),
        "receiving",
        "sellable_not_accessible",
        epcs=pallets,
        sender=PLANT,
        to=DISTRIBUTOR,
    )
    centre = where(DISTRIBUTOR.sgln())
    cases = [f"{PLANT.sscc(base + b * 10 + c)}" for b in range(2) for c in range(CASES)]
    for pallet in pallets:
        chain.add(
            DISTRIBUTOR,
            "AggregationEvent",
            chain.at(6, 7),
            action="DELETE",
            bizStep="unpacking",
            parentID=pallet,
            readPoint=centre,
            bizLocation=centre,
        )
    for s in range(len(STORES.sites)):
        mine = cases[s :: len(STORES.sites)]
        chain.observe(
            DISTRIBUTOR, chain.at(6, 9 + s), "shipping", "in_transit", epcs=mine, to=STORES
        )
        chain.observe(
            STORES,
            chain.at(6, 12 + s),
            "receiving",
            "sellable_accessible",
            site=s,
            epcs=mine,
            sender=DISTRIBUTOR,
            to=STORES,
        )
    sold = [bottles[0][0], bottles[0][7], bottles[1][1]]
    chain.observe(STORES, chain.at(7, 18), "retail_selling", "retail_sold", epcs=sold)
