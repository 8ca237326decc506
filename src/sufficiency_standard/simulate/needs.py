"""Needs assessments: correlated risks from each child's latent factors, with blanks."""

from __future__ import annotations

import random

from sufficiency_standard.simulate import parameters as p
from sufficiency_standard.simulate.common import row

NEEDS_FIELDS = (
    "needs_id",
    "child_id",
    "referral_id",
    "assessment_date",
    "assessment_tool",
    "ehc_plan",
    "communication_needs",
    "communication_requirements",
    "adaptation_to_home",
    "cultural_needs",
    "deprivation_of_liberty",
    "mental_health_diagnosis",
    "neurodevelopmental_diagnosis",
    "learning_disability",
    "additional_support",
    *p.RISKS,
    "other_risks",
)
FACTORS = ("exploitation", "internalising", "externalising")
OTHER_RISKS_TEXT = (
    "Radicalisation",
    "Online harm",
    "Gang affiliation",
    "Trafficking",
    "Self-neglect",
    "Property damage",
)
LEVEL_NOT_RECORDED_TOOLS = ("Social worker assessment",)


def latent_factors(rng: random.Random) -> tuple[float, dict[str, float]]:
    """A child's complexity and specific factors (standard normal), fixed for life."""
    return rng.gauss(0.0, 1.0), {name: rng.gauss(0.0, 1.0) for name in FACTORS}


_RISK_SPECS = tuple(
    (
        name,
        factor,
        threshold,
        p.RISK_SEX_EFFECT.get((name, "M"), 0.0),
        p.RISK_SEX_EFFECT.get((name, "F"), 0.0),
    )
    for name, (factor, threshold) in p.RISK_MODEL.items()
)
_NO_RISKS = dict.fromkeys(p.RISKS, "No known risk")


def risk_levels(
    rng: random.Random, complexity: float, factors: dict[str, float], age: float, sex: str
) -> dict[str, str]:
    """The level of every risk for a child of an age, as an assessment would find it."""
    if age < 8:
        return _NO_RISKS
    young = max(0.0, (14.0 - age) / 6.0) * 2.5  # raises thresholds for children under 14
    loadings = p.RISK_LOADINGS
    base = loadings["complexity"] * complexity
    weight, noise = loadings["factor"], loadings["noise"]
    gauss = rng.gauss
    girl = sex == "F"
    levels = {}
    for name, factor, threshold, boy_effect, girl_effect in _RISK_SPECS:
        score = base + noise * gauss(0.0, 1.0) + (girl_effect if girl else boy_effect)
        if factor:
            score += weight * factors[factor]
        limit = threshold + young
        if score < limit:
            levels[name] = "No known risk"
        elif score < limit + 1.1:
            levels[name] = "Low"
        else:
            levels[name] = "High"
    return levels


def assessment_row(
    rng: random.Random,
    *,
    needs_id: str,
    child_id: str,
    referral_id: str | None,
    day_text: str,
    tool: str,
    levels: dict[str, str],
    unrecorded: tuple[str, ...],
    complexity: float,
    factors: dict[str, float],
    age: float,
    uasc: bool,
) -> tuple[dict, int]:
    """The needs assessment's record and the number of risks it records as present."""
    recorded: dict[str, str | None] = {}
    present = 0
    for name in p.RISKS:
        if name in unrecorded or rng.random() < p.RISK_BLANK:
            recorded[name] = None
            continue
        level = levels[name]
        if level != "No known risk":
            present += 1
            if tool in LEVEL_NOT_RECORDED_TOOLS and rng.random() < 0.4:
                level = "Present (level not recorded)"
        recorded[name] = level
    school_age = age >= 4
    neuro = "Yes" if complexity + rng.gauss(0, 1) > 1.3 else "No"
    disability = "Yes" if complexity + rng.gauss(0, 1) > 1.9 else "No"
    mental = "No"
    if age >= 8 and factors["internalising"] + 0.5 * complexity + rng.gauss(0, 0.7) > 1.2:
        mental = "Yes"
    if rng.random() < 0.08:
        mental = "Unknown"
    if rng.random() < 0.06:
        neuro = "Unknown"
    ehc = None
    if school_age:
        ehc = "Yes" if (neuro == "Yes" or disability == "Yes") and rng.random() < 0.6 else "No"
        if rng.random() < 0.05:
            ehc = "Unknown"
    if uasc:
        communication = ["ESOL"]
    elif disability == "Yes" and rng.random() < 0.4:
        communication = ["Makaton"]
    elif rng.random() < 0.01:
        communication = ["BSL"]
    else:
        communication = ["None"]
    high = sum(1 for level in levels.values() if level == "High")
    support = []
    if high >= 2:
        support.append("Additional supervision")
    if mental == "Yes" and rng.random() < 0.6:
        support.append("Therapeutic support")
    if school_age and rng.random() < 0.15:
        support.append("Transport to school")
    other = None
    named_other = [
        n
        for n in ("risk_to_child_other", "risk_to_others_other")
        if recorded[n] not in (None, "No known risk")
    ]
    if named_other:
        other = rng.sample(OTHER_RISKS_TEXT, len(named_other))
    values = (
        needs_id,
        child_id,
        referral_id,
        day_text,
        tool,
        ehc,
        "Yes" if communication != ["None"] else ("No" if rng.random() < 0.95 else "Not specified"),
        communication,
        "Yes" if rng.random() < 0.03 else "No",
        ("Required" if rng.random() < 0.15 else "Not required")
        if rng.random() < 0.9
        else "Not known",
        "Yes" if high >= 3 and age >= 10 and rng.random() < 0.3 else "No",
        mental,
        neuro,
        disability,
        support or ["None"],
        *(recorded[name] for name in p.RISKS),
        other,
    )
    return row(NEEDS_FIELDS, values), present
