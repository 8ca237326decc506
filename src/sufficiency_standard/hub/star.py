"""The star schema a region loads into Power BI or Excel, from the hub's current tables.

Facts, one row per record per calendar month it touches (so that a month's total is a
sum, and a national hub stays a few million rows rather than one row per night):
- fact_placement_days: a placement's bed nights in the month;
- fact_cost_days: a placement's costed nights and spend in the month, by the one
  definition of spend (Actual supersedes Agreed night by night; nights outside the
  placement are not spend);
- fact_searches: one row per search (referral), dated by its referral date.
Dimensions: dim_la, dim_provider (merged across LAs), dim_setting, dim_placement_type,
dim_date (one row per day; facts point at the first day of their month).
Every key is namespaced: `E06000066/C001` for an LA's own IDs, `ofsted:SC123456` for a
provider merged on a national identifier.
"""

from __future__ import annotations

import polars as pl

from sufficiency_standard.hub.keys import provider_keys, setting_key
from sufficiency_standard.hub.layout import MONEY_TYPE
from sufficiency_standard.hub.store import Hub

_DAY = pl.duration(days=1)


def _namespaced(column: str, alias: str) -> pl.Expr:
    return (
        pl.when(pl.col(column).is_null())
        .then(None)
        .otherwise(pl.concat_str(pl.col("la_code"), pl.lit("/"), pl.col(column)))
        .alias(alias)
    )


def _date_key(column: pl.Expr) -> pl.Expr:
    return (
        column.dt.year().cast(pl.Int32) * 10000
        + column.dt.month().cast(pl.Int32) * 100
        + column.dt.day().cast(pl.Int32)
    )


def by_month(frame: pl.DataFrame, first: str, last: str) -> pl.DataFrame:
    """Each row once per calendar month its nights [first, last] touch, with `date_key`
    (the month's first day) and `nights` in that month. Rows with no nights go."""
    spans = frame.filter(pl.col(first).is_not_null() & (pl.col(last) >= pl.col(first)))
    months = spans.with_columns(
        pl.date_ranges(
            pl.col(first).dt.month_start(), pl.col(last).dt.month_start(), interval="1mo"
        ).alias("month")
    ).explode("month")
    nights = (
        pl.min_horizontal(pl.col(last), pl.col("month").dt.month_end())
        - pl.max_horizontal(pl.col(first), pl.col("month"))
    ).dt.total_days() + 1
    return months.with_columns(
        _date_key(pl.col("month")).alias("date_key"), nights.cast(pl.Int64).alias("nights")
    ).drop("month")


