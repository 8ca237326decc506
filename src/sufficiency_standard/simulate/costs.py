"""What placements cost: a weekly price from the type, ownership, needs, provider and
year, split into cost periods at each 1 April uplift and each change of support, with
Actual periods (invoices, by quarter) over the Agreed ones."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from sufficiency_standard.simulate import parameters as p
from sufficiency_standard.simulate.common import april_first, financial_year, iso, randint, row

COST_FIELDS = (
    "cost_id",
    "placement_id",
    "cost_start_date",
    "cost_end_date",
    "cost_basis",
    "core_weekly",
    "additional_support_weekly",
    "education_weekly",
    "health_weekly",
    "other_weekly",
    "total_weekly_cost",
    "social_care_contribution",
    "education_contribution",
    "health_contribution",
)
PARTS = ("core", "additional", "education", "health")


@dataclass(slots=True, eq=False)
class CostPeriod:
    start: int
    end: int | None  # the last night it pays for; None while it goes on
    basis: str
    known: int  # the first day an extract holds it
    parts: dict[str, int]  # pence a week by component
    id: str = ""
    row: dict | None = None

    @property
    def total(self) -> int:
        return sum(self.parts.values())


def weekly_price(
    model: p.ModelParameters,
    rng: random.Random,
    *,
    kind: str,
    placement_type: str,
    ownership: str,
    risks: int,
    provider_multiplier: float,
    start: int,
    crisis: bool,
) -> float:
    """The weekly price agreed when the placement starts (pounds)."""
    price = model.base_weekly[kind]
    if kind not in ("in-house foster", "family and friends", "independent living"):
        price *= model.ownership_multiplier[ownership]
    price *= 1 + model.cost_per_risk * risks
    price *= provider_multiplier
    price *= p.price_index(financial_year(start), model.inflation)
    price *= math.exp(rng.gauss(0.0, p.PLACEMENT_SPREAD) - p.PLACEMENT_SPREAD**2 / 2)
    if crisis:
        price *= p.CRISIS_PREMIUM
    low, high = p.COST_LIMITS.get(placement_type, (50.0, 40_000.0))
    return min(max(price, low), high)


def _split(total: int, education: float, health: float, additional: float) -> dict[str, int]:
    parts = {
        "education": round(total * education),
        "health": round(total * health),
        "additional": round(total * additional),
    }
    parts["core"] = total - parts["education"] - parts["health"] - parts["additional"]
    return {name: parts[name] for name in PARTS}


def schedule(
    model: p.ModelParameters,
    rng: random.Random,
    *,
    start: int,
    last_night: int | None,
    horizon: int,
    weekly: float,
    education: float,
    health: float,
    additional: float,
    extra_support: tuple[int, int, float] | None,
    actual_share: float,
    invoiced: bool,
) -> list[CostPeriod]:
    """The Agreed cost periods of a placement (a new price each 1 April and while extra
    support lasts) and, for a placement whose invoices are recorded, Actual periods by
    financial quarter."""
    stop = last_night if last_night is not None else horizon
    base = _split(round(weekly * 100), education, health, additional)
    # Days on which the price changes: each 1 April, and the start and end of extra support.
    changes = {}
    year = financial_year(start) + 1
    while april_first(year) <= stop:
        changes[april_first(year)] = ("uplift", year)
        year += 1
    if extra_support is not None:
        first, last, share = extra_support
        if start < first <= stop:
            changes[first] = ("support on", share)
            if last <= stop:
                changes[last] = ("support off", share)
    periods: list[CostPeriod] = []
    current = dict(base)
    extra = 0
    begin = start
    for day in sorted(changes):
        what, value = changes[day]
        periods.append(CostPeriod(begin, day - 1, "Agreed", begin, _with_extra(current, extra)))
        if what == "uplift":
            rate = model.inflation.get(value, p.DEFAULT_INFLATION)
            current = {name: round(amount * (1 + rate)) for name, amount in current.items()}
            if extra:
                extra = round(extra * (1 + rate))
        elif what == "support on":
            extra = round(sum(current.values()) * value)
        else:
            extra = 0
        begin = day
    periods.append(CostPeriod(begin, last_night, "Agreed", begin, _with_extra(current, extra)))
    if not invoiced:
        return periods
    actuals = []
    for agreed in periods:
        end = agreed.end if agreed.end is not None else horizon
        for first, last in _quarters(agreed.start, end):
            if last_night is None and last >= horizon:
                break  # the quarter is not over by the end of the simulation
            factor = 1.0
            if rng.random() > actual_share:
                factor = 1.0 + min(0.25, max(-0.1, rng.gauss(0.02, 0.05)))
            parts = {name: round(amount * factor) for name, amount in agreed.parts.items()}
            lag = randint(rng, *p.ACTUAL_INVOICE_LAG_DAYS)
            actuals.append(CostPeriod(first, last, "Actual", last + lag, parts))
    return periods + actuals


def _with_extra(parts: dict[str, int], extra: int) -> dict[str, int]:
    if not extra:
        return dict(parts)
    out = dict(parts)
    out["additional"] += extra
    return out


def _quarters(first: int, last: int) -> list[tuple[int, int]]:
    """The parts of the financial quarters (April to June, July to September, October to
    December, January to March) between two days, both included."""
    out = []
    day = first
    while day <= last:
        d = date.fromordinal(day)
        month = (d.month - 1) // 3 * 3 + 1
        after = date(d.year + 1, 1, 1) if month == 10 else date(d.year, month + 3, 1)
        quarter_end = after.toordinal() - 1
        out.append((day, min(last, quarter_end)))
        day = quarter_end + 1
    return out


def cost_rows(
    periods: list[CostPeriod],
    placement_id: str,
    *,
    components: bool,
    contributions: bool,
    health_funded: bool,
) -> None:
    """Fill in each period's record."""
    for period in periods:
        parts = period.parts
        total = sum(parts.values())
        given = components or parts["education"] or parts["health"]
        education_paid = parts["education"] if contributions else 0
        health_paid = parts["health"] if contributions and health_funded else 0
        values = (
            period.id,
            placement_id,
            iso(period.start),
            iso(period.end),
            period.basis,
            parts["core"] / 100 if given else None,
            (parts["additional"] / 100 if parts["additional"] else None) if given else None,
            (parts["education"] / 100 if parts["education"] else None) if given else None,
            (parts["health"] / 100 if parts["health"] else None) if given else None,
            None,
            total / 100,
            (total - education_paid - health_paid) / 100 if contributions else None,
            education_paid / 100 if education_paid else None,
            health_paid / 100 if health_paid else None,
        )
        period.row = row(COST_FIELDS, values)
