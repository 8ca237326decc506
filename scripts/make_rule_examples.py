"""Write tests/data/rules-0.3.0/: two copies of the example submission for each rule
of the registry that the standard gained in 0.3.0.

<CODE>.invalid.json is the example with one change that breaks that rule, and no
other; <CODE>.valid.json is the example with one change close to it that the rule
allows (a boundary, or the other side of a condition). cases.json lists every case:
the change, and the table, row and field where the invalid one is reported.

The example is examples/example-submission.json, which follows 0.3.0.
tests/test_rules_030.py checks the files are current and that each is judged as it
says.

    python scripts/make_rule_examples.py            # into tests/data/rules-0.3.0/
    python scripts/make_rule_examples.py --out DIR
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sufficiency_standard.standard import load_standard
from sufficiency_standard.write import write_json

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "examples" / "example-submission.json"
OUT = ROOT / "tests" / "data" / "rules-0.3.0"
VERSION = "0.3.0"

Submission = dict[str, Any]
Change = Callable[[Submission], None]


# ---------------------------------------------------------------- the example, in 0.3.0


def base_submission(source: Path = SOURCE) -> Submission:
    """The example submission, which follows 0.3.0."""
    submission = json.loads(source.read_text(encoding="utf-8"))
    if submission.get("standard_version") != VERSION:
        raise SystemExit(f"{source} follows {submission.get('standard_version')}, not {VERSION}")
    return submission


def _row(submission: Submission, table: str, key: str) -> dict[str, Any]:
    """The row of a table with this ID (its first field)."""
    return submission[table][_index(submission, table, key)]


def _index(submission: Submission, table: str, key: str) -> int:
    name = load_standard(VERSION).table(table).fields[0].name
    return next(i for i, row in enumerate(submission[table]) if row.get(name) == key)


def set_(table: str, key: str, **values: Any) -> Change:
    """Set fields of a row; a value of None removes the field."""

    def change(submission: Submission) -> None:
        row = _row(submission, table, key)
        for name, value in values.items():
            if value is None:
                row.pop(name, None)
            else:
                row[name] = value

    return change


def set_submission(**values: Any) -> Change:
    def change(submission: Submission) -> None:
        submission.update(values)

    return change


def respite(cost: dict[str, Any] | None, **placement: Any) -> Change:
    """A temporary move of child C1002, from her foster placement P4002 to another
    foster carer while her carers are on holiday (SSDA903 T3), with its own cost
    period, or not costed."""

    def change(submission: Submission) -> None:
        stay = {
            **copy.deepcopy(_row(submission, "placements", "P4002")),
            "placement_id": "P4011",
            "start_date": "2025-07-19",
            "end_date": "2025-07-26",
            "place_code": "T3",
            "provider_id": "PRV-0451",
            "end_reason": "OTHER",
            **placement,
        }
        stay.pop("setting_urn", None)
        submission["placements"].append(stay)
        if cost is not None:
            submission["costs"].append({"cost_id": "K5016", "placement_id": "P4011", **cost})

    return change


RESPITE_COST = {
    "cost_start_date": "2025-07-19",
    "cost_end_date": "2025-07-25",
    "cost_basis": "Agreed",
    "core_weekly": 450.0,
    "total_weekly_cost": 450.0,
    "social_care_contribution": 450.0,
}
WITHOUT_THE_SPLIT = {
    "core_weekly": None,
    "health_weekly": None,
    "additional_support_weekly": None,
    "education_weekly": None,
    "other_weekly": None,
}


@dataclass(frozen=True)
class Case:
    """A rule's two examples, and where the invalid one is reported."""

    code: str
    invalid: Change
    invalid_change: str
    valid: Change
    valid_change: str
    table: str
    key: str  # the ID of the reported row (after the change)
    field: str

    def entry(self, submission: Submission) -> dict[str, Any]:
        changed = copy.deepcopy(submission)
        self.invalid(changed)
        return {
            "code": self.code,
            "invalid": f"{self.code}.invalid.json",
            "valid": f"{self.code}.valid.json",
            "table": self.table,
            "row_index": _index(changed, self.table, self.key),
            "field": self.field,
            "invalid_change": self.invalid_change,
            "valid_change": self.valid_change,
        }