class StarSchema:
    """The star schema of some LAs' current data in a hub."""

    def __init__(
        self,
        hub: Hub,
        la_codes: list[str] | None = None,
        current: dict[str, pl.DataFrame] | None = None,
    ) -> None:
        """`current`: the current tables as current_tables() gives them, when the caller
        has them already (an export writes both)."""
        self.hub = hub
        self.la_codes = la_codes
        self.current = current if current is not None else current_tables(hub, la_codes)
        self.providers = self.current["providers"]
        self.placements = self.current["placements"].with_columns(
            _namespaced("placement_id", "placement_key"),
            _namespaced("child_id", "child_key"),
            # The last bed night: the night before the end date, or the end of the
            # period of the submission that holds the placement while it is open.
            pl.coalesce(pl.col("end_date") - _DAY, pl.col("period_end")).alias("last_night"),
        )

    def tables(self) -> dict[str, pl.DataFrame]:
        facts = {
            "fact_placement_days": self.placement_days(),
            "fact_cost_days": self.cost_days(),
            "fact_searches": self.searches(),
        }
        keys = [frame.get_column("date_key") for frame in facts.values() if frame.height]
        return {
            "dim_la": self.las(),
            "dim_provider": self.provider_dimension(),
            "dim_setting": self.settings(),
            "dim_placement_type": self.placement_types(),
            "dim_date": dates(pl.concat(keys) if keys else pl.Series([], dtype=pl.Int32)),
            **facts,
        }

    def placement_days(self) -> pl.DataFrame:
        columns = [
            "la_code",
            "placement_key",
            "child_key",
            "provider_key",
            "setting_key",
            "placement_type",
            "place_code",
        ]
        # The months are worked out on each placement's row number (in the fact's order)
        # and the text columns joined on once, in order, rather than carried through.
        spans = (
            self.placements.select(*columns, "start_date", "last_night")
            .sort("la_code", "placement_key")
            .with_row_index("placement_row")
        )
        rows = by_month(
            spans.select("placement_row", "start_date", "last_night"), "start_date", "last_night"
        ).sort("placement_row", "date_key")
        return rows.join(
            spans.select("placement_row", *columns), on="placement_row", maintain_order="left"
        ).select(*columns, "date_key", pl.col("nights").alias("bed_nights"))

    def cost_days(self) -> pl.DataFrame:
        # The nights are worked out on small integer keys (a placement's row, Actual or
        # not) and the text columns joined on at the end: repeating five text columns
        # for every month of every cost period took 4 GB for a national hub.
        # Rows numbered in the order the fact is sorted in, so that sorting the fact is
        # sorting integers.
        spans = (
            self.placements.select(
                "la_code",
                "placement_key",
                "provider_key",
                "placement_type",
                "start_date",
                "last_night",
            )
            .sort("la_code", "placement_key")
            .with_row_index("placement_row")
        )
        costs = self.current["costs"].select(
            _namespaced("placement_id", "placement_key"),
            (pl.col("cost_basis") == "Actual").alias("actual"),
            "cost_start_date",
            "cost_end_date",
            "period_end",
            "total_weekly_cost",
        )
        # Each cost period's nights within its placement's nights.
        windows = costs.join(
            spans.select("placement_key", "placement_row", "start_date", "last_night"),
            on="placement_key",
        ).select(
            "placement_row",
            "actual",
            pl.max_horizontal("cost_start_date", "start_date").alias("first"),
            pl.min_horizontal(
                pl.coalesce("cost_end_date", "period_end"), pl.col("last_night")
            ).alias("last"),
            (pl.col("total_weekly_cost").cast(pl.Float64) / 7).alias("nightly"),
        )
        keep = ["placement_row", "actual"]
        actual = windows.filter(pl.col("actual"))
        # Agreed nights that an Actual cost period also covers are not spend at the agreed
        # price: take them away, month by month.
        overlap = (
            windows.filter(~pl.col("actual"))
            .join(
                actual.select(
                    "placement_row", pl.col("first").alias("a"), pl.col("last").alias("b")
                ),
                on="placement_row",
            )
            .with_columns(
                pl.max_horizontal("first", "a").alias("first"),
                pl.min_horizontal("last", "b").alias("last"),
            )
        )
        counted = pl.concat(
            [
                by_month(windows, "first", "last").select(*keep, "date_key", "nights", "nightly"),
                by_month(overlap, "first", "last")
                .with_columns(-pl.col("nights"))
                .select(*keep, "date_key", "nights", "nightly"),
            ]
        )
        # One integer per (placement, month, basis), in the fact's order: grouping and
        # sorting 8 million rows on one key rather than three halves the time.
        basis = (
            pl.when(pl.col("actual")).then(1).when(~pl.col("actual")).then(2).otherwise(0)
        )  # a blank basis first, then Actual, then Agreed: as sorting the names would
        month = (pl.col("date_key") // 10000) * 12 + (pl.col("date_key") // 100 % 100)
        key = (pl.col("placement_row").cast(pl.UInt64) * 2**18 + month * 4 + basis).alias("key")
        nights = (
            counted.group_by(key)
            .agg(
                pl.col("nights").sum().alias("costed_nights"),
                (pl.col("nights") * pl.col("nightly")).sum().alias("spend"),
                pl.col("placement_row").first(),
                pl.col("actual").first(),
                pl.col("date_key").first(),
            )
            .filter(pl.col("costed_nights") > 0)
            .sort("key")
        )
        return nights.join(
            spans.drop("start_date", "last_night"), on="placement_row", maintain_order="left"
        ).select(
            "la_code",
            "placement_key",
            "provider_key",
            "placement_type",
            # A blank basis (allowed before 0.3.0) stays blank: counted, never taken away.
            pl.when(pl.col("actual"))
            .then(pl.lit("Actual"))
            .when(~pl.col("actual"))
            .then(pl.lit("Agreed"))
            .alias("cost_basis"),
            "date_key",
            "costed_nights",
            pl.col("spend").round(2).cast(MONEY_TYPE),
        )

    def searches(self) -> pl.DataFrame:
        referrals = self.current["referrals"]
        placed = (
            self.placements.filter(pl.col("referral_id").is_not_null())
            .sort("start_date")
            .group_by("la_code", "referral_id")
            .agg(
                pl.col("placement_type").first().alias("placed_type"),
                pl.col("start_date").first().alias("placed_on"),
            )
        )
        return (
            referrals.join(placed, on=["la_code", "referral_id"], how="left")
            .with_columns(
                _namespaced("referral_id", "referral_key"),
                _namespaced("child_id", "child_key"),
                _date_key(pl.col("referral_date")).alias("date_key"),
                (pl.col("needed_by_date") - pl.col("referral_date"))
                .dt.total_days()
                .alias("notice_days"),
            )
            .select(
                "la_code",
                "referral_key",
                "child_key",
                "date_key",
                "referral_date",
                "needed_by_date",
                "notice_days",
                "urgency",
                "planned_or_emergency",
                "foster_care_suitability",
                "residential_care_suitability",
                "supported_accommodation_suitability",
                "siblings_to_place_with",
                "outcome",
                "no_home_reason",
                "providers_approached",
                "offers_received",
                "placed_type",
                "placed_on",
            )
            .sort("la_code", "referral_key")
        )

    def las(self) -> pl.DataFrame:
        register = self.hub.submissions().filter(pl.col("state") == "current")
        if self.la_codes is not None:
            register = register.filter(pl.col("la_code").is_in(self.la_codes))
        config = self.hub.config
        return (
            register.group_by("la_code")
            .agg(
                pl.col("period_start").min().alias("first_period_start"),
                pl.col("period_end").max().alias("last_period_end"),
                pl.len().alias("current_submissions"),
            )
            .with_columns(
                pl.col("la_code")
                .map_elements(config.la_name, return_dtype=pl.String)
                .alias("la_name"),
                pl.lit(config.region, pl.String).alias("region"),
            )
            .select(
                "la_code",
                "la_name",
                "region",
                "first_period_start",
                "last_period_end",
                "current_submissions",
            )
            .sort("la_code")
        )

    def provider_dimension(self) -> pl.DataFrame:
        """One row per merged provider: the latest period's details, and how many LAs
        and which local references it goes by."""
        latest = self.providers.sort("period_end", "la_code", descending=[True, False])
        return (
            latest.group_by("provider_key", maintain_order=True)
            .agg(
                pl.col("provider_name").drop_nulls().first(),
                pl.col("ownership").drop_nulls().first(),
                pl.col("private_equity_backed").drop_nulls().first(),
                pl.col("ofsted_provider_urn").drop_nulls().first(),
                pl.col("company_number").drop_nulls().first(),
                pl.col("charity_number").drop_nulls().first(),
                pl.col("la_code").n_unique().alias("las_using"),
                pl.concat_str("la_code", pl.lit("/"), "provider_id")
                .unique()
                .sort()
                .str.join("; ")
                .alias("local_references"),
            )
            .sort("provider_key")
        )

    def settings(self) -> pl.DataFrame:
        settings = self.current["settings"].sort("period_end", "la_code", descending=[True, False])
        # The standard's fields of a setting, its provider as the merged key.
        columns = [
            "provider_key" if field.name == "provider_id" else field.name
            for field in self.hub.standard.table("settings").fields
        ]
        return (
            settings.group_by("setting_key", maintain_order=True)
            .agg(*(pl.col(c).drop_nulls().first() for c in columns))
            .sort("setting_key")
        )

    def placement_types(self) -> pl.DataFrame:
        field = self.hub.standard.table("placements").field("placement_type")
        assert field.code_list is not None
        return pl.DataFrame(
            {
                "placement_type": [v.value for v in field.code_list.values],
                "title": [v.title for v in field.code_list.values],
                "description": [v.description for v in field.code_list.values],
                "sort_order": list(range(1, len(field.code_list.values) + 1)),
            }
        )


def dates(date_keys: pl.Series) -> pl.DataFrame:
    """Every day from the first month to the last that the facts touch."""
    schema = {
        "date_key": pl.Int32,
        "date": pl.Date,
        "year": pl.Int32,
        "month": pl.Int8,
        "month_name": pl.String,
        "quarter": pl.Int8,
        "financial_year": pl.String,
        "month_start_key": pl.Int32,
    }
    if date_keys.is_empty():
        return pl.DataFrame(schema=schema)
    as_dates = date_keys.cast(pl.String).str.to_date("%Y%m%d")
    last = as_dates.dt.month_end().max()
    span = pl.date_range(as_dates.min().replace(day=1), last, interval="1d", eager=True)
    frame = pl.DataFrame({"date": span})
    first_year = (
        pl.when(pl.col("date").dt.month() >= 4)
        .then(pl.col("date").dt.year())
        .otherwise(pl.col("date").dt.year() - 1)
    )
    return frame.select(
        _date_key(pl.col("date")).alias("date_key"),
        "date",
        pl.col("date").dt.year().cast(pl.Int32).alias("year"),
        pl.col("date").dt.month().cast(pl.Int8).alias("month"),
        pl.col("date").dt.strftime("%B").alias("month_name"),
        pl.col("date").dt.quarter().cast(pl.Int8).alias("quarter"),
        pl.concat_str(
            first_year.cast(pl.String),
            pl.lit("-"),
            ((first_year + 1) % 100).cast(pl.String).str.zfill(2),
        ).alias("financial_year"),
        _date_key(pl.col("date").dt.month_start()).alias("month_start_key"),
    )


def current_tables(hub: Hub, la_codes: list[str] | None = None) -> dict[str, pl.DataFrame]:
    """The current tables as the region reads them: every table of the standard, with
    provenance, and the merged keys of providers and settings where they appear."""
    found = {name: hub.current(name, la_codes) for name in hub.tables}
    keys = provider_keys(found["providers"])
    for name in ("providers", "settings", "placements", "fostering_capacity"):
        found[name] = found[name].join(keys, on=["la_code", "provider_id"], how="left")
    for name in ("settings", "placements"):
        found[name] = found[name].with_columns(setting_key())
    return found


__all__ = ["StarSchema", "by_month", "current_tables", "dates"]
