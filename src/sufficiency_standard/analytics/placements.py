"""Placements: how far from home children are placed, whether brothers and sisters stay
together, whether they got the type of home the search preferred, whether the home was
registered, and how often they move (the South West's problem statement in numbers).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sufficiency_standard.analytics.inputs import RegionData, financial_year_label
from sufficiency_standard.analytics.regional import (
    REGION,
    finish_with_region,
    label_las,
    percent,
    region_rows,
    window,
    with_region,
)
from sufficiency_standard.analytics.tables import Chart, Section, Table, finish

RESIDENTIAL = "Residential"
NOT_AVAILABLE = "Preferred type not available"
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")  # SSDA903 temporary moves: not a new home
# PLACE codes of homes that must be registered with a regulator: secure and other
# children's homes, registered supported accommodation, residential schools. (H5, the
# supported accommodation of the years before registration, is not among them.)
MUST_BE_REGISTERED = ("K1", "K2", "K3", "S1")
SUPPORTED_CODES = ("H5", "K3", "P2")  # supported or independent living: never for under-16s


def section(data: RegionData) -> Section:
    """The placements section: distance, siblings, type mismatch, unregistered settings
    and stability."""
    started = started_in_window(data)
    distance = _distance(started, data)
    siblings = _siblings(started, data)
    mismatch = _type_mismatch(started, data)
    unregistered = _unregistered(data)
    stability = _stability(data)
    first, last = window(data)
    return Section(
        key="placements",
        title="Placements: where children live, with whom, and how often they move",
        introduction=(
            f"The placements that started from {first:%d %B %Y} to {last:%d %B %Y}: how far "
            "from their family's home children were placed and whether outside their own "
            "LA, whether brothers and sisters who should live together did, and how often a "
            "child who was to be fostered went to a children's home instead. Then the homes "
            "with no registration, and how often children moved home each year."
        ),
        tables=[distance, siblings, mismatch, unregistered, stability],
        findings=_findings(distance, siblings, mismatch, unregistered, stability),
    )


def started_in_window(data: RegionData) -> pl.DataFrame:
    """Placements that started in the report's window, with the search that found each
    (its suitabilities and siblings to place with) beside them."""
    first, last = window(data)
    referrals = data.current["referrals"].select(
        "la_code",
        "referral_id",
        "foster_care_suitability",
        "siblings_to_place_with",
    )
    return (
        data.placements.filter(pl.col("start_date").is_between(first, last))
        .join(referrals, on=["la_code", "referral_id"], how="left")
        .with_columns(pl.col("la_code").alias("placing_la"))
    )


# -- distance ------------------------------------------------------------------------


def _distance(started: pl.DataFrame, data: RegionData) -> Table:
    miles = pl.col("distance_miles").cast(pl.Float64)
    known_host = pl.col("host_la_code").is_not_null()
    frame = (
        with_region(started)
        .group_by("la_code", "placement_type")
        .agg(
            pl.len().alias("placements"),
            miles.is_not_null().sum().alias("with_distance"),
            miles.mean().round(1).alias("mean_miles"),
            miles.median().alias("median_miles"),
            _share(pl.col("host_la_code") != pl.col("placing_la"), known_host).alias(
                "out_of_area_share"
            ),
            _share(miles > 20, miles.is_not_null()).alias("over_20_miles_share"),
            _share(miles > 50, miles.is_not_null()).alias("over_50_miles_share"),
        )
        .sort("la_code", "placement_type")
    )
    table = Table(
        name="distance",
        answers=("SW-04", "SE-06", "SE-11", "SOM-22"),
        title="How far from home: distance and placements outside the LA",
        description="Placements that started in the report's window, by placing LA and type "
        "of home: miles from the family's home and the share outside the LA's own area.",
        frame=label_las(frame, data),
        counts=("placements", "with_distance"),
        derived=(
            "mean_miles",
            "median_miles",
            "out_of_area_share",
            "over_20_miles_share",
            "over_50_miles_share",
        ),
        chart=Chart(
            kind="bar",
            x="placement_type",
            y="over_20_miles_share",
            series="la_code",
            y_label="Share placed more than 20 miles from home",
        ),
        notes=[
            "Placements that started in the window (not those open at its start that began "
            "earlier), so the table shows where homes are found now.",
            "Distance: the standard's distance_miles, straight line between the postcode "
            "districts of the family's home and the placement. Shares of miles are of "
            "placements that give a distance; mean and median likewise.",
            "Out of area: the placement's host LA is not the placing LA, of placements that "
            "give a host LA.",
        ],
    )
    return finish_with_region(table, data.threshold, ("placement_type",))


def _share(condition: pl.Expr, of: pl.Expr) -> pl.Expr:
    """The share of rows meeting `of` that also meet `condition` (empty if none do)."""
    denominator = of.sum()
    return pl.when(denominator > 0).then((condition & of).sum() / denominator)


# -- siblings ------------------------------------------------------------------------


def _siblings(started: pl.DataFrame, data: RegionData) -> Table:
    wanted = pl.col("siblings_to_place_with")
    together = pl.col("siblings_placed_together").fill_null(0)
    group = pl.when(wanted >= 3).then(pl.lit("3+")).otherwise(wanted.cast(pl.String))
    frame = (
        with_region(started.filter(pl.col("referral_id").is_not_null() & (wanted > 0)))
        .group_by("la_code", group.alias("siblings_to_place_with"))
        .agg(
            pl.len().alias("children"),
            (together >= wanted).sum().alias("with_all"),
            ((together > 0) & (together < wanted)).sum().alias("with_some"),
            (together == 0).sum().alias("apart"),
        )
        .with_columns((pl.col("apart") / pl.col("children")).alias("apart_share"))
        .sort("la_code", "siblings_to_place_with")
    )
    table = Table(
        name="siblings",
        answers=("UC-11", "SW-04"),
        title="Brothers and sisters placed together or apart",
        description="Children whose search said they should live with siblings, by how many, "
        "and how many siblings their home took with them.",
        frame=label_las(frame, data),
        counts=("children", "with_all", "with_some", "apart"),
        derived=("apart_share",),
        chart=Chart(
            kind="bar",
            x="siblings_to_place_with",
            y="apart_share",
            series="la_code",
            y_label="Share placed apart from all their siblings",
        ),
        notes=[
            "Each child counts once per placement that started in the window from a search "
            "(referral) with siblings_to_place_with above 0: a group of three siblings is "
            "three children. with_all: siblings_placed_together is at least "
            "siblings_to_place_with; apart: no sibling placed together.",
            "Placements with no search named (referral_id blank) are left out: the standard "
            "records the siblings to place with only on the search.",
        ],
    )
    return finish_with_region(table, data.threshold, ("siblings_to_place_with",))


# -- type sought against type got ------------------------------------------------------


def _type_mismatch(started: pl.DataFrame, data: RegionData) -> Table:
    foster_preferred = (pl.col("foster_care_suitability") == "Preferred").fill_null(False)
    lacking = foster_preferred & (pl.col("type_reason") == NOT_AVAILABLE).fill_null(False)
    frame = (
        with_region(started.filter(pl.col("placement_type") == RESIDENTIAL))
        .group_by("la_code")
        .agg(
            pl.len().alias("residential_placements"),
            pl.col("referral_id").is_not_null().sum().alias("with_search"),
            foster_preferred.sum().alias("fostering_preferred"),
            lacking.sum().alias("no_foster_home_available"),
        )
        .with_columns(
            (pl.col("fostering_preferred") / pl.col("residential_placements")).alias(
                "fostering_preferred_share"
            ),
            (pl.col("no_foster_home_available") / pl.col("residential_placements")).alias(
                "no_foster_home_share"
            ),
        )
        .sort("la_code")
    )
    table = Table(
        name="type_mismatch",
        answers=("SOM-23", "UC-09", "SW-04"),
        title="Children's home placements when foster care was preferred",
        description="Residential placements that started in the window whose search gave "
        "foster care as the preferred type.",
        frame=label_las(frame, data),
        counts=(
            "residential_placements",
            "with_search",
            "fostering_preferred",
            "no_foster_home_available",
        ),
        derived=("fostering_preferred_share", "no_foster_home_share"),
        chart=Chart(
            kind="bar",
            x="la_code",
            y="fostering_preferred_share",
            y_label="Share of residential placements where fostering was preferred",
        ),
        notes=[
            "Fostering preferred: the search that found the home (the placement's referral) "
            'gave foster_care_suitability "Preferred". This is the definition used: only '
            "the search says which type was preferred (the placement's type_preferred = No "
            "says only that it was not this one).",
            "no_foster_home_available: of those, the placement's type_reason is "
            f'"{NOT_AVAILABLE}" (placed in a children\'s home for lack of a foster home, '
            "the narrower reading; an emergency taking the first home available is not "
            "counted in it).",
            "Shares are of all residential placements (K2); placements with no search named "
            "count in the denominator and never as fostering preferred (with_search shows "
            "how many had one).",
        ],
    )
    return finish(table, data.threshold)


# -- registration ----------------------------------------------------------------------


def _unregistered(data: RegionData) -> Table:
    first, last = window(data)
    settings = data.star["dim_setting"].select(
        "setting_key", pl.col("registration_type").alias("setting_registration")
    )
    live = data.placements.filter(
        (pl.col("start_date") <= last) & (pl.col("last_night") >= first)
    ).join(settings, on="setting_key", how="left")
    needs_registration = pl.col("place_code").is_in(MUST_BE_REGISTERED)
    measures = {
        "In a setting registered with no regulator": pl.col("setting_registration")
        == "Unregistered",
        "Type that must be registered, registration not known": needs_registration
        & pl.col("setting_registration").is_null(),
        "Under 16 in supported or independent accommodation": pl.col("place_code").is_in(
            SUPPORTED_CODES
        )
        & (pl.col("age_at_start") < 16),
    }
    frame = (
        with_region(live)
        .group_by("la_code")
        .agg(
            pl.len().alias("all_placements"),
            *(cond.fill_null(False).sum().alias(name) for name, cond in measures.items()),
        )
        .unpivot(
            index=["la_code", "all_placements"],
            on=list(measures),
            variable_name="measure",
            value_name="placements",
        )
        .with_columns((pl.col("placements") / pl.col("all_placements")).alias("share"))
        .select("la_code", "measure", "placements", "share")
        .sort("la_code", "measure")
    )
    table = Table(
        name="unregistered",
        answers=("SE-10",),
        title="Placements in unregistered or unregulated settings",
        description="Placements live at any time in the window in a setting with no "
        "regulator, of a type that must be registered but with no known registration, or "
        "of an under-16 in supported or independent accommodation.",
        frame=label_las(frame, data),
        counts=("placements",),
        derived=("share",),
        notes=[
            'Registered with no regulator: the setting\'s registration_type is "Unregistered" '
            "in the settings table (latest copy).",
            "Registration not known: a placement with PLACE code K1, K2, K3 or S1 (homes that "
            "must be registered) whose setting is not in the settings table (no URN, or a URN "
            "no settings row lists). The standard cannot say whether such a home is "
            "registered. H5 (semi-independent accommodation before registration) is not "
            "counted.",
            "Under 16: PLACE code H5, K3 or P2 with the child under 16 at the start "
            "(supported accommodation is for 16- and 17-year-olds only).",
            "Share: of all the LA's placements live in the window.",
        ],
    )
    return finish_with_region(table, data.threshold, ("measure",))


# -- stability -------------------------------------------------------------------------


def _stability(data: RegionData) -> Table:
    first, last = window(data)
    homes = (
        data.placements.filter(~pl.col("place_code").is_in(TEMPORARY).fill_null(False))
        .sort("child_key", "start_date")
        .with_columns(
            # A move: the home began the day the child's previous home ended (or the next).
            (
                (pl.col("start_date") - pl.col("end_date").shift(1).over("child_key"))
                .dt.total_days()
                .is_between(0, 1)
            )
            .fill_null(False)
            .alias("is_move")
        )
    )
    rows = []
    for year in _whole_years(first, last):
        start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
        in_year = homes.filter((pl.col("start_date") <= end) & (pl.col("last_night") >= start))
        per_child = in_year.group_by("la_code", "child_key").agg(
            pl.len().alias("homes"),
            pl.col("is_move").filter(pl.col("start_date") >= start).sum().alias("moves"),
            (pl.col("last_night") >= end).any().alias("at_year_end"),
        )
        rows.append(per_child.with_columns(pl.lit(financial_year_label(year)).alias("year")))
    if rows:
        children = pl.concat(rows)
    else:
        schema = {"la_code": pl.String, "child_key": pl.String, "homes": pl.UInt32}
        schema |= {"moves": pl.UInt32, "at_year_end": pl.Boolean, "year": pl.String}
        children = pl.DataFrame(schema=schema)
    frame = (
        with_region(children)
        .group_by("la_code", "year")
        .agg(
            pl.col("at_year_end").sum().alias("children_at_year_end"),
            (pl.col("at_year_end") & (pl.col("homes") >= 3)).sum().alias("three_or_more"),
            pl.len().alias("children_in_year"),
            pl.col("moves").sum().alias("moves"),
        )
        .with_columns(
            pl.when(pl.col("children_at_year_end") > 0)
            .then(pl.col("three_or_more") / pl.col("children_at_year_end"))
            .alias("three_or_more_share"),
            (pl.col("moves") / pl.col("children_in_year")).alias("moves_per_child"),
        )
        .sort("la_code", "year")
    )
    table = Table(
        name="stability",
        answers=("SOM-13", "SE-07"),
        title="Placement stability: children with three or more homes in a year",
        description="Children in care on 31 March who lived in three or more homes during "
        "the financial year (the DfE's short-term stability measure), and moves per child.",
        frame=label_las(frame, data),
        counts=("children_at_year_end", "three_or_more", "children_in_year"),
        derived=("moves", "three_or_more_share", "moves_per_child"),
        chart=Chart(
            kind="line",
            x="year",
            y="three_or_more_share",
            series="la_code",
            y_label="Share with 3+ homes in the year",
        ),
        notes=[
            "Financial years wholly inside the window. In care on 31 March: a placement's last "
            "night is 31 March or later. Homes in the year: placements with a night in it, "
            "temporary moves (PLACE T0 to T4) left out; the DfE's measure also drops some "
            "changes of legal status, which the standard does not record.",
            "A move: a placement that started in the year on the day the child's previous "
            "placement ended (or the day after); moves_per_child is moves / children in care "
            "at any time in the year. A return to care after a gap is not a move.",
        ],
    )
    return finish_with_region(table, data.threshold, ("year",))


def _whole_years(first: dt.date, last: dt.date) -> list[int]:
    year = first.year if first.month >= 4 else first.year - 1
    if first > dt.date(year, 4, 1):
        year += 1
    years = []
    while dt.date(year + 1, 3, 31) <= last:
        years.append(year)
        year += 1
    return years


# -- findings ------------------------------------------------------------------------


def _findings(
    distance: Table, siblings: Table, mismatch: Table, unregistered: Table, stability: Table
) -> list[str]:
    found = []
    far = region_rows(distance.frame).filter(pl.col("placement_type") == RESIDENTIAL)
    if far.height and far.item(0, "over_20_miles_share") is not None:
        row = far.row(0, named=True)
        found.append(
            f"{percent(row['over_20_miles_share'])} of the region's new children's home "
            f"placements were more than 20 miles from the child's home, and "
            f"{percent(row['out_of_area_share'])} were outside the placing LA's area "
            f"(mean {row['mean_miles']:g} miles)."
        )
    foster = region_rows(distance.frame).filter(pl.col("placement_type") == "Foster")
    if foster.height and foster.item(0, "out_of_area_share") is not None:
        found.append(
            f"{percent(foster.item(0, 'out_of_area_share'))} of new foster placements were "
            "outside the placing LA's area."
        )
    apart = region_rows(siblings.frame).drop_nulls("children")
    if apart.height and not region_rows(siblings.frame).get_column("suppressed").any():
        children = apart.get_column("children").sum()
        share = apart.get_column("apart").sum() / children
        found.append(
            f"Of {children:,} children who were to live with brothers or sisters, "
            f"{percent(share)} were placed apart from all of them."
        )
    wrong = region_rows(mismatch.frame).drop_nulls("fostering_preferred_share")
    if wrong.height:
        row = wrong.row(0, named=True)
        found.append(
            f"{percent(row['fostering_preferred_share'])} of new children's home placements "
            "were of children whose search preferred foster care "
            f"({percent(row['no_foster_home_share'])} recorded as for lack of a foster home)."
        )
    none = region_rows(unregistered.frame).drop_nulls("placements")
    flagged = none.filter(pl.col("placements") > 0)
    if none.height == 3 and not flagged.height:
        found.append("No placement was recorded in an unregistered or unregulated setting.")
    for row in flagged.iter_rows(named=True):
        found.append(f"{row['measure']}: {row['placements']} placements.")
    stable = region_rows(stability.frame).drop_nulls("three_or_more_share")
    if stable.height:
        row = stable.sort("year").row(-1, named=True)
        found.append(
            f"In {row['year']}, {percent(row['three_or_more_share'])} of the region's children "
            "in care on 31 March had lived in three or more homes during the year "
            f"({row['moves_per_child']:.2f} moves per child in care)."
        )
    return found


__all__ = ["REGION", "section", "started_in_window"]
