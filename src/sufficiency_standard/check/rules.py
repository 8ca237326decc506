"""The rule registry: what the schema cannot say (comparisons across fields and tables).

Each rule is declared once with its catalogue entry (code, severity, fields, message)
and the function that finds it, side by side. The functions work on whole typed
columns with polars joins and window expressions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from sufficiency_standard.catalogue import Entry, declare, make_issue
from sufficiency_standard.check.issue_rows import location, locations, one_place_each, row_issues
from sufficiency_standard.check.links import Links
from sufficiency_standard.check.once import BuiltOnce
from sufficiency_standard.check.values import ROW_INDEX, TypedTable
from sufficiency_standard.issues import Issue, Location, Severity

E, W = Severity.ERROR, Severity.WARNING


@dataclass
class RuleContext:
    """Everything a rule may look at: the typed tables, the submission's extract date,
    and the tables' identifiers and references, resolved once (shared with the key
    checks)."""

    tables: dict[str, TypedTable]
    extract_date: date | None
    links: Links
    # Frames that several rules build the same way, built once (see `_shared`).
    shared: BuiltOnce = dataclasses.field(default_factory=BuiltOnce, repr=False)

    def target_rows(self, table_name: str, field_name: str) -> pl.Series:
        return self.links.target_rows(table_name, field_name)

    def table(self, name: str) -> TypedTable:
        return self.tables[name]


def _shared(context: RuleContext, key: Any, build: Callable[[], Any]) -> Any:
    """A frame (or column) several rules use, built on first use."""
    return context.shared.get(key, build)


RuleCheck = Callable[[RuleContext], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    entry: Entry
    check: RuleCheck
    since: str  # the first version of the standard the rule belongs to


RULES: list[Rule] = []


def rule(entry: Entry, since: str = "0.1.0") -> Callable[[RuleCheck], RuleCheck]:
    """Register a rule function together with its catalogue entry.

    A rule belongs to every version from `since` on, so a released version keeps
    being checked by exactly the rules it was released with.
    """

    def register(check: RuleCheck) -> RuleCheck:
        declare(entry)
        RULES.append(Rule(entry, check, since))
        return check

    return register


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _shown_date(value: date | None) -> str:
    return "blank" if value is None else value.isoformat()


def _shown_dates(column: pl.Series) -> list[str]:
    return [_shown_date(value) for value in column.to_list()]


# -- the submission ------------------------------------------------------------------


@rule(
    Entry(
        "SUB-ONE-ROW",
        E,
        "rule",
        "One submission row",
        "The submission sheet must have exactly one row; it has {count}.",
        tables=("submission",),
    )
)
def submission_has_one_row(context: RuleContext) -> Iterator[Issue]:
    table = context.table("submission")
    if table.source is not None and table.height != 1:
        index = 1 if table.height > 1 else 0
        yield make_issue("SUB-ONE-ROW", location(table, None, index), count=table.height)


# -- dates in order within a row -----------------------------------------------------

_DATE_ORDER = (
    (
        "SUB-PERIOD-ORDER",
        "Period ends before it starts",
        "submission",
        "period_start",
        "period_end",
    ),
    (
        "PLC-END-BEFORE-START",
        "Placement ends before it starts",
        "placements",
        "start_date",
        "end_date",
    ),
    (
        "REF-NEEDED-BEFORE-REFERRAL",
        "Home needed before the referral",
        "referrals",
        "referral_date",
        "needed_by_date",
    ),
    (
        "COST-END-BEFORE-START",
        "Cost period ends before it starts",
        "costs",
        "cost_start_date",
        "cost_end_date",
    ),
)


def _date_order_rule(code: str, title: str, table_name: str, earlier: str, later: str) -> None:
    @rule(
        Entry(
            code,
            E,
            "rule",
            title,
            "{later_title} ({later_value}) is before {earlier_title} ({earlier_value}).",
            fields=(earlier, later),
            tables=(table_name,),
        )
    )
    def check(context: RuleContext) -> list[Issue]:
        table = context.table(table_name)
        first, second = table.table.field(earlier), table.table.field(later)
        wrong = table.frame.filter((pl.col(later) < pl.col(earlier)).fill_null(False))
        indices = wrong.get_column(ROW_INDEX).to_list()
        ends = _shown_dates(wrong.get_column(later))
        return row_issues(
            code,
            table,
            later,
            indices,
            values=ends,
            related=one_place_each(table, earlier, indices),
            later_title=second.title,
            later_value=ends,
            earlier_title=first.title,
            earlier_value=_shown_dates(wrong.get_column(earlier)),
        )


for _order in _DATE_ORDER:
    _date_order_rule(*_order)


# -- dates and the extract date ------------------------------------------------------

# A search still open at the extract date may need a home after it.
_MAY_BE_AFTER_EXTRACT = {"extract_date", "needed_by_date"}


@rule(
    Entry(
        "DATE-AFTER-EXTRACT",
        E,
        "rule",
        "Date after the extract date",
        "{field_title} ({date_value}) is after the extract date ({extract_date}); the "
        "data cannot hold dates that had not come when it was extracted.",
    )
)
def dates_not_after_extract(context: RuleContext) -> list[Issue]:
    issues: list[Issue] = []
    if context.extract_date is None:
        return issues
    limit = context.extract_date
    for table in context.tables.values():
        for field in table.table.fields:
            if field.kind != "date" or field.name in _MAY_BE_AFTER_EXTRACT:
                continue
            late = table.frame.filter((pl.col(field.name) > limit).fill_null(False))
            dates = _shown_dates(late.get_column(field.name))
            issues += row_issues(
                "DATE-AFTER-EXTRACT",
                table,
                field.name,
                late.get_column(ROW_INDEX).to_list(),
                values=dates,
                field_title=field.title,
                date_value=dates,
                extract_date=limit.isoformat(),
            )
    return issues


# -- the child's age ---------------------------------------------------------------

# Dates of events in a child's life, by table: each is checked against the birth month.
_CHILD_DATES = {
    "referrals": ("referral_date",),
    "needs_assessments": ("assessment_date",),
    "placements": ("start_date", "end_date"),
}
_AGE_LIMIT_YEARS = 26


def _with_birth_month(context: RuleContext, table_name: str) -> pl.DataFrame:
    """The table's rows with the first day of their child's birth month (`__born`) and
    the first days on which the child is certainly `_AGE_LIMIT_YEARS` (`__too_old`) and
    may be `_YOUNGEST_RESIDENTIAL` (`__old_enough`)."""

    def birthdays() -> pl.DataFrame:
        # Worked out once a child (date arithmetic is slow), then gathered for each row.
        born = pl.col("__born")
        return (
            context.table("children")
            .frame.select(
                pl.col("birth_month").str.strptime(pl.Date, "%Y-%m", strict=False).alias("__born")
            )
            .with_columns(
                # Certainly too old: on or after the first day of the month after the
                # birthday month, so no child is wrongly reported whatever their day.
                born.dt.offset_by(f"{_AGE_LIMIT_YEARS}y1mo").alias("__too_old"),
                born.dt.offset_by(f"{_YOUNGEST_RESIDENTIAL}y").alias("__old_enough"),
            )
        )

    def build() -> pl.DataFrame:
        children = _shared(context, "birthdays", birthdays)
        rows = context.target_rows(table_name, "child_id")
        gathered = children.select(pl.all().gather(rows))
        return pl.concat([context.table(table_name).frame, gathered], how="horizontal")

    return _shared(context, ("born", table_name), build)


@rule(
    Entry(
        "CHILD-AGE-LIMIT",
        E,
        "rule",
        "Child 26 or older",
        "{field_title} ({date_value}) is after the child turned {limit} (born "
        "{born_text}); the standard covers children and young people under {limit}.",
        fields=("birth_month",),
    )
)
def child_under_26(context: RuleContext) -> list[Issue]:
    return _age_check(context, "CHILD-AGE-LIMIT", older_than=_AGE_LIMIT_YEARS)


@rule(
    Entry(
        "CHILD-DATE-BEFORE-BIRTH",
        E,
        "rule",
        "Date before the child was born",
        "{field_title} ({date_value}) is before the child's month of birth.",
        fields=("birth_month",),
    )
)
def dates_after_birth(context: RuleContext) -> list[Issue]:
    return _age_check(context, "CHILD-DATE-BEFORE-BIRTH", older_than=None)


def _age_check(context: RuleContext, code: str, older_than: int | None) -> list[Issue]:
    issues: list[Issue] = []
    children = context.table("children")
    birth_month = Location(
        table="children",
        field="birth_month",
        source=children.source.source if children.source else None,
    )
    for table_name, date_fields in _CHILD_DATES.items():
        joined = _with_birth_month(context, table_name)
        table = context.table(table_name)
        for name in date_fields:
            if older_than is None:
                wrong = pl.col(name) < pl.col("__born")
            else:
                wrong = pl.col(name) >= pl.col("__too_old")
            # The birth year as a number: a month such as 0000-01 has no Python date.
            rows = joined.filter(wrong.fill_null(False)).select(
                ROW_INDEX, name, pl.col("__born").dt.year()
            )
            dates = _shown_dates(rows.get_column(name))
            issues += row_issues(
                code,
                table,
                name,
                rows.get_column(ROW_INDEX).to_list(),
                values=dates,
                related=(birth_month,),
                field_title=table.table.field(name).title,
                date_value=dates,
                limit=older_than,
                born_text=[
                    "" if born is None else f"in {born:04d}"
                    for born in rows.get_column("__born").to_list()
                ],
            )
    return issues


# -- costs and their placement -----------------------------------------------------


def _costs_with_placements(context: RuleContext) -> pl.DataFrame:
    return _shared(context, "costs with placements", lambda: _join_costs(context))


def _join_costs(context: RuleContext) -> pl.DataFrame:
    """The costs whose dates and total can be judged, beside their placement's."""
    placements = context.table("placements")
    costs = context.table("costs")
    # Only the columns the cost rules read (a copy of the whole table of costs would
    # take hundreds of megabytes for a million placements).
    judged = (
        costs.frame.select(
            ROW_INDEX, "placement_id", "cost_start_date", "cost_end_date", "total_weekly_cost"
        )
        .with_columns(context.target_rows("costs", "placement_id").alias("__placement_row"))
        .filter(
            pl.lit(costs.readable(("cost_start_date", "cost_end_date", "total_weekly_cost")))
            & pl.col("__placement_row").is_not_null()
        )
    )
    placement = placements.frame.select(
        pl.col("start_date").alias("__placement_start"),
        pl.col("end_date").alias("__placement_end"),
        pl.col("placement_type").alias("__placement_type"),
        pl.lit(placements.readable(("start_date", "end_date", "placement_type"))).alias("__ok"),
    ).select(pl.all().gather(judged.get_column("__placement_row")))
    return pl.concat([judged, placement], how="horizontal").filter("__ok").drop("__ok")


