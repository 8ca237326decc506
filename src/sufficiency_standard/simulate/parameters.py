"""What the simulator is told: each LA's own parameters and the model every LA shares.

Everything that drives the data is here, so that the truth (truth.py) can record it and a
test of an analysis can compare what the analysis recovers with what was planted.
Rates are per year; costs are pounds a week at 2023/24 prices.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from typing import Any

from sufficiency_standard.simulate.geography import la_areas
from sufficiency_standard.standard import load_standard

# -- ages and types --------------------------------------------------------------------

# The age bands of the regions' demand model, by the first birthday of each.
AGE_BANDS = ("0-1", "1-5", "5-10", "10-16", "16-18+")
BAND_START_YEARS = (0, 1, 5, 10, 16)
LEAVING_AGE = 18

FOSTER = "Foster"
RESIDENTIAL = "Residential"
SCHOOL = "Residential school"
SUPPORTED = "Supported accommodation"
SECURE = "Secure"
PARENT_CHILD = "Parent and child"
OTHER = "Other"
TYPES = (FOSTER, RESIDENTIAL, SCHOOL, SUPPORTED, SECURE, PARENT_CHILD, OTHER)


def band_of_age(years: float) -> int:
    """The index of the age band of an age in years."""
    for index in range(len(BAND_START_YEARS) - 1, -1, -1):
        if years >= BAND_START_YEARS[index]:
            return index
    return 0


# Hazards (per year) of moving from a type to another (or to the same type: a new home of
# the same kind), by age band: the transitions of the demand model.
MOVES: dict[str, dict[str, dict[str, float]]] = {
    "0-1": {
        FOSTER: {FOSTER: 0.30, OTHER: 0.22, PARENT_CHILD: 0.03},
        PARENT_CHILD: {FOSTER: 1.40, OTHER: 0.50},
        OTHER: {FOSTER: 0.30},
    },
    "1-5": {
        FOSTER: {FOSTER: 0.22, OTHER: 0.16},
        PARENT_CHILD: {FOSTER: 1.00},
        OTHER: {FOSTER: 0.30},
    },
    "5-10": {
        FOSTER: {FOSTER: 0.22, OTHER: 0.04},
        PARENT_CHILD: {FOSTER: 1.00},
        OTHER: {FOSTER: 0.35, OTHER: 0.05},
    },
    "10-16": {
        FOSTER: {FOSTER: 0.20, RESIDENTIAL: 0.065, OTHER: 0.02, SCHOOL: 0.006, SECURE: 0.004},
        RESIDENTIAL: {RESIDENTIAL: 0.30, FOSTER: 0.18, SECURE: 0.03, SCHOOL: 0.03, OTHER: 0.06},
        SCHOOL: {RESIDENTIAL: 0.12, FOSTER: 0.10},
        SECURE: {RESIDENTIAL: 2.10, FOSTER: 0.30, OTHER: 0.60},
        PARENT_CHILD: {FOSTER: 1.00},
        OTHER: {FOSTER: 0.25, RESIDENTIAL: 0.12, OTHER: 0.05},
    },
    "16-18+": {
        FOSTER: {FOSTER: 0.10, SUPPORTED: 0.16, RESIDENTIAL: 0.02, OTHER: 0.02},
        RESIDENTIAL: {SUPPORTED: 0.40, RESIDENTIAL: 0.20, FOSTER: 0.03, OTHER: 0.04},
        SCHOOL: {SUPPORTED: 0.20, RESIDENTIAL: 0.10},
        SUPPORTED: {SUPPORTED: 0.30, OTHER: 0.12, RESIDENTIAL: 0.05, FOSTER: 0.02},
        SECURE: {RESIDENTIAL: 1.80, SUPPORTED: 0.90, OTHER: 0.30},
        PARENT_CHILD: {SUPPORTED: 0.80, FOSTER: 0.20},
        OTHER: {SUPPORTED: 0.30, FOSTER: 0.10, RESIDENTIAL: 0.06},
    },
}
# Hazards (per year) of leaving care from each type, by age band (besides leaving at 18).
EXITS: dict[str, dict[str, float]] = {
    "0-1": {FOSTER: 0.50, PARENT_CHILD: 1.43, OTHER: 1.86},
    "1-5": {FOSTER: 0.43, PARENT_CHILD: 1.14, OTHER: 1.57},
    "5-10": {FOSTER: 0.18, PARENT_CHILD: 0.72, OTHER: 1.00},
    "10-16": {
        FOSTER: 0.11,
        RESIDENTIAL: 0.14,
        SCHOOL: 0.11,
        SECURE: 0.29,
        PARENT_CHILD: 0.72,
        OTHER: 0.79,
    },
    "16-18+": {
        FOSTER: 0.18,
        RESIDENTIAL: 0.25,
        SCHOOL: 0.14,
        SUPPORTED: 0.32,
        SECURE: 0.43,
        PARENT_CHILD: 0.57,
        OTHER: 0.72,
    },
}
# The age of children entering care (share by band) and the type of their first home.
ENTRY_AGE = {"0-1": 0.20, "1-5": 0.15, "5-10": 0.17, "10-16": 0.34, "16-18+": 0.14}
ENTRY_TYPE: dict[str, dict[str, float]] = {
    "0-1": {FOSTER: 0.84, PARENT_CHILD: 0.10, OTHER: 0.06},
    "1-5": {FOSTER: 0.92, OTHER: 0.08},
    "5-10": {FOSTER: 0.93, OTHER: 0.07},
    "10-16": {FOSTER: 0.74, RESIDENTIAL: 0.16, SECURE: 0.01, OTHER: 0.09},
    "16-18+": {FOSTER: 0.36, SUPPORTED: 0.40, RESIDENTIAL: 0.16, SECURE: 0.01, OTHER: 0.07},
}
# The children in care when the simulation starts: age (share by band) and type of home.
STOCK_AGE = {"0-1": 0.05, "1-5": 0.13, "5-10": 0.20, "10-16": 0.40, "16-18+": 0.22}
STOCK_TYPE: dict[str, dict[str, float]] = {
    "0-1": {FOSTER: 0.90, PARENT_CHILD: 0.05, OTHER: 0.05},
    "1-5": {FOSTER: 0.90, OTHER: 0.10},
    "5-10": {FOSTER: 0.90, OTHER: 0.10},
    "10-16": {FOSTER: 0.74, RESIDENTIAL: 0.15, SCHOOL: 0.03, SECURE: 0.005, OTHER: 0.075},
    "16-18+": {FOSTER: 0.50, RESIDENTIAL: 0.14, SUPPORTED: 0.28, SECURE: 0.005, OTHER: 0.075},
}
# Residential care is chosen more often for children with more complex needs: a move or
# an entry into residential care has its rate multiplied by exp(this x complexity),
# complexity being each child's standard normal latent factor.
RESIDENTIAL_COMPLEXITY_EFFECT = 0.6
# What happens at 18: share of foster placements that continue as "Staying put", and how
# long they go on (years, uniform).
STAYING_PUT_SHARE = 0.30
STAYING_PUT_YEARS = (0.3, 2.5)

# -- searches ------------------------------------------------------------------------

# Probability that a search is an emergency, by why the home was needed.
EMERGENCY_SHARE = {"entry": 0.60, "breakdown": 0.55, "planned move": 0.10, "closure": 0.40}
# Days of notice (needed-by date minus referral date): an emergency search 0 (share) or
# 1 to 5 days; a planned one 6 days plus an exponential with this mean, at most 180.
EMERGENCY_SAME_DAY_SHARE = 0.55
PLANNED_NOTICE_MEAN_DAYS = 30.0
# Probability that a home was first searched for and not found (an unmet search before
# the one that found the home), by type placed and age band.
UNMET_SEARCH = {
    FOSTER: {"0-1": 0.02, "1-5": 0.02, "5-10": 0.04, "10-16": 0.10, "16-18+": 0.06},
    RESIDENTIAL: {"10-16": 0.28, "16-18+": 0.18},
    SCHOOL: {"10-16": 0.15, "16-18+": 0.10},
    SUPPORTED: {"16-18+": 0.08},
    SECURE: {"10-16": 0.45, "16-18+": 0.40},
    PARENT_CHILD: {"0-1": 0.10, "16-18+": 0.10},
    OTHER: {},
}
NO_HOME_REASONS = {
    FOSTER: {
        "No vacancy": 0.45,
        "Needs could not be met": 0.25,
        "Too far away": 0.10,
        "Poor match with other children": 0.12,
        "Other": 0.08,
    },
    RESIDENTIAL: {
        "No vacancy": 0.35,
        "Needs could not be met": 0.30,
        "Price": 0.12,
        "Too far away": 0.10,
        "Poor match with other children": 0.10,
        "Other": 0.03,
    },
    "other types": {"No vacancy": 0.50, "Needs could not be met": 0.30, "Other": 0.20},
}
# Share of residential placements of children for whom fostering was the preferred type
# (placed in a children's home for lack of a foster home).
RESIDENTIAL_FOSTER_PREFERRED = 0.30
WITHDRAWN_SEARCH = 0.03  # a search withdrawn before another was made

# -- siblings ------------------------------------------------------------------------

SIBLING_GROUP_SIZES = {1: 0.72, 2: 0.17, 3: 0.07, 4: 0.04}  # children entering together
SIBLINGS_PLACED_TOGETHER = {2: 0.70, 3: 0.50, 4: 0.35}  # if all are fostered

# -- distance ------------------------------------------------------------------------

# How quickly the chance of a home falls with its distance from the LA (miles): the
# weight of a home d miles away is exp(-d / scale).
DISTANCE_SCALE = {
    RESIDENTIAL: 70.0,
    SCHOOL: 90.0,
    SECURE: 200.0,
    SUPPORTED: 25.0,
    PARENT_CHILD: 60.0,
    "foster agency": 60.0,
}
NEIGHBOUR_MILES = 40.0  # foster homes out of area are within this of the LA
FARTHEST_MILES = 300.0  # no home farther than this (the validator's warning is at 350)

# -- needs ---------------------------------------------------------------------------

# The thirteen risk fields, from the standard (its single source of truth).
RISKS = tuple(
    f.name
    for f in load_standard("0.3.0").table("needs_assessments").fields
    if f.name.startswith("risk_to_")
)
# Each risk: the latent factor it shares with correlated risks (exploitation,
# internalising, externalising or none) and its threshold on the score
# 0.6 x complexity + 0.7 x factor + 0.5 x noise (+ a sex effect), above which it is
# present (High 1.1 higher). Children under 8 have none; the threshold falls to it by 14.
RISK_MODEL: dict[str, tuple[str | None, float]] = {
    "risk_to_child_self_harm": ("internalising", 0.9),
    "risk_to_child_sexual_exploitation": ("exploitation", 1.2),
    "risk_to_child_criminal_exploitation": ("exploitation", 1.2),
    "risk_to_child_drugs_alcohol": ("exploitation", 1.1),
    "risk_to_child_eating_disorder": ("internalising", 1.9),
    "risk_to_child_going_missing": ("exploitation", 0.8),
    "risk_to_others_physical_harm": ("externalising", 0.9),
    "risk_to_others_sexual_harm": ("externalising", 1.9),
    "risk_to_others_fire_setting": ("externalising", 2.1),
    "risk_to_others_harm_to_animals": ("externalising", 2.2),
    "risk_to_others_criminal_exploitation": ("exploitation", 1.7),
    "risk_to_child_other": (None, 1.9),
    "risk_to_others_other": (None, 2.1),
}
RISK_LOADINGS = {"complexity": 0.6, "factor": 0.7, "noise": 0.5}
RISK_SEX_EFFECT = {  # added to the score: girls more often sexually exploited, boys criminally
    ("risk_to_child_sexual_exploitation", "F"): 0.4,
    ("risk_to_child_criminal_exploitation", "M"): 0.4,
    ("risk_to_others_criminal_exploitation", "M"): 0.3,
    ("risk_to_child_eating_disorder", "F"): 0.4,
}
RISK_BLANK = 0.02  # any risk left blank at random, besides the ones an LA does not record

# -- costs ---------------------------------------------------------------------------

# Weekly cost at 2023/24 prices of a private provider's placement with no present risk,
# by kind of placement.
BASE_WEEKLY = {
    "in-house foster": 480.0,
    "family and friends": 320.0,
    "agency foster": 1_000.0,
    RESIDENTIAL: 6_200.0,
    SCHOOL: 5_200.0,
    SUPPORTED: 1_500.0,
    SECURE: 8_400.0,
    PARENT_CHILD: 3_600.0,
    "independent living": 260.0,
}
OWNERSHIP_MULTIPLIER = {
    "Local authority": 0.85,
    "Other local authority": 1.0,
    "Other public": 1.0,
    "Private": 1.0,
    "Voluntary": 0.93,
}
COST_PER_RISK = 0.06  # each risk present in the placement's needs assessment adds 6%
PROVIDER_SPREAD = 0.04  # providers' price multipliers: lognormal with this sigma
DEAR_PROVIDER_MULTIPLIER = 1.20  # the one provider that charges 20% more for the same needs
PLACEMENT_SPREAD = 0.08  # each placement's own price: lognormal with this sigma
CRISIS_PREMIUM = 1.35
CRISIS_SHARE = 0.30  # of emergency residential placements
# Yearly uplift of weekly costs each 1 April, by financial year (2023 is 2023/24). Years
# not listed use DEFAULT_INFLATION.
INFLATION = {
    2018: 0.025,
    2019: 0.025,
    2020: 0.02,
    2021: 0.03,
    2022: 0.07,
    2023: 0.08,
    2024: 0.06,
    2025: 0.04,
    2026: 0.035,
}
DEFAULT_INFLATION = 0.03
PRICE_BASE_YEAR = 2023
# Extra support for a while (1:1 staffing after an incident): chance per placement rises
# with the risks present; it adds a share of the weekly cost as additional support.
EXTRA_SUPPORT_CHANCE = 0.04
EXTRA_SUPPORT_PER_RISK = 0.02
EXTRA_SUPPORT_SHARE = (0.10, 0.35)
# Weekly totals stay inside the validator's usual range for the type (COST-OUTLIER).
COST_LIMITS = {
    FOSTER: (120.0, 2_900.0),
    RESIDENTIAL: (1_100.0, 29_000.0),
    SUPPORTED: (160.0, 9_800.0),
    SECURE: (2_100.0, 39_000.0),
    PARENT_CHILD: (310.0, 11_800.0),
}
ACTUAL_INVOICE_LAG_DAYS = (20, 50)  # an Actual cost period is known this long after it ends


def price_index(financial_year: int, inflation: dict[int, float] | None = None) -> float:
    """Prices in a financial year relative to 2023/24 (1.0)."""
    rates = INFLATION if inflation is None else inflation
    index = 1.0
    if financial_year >= PRICE_BASE_YEAR:
        for year in range(PRICE_BASE_YEAR + 1, financial_year + 1):
            index *= 1 + rates.get(year, DEFAULT_INFLATION)
    else:
        for year in range(financial_year + 1, PRICE_BASE_YEAR + 1):
            index /= 1 + rates.get(year, DEFAULT_INFLATION)
    return index


@dataclass(frozen=True)
class ModelParameters:
    """The model every LA shares. The defaults are this module's constants; give other
    values to plant other effects."""

    moves: dict[str, dict[str, dict[str, float]]] = field(default_factory=lambda: MOVES)
    exits: dict[str, dict[str, float]] = field(default_factory=lambda: EXITS)
    entry_age: dict[str, float] = field(default_factory=lambda: ENTRY_AGE)
    entry_type: dict[str, dict[str, float]] = field(default_factory=lambda: ENTRY_TYPE)
    base_weekly: dict[str, float] = field(default_factory=lambda: BASE_WEEKLY)
    ownership_multiplier: dict[str, float] = field(default_factory=lambda: OWNERSHIP_MULTIPLIER)
    cost_per_risk: float = COST_PER_RISK
    dear_provider_multiplier: float = DEAR_PROVIDER_MULTIPLIER
    inflation: dict[int, float] = field(default_factory=lambda: INFLATION)
    residential_foster_preferred: float = RESIDENTIAL_FOSTER_PREFERRED
    emergency_share: dict[str, float] = field(default_factory=lambda: EMERGENCY_SHARE)
    planned_notice_mean_days: float = PLANNED_NOTICE_MEAN_DAYS

    def to_dict(self) -> dict[str, Any]:
        return {
            "age_bands": list(AGE_BANDS),
            "moves_per_year": self.moves,
            "exits_per_year": self.exits,
            "leaving_age": LEAVING_AGE,
            "staying_put_share": STAYING_PUT_SHARE,
            "entry_age_shares": self.entry_age,
            "entry_type_shares": self.entry_type,
            "residential_complexity_effect": RESIDENTIAL_COMPLEXITY_EFFECT,
            "base_weekly_2023": self.base_weekly,
            "ownership_multiplier": self.ownership_multiplier,
            "cost_per_present_risk": self.cost_per_risk,
            "provider_spread_sigma": PROVIDER_SPREAD,
            "placement_spread_sigma": PLACEMENT_SPREAD,
            "crisis_premium": CRISIS_PREMIUM,
            "inflation_by_financial_year": {str(k): v for k, v in sorted(self.inflation.items())},
            "default_inflation": DEFAULT_INFLATION,
            "emergency_share": self.emergency_share,
            "emergency_same_day_share": EMERGENCY_SAME_DAY_SHARE,
            "planned_notice_mean_days": self.planned_notice_mean_days,
            "unmet_search_probability": UNMET_SEARCH,
            "no_home_reasons": NO_HOME_REASONS,
            "residential_foster_preferred": self.residential_foster_preferred,
            "sibling_group_sizes": {str(k): v for k, v in SIBLING_GROUP_SIZES.items()},
            "siblings_placed_together": {str(k): v for k, v in SIBLINGS_PLACED_TOGETHER.items()},
            "distance_scale_miles": DISTANCE_SCALE,
            "risk_model": {
                name: {"factor": factor, "threshold": threshold}
                for name, (factor, threshold) in RISK_MODEL.items()
            },
            "risk_loadings": RISK_LOADINGS,
        }


# -- the LAs -------------------------------------------------------------------------

# Children in care on 31 March 2023, roughly, for the South West LAs (others are drawn).
SOUTH_WEST_SIZES = {
    "E06000066": 560,
    "E10000008": 880,
    "E06000023": 700,
    "E06000026": 500,
    "E06000027": 300,
    "E06000022": 210,
    "E06000024": 260,
    "E06000025": 280,
    "E06000030": 360,
    "E06000054": 500,
    "E06000058": 500,
    "E06000059": 470,
    "E06000052": 750,
    "E10000013": 840,
}
AVERAGE_OTHER_SIZE = 570  # so that 150 LAs hold about 84,000 children in care
SOURCE_SYSTEMS = ("Liquidlogic LCS", "Mosaic", "Eclipse", "Azeus", "CareFirst")
ASSESSMENT_TOOLS = ("BERRI", "Social worker assessment", "CANS", "Other formalised tool")
RARELY_RECORDED = (
    "risk_to_child_eating_disorder",
    "risk_to_others_harm_to_animals",
    "risk_to_child_other",
    "risk_to_others_other",
)


@dataclass(frozen=True)
class LAParameters:
    """One LA: its size and the ways it differs from the others."""

    la_code: str
    name: str
    districts: tuple[str, ...]
    children_in_care: int  # at the start of the first period, before `scale`
    entry_rate: float = 0.385  # children entering care a year, per child in care at the start
    entry_growth: float = 0.01  # yearly growth of the entries
    residential_propensity: float = 1.0  # multiplies the rates of moves into residential care
    in_house_foster_share: float = 0.6  # foster placements with the LA's own carers
    out_of_area_residential: float = 0.6  # residential placements outside the LA
    out_of_area_foster: float = 0.2  # agency foster placements outside the LA
    costs_in_house: bool = True  # in-house foster placements costed at allowances and fees
    actual_share: float = 0.5  # independent placements with Actual cost periods (invoices)
    records_contributions: bool = True
    notice_as_urgency: bool = False  # gives the urgency, not a needed-by date
    assessment_tool: str = "BERRI"
    unrecorded_risks: tuple[str, ...] = ()
    records_gender: bool = False
    uasc_share_16: float = 0.25  # of children entering at 16 or 17
    extract_lag_days: int = 14  # the extract is taken this long after the period ends
    source_system: str = "Liquidlogic LCS"
    id_style: int = 0  # how its IDs look

    def to_dict(self) -> dict[str, Any]:
        return {
            "la_code": self.la_code,
            "name": self.name,
            "districts": list(self.districts),
            "children_in_care": self.children_in_care,
            "entry_rate": self.entry_rate,
            "entry_growth": self.entry_growth,
            "residential_propensity": self.residential_propensity,
            "in_house_foster_share": self.in_house_foster_share,
            "out_of_area_residential": self.out_of_area_residential,
            "out_of_area_foster": self.out_of_area_foster,
            "costs_in_house": self.costs_in_house,
            "actual_share": self.actual_share,
            "records_contributions": self.records_contributions,
            "notice_as_urgency": self.notice_as_urgency,
            "assessment_tool": self.assessment_tool,
            "unrecorded_risks": list(self.unrecorded_risks),
            "records_gender": self.records_gender,
            "uasc_share_16": self.uasc_share_16,
            "extract_lag_days": self.extract_lag_days,
            "source_system": self.source_system,
            "id_style": self.id_style,
        }


def default_las(count: int, seed: int) -> list[LAParameters]:
    """The first `count` LAs of the catalogue (the 14 South West LAs, then synthetic
    ones), each with its own parameters drawn from the seed."""
    areas = la_areas()
    if not 1 <= count <= len(areas):
        raise ValueError(f"between 1 and {len(areas)} LAs can be simulated, not {count}")
    chosen = []
    for index, area in enumerate(areas[:count]):
        rng = random.Random(f"{seed}:la-parameters:{area.la_code}")
        size = SOUTH_WEST_SIZES.get(area.la_code)
        if size is None:
            size = round(AVERAGE_OTHER_SIZE * math.exp(rng.gauss(0.0, 0.45) - 0.45**2 / 2))
        unrecorded = tuple(r for r in RARELY_RECORDED if rng.random() < 0.35)
        chosen.append(
            LAParameters(
                la_code=area.la_code,
                name=area.name,
                districts=area.districts,
                children_in_care=max(20, size),
                entry_rate=round(rng.uniform(0.36, 0.41), 3),
                entry_growth=round(rng.uniform(0.0, 0.02), 3),
                residential_propensity=round(math.exp(rng.gauss(0.0, 0.25)), 3),
                in_house_foster_share=round(rng.uniform(0.45, 0.75), 3),
                out_of_area_residential=round(rng.uniform(0.40, 0.80), 3),
                out_of_area_foster=round(rng.uniform(0.10, 0.35), 3),
                costs_in_house=rng.random() < 0.6,
                actual_share=round(rng.uniform(0.2, 0.8), 3),
                records_contributions=rng.random() < 0.7,
                notice_as_urgency=index % 5 == 3,
                assessment_tool=ASSESSMENT_TOOLS[index % len(ASSESSMENT_TOOLS)],
                unrecorded_risks=unrecorded,
                records_gender=rng.random() < 0.4,
                uasc_share_16=round(rng.uniform(0.1, 0.4), 3),
                extract_lag_days=rng.randint(7, 45),
                source_system=SOURCE_SYSTEMS[index % len(SOURCE_SYSTEMS)],
                id_style=index % 4,
            )
        )
    return chosen


def scaled(la: LAParameters, scale: float) -> LAParameters:
    return replace(la, children_in_care=max(5, round(la.children_in_care * scale)))
