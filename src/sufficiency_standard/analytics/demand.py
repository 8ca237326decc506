"""Demand: the searches for a home (referrals) the region's LAs made, what type of home
each sought, where, at what notice, and which found none (the demand side no statutory
return holds).

The type sought and planned-or-emergency, as defined at the end, are shared with the
placements section.
"""

from __future__ import annotations

import polars as pl

from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.analytics.regional import (
    finish_with_region,
    label_las,
    percent,
    region_rows,
    window,
    with_region,
)
from sufficiency_standard.analytics.tables import SUPPRESSED, Chart, Section, Table, finish

EMERGENCY_DAYS = 5  # the standard: an emergency search needs a home within 5 days
UNMET = "No suitable home found"
OFFER_BANDS = ("0", "1", "2", "3", "4+")


def section(data: RegionData) -> Section:
    """The demand section: searches by type sought, area and month; notice; unmet
    searches and their reasons; providers approached and offers received."""
    first, last = window(data)
    searches = searches_in_window(data)
    by_type = _by_type(searches, data)
    notice = _notice(searches, data)
    outcomes = _outcomes(searches, data)
    unmet = _unmet(searches, data)
    reasons = _reasons(searches, data)
    approaches = _approaches(searches, data)
    tables = [
        by_type,
        _by_month(searches, data),
        _by_area(searches, data),
        notice,
        outcomes,
        unmet,
        reasons,
        approaches,
        _offers(searches, data),
    ]
    return Section(
        key="demand",
        title="Demand: the homes searched for",
        introduction=(
            f"Every search for a home that the LAs' placements teams made from {first:%d %B %Y} "
            f"to {last:%d %B %Y}: the type of home the social worker preferred, where the "
            "child's family lives, how much notice the team had, how the search ended, and "
            "how many providers were asked. Searches that found no home show which provision "
            "is missing."
        ),
        tables=tables,
        findings=_findings(by_type, notice, outcomes, unmet, reasons, approaches),
    )


# -- the tables ----------------------------------------------------------------------


def _by_type(searches: pl.DataFrame, data: RegionData) -> Table:
    frame = (
        with_region(searches)
        .group_by("la_code", "type_sought")
        .agg(pl.len().alias("searches"))
        .with_columns(
            (pl.col("searches") / pl.col("searches").sum().over("la_code")).alias(
                "share_of_searches"
            )
        )
        .sort("la_code", "type_sought")
    )
    table = Table(
        name="searches_by_type",
        answers=("UC-01",),
        title="Searches by the type of home sought",
        description="Searches made in the report's window by each LA and the region, by the "
        "type of home the search preferred.",
        frame=label_las(frame, data),
        counts=("searches",),
        derived=("share_of_searches",),
        chart=Chart(
            kind="bar", x="type_sought", y="searches", series="la_code", y_label="Searches"
        ),
        notes=[TYPE_SOUGHT_NOTE, _window_note(data)],
    )
    return finish_with_region(table, data.threshold, ("type_sought",))


def _by_month(searches: pl.DataFrame, data: RegionData) -> Table:
    frame = (
        searches.group_by(pl.col("referral_date").dt.truncate("1mo").alias("month"), "type_sought")
        .agg(pl.len().alias("searches"))
        .sort("month", "type_sought")
    )
    table = Table(
        name="searches_by_month",
        answers=("UC-01", "UC-06"),
        title="Searches each month by the type of home sought",
        description="The region's searches by the month of the referral.",
        frame=frame,
        counts=("searches",),
        chart=Chart(kind="line", x="month", y="searches", series="type_sought", y_label="Searches"),
        notes=[TYPE_SOUGHT_NOTE, "A month is the month of the referral date."],
    )
    return finish(table, data.threshold)