@rule(
    Entry(
        "COST-OUTSIDE-PLACEMENT",
        E,
        "rule",
        "Cost period outside its placement",
        "The cost period {period} is not within its placement ({placement_period}).",
        fields=("cost_start_date", "cost_end_date", "start_date", "end_date"),
        tables=("costs", "placements"),
    )
)
def costs_within_placement(context: RuleContext) -> list[Issue]:
    costs = context.table("costs")
    placements = context.table("placements")
    joined = _costs_with_placements(context)
    starts_early = pl.col("cost_start_date") < pl.col("__placement_start")
    ends_late = pl.col("__placement_end").is_not_null() & (
        pl.col("cost_end_date").is_null() | (pl.col("cost_end_date") > pl.col("__placement_end"))
    )
    wrong = joined.filter((starts_early | ends_late).fill_null(False)).with_columns(
        starts_early.fill_null(False).alias("__early")
    )
    early = wrong.get_column("__early").to_list()
    return row_issues(
        "COST-OUTSIDE-PLACEMENT",
        costs,
        ["cost_start_date" if first else "cost_end_date" for first in early],
        wrong.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            placements,
            ["start_date" if first else "end_date" for first in early],
            wrong.get_column("__placement_row").to_list(),
        ),
        period=_periods(wrong.get_column("cost_start_date"), wrong.get_column("cost_end_date")),
        placement_period=_periods(
            wrong.get_column("__placement_start"), wrong.get_column("__placement_end")
        ),
    )


