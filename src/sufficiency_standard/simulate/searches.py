"""Searches for a home (referrals): notice, suitability, outcomes, providers approached."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sufficiency_standard.simulate import parameters as p
from sufficiency_standard.simulate.common import iso, pick, randint, row

REFERRAL_FIELDS = (
    "referral_id",
    "child_id",
    "referral_date",
    "needed_by_date",
    "urgency",
    "planned_or_emergency",
    "siblings_to_place_with",
    "family_location",
    "close_to_family_recommended",
    "in_education",
    "continue_current_school",
    "school_location",
    "foster_care_suitability",
    "residential_care_suitability",
    "supported_accommodation_suitability",
    "cared_alongside",
    "pets",
    "minimum_adult_ratio",
    "outcome",
    "no_home_reason",
    "providers_approached",
    "offers_received",
)
PREFERRED = "Preferred"
SUITABLE = "Suitable but not preferred"
UNSUITABLE = "Unsuitable"
NOT_SPECIFIED = "Not specified"
NOTICE_DAYS = 5  # an emergency search needs a home within 5 days (the standard's rule)


def urgency_of(days: int) -> str:
    if days == 0:
        return "Today"
    return "Within 5 days" if days <= NOTICE_DAYS else "More than 5 days"


def notice_days(rng: random.Random, emergency: bool, planned_mean: float) -> int:
    if emergency:
        return 0 if rng.random() < p.EMERGENCY_SAME_DAY_SHARE else randint(rng, 1, NOTICE_DAYS)
    return min(180, NOTICE_DAYS + 1 + int(rng.expovariate(1.0 / planned_mean)))


@dataclass
class Suitability:
    foster: str | None
    residential: str | None
    supported: str | None
    type_preferred: str | None  # on the placement
    type_reason: str | None
    foster_preferred_residential: bool = False  # the planted case


def suitability(
    rng: random.Random, placed: str, age: float, emergency: bool, foster_preferred_share: float
) -> Suitability:
    """How suitable each type of home was judged for the child, coherent with the age and
    the type placed; and whether the type placed was the preferred one (and why not)."""
    supported_default = UNSUITABLE if age < 16 else (SUITABLE if rng.random() < 0.5 else UNSUITABLE)
    residential_default = (
        UNSUITABLE if age < 10 else (SUITABLE if rng.random() < 0.4 else UNSUITABLE)
    )
    if placed == p.FOSTER:
        if age >= 16 and rng.random() < 0.1:
            # Supported accommodation was preferred, none was found.
            reason = (
                "Preferred type not available" if rng.random() < 0.7 else "Child or family wish"
            )
            return Suitability(SUITABLE, residential_default, PREFERRED, "No", reason)
        return Suitability(PREFERRED, residential_default, supported_default, "Yes", None)
    if placed == p.RESIDENTIAL:
        if rng.random() < foster_preferred_share:
            reason = (
                "Emergency, first home available"
                if emergency and rng.random() < 0.3
                else "Preferred type not available"
            )
            return Suitability(PREFERRED, SUITABLE, supported_default, "No", reason, True)
        foster = SUITABLE if rng.random() < 0.35 else UNSUITABLE
        return Suitability(foster, PREFERRED, supported_default, "Yes", None)
    if placed == p.SUPPORTED:
        if rng.random() < 0.85:
            return Suitability(
                SUITABLE if rng.random() < 0.3 else UNSUITABLE,
                residential_default,
                PREFERRED,
                "Yes",
                None,
            )
        reason = "Child or family wish" if rng.random() < 0.5 else "Preferred type not available"
        return Suitability(PREFERRED, residential_default, SUITABLE, "No", reason)
    if placed == p.SECURE:
        return Suitability(UNSUITABLE, SUITABLE, UNSUITABLE, "No", "Court or legal direction")
    if placed == p.SCHOOL:
        return Suitability(SUITABLE, PREFERRED, supported_default, "Yes", None)
    return Suitability(
        NOT_SPECIFIED, NOT_SPECIFIED, NOT_SPECIFIED if age >= 16 else UNSUITABLE, None, None
    )


def no_home_reason(rng: random.Random, placed: str) -> str:
    shares = p.NO_HOME_REASONS.get(placed, p.NO_HOME_REASONS["other types"])
    return pick(rng, shares)


def approached_and_offers(
    rng: random.Random, placed: str, emergency: bool, found: bool
) -> tuple[int, int]:
    if placed in (p.RESIDENTIAL, p.SECURE, p.SCHOOL):
        approached = randint(rng, 8, 45)
    elif placed == p.SUPPORTED:
        approached = randint(rng, 4, 20)
    else:
        approached = randint(rng, 1, 14)
    if emergency:
        approached += randint(rng, 0, 10)
    if not found:
        return approached + randint(rng, 5, 20), 0
    return approached, min(approached, 1 + int(rng.expovariate(0.9)))


def referral_row(
    rng: random.Random,
    *,
    referral_id: str,
    child_id: str,
    referral_day: int,
    needed_by: int,
    as_urgency: bool,
    siblings: int,
    family_location: str | None,
    age: float,
    suit: Suitability | None,
    risk_count: int,
    outcome: str,
    reason: str | None,
    approached: int,
    offers: int | None,
    school_location: str | None,
) -> dict:
    days = needed_by - referral_day
    emergency = days <= NOTICE_DAYS
    in_education = (
        "Not applicable" if age < 5 else ("Yes" if age < 16 or rng.random() < 0.7 else "No")
    )
    if in_education == "Yes":
        continuing = "Yes" if rng.random() < 0.55 else "No"
    else:
        continuing = "Not applicable"
    cared = "No preference"
    if risk_count >= 5:
        cared = "Solo placement recommended" if rng.random() < 0.6 else "Only with older children"
    elif age < 5:
        cared = "With other children recommended" if rng.random() < 0.3 else "No preference"
    if suit is None:
        suit = Suitability(None, None, None, None, None)
    ratio = "Not applicable"
    if suit.residential in (PREFERRED, SUITABLE) or suit.supported == PREFERRED:
        ratio = "Standard ratio"
        if risk_count >= 6:
            ratio = "2:1" if rng.random() < 0.2 else "1:1"
    if rng.random() < 0.1:
        ratio = None
    values = (
        referral_id,
        child_id,
        iso(referral_day),
        None if as_urgency else iso(needed_by),
        urgency_of(days) if as_urgency or rng.random() < 0.15 else None,
        ("Emergency" if emergency else "Planned") if rng.random() < 0.96 else None,
        siblings,
        family_location,
        ("Yes" if rng.random() < 0.7 else "No") if family_location else None,
        in_education,
        continuing,
        school_location if in_education == "Yes" else None,
        suit.foster,
        suit.residential,
        suit.supported,
        cared,
        pick(rng, {"Yes - can": 0.4, "No": 0.25, "Unknown": 0.3, "Yes - must": 0.05}),
        ratio,
        outcome,
        reason,
        approached,
        offers,
    )
    return row(REFERRAL_FIELDS, values)