def _by_area(searches: pl.DataFrame, data: RegionData) -> Table:
    frame = (
        searches.filter(pl.col("family_district").is_not_null())
        .group_by("la_code", "family_district", "type_sought")
        .agg(pl.len().alias("searches"))
        .sort("la_code", "family_district", "type_sought")
    )
    table = Table(
        name="searches_by_area",
        answers=("UC-02",),
        title="Searches by where the child's family lives",
        description="Searches by the postcode district of the child's primary family and the "
        "type of home sought.",
        frame=label_las(frame, data),
        counts=("searches",),
        notes=[
            "The district is the outward part of the family location (a postcode sector is cut "
            "to its district). Searches whose family location is blank (unknown or "
            "confidential) are left out.",
            TYPE_SOUGHT_NOTE,
        ],
    )
    return finish(table, data.threshold)


def _notice(searches: pl.DataFrame, data: RegionData) -> Table:
    placed = pl.col("placed_on").is_not_null() & pl.col("needed_by_date").is_not_null()
    frame = (
        with_region(searches)
        .group_by("la_code", "planned_or_emergency")
        .agg(
            pl.len().alias("searches"),
            pl.col("notice_days").is_not_null().sum().alias("searches_with_date"),
            pl.col("notice_days").median().alias("median_days"),
            pl.col("notice_days").mean().round(1).alias("mean_days"),
            pl.col("notice_days").quantile(0.9, "nearest").alias("p90_days"),
            (placed & (pl.col("placed_on") > pl.col("needed_by_date"))).sum().alias("late"),
            placed.sum().alias("placed_with_date"),
        )
        .with_columns(
            pl.when(pl.col("placed_with_date") > 0)
            .then(pl.col("late") / pl.col("placed_with_date"))
            .alias("started_late_share")
        )
        .drop("late", "placed_with_date")
        .sort("la_code", "planned_or_emergency")
    )
    table = Table(
        name="notice",
        answers=("UC-03",),
        title="Notice: days from referral to the date the home was needed by",
        description="How much notice the placements team had, by planned or emergency search.",
        frame=label_las(frame, data),
        counts=("searches", "searches_with_date"),
        derived=("median_days", "mean_days", "p90_days", "started_late_share"),
        chart=Chart(
            kind="bar",
            x="la_code",
            y="median_days",
            series="planned_or_emergency",
            y_label="Median days of notice",
        ),
        notes=[
            "Notice = needed-by date minus referral date, in days, for searches that give a "
            "needed-by date (an LA that holds only the urgency gives none: its searches count "
            "in `searches` but not in the medians).",
            "Planned or emergency is as the search recorded it; where it is blank it is "
            f"taken from the notice (emergency: {EMERGENCY_DAYS} days or fewer, the "
            "standard's rule) or the urgency.",
            "started_late_share: of the searches that found a home and give a needed-by date, "
            "the share whose placement started after that date.",
        ],
    )
    return finish_with_region(table, data.threshold, ("planned_or_emergency",))


def _outcomes(searches: pl.DataFrame, data: RegionData) -> Table:
    frame = (
        with_region(searches)
        .group_by("la_code", pl.col("outcome").fill_null("Not recorded"))
        .agg(pl.len().alias("searches"))
        .with_columns(
            (pl.col("searches") / pl.col("searches").sum().over("la_code")).alias("share")
        )
        .sort("la_code", "outcome")
    )
    table = Table(
        name="search_outcomes",
        answers=("UC-10",),
        title="How the searches ended",
        description="Searches by outcome, as the latest submission holding each one says.",
        frame=label_las(frame, data),
        counts=("searches",),
        derived=("share",),
        chart=Chart(kind="bar", x="la_code", y="share", series="outcome", stacked=True),
        notes=[
            "Ongoing: still open on the extract date of the latest submission that holds the "
            "search; its outcome arrives with the next submission.",
            _window_note(data),
        ],
    )
    return finish_with_region(table, data.threshold, ("outcome",))