def _periods(starts: pl.Series, ends: pl.Series) -> list[str]:
    """ "2025-04-01 to 2025-06-30", or "... to open" for a period with no end."""
    return [
        f"{_shown_date(start)} to {_shown_date(end) if end else 'open'}"
        for start, end in zip(starts.to_list(), ends.to_list(), strict=True)
    ]


@rule(
    Entry(
        "COST-OVERLAP",
        E,
        "rule",
        "Cost periods overlap",
        "This cost period starts on {start}, before the previous {basis}cost period of "
        "the same placement ended ({previous_end}). Cost periods of one placement and "
        "basis must not overlap.",
        fields=("placement_id", "cost_basis", "cost_start_date", "cost_end_date"),
        tables=("costs",),
    )
)
def cost_periods_do_not_overlap(context: RuleContext) -> list[Issue]:
    costs = context.table("costs")
    # Only the columns the rule reads are sorted (judgeable(...), narrowed first).
    ordered = (
        costs.frame.select(
            ROW_INDEX, "placement_id", "cost_basis", "cost_start_date", "cost_end_date"
        )
        .with_columns(context.target_rows("costs", "placement_id").alias("__placement_row"))
        .filter(
            pl.lit(costs.readable(("cost_start_date", "cost_end_date", "cost_basis")))
            & pl.col("placement_id").is_not_null()
            & pl.col("cost_start_date").is_not_null()
        )
        .pipe(
            _with_previous,
            ("placement_id", "cost_basis"),
            "cost_start_date",
            "cost_end_date",
            date.max,
            # The placement's row and the basis (0 when blank, else 1 + its code's number).
            group=pl.col("__placement_row").cast(pl.UInt64) * (len(_codes(costs, "cost_basis")) + 1)
            + pl.col("cost_basis").to_physical().cast(pl.UInt64).add(1).fill_null(0),
        )
        .drop("__placement_row")
    )
    clash = ordered.filter((pl.col("cost_start_date") <= pl.col("__previous_end")).fill_null(False))
    return row_issues(
        "COST-OVERLAP",
        costs,
        "cost_start_date",
        clash.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            costs, "cost_end_date", clash.get_column("__previous_row").to_list()
        ),
        start=_shown_dates(clash.get_column("cost_start_date")),
        basis=[f"{basis.lower()} " if basis else "" for basis in clash["cost_basis"].to_list()],
        previous_end=[
            "it is open" if end == date.max else _shown_date(end)
            for end in clash.get_column("__previous_end").to_list()
        ],
    )


