"""The regional hub on both engines: ingest, history, rejection, keys, export, prune."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import openpyxl
import polars as pl
import pytest
from hub_support import (
    EXAMPLE,
    ROOT,
    another_la,
    example_submission,
    next_year,
    write_submission,
)
from polars.testing import assert_frame_equal

from sufficiency_standard.hub import Hub, HubConfig, HubError, ingest
from sufficiency_standard.hub.config import parse_config
from sufficiency_standard.hub.export import export_hub
from sufficiency_standard.hub.prune import prune
from sufficiency_standard.hub.star import StarSchema
from sufficiency_standard.issues import InputError

VERSION_020 = ROOT / "tests" / "data" / "versions" / "submission-0.2.0.json"


def table_counts(hub: Hub) -> dict[str, int]:
    return {name: hub.database.scalar(f'SELECT count(*) FROM "{name}"') for name in hub.tables}


def test_accepted_submission_is_registered_and_loaded_typed_with_provenance(hub_location):
    with Hub.create(hub_location) as hub:
        result = ingest(hub, EXAMPLE)
        assert (result.outcome, result.exit_code, result.submission_id) == ("accepted", 0, 1)
        register = hub.submissions()
        assert register.height == 1
        row = register.row(0, named=True)
        assert row["state"] == "current"
        assert (row["la_code"], row["period_start"]) == ("E06000066", dt.date(2025, 4, 1))
        assert row["checksum"] == __import__("hashlib").sha256(EXAMPLE.read_bytes()).hexdigest()
        assert hub.original(1) == EXAMPLE.read_bytes()
        assert hub.validation_report(1)["valid"] is True
        counts = json.loads(row["row_counts"])
        expected = json.loads(EXAMPLE.read_text())
        assert counts["placements"] == len(expected["placements"])

        costs = hub.current("costs")
        assert costs.height == len(expected["costs"])
        assert costs.schema["total_weekly_cost"] == pl.Decimal(12, 2)
        assert costs.schema["cost_start_date"] == pl.Date
        first = expected["costs"][0]
        loaded = costs.filter(pl.col("cost_id") == first["cost_id"]).row(0, named=True)
        assert loaded["total_weekly_cost"] == Decimal(str(first["total_weekly_cost"])).quantize(
            Decimal("0.01")
        )
        assert loaded["submission_id"] == 1 and loaded["la_code"] == "E06000066"
        assert loaded["period_end"] == dt.date(2026, 3, 31)
        # JSON: the item's index in its list.
        assert loaded["source_row"] == expected["costs"].index(first)
        needs = hub.current("needs_assessments")
        assert needs.schema["additional_support"] == pl.List(pl.String)


def test_text_in_a_valid_workbook_is_loaded_as_dates_money_and_codes(hub_location, tmp_path):
    submission = example_submission()
    path = write_submission(tmp_path, "la", submission, as_xlsx=True)
    first = submission["costs"][0]
    start = dt.date.fromisoformat(first["cost_start_date"])
    book = openpyxl.load_workbook(path)
    costs = book["costs"]
    headers = [cell.value for cell in costs[1]]
    # As some systems export: dates and money as text, a code in lower case.
    costs.cell(2, headers.index("cost_start_date") + 1).value = start.strftime("%d/%m/%Y")
    total = first["total_weekly_cost"]
    costs.cell(2, headers.index("total_weekly_cost") + 1).value = f"£{total:,.2f}"
    cost_id = first["cost_id"]
    providers = book["providers"]
    provider_headers = [cell.value for cell in providers[1]]
    providers.cell(2, provider_headers.index("private_equity_backed") + 1).value = "no"
    provider_id = providers.cell(2, provider_headers.index("provider_id") + 1).value
    book.save(path)

    with Hub.create(hub_location) as hub:
        result = ingest(hub, path)
        assert result.outcome == "accepted", result.report and result.report.by_code()
        cost = hub.current("costs").filter(pl.col("cost_id") == cost_id).row(0, named=True)
        assert cost["cost_start_date"] == start
        assert cost["total_weekly_cost"] == Decimal(f"{total:.2f}")
        assert cost["source_row"] == 2  # as the spreadsheet numbers it
        provider = hub.current("providers").filter(pl.col("provider_id") == provider_id)
        assert provider.get_column("private_equity_backed").to_list() == ["No"]


def test_the_same_bytes_twice_are_one_submission(hub_location):
    with Hub.create(hub_location) as hub:
        ingest(hub, EXAMPLE)
        before = table_counts(hub)
        again = ingest(hub, EXAMPLE)
        assert (again.outcome, again.exit_code, again.submission_id) == ("duplicate", 0, 1)
        assert "already holds these exact bytes as submission 1" in again.message
        assert hub.submissions().height == 1
        assert table_counts(hub) == before


def test_a_new_submission_for_the_period_supersedes_and_the_old_stays_as_history(
    hub_location, tmp_path
):
    corrected = example_submission()
    referral = corrected["referrals"][0]
    referral["providers_approached"] += 3  # the LA found it had approached three more
    path = write_submission(tmp_path, "corrected", corrected)
    with Hub.create(hub_location) as hub:
        ingest(hub, EXAMPLE)
        result = ingest(hub, path, received_by="analyst")
        assert result.outcome == "accepted", result.report and result.report.by_code()
        assert result.superseded == 1
        register = hub.submissions()
        assert register.get_column("state").to_list() == ["superseded", "current"]
        assert register.get_column("superseded_by").to_list() == [2, None]
        assert register.get_column("received_by").to_list()[1] == "analyst"
        current = hub.current("referrals")
        assert set(current.get_column("submission_id")) == {2}
        fixed = current.filter(pl.col("referral_id") == referral["referral_id"])
        assert fixed.get_column("providers_approached").to_list() == [
            referral["providers_approached"]
        ]
        history = hub.history("referrals").filter(pl.col("referral_id") == referral["referral_id"])
        assert history.get_column("submission_state").to_list() == ["superseded", "current"]
        assert history.get_column("providers_approached").to_list() == [
            referral["providers_approached"] - 3,
            referral["providers_approached"],
        ]
        assert hub.rows_of("referrals", 1).height == len(corrected["referrals"])


def test_a_later_period_carries_records_and_the_later_copy_counts(hub_location, tmp_path):
    first = example_submission()
    later = next_year(first)
    later["placements"] = [p for p in later["placements"] if not p.get("end_date")]
    kept = {p["placement_id"] for p in later["placements"]}
    later["costs"] = [c for c in later["costs"] if c["placement_id"] in kept]
    with Hub.create(hub_location) as hub:
        ingest(hub, write_submission(tmp_path, "y1", first))
        result = ingest(hub, write_submission(tmp_path, "y2", later))
        assert result.outcome == "accepted", result.report and result.report.by_code()
        assert result.superseded is None  # another period: both are current
        current = hub.current("placements")
        assert current.height == len(first["placements"])  # one copy of each placement
        carried = current.filter(pl.col("placement_id").is_in(list(kept)))
        assert set(carried.get_column("submission_id")) == {2}
        ended = current.filter(~pl.col("placement_id").is_in(list(kept)))
        assert set(ended.get_column("submission_id")) == {1}


def test_an_invalid_submission_is_kept_with_its_report_and_loads_nothing(hub_location, tmp_path):
    broken = example_submission()
    broken["placements"][0]["end_date"] = "2001-01-01"  # before it started
    path = write_submission(tmp_path, "broken", broken)
    with Hub.create(hub_location) as hub:
        result = ingest(hub, path, received_by="Somerset data team")
        assert (result.outcome, result.exit_code) == ("rejected", 1)
        assert "not valid" in result.message
        row = hub.submissions().row(0, named=True)
        assert row["state"] == "rejected" and row["errors"] >= 1
        assert row["received_by"] == "Somerset data team"
        assert row["la_code"] == "E06000066"
        report = hub.validation_report(row["submission_id"])
        assert report["valid"] is False
        assert set(table_counts(hub).values()) == {0}
        # Sending the same bytes again says it was rejected before.
        again = ingest(hub, path)
        assert again.outcome == "rejected" and "already holds" in again.message


def test_an_unreadable_file_is_not_registered(hub_location, tmp_path):
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(b"this is not a workbook")
    with Hub.create(hub_location) as hub:
        result = ingest(hub, path)
        assert (result.outcome, result.exit_code) == ("unreadable", 2)
        assert hub.submissions().height == 0
        assert hub.history_log().get_column("action").to_list()[-1] == "unreadable"
        missing = ingest(hub, tmp_path / "no-such-file.json")
        assert missing.outcome == "unreadable"


def test_an_older_version_is_upgraded_on_the_way_in_and_recorded(hub_location):
    with Hub.create(hub_location) as hub:
        result = ingest(hub, VERSION_020)
        assert result.outcome == "accepted" and result.upgraded_from == "0.2.0"
        row = hub.submissions().row(0, named=True)
        assert (row["declared_version"], row["standard_version"]) == ("0.2.0", "0.3.0")
        assert row["upgrade_notes"] and "0.2.0 -> 0.3.0" in row["upgrade_notes"]
        assert hub.original(1) == VERSION_020.read_bytes()  # the bytes as sent


def test_a_newer_version_than_the_hub_is_refused_with_the_reason(tmp_path):
    with Hub.create(str(tmp_path / "old.duckdb"), standard_version="0.2.0") as hub:
        result = ingest(hub, EXAMPLE)
        assert result.outcome == "rejected"
        assert "newer than the hub's 0.2.0" in result.message
        assert hub.submissions().get_column("state").to_list() == ["rejected"]


def test_two_las_may_use_the_same_ids(hub_location, tmp_path):
    with Hub.create(hub_location) as hub:
        ingest(hub, EXAMPLE)
        ingest(hub, write_submission(tmp_path, "bristol", another_la("E06000023")))
        children = hub.current("children")
        ids = json.loads(EXAMPLE.read_text())["children"]
        assert children.height == 2 * len(ids)
        same = children.filter(pl.col("child_id") == ids[0]["child_id"])
        assert sorted(same.get_column("la_code")) == ["E06000023", "E06000066"]
        days = StarSchema(hub).placement_days()
        keys = days.filter(pl.col("child_key").str.ends_with("/" + ids[0]["child_id"]))
        assert set(keys.get_column("child_key")) == {
            f"E06000023/{ids[0]['child_id']}",
            f"E06000066/{ids[0]['child_id']}",
        }


def test_providers_merge_across_las_on_national_identifiers(hub_location, tmp_path):
    somerset = example_submission()
    bristol = another_la("E06000023")
    # Bristol calls Somerset's company-numbered provider by its own reference and adds the
    # Ofsted URN Somerset does not give; Devon gives only that URN.
    source = next(p for p in somerset["providers"] if p.get("company_number"))
    theirs = next(p for p in bristol["providers"] if p["provider_id"] == source["provider_id"])
    old_id = theirs["provider_id"]
    theirs["provider_id"] = "BRS-77"
    theirs["ofsted_provider_urn"] = "SC999001"
    for table in ("placements", "settings", "fostering_capacity"):
        for row in bristol.get(table, []):
            if row.get("provider_id") == old_id:
                row["provider_id"] = "BRS-77"
    devon = another_la("E10000008")
    held = next(p for p in devon["providers"] if p["provider_id"] == source["provider_id"])
    del held["company_number"]
    held["ofsted_provider_urn"] = "SC999001"
    with Hub.create(hub_location) as hub:
        for name, submission in (("somerset", somerset), ("bristol", bristol), ("devon", devon)):
            result = ingest(hub, write_submission(tmp_path, name, submission))
            assert result.outcome == "accepted", result.report and result.report.by_code()
        providers = StarSchema(hub).provider_dimension()
        merged = providers.filter(pl.col("provider_key") == "ofsted:SC999001")
        assert merged.height == 1
        assert merged.get_column("las_using").to_list() == [3]
        assert merged.get_column("local_references").to_list() == [
            f"E06000023/BRS-77; E06000066/{source['provider_id']}; "
            f"E10000008/{source['provider_id']}"
        ]
        assert merged.get_column("company_number").to_list() == [source["company_number"]]
        # A provider with no national identifier stays each LA's own.
        local = [
            p["provider_id"]
            for p in somerset["providers"]
            if not p.get("company_number")
            and not p.get("ofsted_provider_urn")
            and not p.get("charity_number")
        ]
        for provider_id in local:
            assert (
                providers.filter(pl.col("provider_key") == f"E06000066/{provider_id}").height == 1
            )


def test_cost_days_follow_the_definition_of_spend(hub_location, tmp_path):
    """One placement from 1 January (open at the period end, 31 March); Agreed £700 a
    week all along, Actual £1,400 a week from 10 to 19 January: January has 31 bed
    nights, 10 at the actual price (2,000) and 21 at the agreed (2,100)."""
    submission = example_submission(period_start="2025-04-01", period_end="2026-03-31")
    placement = dict(submission["placements"][0])
    child = {**submission["children"][0], "child_id": "CX"}
    submission["children"].append(child)
    placement.update(
        placement_id="PX", child_id="CX", start_date="2026-01-01", referral_id=None, needs_id=None
    )
    placement.pop("end_date", None)
    placement.pop("end_reason", None)
    placement = {k: v for k, v in placement.items() if v is not None}
    submission["placements"].append(placement)
    base = {
        k: v
        for k, v in submission["costs"][0].items()
        if not k.endswith("_weekly") and not k.endswith("_contribution")
    }
    submission["costs"] += [
        {
            **base,
            "cost_id": "KA",
            "placement_id": "PX",
            "cost_start_date": "2026-01-01",
            "cost_basis": "Agreed",
            "total_weekly_cost": 700,
            "cost_end_date": None,
        },
        {
            **base,
            "cost_id": "KB",
            "placement_id": "PX",
            "cost_start_date": "2026-01-10",
            "cost_end_date": "2026-01-19",
            "cost_basis": "Actual",
            "total_weekly_cost": 1400,
        },
    ]
    for cost in submission["costs"][-2:]:
        if cost["cost_end_date"] is None:
            del cost["cost_end_date"]
    with Hub.create(hub_location) as hub:
        result = ingest(hub, write_submission(tmp_path, "spend", submission))
        assert result.outcome == "accepted", result.report and result.report.by_code()
        star = StarSchema(hub)
        days = star.placement_days().filter(pl.col("placement_key") == "E06000066/PX")
        assert days.get_column("bed_nights").to_list() == [31, 28, 31]
        costs = star.cost_days().filter(
            (pl.col("placement_key") == "E06000066/PX") & (pl.col("date_key") == 20260101)
        )
        by_basis = {r["cost_basis"]: r for r in costs.iter_rows(named=True)}
        assert by_basis["Actual"]["costed_nights"] == 10
        assert by_basis["Actual"]["spend"] == Decimal("2000.00")
        assert by_basis["Agreed"]["costed_nights"] == 21
        assert by_basis["Agreed"]["spend"] == Decimal("2100.00")


def test_export_for_one_la_gives_exactly_its_own_rows(hub_location, tmp_path):
    with Hub.create(hub_location) as hub:
        ingest(hub, EXAMPLE)
        ingest(hub, write_submission(tmp_path, "bristol", another_la("E06000023")))
        result = export_hub(hub, tmp_path / "out", la_code="E06000023", file_format="parquet")
        for name in hub.tables:
            exported = pl.read_parquet(tmp_path / "out" / "tables" / f"{name}.parquet")
            assert set(exported.get_column("la_code")) <= {"E06000023"}
            own = hub.current(name, ["E06000023"])
            assert exported.height == own.height
            assert_frame_equal(exported.select(own.columns), own)
        for name in ("fact_placement_days", "fact_cost_days", "fact_searches"):
            fact = pl.read_parquet(tmp_path / "out" / "star" / f"{name}.parquet")
            assert fact.height and set(fact.get_column("la_code")) == {"E06000023"}
        assert result.rows["tables/placements"] == hub.current("placements", ["E06000023"]).height
        with pytest.raises(HubError, match="no submission from LA E09000001"):
            export_hub(hub, tmp_path / "none", la_code="E09000001")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_as_csv_and_xlsx_keeps_every_row_and_text_stays_text(tmp_path, file_format):
    submission = example_submission()
    submission["providers"][0]["provider_name"] = '=HYPERLINK("http://evil","x")'
    with Hub.create(str(tmp_path / "h.duckdb")) as hub:
        ingest(hub, write_submission(tmp_path, "la", submission))
        export_hub(hub, tmp_path / "out", file_format=file_format)
        if file_format == "csv":
            providers = pl.read_csv(tmp_path / "out" / "tables" / "providers.csv")
            assert providers.height == len(submission["providers"])
            needs = pl.read_csv(tmp_path / "out" / "tables" / "needs_assessments.csv")
            assert needs.schema["additional_support"] == pl.String  # "a; b"
        else:
            book = openpyxl.load_workbook(tmp_path / "out" / "tables" / "tables.xlsx")
            sheet = book["providers"]
            column = [cell.value for cell in sheet[1]].index("provider_name") + 1
            names = {sheet.cell(row, column).value: row for row in range(2, sheet.max_row + 1)}
            row = names['=HYPERLINK("http://evil","x")']
            assert sheet.cell(row, column).data_type == "s"  # text, not a formula
            assert sheet.max_row - 1 == len(submission["providers"])
            star = openpyxl.load_workbook(tmp_path / "out" / "star" / "star.xlsx", read_only=True)
            assert "fact_placement_days" in star.sheetnames


def test_export_for_a_purpose_holds_the_las_that_share_for_it(tmp_path):
    config = parse_config(
        """