def _unmet(searches: pl.DataFrame, data: RegionData) -> Table:
    unmet = pl.col("outcome") == UNMET
    frame = (
        with_region(searches)
        .group_by("la_code", "type_sought")
        .agg(
            pl.len().alias("searches"),
            unmet.sum().alias("unmet_searches"),
            (unmet & (pl.col("planned_or_emergency") == "Emergency")).sum().alias("emergency"),
            pl.col("notice_days").filter(unmet).median().alias("median_notice_days"),
            pl.col("no_home_reason")
            .filter(unmet)
            .drop_nulls()
            .mode()
            .sort()
            .first()
            .alias("most_common_reason"),
        )
        .with_columns(
            (pl.col("unmet_searches") / pl.col("searches")).alias("unmet_share"),
            pl.when(pl.col("unmet_searches") > 0)
            .then(pl.col("emergency") / pl.col("unmet_searches"))
            .alias("emergency_share"),
        )
        .drop("emergency")
        .sort("la_code", "type_sought")
    )
    table = Table(
        name="unmet",
        answers=("UC-10", "UC-04", "SW-01"),
        title="Searches that found no home: what provision is missing, where, at what notice",
        description="Searches that ended with no suitable home, by LA and the type of home "
        "sought, with the notice they gave and the commonest reason.",
        frame=label_las(frame, data),
        counts=("searches", "unmet_searches"),
        derived=("median_notice_days", "most_common_reason", "unmet_share", "emergency_share"),
        chart=Chart(
            kind="bar",
            x="type_sought",
            y="unmet_searches",
            series="la_code",
            y_label="Searches that found no home",
        ),
        notes=[
            f'Unmet: the search\'s outcome is "{UNMET}". Searches still ongoing are not '
            "counted as unmet (see search_outcomes).",
            "most_common_reason: the no-home reason given most often (ties: the first "
            "alphabetically).",
            TYPE_SOUGHT_NOTE,
        ],
    )
    return finish_with_region(table, data.threshold, ("type_sought",))


def _reasons(searches: pl.DataFrame, data: RegionData) -> Table:
    frame = (
        searches.filter(pl.col("outcome") == UNMET)
        .group_by("type_sought", pl.col("no_home_reason").fill_null("Not given"))
        .agg(pl.len().alias("unmet_searches"))
        .with_columns(
            (pl.col("unmet_searches") / pl.col("unmet_searches").sum().over("type_sought")).alias(
                "share_of_type"
            )
        )
        .sort("type_sought", "no_home_reason")
    )
    table = Table(
        name="unmet_reasons",
        answers=("UC-10",),
        title="Why searches found no home",
        description="The region's unmet searches by the type of home sought and the reason "
        "no home was found.",
        frame=frame,
        counts=("unmet_searches",),
        derived=("share_of_type",),
        chart=Chart(
            kind="bar",
            x="type_sought",
            y="unmet_searches",
            series="no_home_reason",
            stacked=True,
            y_label="Searches that found no home",
        ),
        notes=[TYPE_SOUGHT_NOTE, _window_note(data)],
    )
    return finish(table, data.threshold)


def _approaches(searches: pl.DataFrame, data: RegionData) -> Table:
    asked = pl.col("providers_approached")
    offers = pl.col("offers_received")
    frame = (
        searches.filter(pl.col("outcome").is_in(["Placed", UNMET]))
        .group_by("type_sought", "planned_or_emergency")
        .agg(
            pl.len().alias("searches"),
            asked.median().alias("median_providers_approached"),
            asked.quantile(0.25, "nearest").alias("p25_providers_approached"),
            asked.quantile(0.75, "nearest").alias("p75_providers_approached"),
            offers.median().alias("median_offers"),
            (offers == 0).sum().alias("no_offer"),
            offers.is_not_null().sum().alias("with_offers"),
        )
        .with_columns(
            pl.when(pl.col("with_offers") > 0)
            .then(pl.col("no_offer") / pl.col("with_offers"))
            .alias("no_offer_share")
        )
        .drop("no_offer", "with_offers")
        .sort("type_sought", "planned_or_emergency")
    )
    table = Table(
        name="approaches",
        answers=("UC-12",),
        title="How hard homes are to find: providers approached and offers received",
        description="Per search that ended (placed or no home found), how many providers were "
        "asked and how many offered a home.",
        frame=frame,
        counts=("searches",),
        derived=(
            "median_providers_approached",
            "p25_providers_approached",
            "p75_providers_approached",
            "median_offers",
            "no_offer_share",
        ),
        chart=Chart(
            kind="bar",
            x="type_sought",
            y="median_providers_approached",
            series="planned_or_emergency",
            y_label="Providers approached (median)",
        ),
        notes=[
            "Searches withdrawn or still ongoing are left out: their counts are not final.",
            "The standard gives no counting rule for providers approached (an email to a "
            "framework's list may count as one approach or as many), so compare LAs with care.",
        ],
    )
    return finish(table, data.threshold)