# Every date a typed table holds is in 1900-2099 (values.py), so a day number since
# 1900 fits in 17 bits, below a group's number in one sort key.
_FIRST_DAY = date(1900, 1, 1)
_DAY_BITS = 17


def _with_previous(
    frame: pl.DataFrame,
    keys: tuple[str, ...],
    start: str,
    end: str,
    open_end: date,
    group: pl.Expr,
) -> pl.DataFrame:
    """Rows in groups of equal `keys`, in order of `start` (then row) within each, each
    with the end (`open_end` when blank) and the row index of the period before it in
    the same group: what an overlap rule needs.

    `group` numbers the groups (any number, one per group; null where a row has none,
    such as a reference to no row). Numbered rows are sorted on one integer made of
    the number and the start date, which is several times faster than sorting on
    several columns; the few others are sorted on the keys themselves. `frame` is in
    row order and no start is blank.
    """
    frame = frame.with_columns(group.cast(pl.UInt64).alias("__group"))
    days = (pl.col(start) - pl.lit(_FIRST_DAY)).dt.total_days().cast(pl.UInt64)
    numbered = frame.filter(pl.col("__group").is_not_null()).sort(
        pl.col("__group") * (1 << _DAY_BITS) + days, maintain_order=True
    )
    others = frame.filter(pl.col("__group").is_null()).sort(
        *keys, start, ROW_INDEX, nulls_last=True
    )
    same_group = _same_as_previous(*keys)
    return (
        pl.concat([numbered, others])
        .drop("__group")
        .with_columns(
            pl.when(same_group)
            .then(pl.col(end).fill_null(open_end).shift(1))
            .alias("__previous_end"),
            pl.when(same_group).then(pl.col(ROW_INDEX).shift(1)).alias("__previous_row"),
        )
    )


def _same_as_previous(*keys: str) -> pl.Expr:
    """The row has the same keys as the row before it (null equal to null). In a frame
    sorted by the keys, the row before is then the previous row of its group: the
    same as a window `.shift(1).over(keys)`, without grouping."""
    return pl.all_horizontal(pl.col(k).eq_missing(pl.col(k).shift(1)) for k in keys)


_COST_PARTS = (
    (
        "COST-COMPONENTS-SUM",
        "components",
        (
            "core_weekly",
            "additional_support_weekly",
            "education_weekly",
            "health_weekly",
            "other_weekly",
        ),
    ),
    (
        "COST-CONTRIBUTIONS-SUM",
        "funders' contributions",
        ("social_care_contribution", "education_contribution", "health_contribution"),
    ),
)
_SUM_TOLERANCE = 0.01


