"""Identifier parse rate: ``identifiers.parse`` against ``biip.parse`` on the same inputs.

The inputs are the spellings scanners and partners send, built deterministically from a seed and
all valid (``identifiers.gs1_check_digit`` makes the check digits). biip reads neither EPC URNs
nor HRI (``(01)…``) through ``biip.parse``, so the comparison runs on the subset biip accepts,
and ours is reported on both that subset and the full mix.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import biip

import identifiers
from bench.stats import Section, Summary, fmt_rate, rate, spread_note, table, yes_no
from identifiers import GS, gs1_check_digit

TITLE = "Identifier parse rate"
SEED = 20_261_126
TARGET_RATIO = 30.0
ISSUE_BIIP_RATE = 1_600.0  # what the issue assumed biip does, identifiers/s

# Mostly Chinese GS1 prefixes (the platform's users), plus partners abroad; lengths 6 to 9.
_PREFIXES = ("6901234", "69012345", "692345678", "697123", "4006381", "5012345", "0614141")
_DOMAINS = ("example.com", "qr.partner-pharma.cn", "id.brand.de", "scan.example.org/p")
_ALNUM = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Config:
    size: int
    rounds: int
    passes: int  # passes over the list per round, so a round lasts long enough to time


FULL = Config(size=2_000, rounds=9, passes=10)
QUICK = Config(size=500, rounds=5, passes=2)


class _Maker:
    """Valid identifiers of every kind, from one seeded ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _text(self, low: int, high: int) -> str:
        return "".join(self.rng.choice(_ALNUM) for _ in range(self.rng.randint(low, high)))

    def _date(self) -> str:
        year = self.rng.randint(25, 32)
        return f"{year:02d}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"

    def prefix(self) -> str:
        return self.rng.choice(_PREFIXES)

    def gtin_parts(self) -> tuple[str, str, str]:
        """(company prefix, indicator + item reference, GTIN-14)."""
        prefix = self.prefix()
        indicator = self.rng.choice("00000012345678")  # mostly trade units, some cases
        item = self._digits(12 - len(prefix))
        body = indicator + prefix + item
        return prefix, indicator + item, body + str(gs1_check_digit(body))

    def gtin14(self) -> str:
        return self.gtin_parts()[2]

    def gtin13(self) -> str:
        body = self.prefix()
        body += self._digits(12 - len(body))
        return body + str(gs1_check_digit(body))

    def sscc(self) -> tuple[str, str, str]:
        """(company prefix, extension + serial reference, SSCC-18)."""
        prefix = self.prefix()
        reference = self._digits(1) + self._digits(16 - len(prefix))
        body = reference[0] + prefix + reference[1:]
        return prefix, reference, body + str(gs1_check_digit(body))

    # --- one method per kind ------------------------------------------------------------------

    def pharma_raw(self) -> str:
        """``]d2`` DataMatrix pharma pack: (01)(17)(10)(21), GS after variable-length fields."""
        gtin, expiry, lot, serial = (
            self.gtin14(),
            self._date(),
            self._text(1, 10),
            self._text(6, 20),
        )
        if self.rng.random() < 0.5:
            return f"]d201{gtin}17{expiry}10{lot}{GS}21{serial}"
        return f"]d201{gtin}21{serial}{GS}17{expiry}10{lot}"

    def raw_gs(self) -> str:
        """Element string, GS-separated, no symbology identifier (as a keyboard wedge types)."""
        return f"01{self.gtin14()}21{self._text(6, 20)}{GS}10{self._text(1, 10)}"

    def hri(self) -> str:
        gtin, serial = self.gtin14(), self._text(6, 20)
        if self.rng.random() < 0.5:
            return f"(01){gtin}(17){self._date()}(10){self._text(1, 10)}(21){serial}"
        return f"(01){gtin}(21){serial}"

    def digital_link(self) -> str:
        domain, gtin, serial = self.rng.choice(_DOMAINS), self.gtin14(), self._text(6, 20)
        if self.rng.random() < 0.5:
            return (
                f"https://{domain}/01/{gtin}/10/{self._text(1, 10)}/21/{serial}?17={self._date()}"
            )
        return f"https://{domain}/01/{gtin}/21/{serial}?17={self._date()}"

    def epc_sgtin(self) -> str:
        prefix, item, _ = self.gtin_parts()
        return f"urn:epc:id:sgtin:{prefix}.{item}.{self._text(6, 20)}"

    def epc_sscc(self) -> str:
        prefix, reference, _ = self.sscc()
        return f"urn:epc:id:sscc:{prefix}.{reference}"

    def bare_gtin(self) -> str:
        return self.gtin13() if self.rng.random() < 0.5 else self.gtin14()

    def sscc_hri(self) -> str:
        return f"(00){self.sscc()[2]}"

    def sgln(self) -> str:
        return f"(414){self.gtin13()}(254){self._text(1, 20)}"


# kind -> (weight, builder name): pharma packs dominate, as on a packing line
KINDS: dict[str, tuple[int, str]] = {
    "raw `]d2` pharma (01)(17)(10)(21)": (5, "pharma_raw"),
    "raw GS-separated, no symbology id": (2, "raw_gs"),
    "HRI `(01)…(21)…`": (3, "hri"),
    "Digital Link, other domains, `?17=`": (4, "digital_link"),
    "EPC URN sgtin": (2, "epc_sgtin"),
    "EPC URN sscc": (1, "epc_sscc"),
    "bare GTIN-13/14": (2, "bare_gtin"),
    "SSCC `(00)`": (1, "sscc_hri"),
    "SGLN `(414)…(254)…`": (1, "sgln"),
}