region: South West
purposes: {sufficiency: Regional sufficiency analysis, forecasting: Demand forecasts}
las:
  E06000066: {name: Somerset, purposes: [sufficiency, forecasting]}
  E06000023: {name: Bristol, purposes: [sufficiency]}
""",
        "hub.yaml",
    )
    with Hub.create(str(tmp_path / "h.duckdb"), config=config) as hub:
        ingest(hub, EXAMPLE)
        ingest(hub, write_submission(tmp_path, "bristol", another_la("E06000023")))
        outsider = ingest(hub, write_submission(tmp_path, "devon", another_la("E10000008")))
        assert outsider.outcome == "rejected" and "not a member" in outsider.message
        export_hub(hub, tmp_path / "f", purpose="forecasting")
        placements = pl.read_parquet(tmp_path / "f" / "tables" / "placements.parquet")
        assert set(placements.get_column("la_code")) == {"E06000066"}
        las = pl.read_parquet(tmp_path / "f" / "star" / "dim_la.parquet")
        assert las.get_column("la_name").to_list() == ["Somerset"]
        assert las.get_column("region").to_list() == ["South West"]
        with pytest.raises(InputError, match="not a purpose"):
            export_hub(hub, tmp_path / "g", purpose="marketing")


def test_prune_deletes_submissions_past_retention_and_logs_it(hub_location, tmp_path):
    config = HubConfig(retention_years=2)
    with Hub.create(hub_location, config=config) as hub:
        ingest(hub, EXAMPLE)  # period ends 31 March 2026
        ingest(hub, write_submission(tmp_path, "later", next_year(example_submission())))
        dry = prune(hub, today=dt.date(2028, 6, 1), dry_run=True)
        assert dry.deleted == [1] and dry.rows_deleted > 0
        assert hub.submissions().height == 2
        done = prune(hub, today=dt.date(2028, 6, 1))
        assert done.deleted == [1]
        assert hub.submissions().get_column("submission_id").to_list() == [2]
        assert hub.rows_of("placements", 1).height == 0
        assert hub.rows_of("placements", 2).height > 0
        log = hub.history_log().filter(pl.col("action") == "pruned")
        assert log.get_column("submission_id").to_list() == [1]


def test_prune_needs_a_retention_period(tmp_path):
    with Hub.create(str(tmp_path / "h.duckdb")) as hub, pytest.raises(HubError, match="retention"):
        prune(hub)


def test_opening_what_is_not_a_hub_says_so(tmp_path):
    with pytest.raises(HubError, match="no such file"):
        Hub.open(str(tmp_path / "missing.duckdb"))
    Hub.create(str(tmp_path / "h.duckdb")).close()
    with pytest.raises(HubError, match="already exists"):
        Hub.create(str(tmp_path / "h.duckdb"))
    with pytest.raises(HubError, match="cannot connect"):
        Hub.open("postgresql://nobody:secret@127.0.0.1:1/nothing")
    try:
        Hub.open("postgresql://nobody:secret@127.0.0.1:1/nothing")
    except HubError as error:
        assert "secret" not in str(error)


def test_configuration_errors_name_the_setting():
    with pytest.raises(InputError, match="las: E0600006 is not an LA code"):
        parse_config("las: {E0600006: {name: x}}", "hub.yaml")
    with pytest.raises(InputError, match="shares for research, which is not among"):
        parse_config("las: {E06000066: {purposes: [research]}}", "hub.yaml")
    with pytest.raises(InputError, match="retention_years"):
        parse_config("retention_years: -1", "hub.yaml")
    with pytest.raises(InputError, match="not readable YAML"):
        parse_config("las: [", "hub.yaml")


def test_both_engines_give_the_same_tables_and_star_schema(tmp_path, postgres_url):
    paths = [
        EXAMPLE,
        write_submission(tmp_path, "bristol", another_la("E06000023"), as_xlsx=True),
        write_submission(tmp_path, "later", next_year(example_submission())),
        VERSION_020,
    ]
    exports = []
    for location in (str(tmp_path / "h.duckdb"), postgres_url):
        with Hub.create(location) as hub:
            for path in paths:
                assert ingest(hub, path).outcome == "accepted"
            exports.append(
                {
                    **{name: hub.current(name) for name in hub.tables},
                    **StarSchema(hub).tables(),
                    "register": hub.submissions().drop("received_at"),
                }
            )
    duck, postgres = exports
    assert duck.keys() == postgres.keys()
    for name in duck:
        assert_frame_equal(duck[name], postgres[name], check_dtypes=True), name


def test_opening_a_hub_this_program_holds_open_says_so_rather_than_waiting(tmp_path):
    location = str(tmp_path / "region.duckdb")
    with Hub.create(location):
        pass
    held = Hub.open(location)
    try:
        with pytest.raises(HubError, match="open already in this program"):
            Hub.open(location)
    finally:
        held.close()
    # Closed, or dropped without closing, it opens again.
    Hub.open(location).close()
    Hub.open(location)  # dropped: collected with its lock
    Hub.open(location).close()
