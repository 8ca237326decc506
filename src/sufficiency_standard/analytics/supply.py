"""Supply: the homes and places in the region's area over time, who fills them (the LA
whose area it is, or another LA of the region), the homes that closed, and the foster
places approved, filled and vacant.

The hub knows only the settings some LA of the region listed (homes it placed a child
in), not every home Ofsted registers: the counts are of homes the region uses.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sufficiency_standard.analytics.inputs import RegionData, financial_year, financial_year_label
from sufficiency_standard.analytics.regional import label_las, percent, window
from sufficiency_standard.analytics.tables import SUPPRESSED, Chart, Section, Table, finish

AGENCY = "Independent fostering agency"  # a setting with no places of its own
CLOSED = "CLOSE"  # SSDA903 reason: the placement ended because the home closed
OWN = "own LA"
OTHER = "other LA of the region"


def section(data: RegionData) -> Section:
    """The supply section: homes and places over time, occupancy by own and other LAs'
    children, closures, and fostering capacity."""
    homes = _homes_by_month(data)
    by_la = _homes_by_la(data)
    occupancy = _occupancy(data)
    closures = _closures(data)
    fostering = _fostering(data)
    first, last = window(data)
    return Section(
        key="supply",
        title="Supply: the homes in the region",
        introduction=(
            "The children's homes, secure homes, residential schools and supported "
            "accommodation in the region's own area that its LAs have used, from "
            f"{first:%B %Y} to {last:%B %Y}: how many there were, with how many places, "
            "which LA's children lived in them, which closed, and the foster places the "
            "LAs' own fostering services and their main agencies had."
        ),
        tables=[
            homes,
            by_la,
            occupancy,
            _occupancy_by_month(data),
            closures,
            _closure_moves(data),
            fostering,
        ],
        findings=_findings(data, homes, occupancy, closures, fostering),
    )


# -- homes ---------------------------------------------------------------------------


def region_homes(data: RegionData) -> pl.DataFrame:
    """Settings in the area of one of the report's LAs, fostering agencies left out (their
    places are in the fostering capacity table)."""
    return data.star["dim_setting"].filter(
        pl.col("host_la_code").is_in(data.las) & (pl.col("setting_type") != AGENCY)
    )


def open_on(day: pl.Expr) -> pl.Expr:
    """A setting is open on a day if registered by it and not closed by it."""
    return (pl.col("registration_date").is_null() | (pl.col("registration_date") <= day)) & (
        pl.col("closure_date").is_null() | (pl.col("closure_date") > day)
    )


def _month_ends(data: RegionData) -> pl.Series:
    first, last = window(data)
    ends = pl.date_range(first, last, "1mo", eager=True).dt.month_end()
    return ends.filter(ends <= last).alias("date")


def _homes_by_month(data: RegionData) -> Table:
    homes = region_homes(data)
    frame = (
        pl.DataFrame(_month_ends(data))
        .join(homes, how="cross")
        .filter(open_on(pl.col("date")))
        .group_by("date", "setting_type")
        .agg(pl.len().alias("homes"), pl.col("registered_places").sum().alias("places"))
        .sort("date", "setting_type")
    )
    return Table(
        name="homes",
        answers=("SE-12", "SOM-24"),
        title="Homes and places in the region's area, month by month",
        description="Homes in the area of the region's LAs that the LAs used, open at the end "
        "of each month, and their registered places.",
        frame=frame.with_columns(pl.lit(False).alias(SUPPRESSED)),
        chart=Chart(kind="line", x="date", y="places", series="setting_type", y_label="Places"),
        notes=[
            "Open: registered on or before the day and not closed by it (registration and "
            "closure dates from the settings table, the latest submission's copy).",
            "Places are the registered places the latest submission gives: the standard "
            "keeps no history of a home's places, so a change of registration shows in "
            "every month.",
            "Only homes some LA of the region listed (used) are known; independent fostering "
            "agencies are left out (see fostering_capacity).",
            "Homes are public registrations, not people: they are not suppressed.",
        ],
    )


def _homes_by_la(data: RegionData) -> Table:
    first, last = window(data)
    homes = region_homes(data)
    frame = (
        homes.group_by(pl.col("host_la_code").alias("la_code"), "setting_type")
        .agg(
            open_on(pl.lit(last)).sum().alias("homes"),
            pl.col("registered_places").filter(open_on(pl.lit(last))).sum().alias("places"),
            pl.col("registration_date").is_between(first, last).sum().alias("opened"),
            pl.col("closure_date").is_between(first, last).sum().alias("closed"),
        )
        .sort("la_code", "setting_type")
    )
    return Table(
        name="homes_by_la",
        answers=("SE-12", "SOM-20", "SOM-24"),
        title="Homes and places in each LA's area on the report's date",
        description="Homes open on the report's date in each LA's area, with those that "
        "opened and closed in the report's window.",
        frame=label_las(frame, data).with_columns(pl.lit(False).alias(SUPPRESSED)),
        chart=Chart(kind="bar", x="la_code", y="places", series="setting_type", stacked=True),
        notes=[f"Window: {first:%d %b %Y} to {last:%d %b %Y}."],
    )


# -- occupancy -----------------------------------------------------------------------


def _placed_in_region(data: RegionData) -> pl.DataFrame:
    """Placements in the region's homes, marked own (the home is in the placing LA's area)
    or other (another of the report's LAs placed the child there)."""
    homes = region_homes(data).select(
        "setting_key", pl.col("host_la_code").alias("home_la"), "setting_type"
    )
    return data.placements.join(homes, on="setting_key").with_columns(
        pl.when(pl.col("la_code") == pl.col("home_la"))
        .then(pl.lit(OWN))
        .otherwise(pl.lit(OTHER))
        .alias("placed_by")
    )


def _occupancy(data: RegionData) -> Table:
    first, last = window(data)
    year_start = max(first, _year_before(last))
    day = pl.lit(last)
    homes = region_homes(data).filter(open_on(day))
    capacity = homes.group_by(pl.col("host_la_code").alias("la_code"), "setting_type").agg(
        pl.len().alias("homes"), pl.col("registered_places").sum().alias("places")
    )
    placed = _placed_in_region(data)
    living = placed.filter((pl.col("start_date") <= day) & (pl.col("last_night") >= day))
    nights = pl.min_horizontal("last_night", day) - pl.max_horizontal(
        "start_date", pl.lit(year_start)
    )
    in_year = placed.with_columns((nights.dt.total_days() + 1).clip(lower_bound=0).alias("nights"))
    children = living.group_by(pl.col("home_la").alias("la_code"), "setting_type").agg(
        (pl.col("placed_by") == OWN).sum().alias("own_children"),
        (pl.col("placed_by") == OTHER).sum().alias("other_la_children"),
    )
    bed_nights = in_year.group_by(pl.col("home_la").alias("la_code"), "setting_type").agg(
        pl.col("nights").filter(pl.col("placed_by") == OWN).sum().alias("own_bed_nights"),
        pl.col("nights").filter(pl.col("placed_by") == OTHER).sum().alias("other_bed_nights"),
    )
    days = (last - year_start).days + 1
    frame = (
        capacity.join(children, on=["la_code", "setting_type"], how="full", coalesce=True)
        .join(bed_nights, on=["la_code", "setting_type"], how="left")
        .with_columns(
            pl.col("homes", "places", "own_children", "other_la_children").fill_null(0),
            pl.col("own_bed_nights", "other_bed_nights").fill_null(0),
        )
        .with_columns(
            pl.when(pl.col("places") > 0)
            .then((pl.col("own_children") + pl.col("other_la_children")) / pl.col("places"))
            .alias("region_share_of_places"),
            pl.when(pl.col("own_children") + pl.col("other_la_children") > 0)
            .then(pl.col("own_children") / (pl.col("own_children") + pl.col("other_la_children")))
            .alias("own_share_of_region_children"),
            pl.when(pl.col("places") > 0)
            .then(
                (pl.col("own_bed_nights") + pl.col("other_bed_nights")) / (pl.col("places") * days)
            )
            .alias("region_occupancy_year"),
        )
        .sort("la_code", "setting_type")
    )
    table = Table(
        name="occupancy",
        answers=("SOM-18", "SOM-21", "UC-08"),
        title="Who lives in the homes in each LA's area",
        description="Children living in the region's homes on the report's date, placed by "
        "the LA whose area it is or by another LA of the region, and the year's bed nights.",
        frame=label_las(frame, data),
        counts=("own_children", "other_la_children"),
        derived=(
            "own_bed_nights",
            "other_bed_nights",
            "region_share_of_places",
            "own_share_of_region_children",
            "region_occupancy_year",
        ),
        chart=Chart(
            kind="bar",
            x="la_code",
            y="own_share_of_region_children",
            series="setting_type",
            y_label="Share of the region's children placed by the home's own LA",
        ),
        notes=[
            "A child lives in a home on the report's date if their placement started by then "
            "and its last night is on or after it. Own: the home's host LA (settings table) is "
            "the placing LA. Other: another LA of this report placed the child there; children "
            "of LAs outside the region are not seen.",
            "region_share_of_places: children of the region's LAs / registered places, on the "
            "date. region_occupancy_year: the region's bed nights in the 365 days to the "
            f"report's date ({year_start:%d %b %Y} on) / (places x days); places are today's.",
        ],
    )
    return finish(table, data.threshold)


def _occupancy_by_month(data: RegionData) -> Table:
    nights = data.star["fact_placement_days"].join(
        region_homes(data).select("setting_key", pl.col("host_la_code").alias("home_la")),
        on="setting_key",
    )
    frame = (
        nights.with_columns(
            pl.col("date_key").cast(pl.String).str.to_date("%Y%m%d").alias("month"),
            pl.when(pl.col("la_code") == pl.col("home_la"))
            .then(pl.lit(OWN))
            .otherwise(pl.lit(OTHER))
            .alias("placed_by"),
        )
        .filter(pl.col("month").is_between(*window(data)))
        .group_by("month", "placed_by")
        .agg(
            pl.col("child_key").n_unique().alias("children"),
            pl.col("bed_nights").sum(),
        )
        .sort("month", "placed_by")
    )
    table = Table(
        name="occupancy_by_month",
        answers=("SOM-18", "UC-08"),
        title="Bed nights in the region's homes, by own and other LAs' children",
        description="Each month's bed nights in homes in the region's area, split by whether "
        "the placing LA is the home's own LA.",
        frame=frame,
        counts=("children",),
        derived=("bed_nights",),
        chart=Chart(
            kind="line", x="month", y="bed_nights", series="placed_by", y_label="Bed nights"
        ),
        notes=["Children: the children with a bed night in the month (counted once each)."],
    )
    return finish(table, data.threshold)


# -- closures ------------------------------------------------------------------------


def _closures(data: RegionData) -> Table:
    first, last = window(data)
    homes = region_homes(data)
    opened = homes.filter(pl.col("registration_date").is_between(first, last)).select(
        financial_year(pl.col("registration_date")).alias("year"),
        "setting_type",
        pl.lit(1).alias("opened"),
        pl.col("registered_places").alias("places_opened"),
    )
    closed = homes.filter(pl.col("closure_date").is_between(first, last)).select(
        financial_year(pl.col("closure_date")).alias("year"),
        "setting_type",
        pl.lit(1).alias("closed"),
        pl.col("registered_places").alias("places_closed"),
    )
    frame = (
        pl.concat([opened, closed], how="diagonal")
        .group_by("year", "setting_type")
        .agg(pl.col("opened", "places_opened", "closed", "places_closed").sum())
        .sort("year", "setting_type")
        .with_columns(pl.col("year").map_elements(financial_year_label, return_dtype=pl.String))
    )
    return Table(
        name="closures",
        answers=("SOM-19", "SOM-24"),
        title="Homes that opened and closed in the region's area",
        description="Homes in the region's area (used by its LAs) registered or closed in each "
        "financial year of the window.",
        frame=frame.with_columns(pl.lit(False).alias(SUPPRESSED)),
        chart=Chart(kind="bar", x="year", y="closed", series="setting_type", stacked=True),
        notes=["From the settings' registration and closure dates; places as last registered."],
    )


def _closure_moves(data: RegionData) -> Table:
    first, last = window(data)
    ended = data.placements.filter(
        (pl.col("end_reason") == CLOSED) & pl.col("end_date").is_between(first, last)
    )
    frame = (
        ended.with_columns(financial_year(pl.col("end_date")).alias("year"))
        .group_by("la_code", "year")
        .agg(pl.len().alias("placements"), pl.col("child_key").n_unique().alias("children"))
        .sort("la_code", "year")
        .with_columns(pl.col("year").map_elements(financial_year_label, return_dtype=pl.String))
    )
    table = Table(
        name="closure_moves",
        answers=("SOM-19",),
        title="Children who had to move because their home closed",
        description="Placements that ended because the home closed (SSDA903 reason CLOSE), by "
        "placing LA and financial year; homes anywhere, not only in the region.",
        frame=label_las(frame, data),
        counts=("placements", "children"),
        notes=["End reason CLOSE: the placement ended because the provision closed."],
    )
    return finish(table, data.threshold)


# -- fostering capacity ----------------------------------------------------------------


def _fostering(data: RegionData) -> Table:
    capacity = data.current["fostering_capacity"]
    providers = data.star["dim_provider"].select("provider_key", "provider_name", "ownership")
    # An agency's figures are its own (the same in every LA that sends them): one row
    # per provider and date, the latest submission's.
    latest = (
        capacity.sort("period_end", "submission_id")
        .unique(["provider_key", "capacity_date"], keep="last")
        .join(providers, on="provider_key", how="left")
    )
    frame = (
        latest.select(
            "capacity_date",
            "provider_key",
            "provider_name",
            pl.when(pl.col("ownership") == "Local authority")
            .then(pl.lit("LA fostering service"))
            .otherwise(pl.lit("Agency"))
            .alias("service"),
            "approved_households",
            "approved_places",
            "filled_places",
            "vacant_places",
            "unavailable_places",
        )
        .with_columns(
            pl.when(pl.col("approved_places") > 0)
            .then(pl.col("vacant_places") / pl.col("approved_places"))
            .alias("vacant_share"),
            pl.when(pl.col("approved_places") > 0)
            .then(pl.col("filled_places") / pl.col("approved_places"))
            .alias("filled_share"),
        )
        .sort("capacity_date", "service", "provider_name")
    )
    table = Table(
        name="fostering_capacity",
        answers=("SE-12",),
        title="Foster places approved, filled and vacant",
        description="Each fostering service's count of approved places on the dates the LAs "
        "sent: their own services and the agencies they used most.",
        frame=frame,
        counts=("filled_places",),
        derived=("vacant_share", "filled_share"),
        chart=Chart(
            kind="line",
            x="capacity_date",
            y="vacant_places",
            series="provider_name",
            y_label="Vacant places",
        ),
        notes=[
            "Vacant: approved places empty and able to take a child; unavailable: empty but "
            "not able to (carers on a break, under investigation, kept for a sibling).",
            "An agency counted by several LAs on the same date appears once (the latest "
            "submission's figures). A service with fewer filled places than the threshold "
            "is withheld.",
        ],
    )
    return finish(table, data.threshold)


# -- findings ------------------------------------------------------------------------


def _findings(
    data: RegionData, homes: Table, occupancy: Table, closures: Table, fostering: Table
) -> list[str]:
    found = []
    totals = homes.frame.group_by("date").agg(pl.col("homes", "places").sum()).sort("date")
    if totals.height:
        start, end = totals.row(0, named=True), totals.row(-1, named=True)
        found.append(
            f"The region's area had {end['homes']} homes the LAs used, with {end['places']} "
            f"places, on {end['date']:%d %B %Y}, against {start['homes']} homes and "
            f"{start['places']} places on {start['date']:%d %B %Y}."
        )
    closed = closures.frame.get_column("closed").sum()
    if closed:
        found.append(
            f"{closed} of those homes closed in the window, taking "
            f"{closures.frame.get_column('places_closed').sum()} places with them."
        )
    shown = occupancy.frame.filter(~pl.col(SUPPRESSED))
    if shown.height and not occupancy.frame.get_column(SUPPRESSED).any():
        own = shown.get_column("own_children").sum()
        other = shown.get_column("other_la_children").sum()
        if own + other:
            found.append(
                f"Of the region's children living in homes in the region's area on "
                f"{data.as_of:%d %B %Y}, {percent(own / (own + other))} were placed by the "
                "LA whose area the home is in."
            )
    services = fostering.frame.filter(
        (pl.col("service") == "LA fostering service") & pl.col("vacant_share").is_not_null()
    )
    if services.height:
        last = services.get_column("capacity_date").max()
        on_day = services.filter(pl.col("capacity_date") == last)
        share = (
            on_day.get_column("vacant_places").sum() / on_day.get_column("approved_places").sum()
        )
        found.append(
            f"On {last:%d %B %Y} the LAs' own fostering services had {percent(share)} of their "
            "approved places vacant."
        )
    return found


def _year_before(day: dt.date) -> dt.date:
    """The first of the 365 days that end on `day`."""
    return day - dt.timedelta(days=364)


__all__ = ["open_on", "region_homes", "section"]