def _offers(searches: pl.DataFrame, data: RegionData) -> Table:
    offers = pl.col("offers_received")
    band = pl.when(offers >= 4).then(pl.lit("4+")).otherwise(offers.cast(pl.String)).alias("offers")
    frame = (
        searches.filter(pl.col("outcome").is_in(["Placed", UNMET]) & offers.is_not_null())
        .group_by("type_sought", band)
        .agg(pl.len().alias("searches"))
        .with_columns(
            (pl.col("searches") / pl.col("searches").sum().over("type_sought")).alias("share")
        )
        .sort("type_sought", "offers")
    )
    table = Table(
        name="offers",
        answers=("UC-12",),
        title="Offers received per search",
        description="The distribution of offers received, by the type of home sought.",
        frame=frame,
        counts=("searches",),
        derived=("share",),
        chart=Chart(kind="bar", x="type_sought", y="share", series="offers", stacked=True),
        notes=["Searches that ended (placed or no home found) and give the offers received."],
    )
    return finish(table, data.threshold)


# -- findings ------------------------------------------------------------------------


def _findings(
    by_type: Table,
    notice: Table,
    outcomes: Table,
    unmet: Table,
    reasons: Table,
    approaches: Table,
) -> list[str]:
    found = []
    types = region_rows(by_type.frame).drop_nulls("searches")
    if types.height:
        top = types.sort("searches", descending=True).row(0, named=True)
        total = types.get_column("searches").sum()
        if not types.get_column(SUPPRESSED).any():
            found.append(
                f"The region's LAs made {total:,} searches; {in_words(top['type_sought'])} "
                f"was the type most often preferred ({percent(top['share_of_searches'])})."
            )
    kinds = {r["planned_or_emergency"]: r for r in region_rows(notice.frame).iter_rows(named=True)}
    emergency, planned = kinds.get("Emergency"), kinds.get("Planned")
    if emergency and planned and emergency["median_days"] is not None:
        if planned["median_days"] is not None:
            found.append(
                f"Emergency searches gave a median of {emergency['median_days']:g} days' notice, "
                f"planned searches {planned['median_days']:g} days."
            )
        share = emergency["searches"] / (emergency["searches"] + planned["searches"])
        found.append(f"{percent(share)} of searches with a known kind were emergencies.")
    ended = region_rows(outcomes.frame).filter(pl.col("outcome") == UNMET).drop_nulls("share")
    if ended.height:
        found.append(f"{percent(ended.item(0, 'share'))} of searches found no suitable home.")
    worst = (
        region_rows(unmet.frame)
        .drop_nulls("unmet_share")
        .filter(pl.col("unmet_searches") > 0)
        .sort("unmet_share", descending=True)
    )
    if worst.height:
        row = worst.row(0, named=True)
        found.append(
            f"Searches for {in_words(row['type_sought'])} were the least often met: "
            f"{percent(row['unmet_share'])} found no home, most often for "
            f'"{row["most_common_reason"]}".'
        )
    shown = reasons.frame.drop_nulls("share_of_type").sort("unmet_searches", descending=True)
    if shown.height:
        row = shown.row(0, named=True)
        found.append(
            f'The commonest reason a search found no home: "{row["no_home_reason"]}", '
            f"for {percent(row['share_of_type'])} of unmet searches for "
            f"{in_words(row['type_sought'])}."
        )
    hardest = approaches.frame.drop_nulls("median_providers_approached").sort(
        "median_providers_approached", descending=True
    )
    if hardest.height:
        row = hardest.row(0, named=True)
        found.append(
            f"{row['planned_or_emergency']} searches for {in_words(row['type_sought'])} asked the "
            f"most providers: a median of {row['median_providers_approached']:g}."
        )
    return found