def _parts_rule(code: str, what: str, parts: tuple[str, ...]) -> None:
    @rule(
        Entry(
            code,
            E,
            "rule",
            f"Cost {what} add up to the total",
            "The " + what + " given add up to £{parts_sum}, but Total weekly cost is "
            "£{total}. Where they are given they must add up to it (within 1p).",
            fields=(*parts, "total_weekly_cost"),
            tables=("costs",),
        )
    )
    def check(context: RuleContext) -> list[Issue]:
        costs = context.table("costs")
        any_given = pl.any_horizontal(pl.col(p).is_not_null() for p in parts)
        # A negative amount already has its own error: the sum says nothing more.
        all_valid = pl.all_horizontal(
            pl.col(p).fill_null(0) >= 0 for p in (*parts, "total_weekly_cost")
        )
        parts_sum = pl.sum_horizontal(pl.col(p).fill_null(0) for p in parts)
        mismatch = (parts_sum - pl.col("total_weekly_cost")).abs() > _SUM_TOLERANCE + 1e-9
        judged = costs.judgeable(*parts, "total_weekly_cost")
        wrong = judged.filter((any_given & all_valid & mismatch).fill_null(False)).select(
            ROW_INDEX, parts_sum.alias("__sum"), "total_weekly_cost"
        )
        indices = wrong.get_column(ROW_INDEX).to_list()
        return row_issues(
            code,
            costs,
            "total_weekly_cost",
            indices,
            related=list(zip(*(locations(costs, p, indices) for p in parts), strict=True)),
            parts_sum=[f"{amount:,.2f}" for amount in wrong.get_column("__sum").to_list()],
            total=[f"{amount:,.2f}" for amount in wrong.get_column("total_weekly_cost").to_list()],
        )


for _parts in _COST_PARTS:
    _parts_rule(*_parts)


# -- a child's placements ----------------------------------------------------------


@rule(
    Entry(
        "PLC-OVERLAP",
        E,
        "rule",
        "A child's placements overlap",
        "This placement starts on {start}, before the child's previous placement "
        "ended ({previous_end}). A child's placements must not overlap, except "
        "temporary moves (SSDA903 T codes).",
        fields=("child_id", "start_date", "end_date", "place_code"),
        tables=("placements",),
    )
)
def placements_do_not_overlap(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    open_end = context.extract_date or date.max
    # Only the columns the rule reads are sorted (judgeable(...), narrowed first).
    temporary = [code for code in _codes(placements, "place_code") if code.startswith("T")]
    ordered = (
        placements.frame.select(ROW_INDEX, "child_id", "start_date", "end_date", "place_code")
        .with_columns(context.target_rows("placements", "child_id").alias("__child_row"))
        .filter(
            pl.lit(placements.readable(("start_date", "end_date", "place_code")))
            & pl.col("child_id").is_not_null()
            & pl.col("start_date").is_not_null()
            & ~pl.col("place_code").is_in(temporary).fill_null(False)
        )
        .pipe(
            _with_previous,
            ("child_id",),
            "start_date",
            "end_date",
            open_end,
            group=pl.col("__child_row"),
        )
    )
    clash = ordered.filter((pl.col("start_date") < pl.col("__previous_end")).fill_null(False))
    return row_issues(
        "PLC-OVERLAP",
        placements,
        "start_date",
        clash.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            placements, "end_date", clash.get_column("__previous_row").to_list()
        ),
        start=_shown_dates(clash.get_column("start_date")),
        previous_end=_shown_dates(clash.get_column("__previous_end")),
    )


def _codes(table: TypedTable, field_name: str) -> list[str]:
    code_list = table.table.field(field_name).code_list
    return list(code_list.codes) if code_list is not None else []


# -- quality warnings: probably wrong, but possible --------------------------------

_FAR_MILES = 350