CASES = (
    Case(
        "REF-OFFERS-APPROACHED",
        set_("referrals", "R2004", offers_received=6),
        "Referral R2004 approached 5 providers and now received 6 offers.",
        set_("referrals", "R2004", offers_received=5),
        "Referral R2004 approached 5 providers and received 5 offers, one from each.",
        "referrals",
        "R2004",
        "offers_received",
    ),
    Case(
        "PRV-NATIONAL-ID",
        set_("providers", "PRV-0042", company_number=None),
        "Provider PRV-0042 (Private) loses its company number, its only national identifier.",
        set_("providers", "PRV-0215", company_number=None),
        "Provider PRV-0215 (Voluntary) loses its company number but keeps its charity number.",
        "providers",
        "PRV-0042",
        "company_number",
    ),
    Case(
        "PRV-SAME-NATIONAL-ID",
        set_("providers", "PRV-0451", company_number="08123456"),
        "Provider PRV-0451 is given the company number of PRV-0042.",
        set_("providers", "PRV-0451", ofsted_provider_urn="RP534568"),
        "Provider PRV-0451 is given an Ofsted provider URN no other provider has.",
        "providers",
        "PRV-0451",
        "company_number",
    ),
    Case(
        "REF-EMERGENCY-DATES",
        set_("referrals", "R2005", needed_by_date="2025-11-28"),
        "Emergency search R2005 (referred 2025-11-17) needs its home 11 days later.",
        set_("referrals", "R2005", needed_by_date="2025-11-22"),
        "Emergency search R2005 (referred 2025-11-17) needs its home 5 days later.",
        "referrals",
        "R2005",
        "planned_or_emergency",
    ),
    Case(
        "REF-URGENCY-DATES",
        set_("referrals", "R2003", urgency="Today"),
        'Search R2003 needs its home the day after the referral but says "Today".',
        set_("referrals", "R2001", urgency="More than 5 days"),
        'Search R2001 (home needed 24 days after the referral) says "More than 5 days".',
        "referrals",
        "R2003",
        "urgency",
    ),
    Case(
        "PLC-PLACE-NOT-IN-FORCE",
        set_("placements", "P4004", place_code="H5"),
        "Placement P4004 (supported accommodation from 2025-06-02) is coded H5, retired "
        "after 2025-03-31.",
        set_("placements", "P4009", place_code="U6"),
        "Placement P4009 (foster, from 2023-06-01) is coded U6, in force throughout.",
        "placements",
        "P4004",
        "place_code",
    ),
    Case(
        "PLC-NEEDS-OTHER-CHILD",
        set_("placements", "P4003", needs_id="N3001"),
        "Placement P4003 (child C1002) names needs assessment N3001, of child C1001.",
        set_("placements", "P4003", needs_id="N3002"),
        "Placement P4003 (child C1002) names N3002, her earlier assessment.",
        "placements",
        "P4003",
        "needs_id",
    ),
    Case(
        "PLC-NEEDS-AFTER-START",
        set_("placements", "P4005", needs_id="N3008"),
        "Placement P4005 (from 2025-11-20) names needs assessment N3008, of 2026-03-05.",
        set_("needs_assessments", "N3005", assessment_date="2025-11-20"),
        "Needs assessment N3005 of placement P4005 is made the day the placement starts.",
        "placements",
        "P4005",
        "needs_id",
    ),
    Case(
        "PLC-NOT-COSTED",
        set_("placements", "P4008", not_costed_reason=None),
        "Placement P4008 has no cost period and loses its reason not costed.",
        set_("placements", "P4008", not_costed_reason="Not recorded"),
        'Placement P4008 has no cost period and its reason is "Not recorded".',
        "placements",
        "P4008",
        "not_costed_reason",
    ),
    Case(
        "COST-CHILD-TWICE",
        respite(RESPITE_COST),
        "A temporary move P4011 (T3) of child C1002 during placement P4002 has an agreed "
        "cost period K5016 for nights that P4002's agreed cost period K5003 also covers.",
        respite(None, not_costed_reason="No cost to the LA"),
        "The same temporary move P4011 is not costed (no cost to the LA).",
        "costs",
        "K5016",
        "cost_start_date",
    ),
    Case(
        "COST-SPLIT-MISSING",
        set_("costs", "K5009", **WITHOUT_THE_SPLIT),
        "Cost period K5009 of secure placement P4005 gives only its total, no components.",
        set_("costs", "K5014", **WITHOUT_THE_SPLIT),
        "Cost period K5014 of foster placement P4010 gives only its total.",
        "costs",
        "K5009",
        "core_weekly",
    ),
    Case(
        "CAP-PLACES-SUM",
        set_("fostering_capacity", "FC-LA-2026-03", vacant_places=25),
        "Capacity FC-LA-2026-03: 142 filled + 25 vacant + 17 unavailable is not 180 approved.",
        set_("fostering_capacity", "FC-LA-2026-03", unavailable_places=None),
        "Capacity FC-LA-2026-03 does not give its unavailable places, so nothing is summed.",
        "fostering_capacity",
        "FC-LA-2026-03",
        "approved_places",
    ),
    Case(
        "PLC-DISTANCE-SAME-DISTRICT",
        set_("placements", "P4001", placement_location="TA1 5"),
        "Placement P4001 moves to sector TA1 5, in the family's district (TA1), 6.4 miles away.",
        set_("placements", "P4001", placement_location="TA1 5", distance_miles=0),
        "Placement P4001 moves to sector TA1 5, in the family's district, 0 miles away.",
        "placements",
        "P4001",
        "distance_miles",
    ),
    Case(
        "PLC-OUTSIDE-PERIOD",
        set_("placements", "P4008", start_date="2026-04-02"),
        "Placement P4008 starts 2026-04-02, after the period ends (2026-03-31).",
        set_("placements", "P4008", start_date="2026-03-31"),
        "Placement P4008 starts 2026-03-31, the last day of the period.",
        "placements",
        "P4008",
        "start_date",
    ),
)


def examples(submission: Submission) -> dict[str, Submission]:
    """Every file name and its submission."""
    written = {}
    for case in CASES:
        for kind, change in (("invalid", case.invalid), ("valid", case.valid)):
            changed = copy.deepcopy(submission)
            change(changed)
            written[f"{case.code}.{kind}.json"] = changed
    return written


def make_rule_examples(out: Path = OUT, source: Path = SOURCE) -> list[Path]:
    """Write every example and cases.json into `out` (emptied of old files first)."""
    submission = base_submission(source)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        stale.unlink()
    written = [
        write_json(changed, out / name, VERSION) for name, changed in examples(submission).items()
    ]
    index = out / "cases.json"
    index.write_text(
        json.dumps([case.entry(submission) for case in CASES], indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return [*written, index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into")
    args = parser.parse_args(argv)
    written = make_rule_examples(args.out)
    print(f"wrote {len(written) - 1} rule examples and cases.json to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