# -- the searches as every table reads them ------------------------------------------


def searches_in_window(data: RegionData) -> pl.DataFrame:
    """Searches referred in the report's window, with the type sought, a planned or
    emergency kind for every search that can have one, and the family's district."""
    first, last = window(data)
    referrals = data.current["referrals"].select(
        pl.concat_str("la_code", pl.lit("/"), "referral_id").alias("referral_key"),
        "family_location",
    )
    return (
        data.star["fact_searches"]
        .filter(pl.col("referral_date").is_between(first, last))
        .join(referrals, on="referral_key", how="left")
        .with_columns(
            type_sought(),
            planned_or_emergency(),
            pl.col("family_location").str.split(" ").list.first().alias("family_district"),
        )
    )


TYPE_SUITABILITY = {
    "foster_care_suitability": "Foster",
    "residential_care_suitability": "Residential",
    "supported_accommodation_suitability": "Supported accommodation",
}
NONE_PREFERRED = "None preferred"
SEVERAL_PREFERRED = "More than one preferred"
TYPE_SOUGHT_NOTE = (
    "Type sought: the type of care (foster, residential, supported accommodation) whose "
    'suitability the search gave as "Preferred". A search with several Preferred is '
    f'"{SEVERAL_PREFERRED}"; with none (or none recorded), "{NONE_PREFERRED}".'
)


def type_sought() -> pl.Expr:
    """The one type the search preferred; the standard allows several or none."""
    preferred = [(pl.col(c) == "Preferred").fill_null(False) for c in TYPE_SUITABILITY]
    how_many = pl.sum_horizontal(*[p.cast(pl.Int32) for p in preferred])
    expr = pl.when(how_many == 0).then(pl.lit(NONE_PREFERRED))
    expr = expr.when(how_many > 1).then(pl.lit(SEVERAL_PREFERRED))
    for is_preferred, label in zip(preferred, TYPE_SUITABILITY.values(), strict=True):
        expr = expr.when(is_preferred).then(pl.lit(label))
    return expr.otherwise(pl.lit(NONE_PREFERRED)).alias("type_sought")


def planned_or_emergency() -> pl.Expr:
    """As recorded; where blank, from the notice or the urgency (the standard's rule)."""
    from_notice = (
        pl.when(pl.col("notice_days") <= EMERGENCY_DAYS)
        .then(pl.lit("Emergency"))
        .when(pl.col("notice_days") > EMERGENCY_DAYS)
        .then(pl.lit("Planned"))
    )
    from_urgency = (
        pl.when(pl.col("urgency").is_in(["Today", "Within 5 days"]))
        .then(pl.lit("Emergency"))
        .when(pl.col("urgency") == "More than 5 days")
        .then(pl.lit("Planned"))
    )
    return pl.coalesce("planned_or_emergency", from_notice, from_urgency, pl.lit("Not known"))


# -- shared by the sections ----------------------------------------------------------


def in_words(type_sought: str) -> str:
    """A type sought as a sentence says it."""
    words = {"Foster": "foster care", "Residential": "residential care"}
    return words.get(type_sought, type_sought.lower())


def _window_note(data: RegionData) -> str:
    first, last = window(data)
    return (
        f"Window: searches referred from {first:%d %b %Y} (the start of the earliest period "
        f"held) to {last:%d %b %Y} (the report's date)."
    )


__all__ = [
    "planned_or_emergency",
    "searches_in_window",
    "section",
    "type_sought",
]
