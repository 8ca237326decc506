"""The 903 importer on a whole real-shaped 903 return (the demand model's public 2017/18
sample, tests/data/ssda903_real): the period, overlaps and placement types must be
those of the source, however the LA's system writes its dates."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import itertools
import shutil
from pathlib import Path

import pytest

from sufficiency_standard.importers.common import TWO_DIGIT_YEAR_PIVOT, parse_date
from sufficiency_standard.importers.ssda903 import Episode, import_ssda903, runs_of
from sufficiency_standard.issues import InputError
from sufficiency_standard.validation import validate

RETURN_2017 = Path(__file__).parent / "data" / "ssda903_real" / "demand_model_2017"
EXTRACT = dt.date(2018, 5, 1)
LA = "E09000017"


def source_overlaps(episodes_csv: Path, extract: dt.date) -> int:
    """Episodes (not temporary moves) that start before the child's previous one ended,
    counted straight from the source file (an open episode runs to the extract)."""
    by_child: dict[str, list[tuple[dt.date, dt.date]]] = collections.defaultdict(list)
    with episodes_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["PLACE"][:1] == "T" and row["PLACE"][1:].isdigit():
                continue
            start, end = parse_date(row["DECOM"]), parse_date(row["DEC"]) or extract
            assert start is not None
            by_child[row["CHILD"]].append((start, end))
    count = 0
    for spans in by_child.values():
        spans.sort()
        count += sum(1 for a, b in itertools.pairwise(spans) if b[0] < a[1])
    return count


def overlaps_reported(submission) -> int:
    return sum(1 for i in validate(submission).issues if i.code == "PLC-OVERLAP")


@pytest.fixture(scope="module")
def whole_return():
    return import_ssda903([RETURN_2017], la_code=LA, extract_date=EXTRACT)


def test_a_whole_903_folder_is_read_table_by_table(whole_return):
    submission, report = whole_return
    text = report.render()
    assert report.inputs == ["2017-header.csv", "2017-episodes.csv", "2017-uasc.csv"]
    for name, kind in [
        ("2017-missing.csv", "missing"),
        ("2017-oc2.csv", "OC2"),
        ("2017-oc3.csv", "OC3"),
        ("2017-previous_permanence.csv", "previous permanence"),
        ("2017-reviews.csv", "reviews"),
    ]:
        assert f"{name}" in text and f"the 903 {kind} table" in text
    assert "header tables were given" not in text
    assert len(submission["children"]) == 819
    assert sum(1 for c in submission["children"] if c.get("uasc") == "Yes") > 0


def test_the_period_is_the_collection_year_most_episodes_are_in(whole_return):
    submission, report = whole_return
    # Two episodes end on 1 April 2018: the return is still 2017/18.
    assert (submission["period_start"], submission["period_end"]) == (
        dt.date(2017, 4, 1),
        dt.date(2018, 3, 31),
    )
    assert "(2017/18)" in report.render()
    outside = [i for i in validate(submission).issues if i.code == "PLC-OUTSIDE-PERIOD"]
    assert len(outside) < len(submission["placements"]) / 10


def test_overlaps_reported_are_the_overlaps_in_the_source(whole_return):
    submission, _ = whole_return
    expected = source_overlaps(RETURN_2017 / "2017-episodes.csv", EXTRACT)
    assert expected == 23
    assert overlaps_reported(submission) == expected


def test_placement_types_of_the_real_return(whole_return):
    submission, report = whole_return
    types = collections.Counter(p.get("placement_type") for p in submission["placements"])
    assert types == {
        "Foster": 835,
        "Other": 175,
        "Residential": 136,
        "Supported accommodation": 37,
        "Residential school": 10,
        "Secure": 2,
    }
    text = report.render()
    # Left-care notes are one line, the REC codes shown as values.
    assert text.count("the child left care") == 1
    assert "Values: E4B, E11" in text


def test_a_period_given_for_another_year_is_warned_about():
    _, report = import_ssda903(
        [RETURN_2017],
        la_code=LA,
        extract_date=EXTRACT,
        period_start=dt.date(2020, 4, 1),
        period_end=dt.date(2021, 3, 31),
    )
    assert "episodes are not live in the period" in report.render()
    assert not report.complete


def _short_years(tmp_path: Path, bad_dec_rows: dict[int, str] | None = None) -> Path:
    """The real return with every date written dd/mm/yy, as some systems export."""
    folder = tmp_path / "short"
    folder.mkdir()
    for name in ("2017-header.csv", "2017-uasc.csv"):
        shutil.copy(RETURN_2017 / name, folder / name)
    with (RETURN_2017 / "2017-episodes.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    for number, row in enumerate(rows[1:], start=2):
        for i in (1, 7):
            if row[i]:
                row[i] = row[i][:6] + row[i][8:]
        if bad_dec_rows and number in bad_dec_rows:
            row[7] = bad_dec_rows[number]
    with (folder / "2017-episodes.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return folder


def test_two_digit_years_read_with_the_pivot(tmp_path):
    assert parse_date("05/05/19") == dt.date(2019, 5, 5)
    assert parse_date("17/12/99") == dt.date(1999, 12, 17)
    assert parse_date(f"01/01/{TWO_DIGIT_YEAR_PIVOT - 1}").year == 2000 + TWO_DIGIT_YEAR_PIVOT - 1
    assert parse_date("31/02/19") is None
    submission, _ = import_ssda903([_short_years(tmp_path)], la_code=LA, extract_date=EXTRACT)
    assert submission["period_end"] == dt.date(2018, 3, 31)
    assert overlaps_reported(submission) == 23
    original, _ = import_ssda903([RETURN_2017], la_code=LA, extract_date=EXTRACT)
    still_open = [
        sum(1 for p in s["placements"] if p["end_date"] is None) for s in (submission, original)
    ]
    assert still_open[0] == still_open[1] == 434


def test_an_unreadable_end_date_is_one_bad_cell_not_an_open_placement(tmp_path):
    with (RETURN_2017 / "2017-episodes.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    # Row 1164 continues row 1163 (the same child); row 2 is its child's only episode.
    assert rows[1162][0] == rows[1163][0]
    folder = _short_years(tmp_path, {1163: "3l/10/17", 2: "n/a"})
    submission, report = import_ssda903([folder], la_code=LA, extract_date=EXTRACT)
    text = report.render()
    assert "DEC does not read as a date, so the episode ends when the child's next" in text
    assert "was left out rather than read as open" in text
    assert overlaps_reported(submission) == 23
    child = rows[1][0]
    assert not [p for p in submission["placements"] if p["child_id"] == child]


def test_a_file_holding_several_las_is_refused(tmp_path):
    with (RETURN_2017 / "2017-episodes.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("LA")
    for number, row in enumerate(rows[1:]):
        row.append("Hillingdon" if number % 2 else "Barnet")
    episodes = tmp_path / "episodes.csv"
    with episodes.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(InputError, match=r"column LA holds 2 LAs \(Barnet, Hillingdon\)"):
        import_ssda903([episodes], la_code=LA, extract_date=EXTRACT)


def _episodes_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    """Real rows of the return (child 398768's first episode) with other codes."""
    with (RETURN_2017 / "2017-episodes.csv").open(newline="") as handle:
        header, first = list(csv.reader(handle))[:2]
    path = tmp_path / "episodes.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for child, decom, rne, place, dec, rec, reason, urn in rows:
            row = dict(zip(header, first, strict=True))
            row |= {"CHILD": child, "DECOM": decom, "RNE": rne, "PLACE": place, "DEC": dec}
            row |= {"REC": rec, "REASON_PLACE_CHANGE": reason, "URN": urn}
            writer.writerow([row[h] for h in header])
    return path


def test_current_codes_get_their_type_and_retired_ones_a_note(tmp_path):
    path = _episodes_file(
        tmp_path,
        [
            ["A", "01/05/2025", "S", "K3", "", "", "", "SC123456"],
            ["B", "01/05/2025", "S", "Z11", "", "", "", "XXXXXXX"],
            ["C", "01/05/2025", "S", "H5", "", "", "", "XXXXXXX"],
            ["D", "01/05/2025", "Q", "U4", "", "", "", "XXXXXXX"],
        ],
    )
    submission, report = import_ssda903([path], la_code=LA, extract_date=dt.date(2025, 9, 1))
    assert submission["period_start"] == dt.date(2025, 4, 1)
    types = {p["child_id"]: p["placement_type"] for p in submission["placements"]}
    assert types == {
        "A": "Supported accommodation",
        "B": "Other",
        "C": "Supported accommodation",
        "D": "Foster",
    }
    assert submission["settings"][0]["setting_type"] == "Supported accommodation"
    text = report.render()
    assert "PLACE H5 was retired after 2024/25" in text
    assert "K3" not in text and "Z11" not in text
    assert "RNE is not a 903 reason for new episode" in text and "Values: Q" in text
    # The same codes in 2023/24: K3 and Z11 were not yet codes; H5 was.
    earlier = _episodes_file(
        tmp_path,
        [
            ["A", "01/05/2023", "S", "K3", "", "", "", "SC123456"],
            ["B", "01/05/2023", "S", "Z11", "", "", "", "XXXXXXX"],
            ["C", "01/05/2023", "S", "H5", "", "", "", "XXXXXXX"],
        ],
    )
    _, report = import_ssda903([earlier], la_code=LA, extract_date=dt.date(2023, 9, 1))
    text = report.render()
    assert "PLACE K3 is used from 2024/25" in text and "PLACE Z11 is used from 2025/26" in text
    assert "H5" not in text


def test_same_carers_on_a_change_of_place_code_are_one_home(tmp_path):
    path = _episodes_file(
        tmp_path,
        [
            ["A", "01/05/2017", "S", "U6", "01/09/2017", "X1", "CARPL", "XXXXXXX"],
            ["A", "01/09/2017", "U", "U4", "", "", "", "XXXXXXX"],
            # Same carers, but foster carers become adopters: a new kind of placement.
            ["B", "01/05/2017", "S", "U4", "01/09/2017", "X1", "CARPL", "XXXXXXX"],
            ["B", "01/09/2017", "U", "A3", "", "", "", "XXXXXXX"],
            # A change of placement (P) is a move even when both are foster placements.
            ["C", "01/05/2017", "S", "U6", "01/09/2017", "X1", "CARPL", "XXXXXXX"],
            ["C", "01/09/2017", "P", "U4", "", "", "", "XXXXXXX"],
            # Placed for adoption, then with parents: both "Other", never one home
            # (csc-validator-be-903's fake return has such pairs under RNE T).
            ["D", "01/05/2017", "S", "A4", "01/09/2017", "X1", "CARPL", "XXXXXXX"],
            ["D", "01/09/2017", "T", "P1", "", "", "", "XXXXXXX"],
        ],
    )
    submission, report = import_ssda903([path], la_code=LA, extract_date=EXTRACT)
    counts = collections.Counter(p["child_id"] for p in submission["placements"])
    assert counts == {"A": 1, "B": 2, "C": 2, "D": 2}
    (a,) = [p for p in submission["placements"] if p["child_id"] == "A"]
    assert (a["place_code"], a["start_date"], a["end_date"]) == ("U6", dt.date(2017, 5, 1), None)
    assert "the carers stayed the same (RNE T or U)" in report.render()
    assert "Values: U6 -> U4" in report.render()


def test_runs_join_same_carers_only_when_told_the_kinds_agree():
    def episode(row, start, end, rne, place):
        return Episode(row, "C", start, rne, place, "PR1", end, "X1", "", None, None)

    d = dt.date
    episodes = [
        episode(2, d(2024, 1, 1), d(2024, 2, 1), "S", "U6"),
        episode(3, d(2024, 2, 1), None, "T", "U4"),
    ]
    assert len(runs_of(episodes)) == 2
    joined = runs_of(episodes, lambda a, b: a[0] == b[0])
    assert [[e.row for e in r.episodes] for r in joined] == [[2, 3]]
    assert [e.row for e in joined[0].same_carers] == [3]


def test_an_overlap_with_an_open_placement_does_not_say_it_ended(tmp_path):
    path = _episodes_file(
        tmp_path,
        [
            ["A", "01/05/2017", "S", "U4", "", "", "", "XXXXXXX"],
            ["A", "01/09/2017", "P", "K2", "", "", "", "XXXXXXX"],
        ],
    )
    submission, _ = import_ssda903([path], la_code=LA, extract_date=EXTRACT)
    (issue,) = [i for i in validate(submission).issues if i.code == "PLC-OVERLAP"]
    assert "is still open (it has no end date)" in issue.message
    assert "ended (" not in issue.message
