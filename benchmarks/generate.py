"""Synthetic submissions for the benchmark, at any scale, with a known set of defects.

    python benchmarks/generate.py --size 100k          # or 10k, 1M, a number, --all

writes under benchmarks/data/<size>/ (kept out of git):

    csv/<table>.csv          one file per table, as an LA would export them
    submission.xlsx          the same tables as one workbook (sizes up to 100k)
    jsonl/<table>.jsonl      the same records converted to JSON, one per line, typed
                             as the standard's JSON Schema expects (for JSON Schema peers)
    sample.json              the first records of every table as one JSON submission
                             (for the peers too slow to run on everything: linkml and
                             the pure-Python jsonschema)
    manifest.json            the size of each table and every injected defect:
                             {code, table, row, field} as `sufficiency validate` reports it

The data are a region's history of children in care, for the newest version of the
standard: children with a month of birth, searches for a home (referrals, with their
notice as a needed-by date or an urgency that agree with planned or emergency), needs
assessments, placements one after another (with the SSDA903 PLACE code of their type
that was in force when they started, at ages that fit the type, each naming the
child's latest needs assessment or none), several cost periods per placement (weekly
prices in the range each type costs, rising each period, split into components and
funders' contributions that add up, a child's night paid once; a placement with none
says why), providers (each private or voluntary one with its own company, charity or
Ofsted number), settings, and the fostering capacity of the LA's own service and each
fostering agency at the last few year ends. Placements per child, durations, prices
and distances are drawn from skewed distributions; a few cells are written as LA staff
write them (day-first dates, "Y" for Yes), and some optional and recommended values
are blank.

About 1% of the rows of every table then get exactly one defect of one kind, each in a
family of rows (a child with their referrals, assessments, placements and costs) that
no other defect touches, so every defect causes exactly the issues listed for it. The
same seed always gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sufficiency_standard.standard import Standard, Table, load_standard

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
XLSX_MAX_PLACEMENTS = 100_000
SAMPLE_RECORDS = 60_000  # records in sample.json (all of them at 10k)
SEED = 20261123
DEFECT_RATE = 0.01
GENERATOR_VERSION = 5  # bump when the data change, so that cached data are rebuilt

EPOCH = dt.date(1970, 1, 1)
NULL = np.iinfo(np.int64).min  # "blank" in the integer arrays below


def day(value: dt.date) -> int:
    return (value - EPOCH).days


def as_date(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(days))


EXTRACT = dt.date(2026, 4, 10)
EXTRACT_DAY = day(EXTRACT)
HISTORY_START_DAY = day(dt.date(2015, 4, 1))
PERIOD = (dt.date(2015, 4, 1), dt.date(2026, 3, 31))
LA_CODE = "E06000066"

# -- code lists and their weights -------------------------------------------------------

PLACEMENT_TYPES = (
    "Foster",
    "Residential",
    "Supported accommodation",
    "Secure",
    "Parent and child",
    "Other",
    "Residential school",
)
FOSTER, RESIDENTIAL, SUPPORTED, SECURE, PARENT_CHILD, OTHER, RES_SCHOOL = range(7)
# Type by age at the start of the placement (under 10, 10 to 15, 16 and over).
TYPE_BY_AGE = (
    (0.91, 0.00, 0.00, 0.00, 0.00, 0.08, 0.01),
    (0.66, 0.23, 0.00, 0.02, 0.00, 0.06, 0.03),
    (0.45, 0.19, 0.28, 0.01, 0.03, 0.03, 0.01),
)
# SSDA903 PLACE codes each type is given (weights): one type per code, as the schema's
# rules say (0.3.0). A code is then swapped for the one in force when the placement
# started (IN_FORCE_SWAP).
PLACE_CODES_BY_TYPE: dict[int, tuple[tuple[str, float], ...]] = {
    FOSTER: (
        ("U1", 0.05),
        ("U2", 0.03),
        ("U3", 0.14),
        ("U4", 0.37),
        ("U5", 0.1),
        ("U6", 0.31),
    ),
    RESIDENTIAL: (("K2", 1.0),),
    RES_SCHOOL: (("S1", 1.0),),
    SUPPORTED: (("H5", 0.75), ("K3", 0.25)),
    SECURE: (("K1", 1.0),),
    PARENT_CHILD: (("R3", 1.0),),
    OTHER: (
        ("A3", 0.04),
        ("A4", 0.15),
        ("A5", 0.05),
        ("A6", 0.15),
        ("P1", 0.3),
        ("P2", 0.04),
        ("P3", 0.02),
        ("R1", 0.04),
        ("R2", 0.04),
        ("R5", 0.04),
        ("Z1", 0.08),
        ("T1", 0.05),
    ),
}
# A code not in force on a placement's start date, and the codes of the same type that
# replace it then (H5 and K3 overlap in 2024/25; Z1 and P2 end when Z11 to Z14 begin).
IN_FORCE_SWAP = {
    "H5": ("K3",),
    "K3": ("H5",),
    "P2": ("Z11", "Z12", "Z13", "Z14"),
    "Z1": ("Z11", "Z12", "Z13", "Z14"),
    "Z11": ("Z1",),
    "Z12": ("Z1",),
    "Z13": ("Z1",),
    "Z14": ("Z1",),
}
PLACE_CODE_BLANK = 0.03
# Weekly totals (GBP): median, spread (lognormal sigma), lowest, highest. Inside the
# validator's plausible ranges so that clean data raise no COST-OUTLIER warning.
WEEKLY_COST = {
    FOSTER: (720.0, 0.35, 180.0, 2_500.0),
    RESIDENTIAL: (5_600.0, 0.35, 1_500.0, 24_000.0),
    SUPPORTED: (1_700.0, 0.4, 300.0, 8_500.0),
    SECURE: (8_600.0, 0.25, 3_000.0, 34_000.0),
    PARENT_CHILD: (3_600.0, 0.3, 600.0, 10_000.0),
    OTHER: (650.0, 0.6, 50.0, 6_000.0),
    RES_SCHOOL: (5_000.0, 0.35, 1_500.0, 20_000.0),
}
END_REASONS = (
    "CARPL",
    "CLOSE",
    "ALLEG",
    "STAND",
    "APPRR",
    "CREQB",
    "CREQO",
    "CHILD",
    "LAREQ",
    "PLACE",
    "CUSTOD",
    "OTHER",
)
END_REASON_WEIGHTS = (0.12, 0.05, 0.02, 0.08, 0.03, 0.2, 0.12, 0.06, 0.14, 0.08, 0.02, 0.08)
ETHNICITY = (
    "WBRI",
    "WIRI",
    "WOTH",
    "WIRT",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
)
ETHNICITY_WEIGHTS = (
    0.66,
    0.005,
    0.05,
    0.005,
    0.005,
    0.03,
    0.01,
    0.015,
    0.03,
    0.01,
    0.015,
    0.005,
    0.01,
    0.01,
    0.03,
    0.015,
    0.003,
    0.03,
    0.002,
    0.045,
)
RISK = ("No known risk", "Low", "High", "Present (level not recorded)")
RISK_WEIGHTS = (0.6, 0.25, 0.08, 0.07)
OTHER_RISK_WEIGHTS = (0.8, 0.12, 0.03, 0.05)  # risk_to_child_other, risk_to_others_other
OTHER_RISKS = ("Radicalisation", "Online harm", "Gang affiliation", "Trafficking")
URGENCY = ("Today", "Within 5 days", "More than 5 days")
GENDERS = ("Male", "Female", "Non-binary", "Other", "Not known")
# Service features by placement type: one or two joined by "; ", or "" (blank).
SERVICE_FEATURES: dict[int, tuple[tuple[str, float], ...]] = {
    FOSTER: (
        ("", 0.78),
        ("Enhanced fostering", 0.08),
        ("Parent and child", 0.03),
        ("Emergency bed", 0.03),
        ("Short breaks", 0.02),
        ("Disability specialist", 0.02),
        ("Therapeutic", 0.03),
        ("Enhanced fostering; Therapeutic", 0.01),
    ),
    RESIDENTIAL: (
        ("", 0.45),
        ("Solo", 0.14),
        ("Dual", 0.05),
        ("Therapeutic", 0.2),
        ("Solo; Therapeutic", 0.06),
        ("Care with education", 0.07),
        ("Disability specialist", 0.03),
    ),
    RES_SCHOOL: (("", 0.4), ("Care with education", 0.45), ("Disability specialist", 0.15)),
    SUPPORTED: (("", 0.85), ("Solo", 0.1), ("Emergency bed", 0.05)),
    SECURE: (("", 0.9), ("Therapeutic", 0.1)),
    PARENT_CHILD: (("Parent and child", 0.9), ("", 0.1)),
    OTHER: (("", 1.0),),
}
STAFFING = ("1:1", "2:1", "More than 2:1", "Standard ratio", "Not specified", "Not applicable")
TYPE_REASONS = (
    "Preferred type not available",
    "Emergency, first home available",
    "Needs changed since the search",
    "To keep siblings together",
    "Child or family wish",
    "Court or legal direction",
    "Other",
)
TYPE_REASON_WEIGHTS = (0.45, 0.2, 0.1, 0.08, 0.08, 0.04, 0.05)
MEETS_NEEDS = ("Completely", "Mostly", "Partly", "Not met", "Not yet reviewed")
POST_18 = (
    "Staying put",
    "Staying close",
    "Supported lodgings",
    "Other post-18 accommodation",
    "Not applicable",
)
NOT_COSTED = (
    "In-house not costed per placement",
    "No cost to the LA",
    "Paid by another body",
    "Cost not yet agreed",
    "Not recorded",
)
AREAS = (
    "TA",
    "BA",
    "BS",
    "EX",
    "PL",
    "TQ",
    "TR",
    "GL",
    "SN",
    "BH",
    "DT",
    "SP",
    "SO",
    "B",
    "M",
    "L",
    "S",
    "LS",
    "NE",
    "CF",
    "SW",
    "E",
    "N",
    "CR",
)
HOST_LAS = tuple(
    f"E{kind}{number:06d}"
    for kind, count in (("06", 60), ("08", 36), ("09", 33), ("10", 21))
    for number in range(1, count + 1)
)
PROVIDER_WORDS = (
    "Brightwater",
    "Oakfield",
    "Harbour",
    "Meadow",
    "Northgate",
    "Willow",
    "Compass",
    "Horizon",
    "Riverside",
    "Beacon",
    "Kestrel",
    "Foxglove",
    "Summit",
    "Cedar",
    "Lighthouse",
    "Ashdown",
)
PROVIDER_KINDS = ("Fostering", "Care", "Homes", "Children's Services", "Support", "Futures")


# -- tables as typed arrays -------------------------------------------------------------


@dataclass
class Column:
    """One column, typed: turned into text (as an LA's export writes it) at the end.

    kind: "day" (int64 days since 1970, NULL blank), "month" (int64 months since
    1970-01), "pence" (int64, NULL blank), "tenth" (int64 tenths, NULL blank), "int"
    (int64, NULL blank), "code" (int64 index into `codes`, -1 blank), "id" (int64
    number written as prefix + zero-padded digits, NULL blank), "text" (object array).
    """

    kind: str
    values: np.ndarray
    codes: tuple[str, ...] = ()
    prefix: str = ""
    width: int = 0


@dataclass
class TableData:
    name: str
    height: int
    columns: dict[str, Column] = field(default_factory=dict)
    overrides: dict[str, dict[int, str | None]] = field(default_factory=dict)  # text edits

    def set_text(self, name: str, row: int, text: str | None) -> None:
        self.overrides.setdefault(name, {})[row] = text

    def text_override(self, name: str, row: int) -> str | bool | None:
        """The text edit of a cell, or False when it has none."""
        return self.overrides.get(name, {}).get(row, False)


@dataclass(frozen=True)
class Defect:
    code: str
    table: str
    index: int  # 0-based row of the table
    field: str
    kind: str  # which injection made it

    def entry(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "table": self.table,
            "row": self.index + 2,  # the header is row 1
            "field": self.field,
            "kind": self.kind,
        }


class Groups:
    """Members of each group (rows of a table by child, costs by placement), fast."""

    def __init__(self, keys: np.ndarray, groups: int) -> None:
        self.order = np.argsort(keys, kind="stable")
        self.bounds = np.searchsorted(keys[self.order], np.arange(groups + 1))

    def members(self, group: int) -> np.ndarray:
        return self.order[self.bounds[group] : self.bounds[group + 1]]


def pick(rng: np.random.Generator, codes: tuple[str, ...], weights: Iterable[float], n: int):
    p = np.asarray(tuple(weights), dtype=float)
    return rng.choice(len(codes), size=n, p=p / p.sum())


def pick_or_blank(
    rng: np.random.Generator, codes: tuple[str, ...], weights: Iterable[float], blank: float, n: int
) -> np.ndarray:
    """pick(), with a share `blank` of the values left blank (-1)."""
    chosen = pick(rng, codes, weights, n)
    chosen[rng.random(n) < blank] = -1
    return chosen


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, n))


def months_of(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def first_day(months: np.ndarray | int) -> np.ndarray:
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


# -- the clean data -----------------------------------------------------------------------


@dataclass
class World:
    """The generated submission: tables plus the relations the defects need."""

    standard: Standard
    tables: dict[str, TableData]
    rng: np.random.Generator
    child_of: dict[str, np.ndarray]  # table -> child index of each row (or -1)
    cost_placement: np.ndarray
    placement_groups: Groups  # placements by child
    referral_groups: Groups
    needs_groups: Groups
    cost_groups: Groups  # costs by placement
    born_month: np.ndarray  # children: month of birth (months since 1970-01)
    claimed: dict[str, np.ndarray]  # table -> rows (children: families) already used
    place_from: np.ndarray  # by PLACE code: first and last day it is in force
    place_until: np.ndarray
    same_district: np.ndarray  # placements in their family's postcode district
    needs_named: np.ndarray  # needs assessments a placement names
    defects: list[Defect] = field(default_factory=list)


def build(placements: int, seed: int, standard: Standard) -> World:
    rng = np.random.default_rng(seed)
    n_children = max(4, round(placements * 0.4))

    # Placements per child: at least one, skewed (most children have one or two).
    per_child = 1 + rng.multinomial(placements - n_children, np.full(n_children, 1 / n_children))
    p_child = np.repeat(np.arange(n_children), per_child)
    first_of_child = np.concatenate(([0], np.cumsum(per_child)[:-1]))
    p_order = np.arange(placements) - np.repeat(first_of_child, per_child)
    p_last = p_order == np.repeat(per_child - 1, per_child)

    # Durations and gaps; each child's placements follow one another.
    duration = np.clip(lognormal(rng, 200, 1.0, placements), 3, 1_800).astype(np.int64)
    gap = np.where(rng.random(placements) < 0.6, 0, rng.integers(1, 45, placements))
    step = duration + gap
    span = np.bincount(p_child, weights=np.where(p_last, 0, step), minlength=n_children)
    window = EXTRACT_DAY - 90 - HISTORY_START_DAY
    squeeze = np.minimum(1.0, window / np.maximum(span, 1))[p_child]
    duration = np.maximum(3, (duration * squeeze).astype(np.int64))
    gap = (gap * squeeze).astype(np.int64)
    step = duration + gap
    span = np.bincount(p_child, weights=np.where(p_last, 0, step), minlength=n_children)
    span = span.astype(np.int64)
    latest_first = np.maximum(HISTORY_START_DAY, EXTRACT_DAY - 30 - span)
    first_start = HISTORY_START_DAY + (
        rng.random(n_children) * (latest_first - HISTORY_START_DAY + 1)
    ).astype(np.int64)
    offset = np.cumsum(step) - step  # before this placement, from the first of all
    offset -= np.repeat(offset[first_of_child], per_child)
    p_start = first_start[p_child] + offset
    p_end = p_start + duration
    p_end = np.where(p_end > EXTRACT_DAY, NULL, p_end)  # still placed at the extract date

    # Age at the first placement: babies and teenagers most often; the last start is
    # before 18 where the history allows it.
    age_years = rng.choice(18, size=n_children, p=_age_weights())
    age_days = age_years * 365 + rng.integers(0, 365, n_children)
    child_span = span
    most = np.maximum(0, 18 * 365 - 30 - child_span)
    age_days = np.minimum(age_days, most)
    born_day = first_start - age_days
    born_month = months_of(born_day)
    born = first_day(born_month)  # what the validator compares with: the 1st of the month

    # Type by age at the start, PLACE code by type.
    age_at_start = (p_start - born[p_child]) / 365.25
    band = np.where(age_at_start < 10, 0, np.where(age_at_start < 16, 1, 2))
    p_type = np.empty(placements, dtype=np.int64)
    for b, weights in enumerate(TYPE_BY_AGE):
        rows = np.nonzero(band == b)[0]
        p_type[rows] = pick(rng, PLACEMENT_TYPES, weights, len(rows))
    all_place_codes = _code_list(standard, "placements", "place_code")
    p_place = np.full(placements, -1, dtype=np.int64)
    for kind, options in PLACE_CODES_BY_TYPE.items():
        rows = np.nonzero(p_type == kind)[0]
        names = tuple(code for code, _ in options)
        chosen = pick(rng, names, (w for _, w in options), len(rows))
        index = np.array([all_place_codes.index(code) for code in names])
        p_place[rows] = index[chosen]
    # The code in force on the start date (PLC-PLACE-NOT-IN-FORCE).
    code_from, code_until = _in_force_days(standard, all_place_codes)
    for code, alternatives in IN_FORCE_SWAP.items():
        index = all_place_codes.index(code)
        rows = np.nonzero(
            (p_place == index) & ((p_start < code_from[index]) | (p_start > code_until[index]))
        )[0]
        choices = np.array([all_place_codes.index(a) for a in alternatives])
        p_place[rows] = choices[rng.integers(0, len(choices), len(rows))]
    coded = p_place >= 0
    assert not (
        (p_start[coded] < code_from[p_place[coded]]) | (p_start[coded] > code_until[p_place[coded]])
    ).any()
    p_place[rng.random(placements) < PLACE_CODE_BLANK] = -1

    # Final order of placements: by start date, as IDs are given.
    order = np.lexsort((p_child, p_start))
    p_child, p_start, p_end, p_type, p_place, duration = (
        a[order] for a in (p_child, p_start, p_end, p_type, p_place, duration)
    )

    # Referrals: one before each placement, and searches that found no home.
    extra = max(1, round(placements * 0.1))
    lead = rng.integers(0, 60, placements)
    r_date_p = np.maximum(born[p_child], p_start - lead)
    x_child = rng.integers(0, n_children, extra)
    child_first = np.full(n_children, np.iinfo(np.int64).max)
    np.minimum.at(child_first, p_child, p_start)
    child_last = np.zeros(n_children, dtype=np.int64)
    np.maximum.at(child_last, p_child, p_start)
    low = np.maximum(born[x_child], child_first[x_child] - 180)
    high = np.minimum.reduce(
        [np.full(extra, EXTRACT_DAY), child_last[x_child] + 365, born[x_child] + 18 * 365]
    )
    high = np.maximum(high, low)
    r_date_x = low + (rng.random(extra) * (high - low + 1)).astype(np.int64)
    x_outcome = pick(rng, ("none", "withdrawn", "ongoing"), (0.4, 0.35, 0.25), extra)
    # An open search is recent.
    recent = np.maximum(low, EXTRACT_DAY - rng.integers(0, 60, extra))
    can_be_open = high >= EXTRACT_DAY - 60  # the child is still under 18 near the extract
    x_outcome = np.where((x_outcome == 2) & ~can_be_open, 1, x_outcome)
    r_date_x = np.where(x_outcome == 2, np.clip(recent, low, high), r_date_x)
    r_child = np.concatenate((p_child, x_child))
    r_date = np.concatenate((r_date_p, r_date_x))
    outcome_codes = ("Placed", "No suitable home found", "Withdrawn", "Ongoing")
    r_outcome = np.concatenate((np.zeros(placements, dtype=np.int64), x_outcome + 1))
    r_placement = np.concatenate((np.arange(placements), np.full(extra, -1)))
    r_order = np.lexsort((r_child, r_date))
    r_child, r_date, r_outcome, r_placement = (
        a[r_order] for a in (r_child, r_date, r_outcome, r_placement)
    )
    n_referrals = len(r_child)
    p_referral = np.full(placements, -1, dtype=np.int64)
    placed = r_placement >= 0
    p_referral[r_placement[placed]] = np.nonzero(placed)[0]
    p_referral[rng.random(placements) < 0.05] = -1  # the link was not recorded
    # Notice: the days from the referral to the date the home is needed by. An emergency
    # needs a home within 5 days and a planned search later (REF-EMERGENCY-DATES); the
    # urgency, where given, says the same as the date (REF-URGENCY-DATES); an LA with no
    # needed-by date gives the urgency instead (REF-NOTICE).
    notice = rng.random(n_referrals)
    r_days = np.where(
        notice < 0.14,
        0,
        np.where(notice < 0.36, rng.integers(1, 6, n_referrals), rng.integers(6, 60, n_referrals)),
    )
    no_date = rng.random(n_referrals) < 0.15
    r_needed = np.where(no_date, NULL, r_date + r_days)
    r_urgency = np.where(r_days == 0, 0, np.where(r_days <= 5, 1, 2))
    r_urgency = np.where(no_date | (rng.random(n_referrals) < 0.25), r_urgency, -1)
    r_planned = np.where(r_days <= 5, 1, 0)  # Planned, Emergency
    r_planned[rng.random(n_referrals) < 0.04] = -1

    # Needs assessments: for about half of the searches, soon after the referral.
    assessed = np.nonzero(rng.random(n_referrals) < 0.5)[0]
    n_ref = assessed
    n_child = r_child[assessed]
    n_date = np.minimum(EXTRACT_DAY, r_date[assessed] + rng.integers(0, 21, len(assessed)))
    n_order = np.lexsort((n_child, n_date))
    n_ref, n_child, n_date = n_ref[n_order], n_child[n_order], n_date[n_order]
    n_needs = len(n_ref)
    n_ref_written = np.where(rng.random(n_needs) < 0.1, -1, n_ref)

    # Providers and settings.
    n_providers = max(20, placements // 200)
    n_settings = max(30, placements // 50)
    ownership_codes = (
        "Local authority",
        "Other local authority",
        "Other public",
        "Private",
        "Voluntary",
    )
    pr_ownership = pick(rng, ownership_codes, (0.1, 0.03, 0.02, 0.7, 0.15), n_providers)
    s_provider = rng.integers(0, n_providers, n_settings)
    s_type = pick(
        rng,
        ("home", "secure", "ifa", "supported", "school", "other"),
        (0.55, 0.02, 0.2, 0.15, 0.05, 0.03),
        n_settings,
    )

    # Where each placement is, and who provides it.
    p_provider = rng.integers(0, n_providers, placements)
    with_setting = (p_type != FOSTER) & (rng.random(placements) < 0.85)
    p_setting = np.where(with_setting, rng.integers(0, n_settings, placements), -1)
    p_distance = np.clip(lognormal(rng, 14, 0.9, placements), 0.3, 300.0)
    p_distance_tenths = np.round(p_distance * 10).astype(np.int64)

    # Cost periods: most placements have one or more; prices rise each period.
    has_cost = rng.random(placements) < 0.95
    length = np.where(p_end == NULL, EXTRACT_DAY, p_end) - p_start + 1
    periods = 1 + np.minimum(rng.poisson(1.1, placements), length // 30)
    periods = np.where(has_cost, np.minimum(periods, 6), 0)
    c_placement = np.repeat(np.arange(placements), periods)
    c_first = np.concatenate(([0], np.cumsum(periods)[:-1]))
    c_seq = np.arange(len(c_placement)) - np.repeat(c_first, periods)
    c_n = periods[c_placement]
    jitter = rng.uniform(-0.35, 0.35, len(c_placement))
    starts_at = np.where(c_seq == 0, 0.0, (c_seq + jitter) / c_n)
    c_start = p_start[c_placement] + np.floor(length[c_placement] * starts_at).astype(np.int64)
    next_start = np.append(c_start[1:], NULL)
    c_last = c_seq == c_n - 1
    # A cost period pays for the nights from its start to its end date, both included;
    # a placement's last night is the one before its end date, when the child's next
    # placement may begin (COST-CHILD-TWICE).
    c_end = np.where(
        c_last,
        np.where(p_end[c_placement] == NULL, NULL, p_end[c_placement] - 1),
        next_start - 1,
    )
    median, sigma, lowest, highest = (
        np.array([WEEKLY_COST[t][i] for t in range(len(PLACEMENT_TYPES))]) for i in range(4)
    )
    kind = p_type
    base = np.clip(
        lognormal(rng, 1.0, 1.0, placements) ** sigma[kind] * median[kind],
        lowest[kind],
        highest[kind] / 1.2,
    )
    total = np.round(base[c_placement] * 1.03**c_seq * 100).astype(np.int64)
    # Residential and secure prices always give the core fee apart (COST-SPLIT-MISSING).
    split = (kind == RESIDENTIAL) | (kind == SECURE)
    with_parts = ((rng.random(placements) < 0.7) | split)[c_placement]
    education_share = np.where(kind == RESIDENTIAL, 0.3, np.where(kind == RES_SCHOOL, 0.6, 0.0))
    with_education = with_parts & (rng.random(len(total)) < education_share[c_placement])
    education = np.where(with_education, np.round(total * 0.1).astype(np.int64), NULL)
    share = rng.uniform(0.7, 0.88, len(total))
    core = np.where(with_parts, np.round(total * share).astype(np.int64), NULL)
    support = np.where(with_parts, total - core - np.where(with_education, education, 0), NULL)
    with_funders = (rng.random(placements) < 0.8)[c_placement]
    shared = with_funders & (rng.random(len(total)) < 0.15)
    health = np.where(shared, np.round(total * rng.uniform(0.1, 0.4, len(total))), NULL)
    health = health.astype(np.int64)
    social = np.where(with_funders, total - np.where(shared, health, 0), NULL)
    basis = np.where(rng.random(placements) < 0.8, 0, 1)[c_placement]
    c_order = np.lexsort((c_seq, c_placement, c_start))
    arrays = (
        c_placement,
        c_seq,
        c_n,
        c_start,
        c_end,
        total,
        core,
        support,
        education,
        health,
        social,
        basis,
    )
    (
        c_placement,
        c_seq,
        c_n,
        c_start,
        c_end,
        total,
        core,
        support,
        education,
        health,
        social,
        basis,
    ) = (a[c_order] for a in arrays)
    n_costs = len(c_placement)

    # -- as tables ------------------------------------------------------------------------
    tables: dict[str, TableData] = {}
    submission = TableData("submission", 1)
    submission.columns = {
        "standard_version": Column("text", np.array([standard.version], dtype=object)),
        "la_code": Column("text", np.array([LA_CODE], dtype=object)),
        "period_start": Column("day", np.array([day(PERIOD[0])])),
        "period_end": Column("day", np.array([day(PERIOD[1])])),
        "extract_date": Column("day", np.array([EXTRACT_DAY])),
        "source_system": Column("text", np.array(["Synthetic benchmark data"], dtype=object)),
    }
    tables["submission"] = submission

    children = TableData("children", n_children)
    sex = pick(rng, ("M", "F", "U"), (0.55, 0.445, 0.005), n_children)
    uasc = pick(
        rng, ("Yes", "No", "Not yet established", "Unknown"), (0.06, 0.92, 0.005, 0.015), n_children
    )
    ethnicity = pick(rng, ETHNICITY, ETHNICITY_WEIGHTS, n_children)
    ethnicity[rng.random(n_children) < 0.012] = -1  # not recorded: a recommended value
    children.columns = {
        "child_id": Column("id", np.arange(1, n_children + 1), prefix="C", width=7),
        "birth_month": Column("month", born_month),
        "sex": Column("code", sex, ("M", "F", "U")),
        "ethnicity": Column("code", ethnicity, ETHNICITY),
        "uasc": Column("code", uasc, ("Yes", "No", "Not yet established", "Unknown")),
        # Gender (0.3.0), held by fewer LAs: mostly as the sex recorded.
        "gender": Column(
            "code",
            np.where(
                rng.random(n_children) < 0.4,
                -1,
                np.where(
                    rng.random(n_children) < 0.03,
                    pick(rng, GENDERS, (0, 0, 0.4, 0.2, 0.4), n_children),
                    np.array([0, 1, 4])[sex],
                ),
            ),
            GENDERS,
        ),
    }
    tables["children"] = children

    referrals = TableData("referrals", n_referrals)
    approached = np.minimum(60, 1 + rng.poisson(6, n_referrals))
    offers = np.minimum(approached, rng.poisson(1.2, n_referrals))
    in_education = pick(rng, ("Yes", "No", "Not applicable"), (0.8, 0.12, 0.08), n_referrals)
    referrals.columns = {
        "referral_id": Column("id", np.arange(1, n_referrals + 1), prefix="R", width=8),
        "child_id": Column("id", r_child + 1, prefix="C", width=7),
        "referral_date": Column("day", r_date),
        "needed_by_date": Column("day", r_needed),
        "urgency": Column("code", r_urgency, URGENCY),
        "planned_or_emergency": Column("code", r_planned, ("Planned", "Emergency")),
        "siblings_to_place_with": Column(
            "int", np.where(rng.random(n_referrals) < 0.85, 0, rng.integers(1, 4, n_referrals))
        ),
        "family_location": Column("text", _sectors(rng, n_referrals)),
        "close_to_family_recommended": Column(
            "code", pick(rng, ("Yes", "No"), (0.7, 0.3), n_referrals), ("Yes", "No")
        ),
        "in_education": Column("code", in_education, ("Yes", "No", "Not applicable")),
        "continue_current_school": Column(
            "code",
            np.where(in_education == 0, pick(rng, ("Yes", "No"), (0.7, 0.3), n_referrals), 2),
            ("Yes", "No", "Not applicable"),
        ),
        "school_location": Column(
            "text", np.where(in_education == 0, _sectors(rng, n_referrals), None)
        ),
        # A few searches that ended without a placement have no outcome recorded (a
        # recommended value: VALUE-RECOMMENDED, once).
        "outcome": Column(
            "code",
            np.where((r_outcome >= 2) & (rng.random(n_referrals) < 0.03), -1, r_outcome),
            outcome_codes,
        ),
        "providers_approached": Column("int", approached),
        "offers_received": Column("int", offers),
    }
    suitability = ("Preferred", "Suitable but not preferred", "Unsuitable", "Not specified")
    for name, weights in (
        ("foster_care_suitability", (0.6, 0.25, 0.1, 0.05)),
        ("residential_care_suitability", (0.15, 0.3, 0.5, 0.05)),
        ("supported_accommodation_suitability", (0.1, 0.15, 0.7, 0.05)),
    ):
        referrals.columns[name] = Column(
            "code", pick(rng, suitability, weights, n_referrals), suitability
        )
    for name, codes, weights in (
        (
            "cared_alongside",
            (
                "Solo placement recommended",
                "With other children recommended",
                "Only with older children",
                "Only with younger children",
                "No preference",
            ),
            (0.12, 0.3, 0.05, 0.08, 0.45),
        ),
        ("pets", ("Yes - must", "Yes - can", "No", "Unknown"), (0.03, 0.4, 0.2, 0.37)),
        (
            "minimum_adult_ratio",
            ("1:1", "2:1", "More than 2:1", "Standard ratio", "Not specified", "Not applicable"),
            (0.06, 0.02, 0.005, 0.6, 0.2, 0.115),
        ),
    ):
        referrals.columns[name] = Column("code", pick(rng, codes, weights, n_referrals), codes)
    if standard.table("referrals").has_field("no_home_reason"):
        reasons = _code_list(standard, "referrals", "no_home_reason")
        weights = [0.35, 0.25, 0.15, 0.1, 0.1, 0.05] + [0.0] * (len(reasons) - 6)
        reason = pick(rng, reasons, weights[: len(reasons)], n_referrals)
        referrals.columns["no_home_reason"] = Column(
            "code", np.where(r_outcome == 1, reason, -1), reasons
        )
    tables["referrals"] = referrals

    needs = TableData("needs_assessments", n_needs)
    tools = ("BERRI", "CANS", "Other formalised tool", "Social worker assessment", "Not recorded")
    needs.columns = {
        "needs_id": Column("id", np.arange(1, n_needs + 1), prefix="N", width=8),
        "child_id": Column("id", n_child + 1, prefix="C", width=7),
        "referral_id": Column(
            "id", np.where(n_ref_written < 0, NULL, n_ref_written + 1), prefix="R", width=8
        ),
        "assessment_date": Column("day", n_date),
        "assessment_tool": Column(
            "code", pick(rng, tools, (0.3, 0.1, 0.1, 0.46, 0.04), n_needs), tools
        ),
        "ehc_plan": Column(
            "code",
            pick_or_blank(rng, ("Yes", "No", "Unknown"), (0.17, 0.77, 0.06), 0.12, n_needs),
            ("Yes", "No", "Unknown"),
        ),
        "communication_needs": Column(
            "code",
            pick(rng, ("Yes", "No", "Not specified"), (0.1, 0.85, 0.05), n_needs),
            ("Yes", "No", "Not specified"),
        ),
        "communication_requirements": Column(
            "text", _lists(rng, n_needs, ("ESOL", "BSL", "Makaton", "Other"), 0.88)
        ),
        "adaptation_to_home": Column(
            "code", pick(rng, ("Yes", "No"), (0.05, 0.95), n_needs), ("Yes", "No")
        ),
        "cultural_needs": Column(
            "code",
            pick(
                rng,
                ("Required", "Not required", "Not known", "Other"),
                (0.2, 0.6, 0.15, 0.05),
                n_needs,
            ),
            ("Required", "Not required", "Not known", "Other"),
        ),
        "deprivation_of_liberty": Column(
            "code", pick(rng, ("Yes", "No"), (0.02, 0.98), n_needs), ("Yes", "No")
        ),
        "additional_support": Column(
            "text",
            _lists(
                rng,
                n_needs,
                (
                    "Additional supervision",
                    "Therapeutic support",
                    "Respite worker",
                    "Transport to school",
                    "Other",
                ),
                0.5,
            ),
        ),
    }
    for name in ("mental_health_diagnosis", "neurodevelopmental_diagnosis", "learning_disability"):
        needs.columns[name] = Column(
            "code",
            pick(rng, ("Yes", "No", "Unknown"), (0.2, 0.65, 0.15), n_needs),
            ("Yes", "No", "Unknown"),
        )
    for table_field in standard.table("needs_assessments").fields:
        if table_field.name.startswith("risk_"):
            if table_field.name.endswith("_other"):  # newer and less often recorded
                risk = pick(rng, RISK, OTHER_RISK_WEIGHTS, n_needs)
                risk[rng.random(n_needs) < 0.3] = -1
            else:
                risk = pick(rng, RISK, RISK_WEIGHTS, n_needs)
            needs.columns[table_field.name] = Column("code", risk, RISK)
    named_risk = np.nonzero(
        (needs.columns["risk_to_child_other"].values >= 1) & (rng.random(n_needs) < 0.5)
    )[0]
    other_risks = np.full(n_needs, None, dtype=object)
    other_risks[named_risk] = _lists(rng, len(named_risk), OTHER_RISKS, 0.0)
    needs.columns["other_risks"] = Column("text", other_risks)
    tables["needs_assessments"] = needs

    ended = p_end != NULL
    # The needs assessment the placement was made on: the child's latest on or before
    # the start date (PLC-NEEDS-AFTER-START), or blank. Keys: child, then day (< 2**16).
    needs_key = n_child * 65_536 + n_date
    by_key = np.argsort(needs_key, kind="stable")
    at = np.searchsorted(needs_key[by_key], p_child * 65_536 + p_start, side="right") - 1
    p_needs = by_key[np.maximum(at, 0)]
    p_needs = np.where((at >= 0) & (n_child[p_needs] == p_child), p_needs, -1)
    p_needs[rng.random(placements) < 0.15] = -1
    # Distance is 0 within one postcode district (the standard's definition: between
    # the districts' centroids), as far as the placement's search names the family's.
    p_location = _sectors(rng, placements)
    family = referrals.columns["family_location"].values
    linked = np.nonzero(p_referral >= 0)[0]
    same_district = np.zeros(placements, dtype=bool)
    same_district[linked] = _districts(p_location[linked]) == _districts(family[p_referral[linked]])
    p_distance = np.where(same_district, 0.0, p_distance)
    p_distance_tenths = np.where(same_district, 0, p_distance_tenths)
    features = np.full(placements, None, dtype=object)
    for kind_of, options in SERVICE_FEATURES.items():
        rows = np.nonzero(p_type == kind_of)[0]
        texts = np.array([text or None for text, _ in options], dtype=object)
        features[rows] = texts[pick(rng, texts, (w for _, w in options), len(rows))]
    in_a_home = np.isin(p_type, (RESIDENTIAL, RES_SCHOOL, SECURE, SUPPORTED))
    ratio = pick_or_blank(rng, STAFFING, (0.15, 0.04, 0.01, 0.6, 0.1, 0.0), 0.1, placements)
    ratio = np.where(in_a_home, ratio, np.where(rng.random(placements) < 0.4, 5, -1))
    preferred = pick_or_blank(rng, ("Yes", "No"), (0.86, 0.14), 0.1, placements)
    type_reason = np.where(
        preferred == 1, pick(rng, TYPE_REASONS, TYPE_REASON_WEIGHTS, placements), -1
    )
    age_at_start = (p_start - born[p_child]) / 365.25
    post_18 = np.where(
        age_at_start >= 17, pick(rng, POST_18, (0.1, 0.05, 0.05, 0.05, 0.75), placements), -1
    )
    not_costed = np.where(
        periods == 0, pick(rng, NOT_COSTED, (0.4, 0.15, 0.15, 0.15, 0.15), placements), -1
    )
    p = TableData("placements", placements)
    p.columns = {
        "placement_id": Column("id", np.arange(1, placements + 1), prefix="P", width=8),
        "child_id": Column("id", p_child + 1, prefix="C", width=7),
        "referral_id": Column(
            "id", np.where(p_referral < 0, NULL, p_referral + 1), prefix="R", width=8
        ),
        "start_date": Column("day", p_start),
        "end_date": Column("day", p_end),
        "placement_type": Column("code", p_type, PLACEMENT_TYPES),
        "place_code": Column("code", p_place, all_place_codes),
        "provider_id": Column("id", p_provider + 1, prefix="PRV-", width=5),
        "setting_urn": Column("text", _urns(np.where(p_setting < 0, -1, p_setting), s_type)),
        "host_la_code": Column("code", rng.integers(0, len(HOST_LAS), placements), HOST_LAS),
        "placement_location": Column("text", p_location),
        "distance_miles": Column("tenth", p_distance_tenths),
        "location_preferable": Column(
            "code",
            np.where(p_distance < 20, 0, pick(rng, ("Yes", "No"), (0.4, 0.6), placements)),
            ("Yes", "No"),
        ),
        "location_reason": Column(
            "code",
            np.where(
                p_distance < 20,
                6,
                pick(rng, ("a",) * 6, (0.1, 0.2, 0.3, 0.25, 0.05, 0.1), placements),
            ),
            (
                "CYP/parental preference",
                "Safeguarding requirement",
                "Provision within distance exists but is not available",
                "Provision within distance does not exist",
                "Carer moving out of area",
                "Legal reasons",
                "Not applicable",
            ),
        ),
        "education_disrupted": Column(
            "code",
            pick(rng, ("Yes", "No", "Not applicable"), (0.2, 0.7, 0.1), placements),
            ("Yes", "No", "Not applicable"),
        ),
        "needs_id": Column("id", np.where(p_needs < 0, NULL, p_needs + 1), prefix="N", width=8),
        "service_features": Column("text", features),
        "staffing_ratio": Column("code", ratio, STAFFING),
        "type_preferred": Column("code", preferred, ("Yes", "No")),
        "type_reason": Column("code", type_reason, TYPE_REASONS),
        "crisis_placement": Column(
            "code", pick_or_blank(rng, ("Yes", "No"), (0.09, 0.91), 0.12, placements), ("Yes", "No")
        ),
        "meets_needs": Column(
            "code",
            pick_or_blank(rng, MEETS_NEEDS, (0.42, 0.32, 0.14, 0.04, 0.08), 0.1, placements),
            MEETS_NEEDS,
        ),
        "post_18_arrangement": Column("code", post_18, POST_18),
        "not_costed_reason": Column("code", not_costed, NOT_COSTED),
        "siblings_placed_together": Column(
            "int", np.where(rng.random(placements) < 0.85, 0, rng.integers(1, 4, placements))
        ),
        "sourcing_route": Column(
            "code",
            pick(rng, ("a",) * 7, (0.3, 0.05, 0.25, 0.2, 0.1, 0.05, 0.05), placements),
            (
                "Regional contract",
                "Other regional contract",
                "Direct award / off framework",
                "Local contract or framework",
                "Block contract",
                "Remand",
                "Secure welfare",
            ),
        ),
        "end_reason": Column(
            "code",
            np.where(ended, pick(rng, END_REASONS, END_REASON_WEIGHTS, placements), -1),
            END_REASONS,
        ),
    }
    tables["placements"] = p

    providers = TableData("providers", n_providers)
    names = np.array(
        [
            f"{PROVIDER_WORDS[i % len(PROVIDER_WORDS)]} "
            f"{PROVIDER_KINDS[(i // len(PROVIDER_WORDS)) % len(PROVIDER_KINDS)]} "
            f"{'Ltd' if o == 3 else 'Trust' if o == 4 else 'Council'} {i + 1}"
            for i, o in enumerate(pr_ownership)
        ],
        dtype=object,
    )
    # National identifiers, each unique to its provider (PRV-SAME-NATIONAL-ID): every
    # private or voluntary provider gives at least one (PRV-NATIONAL-ID).
    private, voluntary = pr_ownership == 3, pr_ownership == 4
    has_company = (private & (rng.random(n_providers) < 0.92)) | (
        voluntary & (rng.random(n_providers) < 0.5)
    )
    has_charity = voluntary & (rng.random(n_providers) < 0.9)
    has_urn = (
        (rng.random(n_providers) < np.where(pr_ownership == 0, 0.5, 0.45))
        & (pr_ownership != 1)
        & (pr_ownership != 2)
    )
    has_urn |= (private | voluntary) & ~has_company & ~has_charity
    company = _numbered(has_company, lambda i: f"{10_000_000 + 7_919 * i:08d}")
    charity = _numbered(has_charity, lambda i: f"{1_000_000 + 37 * i}")
    ofsted_urn = _numbered(has_urn, lambda i: f"RP{500_000 + 13 * i:06d}")
    providers.columns = {
        "provider_id": Column("id", np.arange(1, n_providers + 1), prefix="PRV-", width=5),
        "provider_name": Column("text", names),
        "ownership": Column("code", pr_ownership, ownership_codes),
        "private_equity_backed": Column(
            "code",
            np.where(
                pr_ownership == 3,
                pick(rng, ("Yes", "No", "Unknown"), (0.3, 0.5, 0.2), n_providers),
                1,
            ),
            ("Yes", "No", "Unknown"),
        ),
        "company_number": Column("text", company),
        "ofsted_provider_urn": Column("text", ofsted_urn),
        "charity_number": Column("text", charity),
    }
    tables["providers"] = providers

    settings = TableData("settings", n_settings)
    setting_types = (
        "Children's home",
        "Secure children's home",
        "Independent fostering agency",
        "Supported accommodation",
        "Residential special school",
        "Other",
    )
    inspected = rng.random(n_settings) < 0.9
    last_inspection = np.where(inspected, EXTRACT_DAY - rng.integers(20, 1_100, n_settings), NULL)
    # Registered before its last inspection; a few closed since (not before it).
    registered = np.where(
        rng.random(n_settings) < 0.7, EXTRACT_DAY - rng.integers(1_100, 9_000, n_settings), NULL
    )
    closed_at = np.where(
        inspected,
        np.minimum(EXTRACT_DAY, last_inspection + rng.integers(30, 400, n_settings)),
        EXTRACT_DAY - rng.integers(1, 500, n_settings),
    )
    closed_at = np.where(rng.random(n_settings) < 0.04, closed_at, NULL)
    settings.columns = {
        "setting_urn": Column("text", _urns(np.arange(n_settings), s_type)),
        "provider_id": Column("id", s_provider + 1, prefix="PRV-", width=5),
        "setting_type": Column("code", s_type, setting_types),
        "registration_type": Column(
            "code",
            np.where(
                s_type == 3, pick(rng, ("a",) * 5, (0.6, 0.0, 0.35, 0.03, 0.02), n_settings), 0
            ),
            (
                "Ofsted",
                "CQC only",
                "Unregistered",
                "Care Inspectorate Scotland",
                "Care Inspectorate Wales",
            ),
        ),
        "host_la_code": Column("code", rng.integers(0, len(HOST_LAS), n_settings), HOST_LAS),
        "location": Column("text", _sectors(rng, n_settings)),
        # An independent fostering agency's places are in fostering_capacity
        # (SET-IFA-PLACES).
        "registered_places": Column(
            "int", np.where(s_type == 2, NULL, rng.integers(1, 9, n_settings))
        ),
        "ofsted_rating": Column(
            "code",
            np.where(
                inspected, pick(rng, ("a",) * 5, (0.15, 0.6, 0.15, 0.05, 0.05), n_settings), 4
            ),
            (
                "Outstanding",
                "Good",
                "Requires improvement to be good",
                "Inadequate",
                "Not yet inspected",
            ),
        ),
        "last_inspection_date": Column("day", last_inspection),
        "registration_date": Column("day", registered),
        "closure_date": Column("day", closed_at),
    }
    tables["settings"] = settings

    # Fostering capacity: the LA's own fostering service and each provider with an
    # independent fostering agency, counted at the last few year ends (31 March).
    fostering = np.union1d(np.nonzero(pr_ownership == 0)[0], s_provider[s_type == 2])
    year_ends = np.array([day(dt.date(year, 3, 31)) for year in range(2016, 2027)])
    counts = rng.integers(1, 6, len(fostering))
    f_provider = np.repeat(fostering, counts)
    f_first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    f_back = np.arange(len(f_provider)) - np.repeat(f_first, counts)  # 0: the latest
    f_date = year_ends[len(year_ends) - 1 - f_back]
    f_order = np.lexsort((f_provider, f_date))
    f_provider, f_date, f_back = f_provider[f_order], f_date[f_order], f_back[f_order]
    n_capacity = len(f_provider)
    size_of = lognormal(rng, 40, 0.8, n_providers) * np.where(pr_ownership == 0, 3, 1)
    households = np.maximum(
        1, np.round(size_of[f_provider] * 0.97**f_back * rng.uniform(0.9, 1.1, n_capacity))
    ).astype(np.int64)
    approved = np.round(households * rng.uniform(1.2, 1.7, n_capacity)).astype(np.int64)
    filled = np.round(approved * rng.uniform(0.6, 0.82, n_capacity)).astype(np.int64)
    unavailable = np.round(approved * rng.uniform(0.02, 0.12, n_capacity)).astype(np.int64)
    unavailable = np.minimum(unavailable, approved - filled)
    vacant = approved - filled - unavailable  # they add up (CAP-PLACES-SUM)
    unsplit = rng.random(n_capacity) < 0.06  # only the approved places counted
    capacity = TableData("fostering_capacity", n_capacity)
    capacity.columns = {
        "capacity_id": Column("id", np.arange(1, n_capacity + 1), prefix="FC-", width=6),
        "provider_id": Column("id", f_provider + 1, prefix="PRV-", width=5),
        "capacity_date": Column("day", f_date),
        "approved_households": Column(
            "int", np.where(rng.random(n_capacity) < 0.05, NULL, households)
        ),
        "approved_places": Column("int", approved),
        "filled_places": Column("int", np.where(unsplit, NULL, filled)),
        "vacant_places": Column("int", np.where(unsplit, NULL, vacant)),
        "unavailable_places": Column("int", np.where(unsplit, NULL, unavailable)),
    }
    tables["fostering_capacity"] = capacity

    costs = TableData("costs", n_costs)
    costs.columns = {
        "cost_id": Column("id", np.arange(1, n_costs + 1), prefix="K", width=9),
        "placement_id": Column("id", c_placement + 1, prefix="P", width=8),
        "cost_start_date": Column("day", c_start),
        "cost_end_date": Column("day", c_end),
        "cost_basis": Column("code", basis, ("Agreed", "Actual")),
        "core_weekly": Column("pence", core),
        "additional_support_weekly": Column("pence", support),
        "education_weekly": Column("pence", education),
        "health_weekly": Column("pence", np.full(n_costs, NULL)),
        "other_weekly": Column("pence", np.full(n_costs, NULL)),
        "total_weekly_cost": Column("pence", total),
        "social_care_contribution": Column("pence", social),
        "education_contribution": Column("pence", np.full(n_costs, NULL)),
        "health_contribution": Column("pence", health),
    }
    tables["costs"] = costs

    for table in tables.values():  # fields this generator does not know: blank
        for table_field in standard.table(table.name).fields:
            if table_field.name not in table.columns:
                table.columns[table_field.name] = Column(
                    "text", np.full(table.height, None, dtype=object)
                )

    claimed = {name: np.zeros(t.height, dtype=bool) for name, t in tables.items()}
    world = World(
        standard=standard,
        tables=tables,
        rng=rng,
        child_of={
            "children": np.arange(n_children),
            "referrals": r_child,
            "needs_assessments": n_child,
            "placements": p_child,
            "costs": p_child[c_placement],
        },
        cost_placement=c_placement,
        placement_groups=Groups(p_child, n_children),
        referral_groups=Groups(r_child, n_children),
        needs_groups=Groups(n_child, n_children),
        cost_groups=Groups(c_placement, placements),
        born_month=born_month,
        claimed=claimed,
        place_from=code_from,
        place_until=code_until,
        same_district=same_district,
        needs_named=np.isin(np.arange(n_needs), p_needs),
    )
    world.r_linked = r_placement  # type: ignore[attr-defined]  # referral -> its placement
    world.needs_referral = n_ref  # type: ignore[attr-defined]
    return world


def _age_weights() -> np.ndarray:
    weights = np.array([9, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 6, 7, 8, 10, 11, 9, 5], dtype=float)
    return weights / weights.sum()


def _code_list(standard: Standard, table: str, name: str) -> tuple[str, ...]:
    code_list = standard.table(table).field(name).code_list
    assert code_list is not None
    return code_list.codes


def _in_force_days(standard: Standard, codes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The first and last day each PLACE code may be used on (its `in_force_from` and
    `in_force_until` annotations; no limit: far past and far future)."""
    values = {v.value: v for v in standard.table("placements").field("place_code").code_list.values}
    first = np.full(len(codes), np.iinfo(np.int64).min // 2, dtype=np.int64)
    last = np.full(len(codes), np.iinfo(np.int64).max // 2, dtype=np.int64)
    for i, code in enumerate(codes):
        if values[code].in_force_from:
            first[i] = day(dt.date.fromisoformat(values[code].in_force_from))
        if values[code].in_force_until:
            last[i] = day(dt.date.fromisoformat(values[code].in_force_until))
    return first, last


def _numbered(given: np.ndarray, number: Callable[[int], str]) -> np.ndarray:
    """`number(i)` in row i where `given`, else blank: identifiers unique to their row."""
    out = np.full(len(given), None, dtype=object)
    for i in np.nonzero(given)[0]:
        out[i] = number(int(i))
    return out


def _districts(sectors: np.ndarray) -> np.ndarray:
    """The postcode district of each sector ("TA1 2" -> "TA1"; None stays None)."""
    return np.array([None if s is None else s.split(" ")[0] for s in sectors], dtype=object)


def _sectors(rng: np.random.Generator, n: int) -> np.ndarray:
    """Postcode sectors such as "TA1 2" (the standard never holds a full postcode)."""
    area = rng.integers(0, len(AREAS), n)
    district = rng.integers(1, 30, n)
    sector = rng.integers(0, 10, n)
    return np.array(
        [f"{AREAS[a]}{d} {s}" for a, d, s in zip(area, district, sector, strict=True)],
        dtype=object,
    )


def _urns(setting: np.ndarray, setting_type: np.ndarray) -> np.ndarray:
    """Ofsted URNs: SC and six digits for homes, seven digits for fostering agencies."""
    out = np.full(len(setting), None, dtype=object)
    for i, s in enumerate(setting):
        if s >= 0:
            out[i] = f"{2_600_000 + s:07d}" if setting_type[s] == 2 else f"SC{100_000 + s:06d}"
    return out


def _lists(rng: np.random.Generator, n: int, codes: tuple[str, ...], none_share: float):
    """A multivalued cell: "None", or one or two codes joined by "; "."""
    out = np.full(n, "None", dtype=object)
    some = np.nonzero(rng.random(n) >= none_share)[0]
    first = rng.integers(0, len(codes), len(some))
    second = rng.integers(0, len(codes), len(some))
    two = rng.random(len(some)) < 0.3
    for i, a, b, both in zip(some, first, second, two, strict=True):
        out[i] = f"{codes[a]}; {codes[b]}" if both and a != b else codes[a]
    return out


# -- defects ----------------------------------------------------------------------------


def _candidates(world: World, table: str, mask: np.ndarray | None = None) -> np.ndarray:
    """Rows of a table whose family no defect has touched yet, in random order."""
    rows = np.arange(world.tables[table].height)
    if mask is not None:
        rows = rows[mask]
    return world.rng.permutation(rows)


def _free(world: World, table: str, row: int) -> bool:
    """The row's family (its child, for the tables about children) is untouched."""
    child = world.child_of.get(table)
    if child is not None:
        return not world.claimed["children"][child[row]]
    return not world.claimed[table][row]


def _claim(world: World, table: str, row: int) -> None:
    child = world.child_of.get(table)
    if child is not None:
        world.claimed["children"][child[row]] = True
    world.claimed[table][row] = True


def _record(world: World, kind: str, code: str, table: str, row: int, name: str) -> None:
    world.defects.append(Defect(code, table, int(row), name, kind))


Injector = Callable[[World, str, int], bool]  # (world, table, row) -> applied?


@dataclass(frozen=True)
class DefectKind:
    name: str
    table: str  # the table whose rows it is counted against
    inject: Injector
    mask: Callable[[World], np.ndarray] | None = None  # rows it may use


def _text(code: str, name: str, texts: tuple[str, ...]) -> Injector:
    """A cell's text replaced by something that is not a valid value."""

    def inject(world: World, table: str, row: int) -> bool:
        world.tables[table].set_text(name, row, texts[row % len(texts)] or None)
        _record(world, f"{code} {name}", code, table, row, name)
        return True

    return inject


def _col(world: World, table: str, name: str) -> np.ndarray:
    return world.tables[table].columns[name].values


def _money_places(world: World, table: str, row: int) -> bool:
    core = _col(world, "costs", "core_weekly")
    if core[row] == NULL:
        return False
    # Half a penny more: more than 2 decimal places, yet the components still add up to
    # the total within the 1p the sum rule allows.
    world.tables["costs"].set_text("core_weekly", row, f"{core[row] / 100 + 0.005:.3f}")
    _record(world, "money places", "VALUE-MONEY-PLACES", "costs", row, "core_weekly")
    return True


def _duplicate_id(name: str) -> Injector:
    def inject(world: World, table: str, row: int) -> bool:
        ids = _col(world, table, name)
        earlier = int(world.rng.integers(0, row)) if row > 0 else None
        if earlier is None or not _free(world, table, earlier):
            return False
        _claim(world, table, earlier)
        ids[row] = ids[earlier]
        _record(world, f"duplicate {name}", "KEY-DUPLICATE", table, row, name)
        return True

    return inject


def _dangling(name: str, prefix: str) -> Injector:
    def inject(world: World, table: str, row: int) -> bool:
        if table == "costs" and len(world.cost_groups.members(world.cost_placement[row])) < 2:
            return False  # its placement would be left with no cost (PLC-NOT-COSTED)
        world.tables[table].set_text(name, row, f"{prefix}{90_000_000 + row}")
        _record(world, f"dangling {name}", "KEY-REFERENCE", table, row, name)
        return True

    return inject


def _end_reason_missing(world: World, table: str, row: int) -> bool:
    if _col(world, "placements", "end_date")[row] == NULL:
        return False
    _col(world, "placements", "end_reason")[row] = -1
    _record(world, "end reason missing", "PLC-END-REASON", "placements", row, "end_reason")
    return True


# A PLACE code that contradicts the type (the first of the codes that is in force on
# the start date), and the rule that says so.
_MISMATCH = {
    FOSTER: (("K2",), "PLC-PLACE-RESIDENTIAL"),
    RESIDENTIAL: (("S1",), "PLC-PLACE-RES-SCHOOL"),
    RES_SCHOOL: (("U4",), "PLC-PLACE-FOSTER"),
    SUPPORTED: (("K1",), "PLC-PLACE-SECURE"),
    SECURE: (("H5", "K3"), "PLC-PLACE-SUPPORTED"),
    OTHER: (("R3",), "PLC-PLACE-PARENT-CHILD"),
    PARENT_CHILD: (("A4",), "PLC-PLACE-OTHER"),
}


def _in_force(world: World, code: int, on: int) -> bool:
    """A PLACE code (its number; -1 blank) may be used for a placement starting `on`."""
    return code < 0 or world.place_from[code] <= on <= world.place_until[code]


def _place_mismatch(world: World, table: str, row: int) -> bool:
    kind = int(_col(world, "placements", "placement_type")[row])
    codes, rule = _MISMATCH[kind]
    column = world.tables["placements"].columns["place_code"]
    start = _col(world, "placements", "start_date")[row]
    column.values[row] = next(
        column.codes.index(code)
        for code in codes
        if _in_force(world, column.codes.index(code), start)
    )
    _record(world, "PLACE code and type", rule, "placements", row, "placement_type")
    return True


def _end_before_start(world: World, table: str, row: int) -> bool:
    start, end = _col(world, "placements", "start_date"), _col(world, "placements", "end_date")
    if end[row] == NULL or len(world.cost_groups.members(row)):
        return False  # with costs, the cost periods would fall outside it too
    child = world.child_of["placements"][row]
    born = int(first_day(world.born_month[child]))
    room = start[row] - born
    if room < 3:
        return False
    end[row] = start[row] - int(world.rng.integers(1, min(60, room)))
    _record(
        world, "placement end before start", "PLC-END-BEFORE-START", "placements", row, "end_date"
    )
    return True


def _cost_end_before_start(world: World, table: str, row: int) -> bool:
    start, end = _col(world, "costs", "cost_start_date"), _col(world, "costs", "cost_end_date")
    if end[row] == NULL:
        return False
    end[row] = start[row] - int(world.rng.integers(1, 30))
    _record(world, "cost end before start", "COST-END-BEFORE-START", "costs", row, "cost_end_date")
    return True


def _needed_before_referral(world: World, table: str, row: int) -> bool:
    start = _col(world, "referrals", "referral_date")
    _col(world, "referrals", "needed_by_date")[row] = start[row] - int(world.rng.integers(1, 30))
    _record(
        world,
        "needed before referral",
        "REF-NEEDED-BEFORE-REFERRAL",
        "referrals",
        row,
        "needed_by_date",
    )
    return True


def _cost_outside(world: World, table: str, row: int) -> bool:
    placement = world.cost_placement[row]
    if world.cost_groups.members(placement)[0] != row:
        return False  # only the first period of a placement
    p_start = _col(world, "placements", "start_date")[placement]
    early = p_start - int(world.rng.integers(7, 60))
    if _night_paid_twice(world, row, early, _col(world, "costs", "cost_end_date")[row]):
        return False  # the previous placement's costs pay for those nights
    _col(world, "costs", "cost_start_date")[row] = early
    _record(
        world, "cost before placement", "COST-OUTSIDE-PLACEMENT", "costs", row, "cost_start_date"
    )
    return True


def _cost_overlap(world: World, table: str, row: int) -> bool:
    members = list(world.cost_groups.members(world.cost_placement[row]))
    position = members.index(row)
    if position == 0:
        return False
    previous = members[position - 1]
    start, end = _col(world, "costs", "cost_start_date"), _col(world, "costs", "cost_end_date")
    length = end[previous] - start[previous]
    if length < 3:
        return False
    start[row] = end[previous] - int(world.rng.integers(0, length - 1))
    _record(world, "cost periods overlap", "COST-OVERLAP", "costs", row, "cost_start_date")
    return True


def _sum_off(parts_field: str, code: str) -> Injector:
    def inject(world: World, table: str, row: int) -> bool:
        part = _col(world, "costs", parts_field)
        if part[row] == NULL:
            return False
        part[row] += 2_500  # £25 more than the total allows
        _record(world, f"{parts_field} off", code, "costs", row, "total_weekly_cost")
        return True

    return inject


def _placements_overlap(world: World, table: str, row: int) -> bool:
    child = world.child_of["placements"][row]
    members = list(world.placement_groups.members(child))
    position = members.index(row)
    if position == 0:
        return False
    previous = members[position - 1]
    codes = world.tables["placements"].columns["place_code"]
    if any(
        codes.values[i] >= 0 and codes.codes[codes.values[i]].startswith("T")
        for i in (row, previous)
    ):
        return False  # temporary moves may overlap
    start, end = _col(world, "placements", "start_date"), _col(world, "placements", "end_date")
    if end[previous] == NULL or end[previous] - start[previous] < 4:
        return False
    earlier = end[previous] - int(world.rng.integers(1, min(30, end[previous] - start[previous])))
    if not _may_start(world, row, earlier):
        return False
    _move_start(world, row, earlier)
    _record(world, "placements overlap", "PLC-OVERLAP", "placements", row, "start_date")
    return True


def _may_start(world: World, row: int, on: int) -> bool:
    """A placement may start on another day with no other issue: its PLACE code in
    force (PLC-PLACE-NOT-IN-FORCE), the child born (CHILD-DATE-BEFORE-BIRTH) and, in a
    residential placement, 10 (PLC-RESIDENTIAL-UNDER-10)."""
    month = world.born_month[world.child_of["placements"][row]]
    kind = _col(world, "placements", "placement_type")[row]
    return (
        _in_force(world, int(_col(world, "placements", "place_code")[row]), on)
        and on >= first_day(month)
        and (kind != RESIDENTIAL or on >= first_day(month + 120))
    )


def _move_start(world: World, row: int, on: int) -> None:
    """A placement starts on another day; a needs assessment made after it is no longer
    the one it was made on (PLC-NEEDS-AFTER-START): it names none."""
    _col(world, "placements", "start_date")[row] = on
    needs = _col(world, "placements", "needs_id")
    if (
        needs[row] != NULL
        and _col(world, "needs_assessments", "assessment_date")[needs[row] - 1] > on
    ):
        needs[row] = NULL


def _night_paid_twice(world: World, cost: int, start: int, end: int) -> bool:
    """A cost period from `start` to `end` (NULL: open) would pay for a night that a
    cost period of another of the child's placements, on the same basis, pays for."""
    placement = world.cost_placement[cost]
    basis = _col(world, "costs", "cost_basis")
    starts, ends = _col(world, "costs", "cost_start_date"), _col(world, "costs", "cost_end_date")
    last = EXTRACT_DAY if end == NULL else end
    for other in world.placement_groups.members(world.child_of["placements"][placement]):
        if other == placement:
            continue
        for c in world.cost_groups.members(other):
            other_last = EXTRACT_DAY if ends[c] == NULL else ends[c]
            if basis[c] == basis[cost] and starts[c] <= last and start <= other_last:
                return True
    return False


def _after_extract(name: str) -> Injector:
    def inject(world: World, table: str, row: int) -> bool:
        values = _col(world, table, name)
        if table == "needs_assessments" and world.needs_named[row]:
            return False  # a placement made on it would start before it
        if table == "costs":
            placement = world.cost_placement[row]
            if _col(world, "placements", "end_date")[placement] != NULL or values[row] != NULL:
                return False  # only the open last period of an open placement
        late = EXTRACT_DAY + int(world.rng.integers(1, 90))
        child = world.child_of.get(table)
        if child is not None and late >= first_day(world.born_month[child[row]] + 12 * 26 + 1):
            return False  # the child would be 26 by then: CHILD-AGE-LIMIT too
        values[row] = late
        _record(world, f"{name} after extract", "DATE-AFTER-EXTRACT", table, row, name)
        return True

    return inject


def _events(world: World, child: int) -> list[tuple[str, int, str, int]]:
    """Every dated event of a child: (table, row, field, day)."""
    events = []
    for row in world.referral_groups.members(child):
        events.append(
            ("referrals", row, "referral_date", _col(world, "referrals", "referral_date")[row])
        )
    for row in world.needs_groups.members(child):
        events.append(
            (
                "needs_assessments",
                row,
                "assessment_date",
                _col(world, "needs_assessments", "assessment_date")[row],
            )
        )
    for row in world.placement_groups.members(child):
        for name in ("start_date", "end_date"):
            value = _col(world, "placements", name)[row]
            if value != NULL:
                events.append(("placements", row, name, value))
    return events


def _birth_month_moved(years: int, code: str) -> Injector:
    """A year typed wrong: every event of the child on the far side of a limit is reported."""

    def inject(world: World, table: str, row: int) -> bool:
        child = row
        placements = world.placement_groups.members(child)
        types = _col(world, "placements", "placement_type")[placements]
        if (types == RESIDENTIAL).any():
            return False  # keep PLC-RESIDENTIAL-UNDER-10 out of it
        month = int(world.born_month[child]) + 12 * years
        born = int(first_day(month))
        turned_26 = int(first_day(month + 12 * 26 + 1))
        wrong = [
            (event_table, event_row, name)
            for event_table, event_row, name, value in _events(world, child)
            if (value >= turned_26 if code == "CHILD-AGE-LIMIT" else value < born)
        ]
        if not wrong:
            return False
        world.born_month[child] = month
        for event_table, event_row, name in wrong:
            _record(world, f"birth month {years:+d} years", code, event_table, event_row, name)
        return True

    return inject


def _residential_too_young(world: World, table: str, row: int) -> bool:
    child = row
    placements = world.placement_groups.members(child)
    types = _col(world, "placements", "placement_type")[placements]
    starts = _col(world, "placements", "start_date")[placements]
    residential = placements[types == RESIDENTIAL]
    if not len(residential):
        return False
    first_residential = _col(world, "placements", "start_date")[residential].min()
    # Nine years old at the first residential placement.
    month = int(months_of(np.array([first_residential]))[0]) - 9 * 12 - 1
    born = int(first_day(month))
    earliest = min(value for _, _, _, value in _events(world, child))
    if earliest < born:
        return False  # the child would be "born" after an event
    world.born_month[child] = month
    limit = int(first_day(month + 120))
    for placement, kind, start in zip(placements, types, starts, strict=True):
        if kind == RESIDENTIAL and start < limit:
            _record(
                world,
                "residential under 10",
                "PLC-RESIDENTIAL-UNDER-10",
                "placements",
                placement,
                "placement_type",
            )
    return True


def _distance_far(world: World, table: str, row: int) -> bool:
    if world.same_district[row]:
        return False  # 0 miles: within one district (PLC-DISTANCE-SAME-DISTRICT)
    _col(world, "placements", "distance_miles")[row] = int(world.rng.integers(3_600, 9_000))
    _record(world, "distance far", "PLC-DISTANCE-FAR", "placements", row, "distance_miles")
    return True


def _cost_outlier(world: World, table: str, row: int) -> bool:
    placement = world.cost_placement[row]
    if _col(world, "placements", "placement_type")[placement] != FOSTER:
        return False
    amount = int(world.rng.integers(2_000, 9_500))  # a daily rate typed as weekly
    columns = world.tables["costs"].columns
    for name in ("additional_support_weekly", "education_weekly", "health_contribution"):
        columns[name].values[row] = NULL
    columns["core_weekly"].values[row] = (
        amount if columns["core_weekly"].values[row] != NULL else NULL
    )
    columns["total_weekly_cost"].values[row] = amount
    if columns["social_care_contribution"].values[row] != NULL:
        columns["social_care_contribution"].values[row] = amount
    _record(world, "weekly cost outlier", "COST-OUTLIER", "costs", row, "total_weekly_cost")
    return True


def _none_with_others(world: World, table: str, row: int) -> bool:
    world.tables[table].set_text("communication_requirements", row, "None; BSL")
    _record(
        world, "None with others", "LIST-NONE-WITH-OTHERS", table, row, "communication_requirements"
    )
    return True


def _no_home_reason_missing(world: World, table: str, row: int) -> bool:
    outcome = world.tables["referrals"].columns["outcome"]
    if outcome.values[row] < 0 or outcome.codes[outcome.values[row]] != "No suitable home found":
        return False
    _col(world, "referrals", "no_home_reason")[row] = -1
    _record(
        world, "no home reason missing", "REF-NO-HOME-REASON", "referrals", row, "no_home_reason"
    )
    return True


def _unplaced_without_assessment(world: World) -> np.ndarray:
    linked = world.r_linked  # type: ignore[attr-defined]
    assessed = np.zeros(world.tables["referrals"].height, dtype=bool)
    assessed[world.needs_referral] = True  # type: ignore[attr-defined]
    return (linked < 0) & ~assessed


def _ended(world: World) -> np.ndarray:
    return _col(world, "placements", "end_date") != NULL


# -- defects of the 0.3.0 rules ----------------------------------------------------------

_NATIONAL_IDS = ("company_number", "charity_number", "ofsted_provider_urn")  # rule's order


def _same_national_id(world: World, table: str, row: int) -> bool:
    """A provider given an earlier provider's number: one organisation entered twice."""
    earlier = int(world.rng.integers(0, row)) if row > 0 else None
    if earlier is None or not _free(world, table, earlier):
        return False
    columns = world.tables[table].columns
    name = next((n for n in _NATIONAL_IDS if columns[n].values[earlier] is not None), None)
    if name is None:
        return False
    _claim(world, table, earlier)
    columns[name].values[row] = columns[name].values[earlier]
    _record(world, "national id twice", "PRV-SAME-NATIONAL-ID", table, row, name)
    return True


def _no_national_id(world: World, table: str, row: int) -> bool:
    for name in _NATIONAL_IDS:
        world.tables[table].columns[name].values[row] = None
    _record(world, "no national id", "PRV-NATIONAL-ID", table, row, "company_number")
    return True


def _independent(world: World) -> np.ndarray:
    ownership = world.tables["providers"].columns["ownership"]
    return np.isin(ownership.values, [ownership.codes.index(o) for o in ("Private", "Voluntary")])


def _needs_of_another_child(world: World, table: str, row: int) -> bool:
    needs_child = world.child_of["needs_assessments"]
    other = int(world.rng.integers(0, len(needs_child)))
    child = needs_child[other]
    if child == world.child_of["placements"][row] or world.claimed["children"][child]:
        return False
    world.claimed["children"][child] = True  # that child's assessment stays as it is
    _col(world, "placements", "needs_id")[row] = other + 1
    _record(world, "needs of another child", "PLC-NEEDS-OTHER-CHILD", table, row, "needs_id")
    return True


def _needs_after_start(world: World, table: str, row: int) -> bool:
    own = world.needs_groups.members(world.child_of["placements"][row])
    start = _col(world, "placements", "start_date")[row]
    later = own[_col(world, "needs_assessments", "assessment_date")[own] > start]
    if not len(later):
        return False
    _col(world, "placements", "needs_id")[row] = later[0] + 1
    _record(world, "needs after start", "PLC-NEEDS-AFTER-START", table, row, "needs_id")
    return True


def _uncosted(world: World) -> np.ndarray:
    height = world.tables["placements"].height
    return np.bincount(world.cost_placement, minlength=height) == 0


def _not_costed(world: World, table: str, row: int) -> bool:
    _col(world, table, "not_costed_reason")[row] = -1
    _record(world, "no cost, no reason", "PLC-NOT-COSTED", table, row, "not_costed_reason")
    return True


def _child_night_twice(world: World, table: str, row: int) -> bool:
    """The last cost period of the child's previous placement runs to its end date, the
    night this placement (its first cost period) begins."""
    placement = world.cost_placement[row]
    if world.cost_groups.members(placement)[0] != row:
        return False
    siblings = list(world.placement_groups.members(world.child_of["placements"][placement]))
    position = siblings.index(placement)
    if position == 0:
        return False
    previous = siblings[position - 1]
    end = _col(world, "placements", "end_date")[previous]
    previous_costs = world.cost_groups.members(previous)
    if end != _col(world, "placements", "start_date")[placement] or not len(previous_costs):
        return False
    last = previous_costs[-1]
    basis, ends = _col(world, "costs", "cost_basis"), _col(world, "costs", "cost_end_date")
    if basis[last] != basis[row] or ends[last] != end - 1:
        return False
    ends[last] = end
    _record(world, "night paid twice", "COST-CHILD-TWICE", table, row, "cost_start_date")
    return True


def _split_types(world: World) -> np.ndarray:
    kind = _col(world, "placements", "placement_type")[world.cost_placement]
    return (kind == RESIDENTIAL) | (kind == SECURE)


def _core_missing(world: World, table: str, row: int) -> bool:
    for name in ("core_weekly", "additional_support_weekly", "education_weekly"):
        _col(world, table, name)[row] = NULL  # no component given: none to add up
    _record(world, "core fee missing", "COST-SPLIT-MISSING", table, row, "core_weekly")
    return True


def _places_off(world: World, table: str, row: int) -> bool:
    filled = _col(world, table, "filled_places")
    if filled[row] == NULL:
        return False
    filled[row] += int(world.rng.integers(1, 6))
    _record(world, "places do not add up", "CAP-PLACES-SUM", table, row, "approved_places")
    return True


def _emergency_flipped(world: World, table: str, row: int) -> bool:
    planned = _col(world, table, "planned_or_emergency")
    if planned[row] < 0:
        return False
    planned[row] = 1 - planned[row]
    _record(
        world, "planned or emergency", "REF-EMERGENCY-DATES", table, row, "planned_or_emergency"
    )
    return True


def _urgency_off(world: World, table: str, row: int) -> bool:
    """Today for a home needed within 5 days, or the other way (still short notice)."""
    urgency = _col(world, table, "urgency")
    if _col(world, table, "needed_by_date")[row] == NULL or urgency[row] not in (0, 1):
        return False
    urgency[row] = 1 - urgency[row]
    _record(world, "urgency and date", "REF-URGENCY-DATES", table, row, "urgency")
    return True


def _no_notice(world: World, table: str, row: int) -> bool:
    _col(world, table, "needed_by_date")[row] = NULL
    _col(world, table, "urgency")[row] = -1
    _record(world, "no notice", "REF-NOTICE", table, row, "urgency")
    return True


def _type_not_preferred(world: World) -> np.ndarray:
    return _col(world, "placements", "type_preferred") == 1  # "No"


def _type_reason_missing(world: World, table: str, row: int) -> bool:
    _col(world, table, "type_reason")[row] = -1
    _record(world, "type reason missing", "PLC-TYPE-REASON", table, row, "type_reason")
    return True


def _fostering_agency(world: World) -> np.ndarray:
    return _col(world, "settings", "setting_type") == 2


def _agency_places(world: World, table: str, row: int) -> bool:
    _col(world, table, "registered_places")[row] = int(world.rng.integers(5, 60))
    _record(world, "agency with places", "SET-IFA-PLACES", table, row, "registered_places")
    return True


# Codes of a type that are out of force on some start dates.
_TIME_LIMITED = {SUPPORTED: ("H5", "K3"), OTHER: ("Z1", "P2", "Z11", "Z12", "Z13", "Z14")}


def _not_in_force(world: World, table: str, row: int) -> bool:
    options = _TIME_LIMITED.get(int(_col(world, table, "placement_type")[row]))
    column = world.tables[table].columns["place_code"]
    start = _col(world, table, "start_date")[row]
    out = [
        column.codes.index(code)
        for code in options or ()
        if not _in_force(world, column.codes.index(code), start)
    ]
    if not out:
        return False  # H5 and K3 are both in force in 2024/25
    column.values[row] = out[int(world.rng.integers(0, len(out)))]
    _record(world, "code not in force", "PLC-PLACE-NOT-IN-FORCE", table, row, "place_code")
    return True


def _before_period(world: World, table: str, row: int) -> bool:
    """A child's first placement, with its costs, moved to end before the period."""
    child = world.child_of["placements"][row]
    start, end = _col(world, table, "start_date"), _col(world, table, "end_date")
    if world.placement_groups.members(child)[0] != row or end[row] == NULL:
        return False
    shift = end[row] - (day(PERIOD[0]) - int(world.rng.integers(1, 200)))
    if not _may_start(world, row, start[row] - shift):
        return False
    _move_start(world, row, start[row] - shift)
    end[row] -= shift
    starts, ends = _col(world, "costs", "cost_start_date"), _col(world, "costs", "cost_end_date")
    for cost in world.cost_groups.members(row):
        starts[cost] -= shift
        if ends[cost] != NULL:
            ends[cost] -= shift
    _record(world, "before the period", "PLC-OUTSIDE-PERIOD", table, row, "end_date")
    return True


def _same_district_far(world: World, table: str, row: int) -> bool:
    """The placement moved into the family's postcode district, its distance kept."""
    referral = _col(world, table, "referral_id")[row]
    if (
        referral == NULL
        or world.same_district[row]
        or _col(world, table, "distance_miles")[row] <= 0
    ):
        return False
    family = _col(world, "referrals", "family_location")[referral - 1]
    district, _, sector = family.partition(" ")
    _col(world, table, "placement_location")[row] = f"{district} {(int(sector or 0) + 1) % 10}"
    _record(world, "same district", "PLC-DISTANCE-SAME-DISTRICT", table, row, "distance_miles")
    return True


def _has_rule(standard: Standard, code: str) -> bool:
    """The validator has this registry rule for the standard's version."""
    from sufficiency_standard.check.rules import rules_of

    return any(r.entry.code == code for r in rules_of(standard.version))


def defect_kinds(standard: Standard, period_wrong: bool) -> list[DefectKind]:
    kinds = [
        # value kinds
        DefectKind(
            "bad date",
            "placements",
            _text("VALUE-DATE", "start_date", ("2024-02-30", "31/04/2023", "unknown")),
        ),
        DefectKind(
            "bad date",
            "referrals",
            _text("VALUE-DATE", "needed_by_date", ("2025-13-01", "asap", "30/02/2025")),
        ),
        DefectKind(
            "bad date",
            "needs_assessments",
            _text("VALUE-DATE", "assessment_date", ("2024-06-31", "tbc")),
        ),
        DefectKind(
            "bad code",
            "placements",
            _text(
                "VALUE-CODE",
                "placement_type",
                ("Fostering", "Residential care", "Semi-independent"),
            ),
        ),
        DefectKind("bad code", "children", _text("VALUE-CODE", "sex", ("Male", "X", "Female"))),
        DefectKind("bad code", "costs", _text("VALUE-CODE", "cost_basis", ("Estimated", "Spot"))),
        DefectKind(
            "bad code",
            "needs_assessments",
            _text("VALUE-CODE", "risk_to_child_going_missing", ("Medium", "Very high")),
        ),
        DefectKind("bad code", "providers", _text("VALUE-CODE", "ownership", ("PLC", "Charity"))),
        DefectKind(
            "pattern",
            "placements",
            _text("VALUE-PATTERN", "placement_location", ("TA", "TA1 23", "1TA")),
        ),
        # A full postcode is personal data (a carer's home), reported as such.
        DefectKind(
            "personal data",
            "placements",
            _text("PERSONAL-POSTCODE", "placement_location", ("TA1 2AB", "BS16 1QY")),
        ),
        DefectKind(
            "pattern",
            "children",
            _text("VALUE-PATTERN", "birth_month", ("2010-13", "03/2011", "2012")),
        ),
        DefectKind(
            "pattern",
            "providers",
            _text("VALUE-PATTERN", "company_number", ("1234567", "SC12345X")),
        ),
        DefectKind(
            "pattern", "settings", _text("VALUE-PATTERN", "host_la_code", ("E0600006", "E07000187"))
        ),
        DefectKind(
            "minimum", "placements", _text("VALUE-MINIMUM", "distance_miles", ("-4.2", "-12"))
        ),
        DefectKind(
            "minimum", "referrals", _text("VALUE-MINIMUM", "providers_approached", ("-1", "-3"))
        ),
        DefectKind(
            "minimum",
            "settings",
            _text("VALUE-MINIMUM", "registered_places", ("-2",)),
            lambda w: ~_fostering_agency(w),  # an agency gives none (SET-IFA-PLACES)
        ),
        DefectKind(
            "integer",
            "placements",
            _text("VALUE-INTEGER", "siblings_placed_together", ("1.5", "one", "2+")),
        ),
        DefectKind(
            "number",
            "placements",
            _text("VALUE-NUMBER", "distance_miles", ("about 10", "n/k", "12 miles")),
        ),
        DefectKind("required", "placements", _text("VALUE-REQUIRED", "provider_id", ("",))),
        DefectKind("required", "costs", _text("VALUE-REQUIRED", "total_weekly_cost", ("",))),
        DefectKind("required", "referrals", _text("VALUE-REQUIRED", "referral_date", ("",))),
        DefectKind(
            "money places",
            "costs",
            _money_places,
            lambda w: _col(w, "costs", "core_weekly") != NULL,
        ),
        # keys
        DefectKind("duplicate id", "costs", _duplicate_id("cost_id")),
        DefectKind(
            "duplicate id", "referrals", _duplicate_id("referral_id"), _unplaced_without_assessment
        ),
        DefectKind("dangling reference", "placements", _dangling("provider_id", "PRV-")),
        DefectKind("dangling reference", "costs", _dangling("placement_id", "P")),
        DefectKind("dangling reference", "needs_assessments", _dangling("referral_id", "R")),
        DefectKind("dangling reference", "settings", _dangling("provider_id", "PRV-")),
        # the schema's rules
        DefectKind("end reason", "placements", _end_reason_missing, _ended),
        *(
            DefectKind(
                "PLACE and type",
                "placements",
                _place_mismatch,
                lambda w, kind=kind: _col(w, "placements", "placement_type") == kind,
            )
            for kind in _MISMATCH
        ),
        # the rule registry
        DefectKind("date order", "placements", _end_before_start, _ended),
        DefectKind(
            "date order",
            "costs",
            _cost_end_before_start,
            lambda w: _col(w, "costs", "cost_end_date") != NULL,
        ),
        DefectKind("date order", "referrals", _needed_before_referral),
        DefectKind("cost outside placement", "costs", _cost_outside),
        DefectKind("cost overlap", "costs", _cost_overlap),
        DefectKind(
            "components sum",
            "costs",
            _sum_off("core_weekly", "COST-COMPONENTS-SUM"),
            lambda w: _col(w, "costs", "core_weekly") != NULL,
        ),
        DefectKind(
            "contributions sum",
            "costs",
            _sum_off("social_care_contribution", "COST-CONTRIBUTIONS-SUM"),
            lambda w: _col(w, "costs", "social_care_contribution") != NULL,
        ),
        DefectKind("placements overlap", "placements", _placements_overlap),
        DefectKind("date after extract", "needs_assessments", _after_extract("assessment_date")),
        DefectKind(
            "date after extract",
            "costs",
            _after_extract("cost_end_date"),
            lambda w: _col(w, "costs", "cost_end_date") == NULL,
        ),
        DefectKind(
            "date after extract",
            "settings",
            _after_extract("last_inspection_date"),
            lambda w: _col(w, "settings", "last_inspection_date") != NULL,
        ),
        DefectKind("child over 26", "children", _birth_month_moved(-40, "CHILD-AGE-LIMIT")),
        DefectKind(
            "date before birth", "children", _birth_month_moved(15, "CHILD-DATE-BEFORE-BIRTH")
        ),
        DefectKind("None with others", "needs_assessments", _none_with_others),
        # warnings
        DefectKind("distance far", "placements", _distance_far),
        DefectKind("cost outlier", "costs", _cost_outlier),
        DefectKind("residential under 10", "children", _residential_too_young),
    ]
    if standard.table("referrals").has_field("no_home_reason"):
        kinds.append(DefectKind("no home reason", "referrals", _no_home_reason_missing))
    kinds += [
        # 0.3.0: values of the new fields and table
        DefectKind("bad code", "referrals", _text("VALUE-CODE", "urgency", ("Urgent", "ASAP"))),
        DefectKind(
            "bad code",
            "placements",
            _text("VALUE-CODE", "service_features", ("Respite", "Solo; Respite care")),
        ),
        DefectKind(
            "pattern", "providers", _text("VALUE-PATTERN", "charity_number", ("12345", "CH1234"))
        ),
        DefectKind("duplicate id", "fostering_capacity", _duplicate_id("capacity_id")),
        DefectKind("dangling reference", "fostering_capacity", _dangling("provider_id", "PRV-")),
        DefectKind(
            "required", "fostering_capacity", _text("VALUE-REQUIRED", "approved_places", ("",))
        ),
        DefectKind(
            "minimum", "fostering_capacity", _text("VALUE-MINIMUM", "vacant_places", ("-1", "-3"))
        ),
        # 0.3.0: the schema's new rules
        DefectKind("no notice", "referrals", _no_notice),
        DefectKind("type reason", "placements", _type_reason_missing, _type_not_preferred),
        DefectKind("agency places", "settings", _agency_places, _fostering_agency),
        # 0.3.0: the rule registry
        DefectKind("national id twice", "providers", _same_national_id),
        DefectKind("no national id", "providers", _no_national_id, _independent),
        DefectKind("needs of another child", "placements", _needs_of_another_child),
        DefectKind("needs after start", "placements", _needs_after_start),
        DefectKind("not costed", "placements", _not_costed, _uncosted),
        DefectKind("night paid twice", "costs", _child_night_twice),
        DefectKind("core fee missing", "costs", _core_missing, _split_types),
        DefectKind(
            "places sum",
            "fostering_capacity",
            _places_off,
            lambda w: _col(w, "fostering_capacity", "filled_places") != NULL,
        ),
        DefectKind("planned or emergency", "referrals", _emergency_flipped),
        DefectKind("urgency", "referrals", _urgency_off),
        DefectKind("code not in force", "placements", _not_in_force),
    ]
    if not period_wrong:  # a wrong period turns the rule off
        kinds.append(DefectKind("before the period", "placements", _before_period, _ended))
    if _has_rule(standard, "PLC-DISTANCE-SAME-DISTRICT"):
        kinds.append(DefectKind("same district", "placements", _same_district_far))
    return kinds


# The submission's one row gets its defect (the period ends before it starts) only in
# data this small: with the period wrong, PLC-OUTSIDE-PERIOD judges no placement, and
# the larger sizes measure that rule.
PERIOD_ORDER_MAX_PLACEMENTS = 10_000


def inject_defects(world: World) -> None:
    period_wrong = world.tables["placements"].height <= PERIOD_ORDER_MAX_PLACEMENTS
    kinds = defect_kinds(world.standard, period_wrong)
    per_table: dict[str, int] = {}
    for kind in kinds:
        per_table[kind.table] = per_table.get(kind.table, 0) + 1
    for kind in kinds:
        height = world.tables[kind.table].height
        wanted = max(1, round(height * DEFECT_RATE / per_table[kind.table]))
        mask = kind.mask(world) if kind.mask is not None else None
        done = 0
        for row in _candidates(world, kind.table, mask):
            if done == wanted:
                break
            if not _free(world, kind.table, int(row)):
                continue
            if kind.inject(world, kind.table, int(row)):
                _claim(world, kind.table, int(row))
                done += 1
        if done < wanted:
            print(f"  note: {kind.name} in {kind.table}: {done} of {wanted}", file=sys.stderr)
    if period_wrong:  # the one-row submission table: its period ends before it starts
        submission = world.tables["submission"].columns
        submission["period_start"].values[0] = day(dt.date(2026, 4, 1))
        _record(world, "period order", "SUB-PERIOD-ORDER", "submission", 0, "period_end")


def write_as_people_do(world: World) -> None:
    """Cells written the ways LA staff write them: read, and noted once per column."""
    rng = world.rng
    referrals = world.tables["referrals"]
    dates = referrals.columns["referral_date"].values
    for row in np.nonzero(rng.random(referrals.height) < 0.02)[0]:
        if dates[row] != NULL and referrals.text_override("referral_date", row) is False:
            referrals.set_text("referral_date", row, as_date(dates[row]).strftime("%d/%m/%Y"))
    children = world.tables["children"]
    uasc = children.columns["uasc"]
    for row in np.nonzero(rng.random(children.height) < 0.01)[0]:
        code = uasc.codes[uasc.values[row]]
        if code in ("Yes", "No"):
            children.set_text("uasc", row, code[0])


# -- text -----------------------------------------------------------------------------


def text_columns(table: TableData) -> pl.DataFrame:
    """The table as text, the way a CSV export writes it; blank cells are null."""
    series = {}
    for name, column in table.columns.items():
        values = column.values
        if column.kind == "text":
            s = pl.Series(name, values.tolist(), dtype=pl.String)
        elif column.kind == "code":
            lookup = np.array((*column.codes, None), dtype=object)
            s = pl.Series(
                name,
                lookup[np.where(values < 0, len(column.codes), values)].tolist(),
                dtype=pl.String,
            )
        else:
            raw = pl.Series(name, values)
            blank = raw == NULL
            raw = pl.select(pl.when(blank).then(None).otherwise(raw)).to_series().rename(name)
            if column.kind == "day":
                s = raw.cast(pl.Int32).cast(pl.Date).dt.to_string("%Y-%m-%d")
            elif column.kind == "month":
                m = pl.col(name)
                s = (
                    raw.to_frame()
                    .select(pl.date(1970 + m // 12, m % 12 + 1, 1).dt.to_string("%Y-%m"))
                    .to_series()
                )
            elif column.kind == "pence":
                s = pl.select(
                    (raw // 100).cast(pl.String) + "." + (raw % 100).cast(pl.String).str.zfill(2)
                ).to_series()
            elif column.kind == "tenth":
                s = pl.select(
                    (raw // 10).cast(pl.String) + "." + (raw % 10).cast(pl.String)
                ).to_series()
            elif column.kind == "int":
                s = raw.cast(pl.String)
            elif column.kind == "id":
                s = pl.select(
                    pl.lit(column.prefix) + raw.cast(pl.String).str.zfill(column.width)
                ).to_series()
            else:
                raise ValueError(column.kind)
            s = s.rename(name)
        edits = table.overrides.get(name)
        if edits:
            rows = np.fromiter(edits.keys(), dtype=np.int64)
            s = s.scatter(rows, pl.Series(list(edits.values()), dtype=pl.String))
        series[name] = s
    return pl.DataFrame(series)


# -- writing ------------------------------------------------------------------------------


def write_csv(frames: dict[str, pl.DataFrame], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_csv(folder / f"{name}.csv", null_value="")


def _json_value_expr(table: Table, name: str) -> pl.Expr:
    """One cell as a JSON value, typed as the JSON Schema expects where the text allows."""
    spec = table.field(name)
    text = pl.col(name)
    quoted = (
        pl.lit('"')
        + text.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
        + pl.lit('"')
    )
    if spec.multivalued:
        items = text.str.split(";").list.eval(
            pl.lit('"') + pl.element().str.strip_chars() + pl.lit('"')
        )
        return pl.lit("[") + items.list.join(", ") + pl.lit("]")
    if spec.kind == "integer":
        return pl.when(text.str.contains(r"^-?(0|[1-9][0-9]*)$")).then(text).otherwise(quoted)
    if spec.kind == "decimal":
        number = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
        return pl.when(text.str.contains(number)).then(text).otherwise(quoted)
    return quoted


def json_lines(table: Table, frame: pl.DataFrame) -> pl.Series:
    """Each row as one JSON object; blank cells are left out, as a JSON export would."""
    if frame.width == 0 or frame.height == 0:
        return pl.Series([], dtype=pl.String)
    parts = [
        (pl.lit(f'"{name}": ') + _json_value_expr(table, name)).alias(name)
        for name in frame.columns
    ]
    return frame.select(
        (pl.lit("{") + pl.concat_str(parts, separator=", ", ignore_nulls=True) + pl.lit("}")).alias(
            "line"
        )
    ).to_series()


def write_jsonl(frames: dict[str, pl.DataFrame], standard: Standard, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in standard.tables:
        lines = json_lines(table, frames[table.name])
        with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as handle:
            for chunk in lines.to_frame().iter_slices(200_000):
                handle.write("\n".join(chunk.to_series().to_list()))
                handle.write("\n")


def sample_lengths(frames: dict[str, pl.DataFrame], budget: int = SAMPLE_RECORDS) -> dict[str, int]:
    """How many first rows of each table the sample holds (all of them when they fit)."""
    total = sum(f.height for f in frames.values())
    share = min(1.0, budget / max(total, 1))
    return {name: min(f.height, math.ceil(f.height * share)) for name, f in frames.items()}


def write_sample(
    frames: dict[str, pl.DataFrame], standard: Standard, path: Path, lengths: dict[str, int]
) -> None:
    """The first rows of every table as one JSON submission (the standard's JSON form)."""
    header = json.loads(json_lines(standard.table("submission"), frames["submission"])[0])
    lists = []
    for table in standard.tables:
        if table.one_row:
            continue
        lines = json_lines(table, frames[table.name].head(lengths[table.name]))
        lists.append(f'"{table.name}": [\n' + ",\n".join(lines.to_list()) + "\n]")
    top = json.dumps(header, ensure_ascii=False)[1:-1]
    path.write_text("{" + top + ",\n" + ",\n".join(lists) + "}\n", encoding="utf-8")


def write_xlsx(frames: dict[str, pl.DataFrame], standard: Standard, path: Path) -> None:
    """One sheet per table; dates as Excel dates and numbers as numbers, as in a workbook
    an LA fills in; text that is not a valid date or number stays text, as typed."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    money_format = book.add_format({"num_format": "0.00"})
    for table in standard.tables:
        frame = frames[table.name]
        sheet = book.add_worksheet(table.name)
        names = frame.columns
        for c, name in enumerate(names):
            sheet.write_string(0, c, name, bold)
            sheet.set_column(c, c, max(12, len(name) + 2))
        kinds = []
        for name in names:
            spec = table.field(name)
            if spec.multivalued:
                kinds.append("text")
            elif spec.kind == "date":
                kinds.append("date")
            elif spec.kind in ("integer", "decimal"):
                kinds.append("money" if spec.unit and "GBP" in str(spec.unit) else "number")
            else:
                kinds.append("text")
        typed = frame.select(
            pl.col(name).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(f"__d{c}")
            if kind == "date"
            else pl.col(name).cast(pl.Float64, strict=False).alias(f"__n{c}")
            for c, (name, kind) in enumerate(zip(names, kinds, strict=True))
            if kind != "text"
        )
        columns: list[list[tuple[str, Any]]] = []
        for c, (name, kind) in enumerate(zip(names, kinds, strict=True)):
            texts = frame[name].to_list()
            if kind == "text":
                columns.append([("", None) if t is None else ("s", t) for t in texts])
                continue
            values = typed[f"__d{c}" if kind == "date" else f"__n{c}"].to_list()
            column = []
            for t, v in zip(texts, values, strict=True):
                if t is None:
                    column.append(("", None))
                elif v is None or (kind != "date" and not _plain_number(t)):
                    column.append(("s", t))
                else:
                    column.append((kind, v))
            columns.append(column)
        write_string, write_number, write_datetime = (
            sheet.write_string,
            sheet.write_number,
            sheet.write_datetime,
        )
        for r in range(frame.height):
            row = r + 1
            for c, column in enumerate(columns):
                kind, value = column[r]
                if kind == "s":
                    write_string(row, c, value)
                elif kind == "number":
                    write_number(row, c, value)
                elif kind == "money":
                    write_number(row, c, value, money_format)
                elif kind == "date":
                    write_datetime(row, c, dt.datetime.combine(value, dt.time()), date_format)
    book.close()


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "e" not in text.lower() and "n" not in text.lower()


# -- the command ----------------------------------------------------------------------------


def size_label(placements: int) -> str:
    for label, count in SIZES.items():
        if count == placements:
            return label
    return str(placements)


def parse_size(text: str) -> int:
    if text in SIZES:
        return SIZES[text]
    scale = {"k": 1_000, "M": 1_000_000}
    if text[-1] in scale:
        return int(float(text[:-1]) * scale[text[-1]])
    return int(text)


def generate(
    placements: int,
    out: Path | None = None,
    *,
    seed: int = SEED,
    xlsx: bool | None = None,
    force: bool = False,
    defects: bool = True,
) -> Path:
    """Write the data of one size (unless already there) and return its folder. Without
    `defects`, the same data with no defect injected (to measure what issues cost)."""
    folder = out or DATA / (size_label(placements) + ("" if defects else "-clean"))
    standard = load_standard(None)
    manifest_path = folder / "manifest.json"
    want_xlsx = placements <= XLSX_MAX_PLACEMENTS if xlsx is None else xlsx
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (
            manifest.get("seed") == seed
            and manifest.get("generator_version") == GENERATOR_VERSION
            and manifest.get("standard_version") == standard.version
            and manifest.get("injected", True) == defects
            and (not want_xlsx or (folder / "submission.xlsx").exists())
        ):
            print(f"{folder}: up to date", file=sys.stderr)
            return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    print(f"{folder}: building {placements:,} placements...", file=sys.stderr)
    world = build(placements, seed, standard)
    if defects:
        inject_defects(world)
    write_as_people_do(world)
    frames = {name: text_columns(table) for name, table in world.tables.items()}
    frames = {t.name: frames[t.name].select([f.name for f in t.fields]) for t in standard.tables}
    print(f"  built in {time.perf_counter() - started:.1f} s; writing CSV...", file=sys.stderr)
    write_csv(frames, folder / "csv")
    print("  writing JSON lines...", file=sys.stderr)
    write_jsonl(frames, standard, folder / "jsonl")
    lengths = sample_lengths(frames)
    write_sample(frames, standard, folder / "sample.json", lengths)
    if want_xlsx:
        print("  writing the workbook...", file=sys.stderr)
        write_xlsx(frames, standard, folder / "submission.xlsx")

    expected = [d.entry() for d in world.defects]
    expected.extend(_first_of_column_notes(frames, world))
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "placements": placements,
        "standard_version": standard.version,
        "extract_date": EXTRACT.isoformat(),
        "rows": {name: frame.height for name, frame in frames.items()},
        "sample_rows": lengths,
        "xlsx": want_xlsx,
        "injected": defects,
        "defects": expected,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(
        f"  {sum(manifest['rows'].values()):,} rows, {len(expected):,} defects; "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return folder


def _first_of_column_notes(frames: dict[str, pl.DataFrame], world: World) -> list[dict]:
    """Issues reported once per column, at its first row: recommended values left blank
    (whichever fields the standard recommends) and values written another way."""
    checks = [
        ("VALUE-RECOMMENDED", table.name, f.name, pl.col(f.name).is_null())
        for table in world.standard.tables
        for f in table.fields
        if f.recommended
    ]
    checks += [
        (
            "VALUE-NORMALISED",
            "referrals",
            "referral_date",
            pl.col("referral_date").str.contains(r"^\d{2}/\d{2}/\d{4}$"),
        ),
        ("VALUE-NORMALISED", "children", "uasc", pl.col("uasc").is_in(["Y", "N"])),
    ]
    notes = []
    for code, table, name, mask in checks:
        rows = frames[table].with_row_index("__i").filter(mask.fill_null(False))["__i"]
        if len(rows):
            notes.append(Defect(code, table, int(rows[0]), name, "first of column").entry())
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", action="append", help="10k, 100k, 1M or a number of placements")
    parser.add_argument("--all", action="store_true", help="10k, 100k and 1M")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--out", type=Path, help="folder (default benchmarks/data/<size>)")
    parser.add_argument(
        "--no-defects",
        action="store_true",
        help="inject no defect, into benchmarks/data/<size>-clean (what issues cost)",
    )
    args = parser.parse_args(argv)
    sizes = list(SIZES) if args.all else (args.size or ["10k"])
    for size in sizes:
        generate(
            parse_size(size),
            args.out,
            seed=args.seed,
            force=args.force,
            defects=not args.no_defects,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