def build_inputs(size: int, seed: int = SEED) -> list[tuple[str, str]]:
    """``size`` (kind, text) pairs; every text is checked to parse with ``identifiers.parse``."""
    maker = _Maker(seed)
    kinds = list(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    out = []
    for kind in maker.rng.choices(kinds, weights, k=size):
        text = getattr(maker, KINDS[kind][1])()
        identifiers.parse(text)  # raises if the generator made an invalid identifier
        out.append((kind, text))
    return out


def biip_accepts(text: str) -> bool:
    """Whether ``biip.parse`` reads the text as a GTIN, SSCC, GS1 message or Digital Link."""
    try:
        result = biip.parse(text)
    except biip.ParseError:
        return False
    return any(
        (result.gtin, result.sscc, result.gs1_message, result.gs1_digital_link_uri),
    )


def _time_pass(parse: Callable[[str], object], texts: Sequence[str], passes: int) -> float:
    start = time.perf_counter()
    for _ in range(passes):
        for text in texts:
            parse(text)
    return time.perf_counter() - start


def run(*, quick: bool) -> Section:
    config = QUICK if quick else FULL
    mix = build_inputs(config.size)
    texts = [t for _, t in mix]
    readable = [(k, t) for k, t in mix if biip_accepts(t)]
    subset = [t for _, t in readable]
    accepted = Counter(k for k, _ in readable)
    contenders: dict[str, tuple[Callable[[str], object], list[str]]] = {
        "ours_full": (identifiers.parse, texts),
        "ours_subset": (identifiers.parse, subset),
        "biip_subset": (biip.parse, subset),
    }
    for parse, inputs in contenders.values():  # warm-up: imports, caches (GCP lengths)
        _time_pass(parse, inputs, 1)
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders)
    for round_no in range(config.rounds):
        for name in order[round_no % 3 :] + order[: round_no % 3]:  # rotate to spread drift
            parse, inputs = contenders[name]
            seconds = _time_pass(parse, inputs, config.passes)
            rates[name].append(rate(len(inputs) * config.passes, seconds))
        print(
            f"  identifiers round {round_no + 1}/{config.rounds}: "
            + ", ".join(f"{n} {fmt_rate(r[-1])}" for n, r in rates.items()),
            flush=True,
        )
    ratios = [o / b for o, b in zip(rates["ours_subset"], rates["biip_subset"], strict=True)]
    return Section(TITLE, _render(config, mix, subset, accepted, rates, ratios, quick=quick))


def _render(  # noqa: PLR0913, PLR0917
    config: Config,
    mix: list[tuple[str, str]],
    subset: list[str],
    accepted: Counter[str],
    rates: dict[str, list[float]],
    ratios: list[float],
    *,
    quick: bool,
) -> str:
    full, ours, theirs = (Summary.of(rates[k]) for k in ("ours_full", "ours_subset", "biip_subset"))
    ratio = Summary.of(ratios)
    ratio_of_medians = ours.median / theirs.median
    issue_absolute = TARGET_RATIO * ISSUE_BIIP_RATE
    met_ratio = None if quick else ratio_of_medians >= TARGET_RATIO
    met_absolute = None if quick else full.median >= issue_absolute
    rows = [
        [
            f"`identifiers.parse`, biip-readable subset ({len(subset):,})",
            fmt_rate(ours.median),
            ours.spread(),
            f"biip {fmt_rate(theirs.median)}",
            f"{ratio_of_medians:,.1f}×",
            f"≥ {TARGET_RATIO:.0f}× biip",
            yes_no(met_ratio),
        ],
        [
            "`biip.parse`, same subset (the baseline)",
            fmt_rate(theirs.median),
            theirs.spread(),
            "—",
            "1×",
            f"issue assumed ≈ {ISSUE_BIIP_RATE:,.0f}/s",
            "—",
        ],
        [
            f"`identifiers.parse`, full mix ({len(mix):,}, incl. EPC URN, HRI)",
            fmt_rate(full.median),
            full.spread(),
            f"biip (subset) {fmt_rate(theirs.median)}",
            f"{full.median / theirs.median:,.1f}×",
            f"≥ {issue_absolute:,.0f}/s (30 × the issue's 1,600/s)",
            yes_no(met_absolute),
        ],
        [
            "per-round ratio ours/biip (subset)",
            f"{ratio.median:,.1f}×",
            ratio.spread("{:,.1f}×"),
            "—",
            "—",
            "—",
            "—",
        ],
    ]
    kinds = Counter(k for k, _ in mix)
    mix_rows = [[k, f"{kinds[k]:,}", f"{accepted[k]:,}"] for k in KINDS]
    note = "*Quick mode: sizes are reduced and targets are not evaluated.*\n\n" if quick else ""
    return (
        f"{note}{len(mix):,} valid identifiers built with `random.Random({SEED})`; each round "
        f"parses a list {config.passes} times, {config.rounds} rounds after one warm-up pass, the "
        "three measurements interleaved (rotated) within each round. Rates are identifiers/s. "
        f"`biip.parse` (biip {_biip_version()}) reads neither EPC URNs nor HRI "
        "spellings, so the ratio compares both parsers on the inputs biip accepts (it returns a "
        "GTIN, SSCC, GS1 message or Digital Link), and ours is also given on the full mix. "
        f"{spread_note(config.rounds)} Target met is judged on the medians.\n\n"
        + table(
            ["what", "median", "spread (min–max; IQR)", "baseline", "ratio", "target", "met?"],
            rows,
        )
        + "\n\nThe mix (count, of which `biip.parse` accepts):\n\n"
        + table(["kind", "count", "biip accepts"], mix_rows)
    )


def _biip_version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("biip")
