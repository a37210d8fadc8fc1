"""Building-materials reference chain (建材): cement and aggregates → ready-mix → site pours.

Cement and sand/gravel lots are tested at intake (moisture, grading), used by two batching
production orders (TransformationEvent) whose truckloads are identified by their delivery notes
(Handle ``88.x.y/DN-…``), weighed at the weighbridge (ticket ``88.x.y/WT-…``), slump-tested at the
site and poured into structural elements (``POUR-…``). AssociationEvents do the code-to-code
association (码码关联) of lots, QC samples, order, delivery notes and tickets. Planted problem: the
28-day strength test of the order that used cement lot ``CEM-260601`` fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from events.demo.model import TZ, ChainBuilder, Company, Product, Site, lab, qty, reading, where, x

CEMENT = Company(
    "cement",
    "昌江红峰水泥 Changjiang Hongfeng Cement",
    "6973301",
    (Site(1, "红峰水泥厂 Hongfeng Cement Works", "叉河镇工业路 1 号", "昌江 Changjiang"),),
    "88.118.31",
)
QUARRY = Company(
    "quarry",
    "澄迈石场 Chengmai Aggregates Quarry",
    "6973302",
    (Site(1, "澄迈石场 Chengmai Quarry", "老城镇石场路 5 号", "澄迈 Chengmai"),),
    "88.118.32",
)
MIXER = Company(
    "batching-plant",
    "海口建华商砼 Haikou Jianhua Ready-Mix",
    "6973303",
    (
        Site(1, "建华搅拌站 Jianhua Batching Plant", "长流镇建材路 7 号", "海口 Haikou"),
        Site(2, "建华地磅 Jianhua Weighbridge", "长流镇建材路 7 号", "海口 Haikou"),
    ),
    "88.118.33",
)
BUILDER = Company(
    "contractor",
    "海南建工三公司 Hainan Construction No.3 Co.",
    "6973304",
    (Site(1, "江东新区 T1 楼工地 Jiangdong T1 Tower Site", "江东大道 1 号", "海口 Haikou"),),
    "88.118.34",
)
LAB = Company(
    "test-lab",
    "海南建科检测中心 Hainan Building Materials Testing Centre",
    "6973305",
    (Site(1, "建科检测中心 Testing Centre", "美兰区检测路 2 号", "海口 Haikou"),),
)
COMPANIES = (CEMENT, QUARRY, MIXER, BUILDER, LAB)
PO42_5, SAND, GRAVEL, C30 = 50001, 50002, 50003, 60001
BAD_CEMENT = "CEM-260601"
C30_MPA, LAST_OF_DAY_ONE = 30.0, 5
POURS = (("POUR-T1-F3-COL", (0, 1)), ("POUR-T1-F3-SLAB", (2, 3, 4)), ("POUR-T1-F4-COL", (5, 6)))


def building_chain(run: int = 0) -> ChainBuilder:
    """The building-materials chain; ``run`` > 0 makes a copy with its own codes and times."""
    tag = f"R{run}" if run else ""
    chain = ChainBuilder("building", datetime(2026, 6, 1, 6, tzinfo=TZ) + timedelta(days=run))
    for company in COMPANIES:
        chain.company(company)
    cement = [CEMENT.lot(PO42_5, f"{lot}{tag}") for lot in (BAD_CEMENT, "CEM-260602")]
    sand, gravel = QUARRY.lot(SAND, f"SAND-260601{tag}"), QUARRY.lot(GRAVEL, f"GRAV-260601{tag}")
    chain.product(
        Product(CEMENT, PO42_5, "P·O 42.5 普通硅酸盐水泥 Portland cement"),
        [f"{BAD_CEMENT}{tag}", f"CEM-260602{tag}"],
    )
    chain.product(Product(QUARRY, SAND, "机制砂 manufactured sand"), [f"SAND-260601{tag}"])
    chain.product(Product(QUARRY, GRAVEL, "碎石 5-25mm crushed gravel"), [f"GRAV-260601{tag}"])
    for company, lot, tonnes in (
        (CEMENT, cement[0], 60),
        (CEMENT, cement[1], 60),
        (QUARRY, sand, 300),
        (QUARRY, gravel, 450),
    ):
        chain.observe(
            company,
            chain.at(0, 6),
            "commissioning",
            "active",
            action="ADD",
            lots=[qty(lot, tonnes, "TNE")],
        )
        chain.observe(
            company,
            chain.at(0, 9),
            "shipping",
            "in_transit",
            lots=[qty(lot, tonnes, "TNE")],
            to=MIXER,
        )
        chain.observe(
            MIXER,
            chain.at(1, 7),
            "receiving",
            "active",
            lots=[qty(lot, tonnes, "TNE")],
            sender=company,
            to=MIXER,
        )
    intake = chain.at(1, 9)
    for lot, moisture, modulus in ((sand, 4.2, 2.7), (gravel, 0.8, 6.9)):
        reports = [
            reading("Dimensionless", moisture, "P1", "含水率 moisture content", 6.0),
            {
                "type": "Dimensionless",
                "value": modulus,
                x("analyte"): "细度模数/级配 grading (fineness modulus)",
            },
        ]
        chain.observe(
            MIXER,
            intake,
            "inspecting",
            "conformant",
            lots=[qty(lot, 1, "KGM")],
            sensorElementList=lab(intake, "GB/T 14684 / GB/T 14685", reports),
        )
    loads = _produce(chain, cement, sand, gravel, tag)
    _deliver_and_pour(chain, loads, tag)
    return chain


def _produce(chain: ChainBuilder, cement: list[str], sand: str, gravel: str, tag: str) -> list[str]:
    """Two production orders: lots → truckloads (delivery notes) and a QC sample each."""
    plant, loads = where(MIXER.sgln()), []
    for o, first in enumerate((0, 5)):
        count = 5 if o == 0 else 2
        order = MIXER.handle(f"PO-26060{3 + o}{tag}")
        notes = [
            MIXER.handle(f"DN-2606{3 + o:02d}-{n + 1:03d}{tag}")
            for n in range(first, first + count)
        ]
        sample = MIXER.handle(f"QC-26060{3 + o}{tag}")
        inputs = [
            qty(cement[o], 3.0 * count, "TNE"),
            qty(sand, 6.8 * count, "TNE"),
            qty(gravel, 9.9 * count, "TNE"),
        ]
        made = chain.at(2 + o, 7)
        chain.add(
            MIXER,
            "TransformationEvent",
            made,
            bizStep="creating_class_instance",
            inputQuantityList=inputs,
            outputEPCList=[*notes, sample],
            readPoint=plant,
            bizLocation=plant,
            bizTransactionList=[{"type": "prodorder", "bizTransaction": order}],
            ilmd={x("strengthClass"): "C30", x("mixDesign"): "C30-P6 水胶比 w/b 0.45"},
        )
        chain.add(
            MIXER,
            "AssociationEvent",
            made,
            action="ADD",
            bizStep="assembling",
            parentID=order,
            childEPCs=[*notes, sample],
            childQuantityList=inputs,
            readPoint=plant,
            bizLocation=plant,
        )
        loads.extend(notes)
        chain.observe(MIXER, chain.at(2 + o, 9), "shipping", "in_transit", epcs=[sample], to=LAB)
        chain.observe(
            LAB, chain.at(2 + o, 12), "receiving", "active", epcs=[sample], sender=MIXER, to=LAB
        )
        strength = 24.6 if o == 0 else 38.2  # the planted problem: order 1 fails C30
        when = chain.at(30 + o, 10)
        reports = [
            reading("Pressure", strength, "MPA", "28 天抗压强度 28-day compressive strength", 30.0)
        ]
        chain.observe(
            LAB,
            when,
            "inspecting",
            "conformant" if strength >= C30_MPA else "non_conformant",
            epcs=[sample],
            sensorElementList=lab(when, "GB/T 50081-2019", reports),
        )
        chain.codes.append((f"building: 28-day QC sample, order {o + 1} (trace backward)", sample))
    chain.codes.insert(0, ("building: cement lot of the failed order (trace forward)", cement[0]))
    return loads


def _deliver_and_pour(chain: ChainBuilder, loads: list[str], tag: str) -> None:
    """Weighbridge ticket, delivery, slump test at the site, pours."""
    bridge, site = where(MIXER.sgln(1)), where(BUILDER.sgln())
    for n, note in enumerate(loads):
        day, hour = (2 if n < LAST_OF_DAY_ONE else 3), 8 + (n % 5)
        ticket = MIXER.handle(f"WT-2606{day + 1:02d}-{n + 1:04d}{tag}")
        gross, tare = 33.1 + n % 3 * 0.4, 14.2
        weights = [
            {"type": "Mass", "value": round(v, 1), "uom": "TNE", x("weighing"): w}
            for w, v in (("gross 毛重", gross), ("tare 皮重", tare), ("net 净重", gross - tare))
        ]
        when = chain.at(day, hour)
        chain.add(
            MIXER,
            "AssociationEvent",
            when,
            action="ADD",
            bizStep="assembling",
            parentID=note,
            childEPCs=[ticket],
            readPoint=bridge,
            bizLocation=bridge,
        )
        chain.observe(
            MIXER,
            when,
            "shipping",
            "in_transit",
            site=1,
            epcs=[note, ticket],
            to=BUILDER,
            sensorElementList=[
                {
                    "sensorMetadata": {"time": when, x("truck"): f"琼A·{7310 + n % 3}"},
                    "sensorReport": weights,
                }
            ],
        )
        arrived = chain.at(day, hour + 1)
        chain.observe(
            BUILDER, arrived, "receiving", "active", epcs=[note], sender=MIXER, to=BUILDER
        )
        slump = [reading("Length", 185 + 5 * (n % 3), "MMT", "坍落度 slump", 220)]
        chain.observe(
            BUILDER,
            arrived,
            "inspecting",
            "conformant",
            epcs=[note],
            sensorElementList=lab(arrived, "GB/T 50080-2016", slump),
        )
        if n == 0:
            chain.codes.append(("building: a weighbridge ticket", ticket))
    for name, used in POURS:
        pour = BUILDER.handle(f"{name}{tag}")
        last = max(used)
        chain.add(
            BUILDER,
            "TransformationEvent",
            chain.at(2 if last < LAST_OF_DAY_ONE else 3, 15),
            bizStep="installing",
            inputEPCList=[loads[i] for i in used],
            outputEPCList=[pour],
            readPoint=site,
            bizLocation=site,
        )
        if name.endswith("F3-COL"):
            chain.codes.append(("building: a pour (trace backward)", pour))