@rule(
    Entry(
        "PLC-DISTANCE-FAR",
        W,
        "quality",
        "Placement very far away",
        "Distance (miles) is {miles}, more than {limit} miles. Check it is miles, not "
        "kilometres or a postcode mistake.",
        fields=("distance_miles",),
        tables=("placements",),
    )
)
def distance_is_plausible(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    far = placements.frame.filter((pl.col("distance_miles") > _FAR_MILES).fill_null(False))
    miles = [f"{value:g}" for value in far.get_column("distance_miles").to_list()]
    return row_issues(
        "PLC-DISTANCE-FAR",
        placements,
        "distance_miles",
        far.get_column(ROW_INDEX).to_list(),
        values=miles,
        miles=miles,
        limit=_FAR_MILES,
    )


# Weekly totals far outside what each type of placement costs in England (GBP, 2025).
# Deliberately wide: a warning should mean "look again", not "unusual".
_WEEKLY_COST_RANGES = {
    "Foster": (100.0, 3_000.0),
    "Residential": (1_000.0, 30_000.0),
    "Supported accommodation": (150.0, 10_000.0),
    "Secure": (2_000.0, 40_000.0),
    "Parent and child": (300.0, 12_000.0),
}


@rule(
    Entry(
        "COST-OUTLIER",
        W,
        "quality",
        "Weekly cost far outside the usual range",
        "Total weekly cost £{total} is far outside the usual range for a {placement_type} "
        "placement (£{low} to £{high} a week). Check the amount and that it is weekly.",
        fields=("total_weekly_cost", "placement_type"),
        tables=("costs", "placements"),
    )
)
def weekly_cost_is_plausible(context: RuleContext) -> list[Issue]:
    costs = context.table("costs")
    placements = context.table("placements")
    with_placements = _costs_with_placements(context)
    bounds = pl.DataFrame(
        {
            "__placement_type": list(_WEEKLY_COST_RANGES),
            "__low": [low for low, _ in _WEEKLY_COST_RANGES.values()],
            "__high": [high for _, high in _WEEKLY_COST_RANGES.values()],
        },
        schema_overrides={"__placement_type": with_placements.schema["__placement_type"]},
    )
    joined = with_placements.join(bounds, on="__placement_type", how="inner")
    outside = joined.filter(
        (
            (pl.col("total_weekly_cost") >= 0)  # a negative cost has its own error
            & (
                (pl.col("total_weekly_cost") < pl.col("__low"))
                | (pl.col("total_weekly_cost") > pl.col("__high"))
            )
        ).fill_null(False)
    )
    totals = outside.get_column("total_weekly_cost").to_list()
    return row_issues(
        "COST-OUTLIER",
        costs,
        "total_weekly_cost",
        outside.get_column(ROW_INDEX).to_list(),
        values=[f"{total:.2f}" for total in totals],
        related=one_place_each(
            placements, "placement_type", outside.get_column("__placement_row").to_list()
        ),
        total=[f"{total:,.2f}" for total in totals],
        placement_type=[kind.lower() for kind in outside.get_column("__placement_type").to_list()],
        low=[f"{low:,.0f}" for low in outside.get_column("__low").to_list()],
        high=[f"{high:,.0f}" for high in outside.get_column("__high").to_list()],
    )


_YOUNGEST_RESIDENTIAL = 10


@rule(
    Entry(
        "PLC-RESIDENTIAL-UNDER-10",
        W,
        "quality",
        "Residential placement for a young child",
        "This residential placement started when the child was under "
        f"{_YOUNGEST_RESIDENTIAL}. Children this young are rarely placed in children's "
        "homes; check the placement type and the month of birth.",
        fields=("placement_type", "start_date", "birth_month"),
        tables=("placements",),
    )
)
def residential_child_is_old_enough(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    joined = _with_birth_month(context, "placements")
    young = joined.filter(
        (
            (pl.col("placement_type") == "Residential")
            & (pl.col("start_date") < pl.col("__old_enough"))
        ).fill_null(False)
    )
    return row_issues(
        "PLC-RESIDENTIAL-UNDER-10",
        placements,
        "placement_type",
        young.get_column(ROW_INDEX).to_list(),
        related=(Location(table="children", field="birth_month"),),
    )


# -- lists that say "None" and something else --------------------------------------

_NOTHING = "None"


@rule(
    Entry(
        "LIST-NONE-WITH-OTHERS",
        E,
        "rule",
        '"None" listed with other values',
        '{field_title} lists "None" together with other values; give either "None" '
        "or the values that apply.",
    )
)
def none_stands_alone(context: RuleContext) -> list[Issue]:
    issues: list[Issue] = []
    for table in context.tables.values():
        for field in table.table.fields:
            if not (field.multivalued and field.code_list and _NOTHING in field.code_list.codes):
                continue
            column = pl.col(field.name)
            mixed = table.frame.filter(
                (column.list.contains(_NOTHING) & (column.list.len() > 1)).fill_null(False)
            )
            issues += row_issues(
                "LIST-NONE-WITH-OTHERS",
                table,
                field.name,
                mixed.get_column(ROW_INDEX).to_list(),
                field_title=field.title,
            )
    return issues


def rules_of(version: str) -> list[Rule]:
    """The registry rules that belong to a version of the standard."""
    return [r for r in RULES if _version_key(r.since) <= _version_key(version)]


def run_rules(context: RuleContext, version: str) -> Iterator[Issue]:
    for registered in rules_of(version):
        yield from registered.check(context)
