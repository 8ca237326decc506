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
from sufficiency_standard.standard import CodeList

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
        "{field_title} ({date_value}) is after the child turned {limit}; the standard "
        "covers children and young people under {limit}. Check the date and the "
        "child's month of birth.",
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
            rows = joined.filter(wrong.fill_null(False)).select(ROW_INDEX, name)
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
        "{previous_end}. A child's placements must not overlap, except "
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
        .with_columns(
            context.target_rows("placements", "child_id").alias("__child_row"),
            pl.col("end_date").is_null().alias("__open"),
        )
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
    ordered = ordered.with_columns(pl.col("__open").shift(1).alias("__previous_open"))
    clash = ordered.filter((pl.col("start_date") < pl.col("__previous_end")).fill_null(False))
    # An open placement has not ended: say it is open, not that it ended at the extract.
    previous_end = [
        "is still open (it has no end date)" if still_open else f"ended ({shown})"
        for still_open, shown in zip(
            clash.get_column("__previous_open").to_list(),
            _shown_dates(clash.get_column("__previous_end")),
            strict=True,
        )
    ]
    return row_issues(
        "PLC-OVERLAP",
        placements,
        "start_date",
        clash.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            placements, "end_date", clash.get_column("__previous_row").to_list()
        ),
        start=_shown_dates(clash.get_column("start_date")),
        previous_end=previous_end,
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


def _district(column: str) -> pl.Expr:
    """The postcode district of a sector or district ("TA1 2" -> "TA1")."""
    return pl.col(column).cast(pl.String).str.split(" ").list.first()


@rule(
    Entry(
        "PLC-DISTANCE-SAME-DISTRICT",
        W,
        "quality",
        "Distance within one postcode district",
        "The placement is in the same postcode district as the child's family, so its "
        "distance is 0 miles by the standard's definition (a straight line between the "
        "centroids of the two districts); Distance (miles) is {miles}. Check the "
        "distance and both locations.",
        fields=("distance_miles", "placement_location", "family_location"),
        tables=("placements", "referrals"),
    ),
    since="0.3.0",
)
def distance_follows_the_districts(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    referrals = context.table("referrals")
    rows = context.target_rows("placements", "referral_id")
    family = referrals.frame.select(pl.col("family_location").alias("__family")).select(
        pl.all().gather(rows)
    )
    joined = pl.concat(
        [placements.frame.select(ROW_INDEX, "placement_location", "distance_miles"), family],
        how="horizontal",
    ).with_columns(rows.alias("__referral_row"))
    readable = placements.readable(("placement_location", "distance_miles"))
    wrong = joined.filter(
        pl.lit(readable)
        & (_district("placement_location") == _district("__family")).fill_null(False)
        & (pl.col("distance_miles") > 0).fill_null(False)
    )
    miles = [f"{value:g}" for value in wrong.get_column("distance_miles").to_list()]
    indices = wrong.get_column(ROW_INDEX).to_list()
    return row_issues(
        "PLC-DISTANCE-SAME-DISTRICT",
        placements,
        "distance_miles",
        indices,
        values=miles,
        related=list(
            zip(
                locations(placements, "placement_location", indices),
                locations(referrals, "family_location", wrong["__referral_row"].to_list()),
                strict=True,
            )
        ),
        miles=miles,
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


# -- providers: national identifiers (0.3.0) ---------------------------------------

# Company, charity and Ofsted provider numbers: one organisation's number in every LA's
# data, by which a region recognises the same provider across its LAs.
_NATIONAL_IDS = ("company_number", "charity_number", "ofsted_provider_urn")
_INDEPENDENT = ("Private", "Voluntary")


def _titles(table: TypedTable, field_names: tuple[str, ...]) -> str:
    """ "A, B or C": the fields' titles, for a message."""
    *others, last = (table.table.field(name).title for name in field_names)
    return f"{', '.join(others)} or {last}" if others else last


@rule(
    Entry(
        "PRV-NATIONAL-ID",
        # A warning, not an error: an LA whose only source is the SSDA903 knows a
        # provider's ownership but not its numbers, and its data is still worth sending.
        W,
        "quality",
        "Independent provider without a national identifier",
        "This provider is {ownership} but gives no national identifier. A private or "
        "voluntary provider should give at least one of {identifiers}, so that the "
        "region knows it as the same organisation in every LA's data.",
        fields=("ownership", *_NATIONAL_IDS),
        tables=("providers",),
    ),
    since="0.3.0",
)
def independent_providers_are_identified(context: RuleContext) -> list[Issue]:
    providers = context.table("providers")
    # An identifier that could not be read has its own error: it was given.
    missing = providers.judgeable("ownership", *_NATIONAL_IDS).filter(
        pl.col("ownership").is_in(_INDEPENDENT).fill_null(False)
        & pl.all_horizontal(pl.col(name).is_null() for name in _NATIONAL_IDS)
    )
    indices = missing.get_column(ROW_INDEX).to_list()
    return row_issues(
        "PRV-NATIONAL-ID",
        providers,
        _NATIONAL_IDS[0],
        indices,
        related=list(
            zip(*(locations(providers, name, indices) for name in _NATIONAL_IDS[1:]), strict=True)
        ),
        ownership=[kind.lower() for kind in missing.get_column("ownership").to_list()],
        identifiers=_titles(providers, _NATIONAL_IDS),
    )


@rule(
    Entry(
        "PRV-SAME-NATIONAL-ID",
        E,
        "rule",
        "One provider entered twice",
        "This provider has the same {field_title} as an earlier provider, so the two are "
        "one organisation entered twice. Give each organisation once, under one Provider "
        "ID, and use that ID wherever it is referred to.",
        fields=_NATIONAL_IDS,
        tables=("providers",),
    ),
    since="0.3.0",
)
def providers_are_entered_once(context: RuleContext) -> list[Issue]:
    providers = context.table("providers")
    # A row whose Provider ID repeats an earlier one is already reported as a duplicate.
    repeated = context.links.repeats("providers").get_column(ROW_INDEX)
    found = [
        providers.frame.select(ROW_INDEX, pl.col(name).alias("__number"))
        .filter(pl.col("__number").is_not_null() & ~pl.col(ROW_INDEX).is_in(repeated.implode()))
        .with_columns(
            pl.col(ROW_INDEX).first().over("__number").alias("__earlier"),
            pl.lit(order, dtype=pl.UInt8).alias("__field"),
        )
        .filter(pl.col(ROW_INDEX) != pl.col("__earlier"))
        for order, name in enumerate(_NATIONAL_IDS)
    ]
    # One issue a row: the first identifier (in _NATIONAL_IDS order) that it shares.
    twice = (
        pl.concat(found)
        .sort(ROW_INDEX, "__field")
        .unique(ROW_INDEX, keep="first", maintain_order=True)
    )
    names = [_NATIONAL_IDS[order] for order in twice.get_column("__field").to_list()]
    return row_issues(
        "PRV-SAME-NATIONAL-ID",
        providers,
        names,
        twice.get_column(ROW_INDEX).to_list(),
        values=twice.get_column("__number").to_list(),
        related=one_place_each(providers, names, twice.get_column("__earlier").to_list()),
        field_title=[providers.table.field(name).title for name in names],
    )


# -- a search's notice (0.3.0) -----------------------------------------------------

# An emergency search needs a home within this many days of the referral; a planned one
# later. The urgency's categories are the national placements standard's.
_NOTICE_DAYS = 5
_SHORT_NOTICE = ("Today", "Within 5 days")
_LONG_NOTICE = "More than 5 days"


def _referrals_with_notice(context: RuleContext) -> pl.DataFrame:
    """The referrals, each with the days from the referral to the date the home was
    needed by (`__days`, null when either date is blank or they are in the wrong order,
    which has its own error)."""

    def build() -> pl.DataFrame:
        referrals = context.table("referrals")
        days = (pl.col("needed_by_date") - pl.col("referral_date")).dt.total_days()
        return referrals.judgeable(
            "referral_date", "needed_by_date", "urgency", "planned_or_emergency"
        ).with_columns(pl.when(days >= 0).then(days).alias("__days"))

    return _shared(context, "referrals with notice", build)


def _days_after(days: Iterable[int]) -> list[str]:
    return [
        "on the day of the referral"
        if n == 0
        else f"{n} day{'' if n == 1 else 's'} after the referral"
        for n in days
    ]


def _urgency_of_days() -> pl.Expr:
    """The urgency that `__days` is: Today the day of the referral, Within 5 days 1 to
    5 days after it, More than 5 days later (null when `__days` is)."""
    days = pl.col("__days")
    return (
        pl.when(days == 0)
        .then(pl.lit(_SHORT_NOTICE[0]))
        .when(days <= _NOTICE_DAYS)
        .then(pl.lit(_SHORT_NOTICE[1]))
        .when(days > _NOTICE_DAYS)
        .then(pl.lit(_LONG_NOTICE))
    )


@rule(
    Entry(
        "REF-EMERGENCY-DATES",
        W,
        "quality",
        "Planned or emergency contradicts the notice",
        'This search is "{kind}", but {notice}. An emergency search needs a home within '
        f"{_NOTICE_DAYS} days of the referral; a planned one more than {_NOTICE_DAYS} days "
        "after it.",
        fields=("planned_or_emergency", "referral_date", "needed_by_date", "urgency"),
        tables=("referrals",),
    ),
    since="0.3.0",
)
def emergency_matches_the_notice(context: RuleContext) -> list[Issue]:
    referrals = context.table("referrals")
    days, urgency = pl.col("__days"), pl.col("urgency")
    emergency = pl.col("planned_or_emergency") == "Emergency"
    planned = pl.col("planned_or_emergency") == "Planned"
    # The date, when it contradicts, is what the message names; else the urgency.
    by_date = (emergency & (days > _NOTICE_DAYS)) | (planned & (days <= _NOTICE_DAYS))
    by_urgency = (emergency & (urgency == _LONG_NOTICE)) | (planned & urgency.is_in(_SHORT_NOTICE))
    wrong = (
        _referrals_with_notice(context)
        .with_columns(by_date.fill_null(False).alias("__by_date"))
        .filter(pl.col("__by_date") | by_urgency.fill_null(False))
    )
    dated = wrong.get_column("__by_date").to_list()
    return row_issues(
        "REF-EMERGENCY-DATES",
        referrals,
        "planned_or_emergency",
        wrong.get_column(ROW_INDEX).to_list(),
        values=wrong.get_column("planned_or_emergency").to_list(),
        related=one_place_each(
            referrals,
            ["needed_by_date" if date_wrong else "urgency" for date_wrong in dated],
            wrong.get_column(ROW_INDEX).to_list(),
        ),
        kind=wrong.get_column("planned_or_emergency").to_list(),
        notice=[
            f"the home was needed {after}" if date_wrong else f'its urgency is "{urgency}"'
            for date_wrong, after, urgency in zip(
                dated,
                _days_after(wrong.get_column("__days").fill_null(0).to_list()),
                wrong.get_column("urgency").to_list(),
                strict=True,
            )
        ],
    )


@rule(
    Entry(
        "REF-URGENCY-DATES",
        W,
        "quality",
        "Urgency and needed-by date disagree",
        'Urgency is "{urgency}", but the home was needed {after} ("{expected}"). Where '
        'both are given they must agree: "Today" is the day of the referral, "Within 5 '
        'days" 1 to 5 days after it, "More than 5 days" 6 days or more after it.',
        fields=("urgency", "referral_date", "needed_by_date"),
        tables=("referrals",),
    ),
    since="0.3.0",
)
def urgency_matches_the_date(context: RuleContext) -> list[Issue]:
    referrals = context.table("referrals")
    wrong = (
        _referrals_with_notice(context)
        .with_columns(_urgency_of_days().alias("__expected"))
        .filter((pl.col("urgency").cast(pl.String) != pl.col("__expected")).fill_null(False))
    )
    indices = wrong.get_column(ROW_INDEX).to_list()
    return row_issues(
        "REF-URGENCY-DATES",
        referrals,
        "urgency",
        indices,
        values=wrong.get_column("urgency").to_list(),
        related=one_place_each(referrals, "needed_by_date", indices),
        urgency=wrong.get_column("urgency").to_list(),
        after=_days_after(wrong.get_column("__days").to_list()),
        expected=wrong.get_column("__expected").to_list(),
    )


# -- codes in force (0.3.0) --------------------------------------------------------


def _in_force(code_list: CodeList) -> pl.DataFrame:
    """Each code whose use is limited in time, with the first (`__from`) and last
    (`__until`) day it may be used: the schema's `in_force_from` and `in_force_until`
    annotations (null: no limit that way)."""
    limited = [v for v in code_list.values if v.in_force_from or v.in_force_until]
    return pl.DataFrame(
        {
            "__code": [v.value for v in limited],
            "__from": [v.first_day for v in limited],
            "__until": [v.last_day for v in limited],
        },
        schema={"__code": pl.String, "__from": pl.Date, "__until": pl.Date},
    )


def _window(start: date | None, end: date | None) -> str:
    if start and end:
        return f"from {start.isoformat()} to {end.isoformat()}"
    return f"on or after {start.isoformat()}" if start else f"on or before {_shown_date(end)}"


@rule(
    Entry(
        "PLC-PLACE-NOT-IN-FORCE",
        W,
        "quality",
        "Placement code not in force when the placement started",
        "SSDA903 placement code {code} was not in force when this placement started "
        "({start}): it is used for placements that start {window}. Use the code of the "
        "collection year the placement started in.",
        fields=("place_code", "start_date"),
        tables=("placements",),
    ),
    since="0.3.0",
)
def place_code_in_force(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    code_list = placements.table.field("place_code").code_list
    limits = _in_force(code_list) if code_list is not None else pl.DataFrame()
    if limits.is_empty():
        return []
    judged = placements.judgeable("place_code", "start_date")
    limits = limits.with_columns(pl.col("__code").cast(judged.schema["place_code"]))
    start = pl.col("start_date")
    wrong = judged.join(
        limits, left_on="place_code", right_on="__code", how="inner", maintain_order="left"
    ).filter(((start < pl.col("__from")) | (start > pl.col("__until"))).fill_null(False))
    indices = wrong.get_column(ROW_INDEX).to_list()
    codes = wrong.get_column("place_code").cast(pl.String).to_list()
    return row_issues(
        "PLC-PLACE-NOT-IN-FORCE",
        placements,
        "place_code",
        indices,
        values=codes,
        related=one_place_each(placements, "start_date", indices),
        code=codes,
        start=_shown_dates(wrong.get_column("start_date")),
        window=[
            _window(first, last)
            for first, last in zip(
                wrong.get_column("__from").to_list(),
                wrong.get_column("__until").to_list(),
                strict=True,
            )
        ],
    )


# -- a placement's needs assessment (0.3.0) ----------------------------------------


def _placements_with_needs(context: RuleContext) -> pl.DataFrame:
    """The placements that name a needs assessment found in the submission, each with
    that assessment's row (`__needs_row`) and date, and the rows of the children of
    both (`__child`, `__needs_child`: null where the Child ID names no child, which has
    its own error)."""

    def build() -> pl.DataFrame:
        rows = context.target_rows("placements", "needs_id")
        needs = context.table("needs_assessments")
        named = needs.frame.select(
            context.target_rows("needs_assessments", "child_id").alias("__needs_child"),
            pl.col("assessment_date").alias("__assessed"),
        ).select(pl.all().gather(rows))
        placements = context.table("placements").frame.select(
            ROW_INDEX,
            "start_date",
            context.target_rows("placements", "child_id").alias("__child"),
        )
        return pl.concat(
            [placements, named, rows.alias("__needs_row").to_frame()], how="horizontal"
        ).filter(pl.col("__needs_row").is_not_null())

    return _shared(context, "placements with needs", build)


_OTHER_CHILD = (
    pl.col("__child").is_not_null()
    & pl.col("__needs_child").is_not_null()
    & (pl.col("__child") != pl.col("__needs_child"))
)


@rule(
    Entry(
        "PLC-NEEDS-OTHER-CHILD",
        E,
        "rule",
        "Needs assessment of another child",
        "The needs assessment this placement names is of another child: a placement "
        "names an assessment of the child placed. Check the {needs_title}.",
        fields=("needs_id", "child_id"),
        tables=("placements", "needs_assessments"),
    ),
    since="0.3.0",
)
def needs_assessment_of_the_child(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    wrong = _placements_with_needs(context).filter(_OTHER_CHILD)
    indices = wrong.get_column(ROW_INDEX).to_list()
    return row_issues(
        "PLC-NEEDS-OTHER-CHILD",
        placements,
        "needs_id",
        indices,
        related=list(
            zip(
                locations(placements, "child_id", indices),
                locations(
                    context.table("needs_assessments"),
                    "child_id",
                    wrong.get_column("__needs_row").to_list(),
                ),
                strict=True,
            )
        ),
        needs_title=placements.table.field("needs_id").title,
    )


@rule(
    Entry(
        "PLC-NEEDS-AFTER-START",
        W,
        "quality",
        "Needs assessment made after the placement started",
        "The needs assessment this placement names was made on {assessed}, after the "
        "placement started ({start}), so the placement was not made on it. Name the "
        "assessment in force when the placement was made.",
        fields=("needs_id", "assessment_date", "start_date"),
        tables=("placements", "needs_assessments"),
    ),
    since="0.3.0",
)
def needs_assessment_before_placement(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    # An assessment of another child is wrong for that reason alone.
    wrong = _placements_with_needs(context).filter(
        ~_OTHER_CHILD & (pl.col("__assessed") > pl.col("start_date")).fill_null(False)
    )
    return row_issues(
        "PLC-NEEDS-AFTER-START",
        placements,
        "needs_id",
        wrong.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            context.table("needs_assessments"),
            "assessment_date",
            wrong.get_column("__needs_row").to_list(),
        ),
        assessed=_shown_dates(wrong.get_column("__assessed")),
        start=_shown_dates(wrong.get_column("start_date")),
    )


# -- spend (0.3.0) -----------------------------------------------------------------


@rule(
    Entry(
        "PLC-NOT-COSTED",
        W,
        "quality",
        "Placement with no cost and no reason",
        "This placement has no cost period, and {reason_title} is blank. Give its cost "
        "periods, or say why it is not costed: a placement without a cost is never "
        "counted as free.",
        fields=("placement_id", "not_costed_reason"),
        tables=("placements", "costs"),
    ),
    since="0.3.0",
)
def placements_are_costed(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    if context.table("costs").source is None:
        return []  # no costs table at all: reported once as missing
    costed = context.target_rows("costs", "placement_id").drop_nulls()
    # A repeated Placement ID is reported as such; its costs are the first row's.
    repeated = context.links.repeats("placements").get_column(ROW_INDEX)
    uncosted = placements.judgeable("placement_id", "not_costed_reason").filter(
        pl.col("placement_id").is_not_null()
        & pl.col("not_costed_reason").is_null()
        & ~pl.col(ROW_INDEX).is_in(costed.cast(pl.UInt32).implode())
        & ~pl.col(ROW_INDEX).is_in(repeated.implode())
    )
    indices = uncosted.get_column(ROW_INDEX).to_list()
    return row_issues(
        "PLC-NOT-COSTED",
        placements,
        "not_costed_reason",
        indices,
        # The Placement ID that no cost period names.
        related=one_place_each(placements, "placement_id", indices),
        reason_title=placements.table.field("not_costed_reason").title,
    )


@rule(
    Entry(
        "COST-CHILD-TWICE",
        W,
        "quality",
        "A child's night paid twice",
        "This {basis} cost period ({period}) pays for nights for which another of the "
        "child's placements has one too ({other_period}). A child's night is paid for "
        "once: check the two placements' dates and costs.",
        fields=("placement_id", "cost_basis", "cost_start_date", "cost_end_date", "child_id"),
        tables=("costs", "placements"),
    ),
    since="0.3.0",
)
def child_night_paid_once(context: RuleContext) -> list[Issue]:
    costs = context.table("costs")
    placement_rows = context.target_rows("costs", "placement_id")
    child = context.table("placements").frame.get_column("child_id").gather(placement_rows)
    periods = costs.frame.select(
        ROW_INDEX,
        "cost_basis",
        "cost_start_date",
        "cost_end_date",
        pl.col("cost_end_date").fill_null(context.extract_date or date.max).alias("__end"),
        placement_rows.alias("__placement"),
        child.alias("__child"),
    ).filter(
        pl.lit(costs.readable(("cost_basis", "cost_start_date", "cost_end_date")))
        & pl.col("__placement").is_not_null()
        & pl.col("__child").is_not_null()
        & pl.col("cost_basis").is_not_null()
        # A period that ends before it starts has its own error.
        & (pl.col("cost_start_date") <= pl.col("__end")).fill_null(False)
    )
    periods = _overlapping_groups(periods, costs, context)
    start, other_start = pl.col("cost_start_date"), pl.col("cost_start_date__other")
    other_row = pl.col(f"{ROW_INDEX}__other")
    twice = (
        periods.join(periods, on=["__child", "cost_basis"], suffix="__other")
        .filter(
            (pl.col("__placement__other") != pl.col("__placement"))
            & (other_start <= pl.col("__end"))
            & (start <= pl.col("__end__other"))
            # Of the two, the one that starts later (or comes later) is reported.
            & ((other_start < start) | ((other_start == start) & (other_row < pl.col(ROW_INDEX))))
        )
        .sort(ROW_INDEX, other_start, other_row)
        .unique(ROW_INDEX, keep="first", maintain_order=True)
    )
    return row_issues(
        "COST-CHILD-TWICE",
        costs,
        "cost_start_date",
        twice.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            costs, "cost_start_date", twice.get_column(f"{ROW_INDEX}__other").to_list()
        ),
        basis=[basis.lower() for basis in twice.get_column("cost_basis").to_list()],
        period=_periods(twice.get_column("cost_start_date"), twice.get_column("cost_end_date")),
        other_period=_periods(
            twice.get_column("cost_start_date__other"), twice.get_column("cost_end_date__other")
        ),
    )


def _overlapping_groups(
    periods: pl.DataFrame, costs: TypedTable, context: RuleContext
) -> pl.DataFrame:
    """The periods of the children and bases in which some period starts on or before
    the end of an earlier-starting one (a few rows): the only ones that can pay a night
    twice. Sorted on one integer (the child's row and the basis, then the start), each
    period is compared with the latest end of the periods before it in its group; the
    few periods whose child is no row are all kept."""
    child_row = context.target_rows("placements", "child_id").gather(
        periods.get_column("__placement")
    )
    top = (1 << _DAY_BITS) - 1

    def days(column: str) -> pl.Expr:
        since = (pl.col(column) - pl.lit(_FIRST_DAY)).dt.total_days().clip(0, top)
        return since.cast(pl.UInt64)

    bases = len(_codes(costs, "cost_basis")) + 1
    group = pl.col("__child_row").cast(pl.UInt64) * bases + pl.col("cost_basis").to_physical().cast(
        pl.UInt64
    ).add(1)
    keyed = periods.with_columns(child_row.alias("__child_row")).with_columns(
        (group * (1 << _DAY_BITS)).alias("__group")
    )
    numbered = (
        keyed.filter(pl.col("__group").is_not_null())
        .select(
            "__group",
            (pl.col("__group") + days("cost_start_date")).alias("__from"),
            (pl.col("__group") + days("__end")).alias("__to"),
        )
        .sort("__from", maintain_order=True)
    )
    clash = numbered.filter(pl.col("__from") <= pl.col("__to").cum_max().shift(1))
    groups = clash.get_column("__group").unique()
    return keyed.filter(
        pl.col("__group").is_null() | pl.col("__group").is_in(groups.implode())
    ).drop("__child_row", "__group")


# Placements whose price is compared across providers by its core fee.
_SPLIT_TYPES = ("Residential", "Secure")


@rule(
    Entry(
        "COST-SPLIT-MISSING",
        W,
        "quality",
        "Core weekly cost not given",
        "This cost period of a {placement_type} placement gives no {core_title}. For "
        "residential and secure placements give the core weekly fee and the additional "
        "support apart, so that prices can be compared across providers.",
        fields=("core_weekly", "placement_type"),
        tables=("costs", "placements"),
    ),
    since="0.3.0",
)
def core_cost_given(context: RuleContext) -> list[Issue]:
    costs = context.table("costs")
    placements = context.table("placements")
    placement_rows = context.target_rows("costs", "placement_id")
    kind = placements.frame.get_column("placement_type").gather(placement_rows)
    missing = (
        costs.frame.select(ROW_INDEX, "core_weekly")
        .with_columns(placement_rows.alias("__placement_row"), kind.alias("__placement_type"))
        .filter(
            # A core cost that could not be read has its own error.
            pl.lit(costs.readable(("core_weekly",)))
            & pl.col("core_weekly").is_null()
            & pl.col("__placement_type").is_in(_SPLIT_TYPES).fill_null(False)
        )
    )
    return row_issues(
        "COST-SPLIT-MISSING",
        costs,
        "core_weekly",
        missing.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            placements, "placement_type", missing.get_column("__placement_row").to_list()
        ),
        placement_type=[kind.lower() for kind in missing.get_column("__placement_type").to_list()],
        core_title=costs.table.field("core_weekly").title,
    )


# -- fostering capacity (0.3.0) ----------------------------------------------------

_PLACES = ("filled_places", "vacant_places", "unavailable_places")


@rule(
    Entry(
        "CAP-PLACES-SUM",
        E,
        "rule",
        "Places add up to the approved places",
        "Filled, vacant and unavailable places add up to {parts_sum}, but Approved "
        "places is {approved}. Where all are given they must add up to it.",
        fields=("approved_places", *_PLACES),
        tables=("fostering_capacity",),
    ),
    since="0.3.0",
)
def places_add_up(context: RuleContext) -> list[Issue]:
    capacity = context.table("fostering_capacity")
    counts = (*_PLACES, "approved_places")
    # A negative count already has its own error: the sum says nothing more.
    wrong = (
        capacity.judgeable(*counts)
        .with_columns(pl.sum_horizontal(_PLACES).alias("__sum"))
        .filter(
            (
                pl.all_horizontal(pl.col(name) >= 0 for name in counts)
                & (pl.col("__sum") != pl.col("approved_places"))
            ).fill_null(False)
        )
    )
    indices = wrong.get_column(ROW_INDEX).to_list()
    return row_issues(
        "CAP-PLACES-SUM",
        capacity,
        "approved_places",
        indices,
        values=[str(n) for n in wrong.get_column("approved_places").to_list()],
        related=list(zip(*(locations(capacity, p, indices) for p in _PLACES), strict=True)),
        parts_sum=wrong.get_column("__sum").to_list(),
        approved=wrong.get_column("approved_places").to_list(),
    )


# -- the submission's period (0.3.0) -----------------------------------------------


@rule(
    Entry(
        "PLC-OUTSIDE-PERIOD",
        W,
        "quality",
        "Placement not live in the period",
        "This placement {event} on {event_date}, {side} the period of the submission "
        "({period}). A submission carries the placements live at some time in its "
        "period: check the dates, or leave the placement out.",
        fields=("start_date", "end_date", "period_start", "period_end"),
        tables=("placements", "submission"),
    ),
    since="0.3.0",
)
def placements_live_in_period(context: RuleContext) -> list[Issue]:
    placements = context.table("placements")
    header = context.table("submission")
    period = header.judgeable("period_start", "period_end").head(1)
    if period.is_empty() or period.item(0, ROW_INDEX) != 0:
        return []
    first, last = period.item(0, "period_start"), period.item(0, "period_end")
    if first is not None and last is not None and last < first:
        return []  # the period itself is wrong (SUB-PERIOD-ORDER)
    start, end = pl.col("start_date"), pl.col("end_date")
    ended = (end < first).fill_null(False) if first is not None else pl.lit(False)
    started = (start > last).fill_null(False) if last is not None else pl.lit(False)
    wrong = (
        placements.judgeable("start_date", "end_date")
        # A placement that ends before it starts has its own error.
        .filter((ended | started) & ~(end < start).fill_null(False))
        .select(
            ROW_INDEX,
            ended.alias("__ended"),
            pl.when(ended).then(end).otherwise(start).alias("__date"),
        )
    )
    before = wrong.get_column("__ended").to_list()
    return row_issues(
        "PLC-OUTSIDE-PERIOD",
        placements,
        ["end_date" if early else "start_date" for early in before],
        wrong.get_column(ROW_INDEX).to_list(),
        values=_shown_dates(wrong.get_column("__date")),
        related=[
            (location(header, "period_start" if early else "period_end", 0),) for early in before
        ],
        event=["ended" if early else "started" for early in before],
        event_date=_shown_dates(wrong.get_column("__date")),
        side=["before" if early else "after" for early in before],
        period=f"{_shown_date(first)} to {_shown_date(last)}",
    )


def rules_of(version: str) -> list[Rule]:
    """The registry rules that belong to a version of the standard."""
    return [r for r in RULES if _version_key(r.since) <= _version_key(version)]


def run_rules(context: RuleContext, version: str) -> Iterator[Issue]:
    for registered in rules_of(version):
        yield from registered.check(context)


# -- what users expect to be told (issue 19) ------------------------------------------


@rule(
    Entry(
        "REF-OFFERS-APPROACHED",
        W,
        "quality",
        "More offers than providers approached",
        "{offers} offers were received from {approached} providers approached. Each offer "
        "comes from a provider approached: check both counts.",
        fields=("providers_approached", "offers_received"),
        tables=("referrals",),
    ),
    since="0.3.0",
)
def offers_not_more_than_approached(context: RuleContext) -> list[Issue]:
    referrals = context.table("referrals")
    # A negative count already has its own error (VALUE-MINIMUM): no comparison with it.
    more = referrals.judgeable("providers_approached", "offers_received").filter(
        (
            (pl.col("offers_received") > pl.col("providers_approached"))
            & (pl.col("providers_approached") >= 0)
        ).fill_null(False)
    )
    return row_issues(
        "REF-OFFERS-APPROACHED",
        referrals,
        "offers_received",
        more.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            referrals, "providers_approached", more.get_column(ROW_INDEX).to_list()
        ),
        offers=[str(n) for n in more.get_column("offers_received").to_list()],
        approached=[str(n) for n in more.get_column("providers_approached").to_list()],
    )


@rule(
    Entry(
        "COST-OVERLAP-NO-BASIS",
        E,
        "rule",
        "Cost period with no basis overlaps another",
        "This cost period ({period}) has no basis and overlaps another cost period of the "
        "same placement ({other_period}). Give its basis, or correct the dates: a night "
        "is paid for once.",
        fields=("placement_id", "cost_basis", "cost_start_date", "cost_end_date"),
        tables=("costs",),
    ),
    since="0.3.0",
)
def blank_basis_does_not_overlap(context: RuleContext) -> list[Issue]:
    """COST-OVERLAP compares periods of one basis; a period whose basis is blank can
    still pay for the same nights as one with a basis, so it is compared with them."""
    costs = context.table("costs")
    periods = costs.judgeable(
        "placement_id", "cost_basis", "cost_start_date", "cost_end_date"
    ).filter(pl.col("placement_id").is_not_null() & pl.col("cost_start_date").is_not_null())
    blank = periods.filter(pl.col("cost_basis").is_null())
    if blank.is_empty():
        return []
    based = periods.filter(pl.col("cost_basis").is_not_null())
    clash = (
        blank.join(based, on="placement_id", suffix="_other")
        .filter(
            (pl.col("cost_start_date") <= pl.col("cost_end_date_other").fill_null(date.max))
            & (pl.col("cost_start_date_other") <= pl.col("cost_end_date").fill_null(date.max))
        )
        .sort(ROW_INDEX, "cost_start_date_other")
        .unique(ROW_INDEX, keep="first", maintain_order=True)
    )
    return row_issues(
        "COST-OVERLAP-NO-BASIS",
        costs,
        "cost_basis",
        clash.get_column(ROW_INDEX).to_list(),
        related=one_place_each(
            costs, "cost_start_date", clash.get_column(f"{ROW_INDEX}_other").to_list()
        ),
        period=_periods(clash["cost_start_date"], clash["cost_end_date"]),
        other_period=_periods(clash["cost_start_date_other"], clash["cost_end_date_other"]),
    )


@rule(
    Entry(
        "SUB-EMPTY",
        E,
        "rule",
        "Every table is empty",
        "Every table of the submission is empty ({tables}): there is nothing to check or "
        "send. Fill in the tables, or check that the right file was given.",
        tables=("submission",),
    ),
    since="0.3.0",
)
def submission_is_not_empty(context: RuleContext) -> list[Issue]:
    given = [table for table in context.tables.values() if table.source is not None]
    lists = [table for table in given if not table.table.one_row]
    if not lists or any(table.height for table in lists):
        return []
    names = ", ".join(table.table.name for table in lists)
    return [make_issue("SUB-EMPTY", Location(table="submission"), tables=names)]
