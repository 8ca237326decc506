"""The fast path of reading values gives exactly what the full expressions give.

type_table reads most cells with one cheap expression per column and runs the full
parsing expressions only on the rest; here every table is read both ways from cells
full of the ways people write values (and mistakes), and the results must be equal.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from sufficiency_standard.check.values import type_table
from sufficiency_standard.read import read_submission
from sufficiency_standard.read.source import PendingTable, SourceTable
from sufficiency_standard.standard import Field, load_standard

ROOT = Path(__file__).resolve().parent.parent

_DATES = [
    "2025-04-03", "2025-4-3", "2025-04-03 00:00", "2025-04-03T00:00:00", "03/04/2025",
    "3-4-2025", "03.04.2025", "45000", "45000.0", "2025-02-30", "1899-12-31", "2100-01-01",
    "0000-01-01", "٢٠٢٥-٠٤-٠٣", " 2025-04-03 ", "2025-04-03x", "tbc", "13/13/2025",
    "2025-04-03 10:30", "18264", "73051", "-5",
]  # fmt: skip
_INTEGERS = [
    "0", "7", "007", "-0", "-3", "1,234", "12.0", "12.", "12.5", "1e3", "+4", " 5 ", "one",
    "123456789012345", "1234567890123456789", "٣", "1,2,3", "9" * 20, "+123456789012345",
    "-12345678901234", "9007199254740993", "+0", "1_000", "0x1F", "5\n", "\u00a05", "++5",
]  # fmt: skip
_DECIMALS = [
    "0", "12", "12.5", "-4.2", "0001.50", "£1,234.50", "1,234", "£ 12", "-£5", "£-5", ".5",
    "5.", "1e5", "nan", "inf", "12.345", "1 234", "12,34", "about 10", "123456789012345.5",
    "1234567890123456.1", "٣.٥",
]  # fmt: skip
_TEXTS = [
    "TA1 2",
    "ta1  2",
    " TA1 2",
    "TA1 2\t",
    "TA1 2AB",
    "SC123456",
    "1234567",
    "X-ab-1",
    "E06000066",
    "x",
    "É",
    "\u00a0x",
    "TA1 2\n",
    "E06000066\n",
    "\u3000E06000066",
    "2011-04 ",
]


def _cells(spec: Field, rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return rng.choice([None, "", "   "])
    if spec.kind == "date":
        return rng.choice(_DATES)
    if spec.kind == "integer":
        return rng.choice(_INTEGERS)
    if spec.kind == "decimal":
        return rng.choice(_DECIMALS)
    if spec.code_list is not None:
        codes = list(spec.code_list.codes)
        code = rng.choice(codes)
        variants = [code, code.lower(), code.upper(), f" {code} ", code.replace(" ", "  "),
                    "y", "N", "true", "0", "Nope", "none"]  # fmt: skip
        if spec.multivalued:
            other = rng.choice(codes)
            variants += [f"{code}; {other}", f"{code},{other}", f"{code};", f"{code};;Nope",
                         f"{code.lower()}; {other}", "None; " + code]  # fmt: skip
        return rng.choice(variants)
    return rng.choice([*_TEXTS, *spec.examples])


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_fast_path_reads_every_table_as_the_full_expressions_do(kind: str) -> None:
    standard = load_standard(None)
    rng = random.Random(6)
    for table in standard.tables:
        rows = 400
        frame = pl.DataFrame(
            {f.name: [_cells(f, rng) for _ in range(rows)] for f in table.fields},
            schema={f.name: pl.String for f in table.fields},
        )
        source = SourceTable(
            name=table.name,
            kind=kind,  # type: ignore[arg-type]
            source=f"{table.name}.{kind}",
            frame=frame,
            row_numbers=list(range(2, rows + 2)) if kind != "json" else None,
            columns={f.name: chr(65 + i % 26) for i, f in enumerate(table.fields)},
            json_pointer=f"/{table.name}" if kind == "json" else None,
        )
        fast, fast_issues = type_table(table, source)
        full, full_issues = type_table(table, source, fast_path=False)
        assert_frame_equal(fast.frame, full.frame)
        assert fast.blank.keys() == full.blank.keys()
        for name in full.blank:
            assert_series_equal(fast.blank[name], full.blank[name], check_names=False)
        assert fast.unreadable.keys() == full.unreadable.keys()
        for name in full.unreadable:
            assert_series_equal(fast.unreadable[name], full.unreadable[name], check_names=False)
        assert fast_issues == full_issues


def test_fast_path_with_every_cell_fast_or_none_fast() -> None:
    standard = load_standard(None)
    table = standard.table("costs")
    for cells in (["2025-04-03", "12.50", "Agreed"], ["03/04/2025", "£12.50", "agreed"]):
        frame = pl.DataFrame(
            {
                "cost_start_date": [cells[0]] * 5,
                "total_weekly_cost": [cells[1]] * 5,
                "cost_basis": [cells[2]] * 5,
            }
        )
        source = SourceTable("costs", "csv", "costs.csv", frame, list(range(2, 7)),
                             {"cost_start_date": "C", "total_weekly_cost": "K",
                              "cost_basis": "E"})  # fmt: skip
        fast, fast_issues = type_table(table, source)
        full, full_issues = type_table(table, source, fast_path=False)
        assert_frame_equal(fast.frame, full.frame)
        assert fast_issues == full_issues


def test_json_report_is_the_json_module_text() -> None:
    """render_json writes issues itself; the text is json.dumps(to_dict, indent=2)."""
    import json
    from pathlib import Path

    from sufficiency_standard.report.json_document import render_json
    from sufficiency_standard.validation import validate

    root = Path(__file__).parent
    examples = root.parent / "examples"
    inputs = [examples / "example-submission.json", examples / "csv"]
    inputs += sorted((root / "data" / "invalid").glob("*.json"))[::5]
    for path in inputs:
        if path.name == "cases.json":
            continue
        report = validate(path)
        for show_values in (False, True):
            expected = json.dumps(report.to_dict(show_values), indent=2, ensure_ascii=False)
            assert render_json(report, show_values) == expected + "\n", path.name


def test_json_report_escapes_any_text_as_the_json_module_does() -> None:
    """Values and messages with quotes, backslashes, control characters, non-ASCII and
    characters beyond the Basic Multilingual Plane; places with and without related ones;
    personal values hidden unless asked."""
    import json

    from sufficiency_standard.issues import Issue, Location, Severity
    from sufficiency_standard.report.json_document import render_json, render_json_bytes
    from sufficiency_standard.report.model import Report, VersionChoice

    odd = ['say "hi"', "back\\slash", "two\nlines\r\n", "tab\there", "\x00\x01\x1f\x7f",
           "£12 — café 中文 😀", "\u2028\u2029", "</script>", "", "{\"v\":1}"]  # fmt: skip
    issues = []
    for number, text in enumerate(odd):
        place = Location("costs", "total_weekly_cost", number + 2, f"K{number + 2}", None, text)
        related = (Location(text, None, None, None, f"/{text}/0", "x.json"),) * (number % 3)
        issues.append(
            Issue(
                "VALUE-NUMBER",
                Severity.ERROR,
                f"{text} is not a number",
                place,
                text,
                personal=number % 2 == 0,
                related=related,
            )
        )
    issues.append(Issue("FILE-ENCODING", Severity.INFORMATION, "whole file"))
    report = Report(VersionChoice("0.2.0", "default"), ["in é.csv"], issues, {"costs": 10})
    for show_values in (False, True):
        expected = json.dumps(report.to_dict(show_values), indent=2, ensure_ascii=False) + "\n"
        assert render_json(report, show_values) == expected
        assert render_json_bytes(report, show_values) == expected.encode("utf-8")


def test_json_report_written_in_batches_is_the_same_text(monkeypatch) -> None:
    """Issues are written a batch at a time; the boundaries leave no trace in the text."""
    import json

    from sufficiency_standard.report import json_document
    from sufficiency_standard.validation import validate

    report = validate(Path(__file__).parent.parent / "examples" / "csv")
    broken = sorted((Path(__file__).parent / "data" / "invalid").glob("*.json"))
    for path in broken[:40]:
        if path.name != "cases.json":
            report.issues.extend(validate(path).issues)
    assert len(report.issues) > 20
    expected = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    for batch in (1, 3, 7, len(report.issues), 20_000):
        monkeypatch.setattr(json_document, "_BATCH", batch)
        assert json_document.render_json(report) == expected, batch


@pytest.mark.parametrize(
    "data",
    [
        b"provider_id,provider_name\n" + b"P1,Alpha\n" * 150_000 + b'P2,"Caf\xe9 \xa3"\n',
        b"provider_id,provider_name\n" + b"P1,Alpha\n" * 150_000 + b"P2,Caf\xe9",
        b"Providers\nas at 2025\nprovider_id,provider_name\nP1,A\n\n,\nP3,\xc2\xa3\n",
        b"provider_id;provider_name\r\nP1;A\r\nP2;B\r\n",
        b"provider_id,provider_name\nP1,A,extra\nP2,B\n",
        b"provider_id,provider_name\rP1,A\rP2,B\r",
        b"\xef\xbb\xbfprovider_id,provider_name\nP1,A\n",
        b"x\n" * 30 + b"provider_id,provider_name\nP1,A\n",
        b'provider_id,provider_name\nP1,"two\nlines"\nP2,""\n',
    ],
)
def test_csv_file_read_by_polars_from_disk_as_from_its_bytes(data: bytes, tmp_path) -> None:
    """CSV files on disk that are plain UTF-8 are left to polars to read from the file;
    the result is what reading the file's bytes gives."""
    import sufficiency_standard.read.csv as csv_reader
    from sufficiency_standard.read.csv import read_csv_data, read_csv_file

    standard = load_standard(None)
    path = tmp_path / "providers.csv"
    path.write_bytes(data)
    from_file = read_csv_file(path, standard)
    from_bytes = csv_reader.Found(kind="csv", container="CSV file")
    read_csv_data(from_bytes, data, name=path.name, source=path.name,
                  table=standard.table("providers"))  # fmt: skip
    assert len(from_file.tables) == len(from_bytes.tables) == 1
    pending = from_file.tables[0].table
    assert isinstance(pending, PendingTable)  # a file on disk is read when it is needed
    read, issues = pending.load()
    assert [*from_file.issues, *issues] == from_bytes.issues
    expected = from_bytes.tables[0].table
    if expected is None:
        assert read is None
        return
    assert read is not None
    assert_frame_equal(read.frame, expected.frame)
    assert (read.row_numbers, read.columns) == (expected.row_numbers, expected.columns)


def test_a_column_of_numbers_from_a_workbook_is_written_as_each_cell_is() -> None:
    """Columns of numbers (prices: nearly all different) are turned into text by polars;
    the text is what cell_text gives each number."""
    import struct

    from sufficiency_standard.read.xlsx import cell_text, column_text

    rng = random.Random(7)
    values = [0.1 + 0.2, 1e-7, 1e-4, 9.999e-5, 1e16, 1e15, 999999999999999.0,
              123456789012345.6, -0.0, 0.0, float("nan"), float("inf"), -float("inf"),
              412.355, -4.2, 3.0, 1 / 3, 1234567.891]  # fmt: skip
    values += [round(rng.uniform(-1e6, 1e6), rng.randint(0, 6)) for _ in range(20_000)]
    values += [rng.uniform(-1e3, 1e3) for _ in range(5_000)]
    values += [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(5_000)]
    assert list(column_text(values)) == [cell_text(value) for value in values]


def test_a_column_of_numbers_and_text_from_a_workbook_is_written_as_each_cell_is() -> None:
    from sufficiency_standard.read.xlsx import cell_text, column_text

    rng = random.Random(8)
    choices = ["", "about 10", " ", 12.5, 5.0, -0.0, float("nan"), 0.1 + 0.2, 1e-9, 1e20]
    for _ in range(200):
        values = [rng.choice(choices) for _ in range(rng.randint(1, 50))] + [rng.random()]
        assert list(column_text(values)) == [cell_text(value) for value in values]


def test_references_resolved_on_hashes_as_on_the_text(tmp_path, monkeypatch) -> None:
    """References are joined on hashes of the identifiers, and on the text itself in
    the (all but impossible) case of two identifiers with one hash: both give every
    row the same target row, including references to no row and to a repeated ID."""
    import sufficiency_standard.check.links as links_module
    from sufficiency_standard.check.links import Links
    from sufficiency_standard.write import write_csv_folder

    document = json.loads((ROOT / "examples" / "example-submission.json").read_text())
    document["costs"][0]["placement_id"] = "P-NOWHERE"
    document["placements"].append(dict(document["placements"][0]))  # a repeated ID
    document["referrals"][0]["child_id"] = None
    write_csv_folder(document, tmp_path / "csv")
    standard = load_standard(None)
    submission = read_submission([tmp_path / "csv"], standard)
    typed = {t.name: type_table(t, submission.tables.get(t.name))[0] for t in standard.tables}
    pairs = [
        (table.name, field.name)
        for table in standard.tables
        for field in table.fields
        if field.references is not None
    ]
    on_hashes = {pair: Links(typed).target_rows(*pair).to_list() for pair in pairs}
    found_repeats = links_module._repeats
    monkeypatch.setattr(links_module, "_repeats", lambda table: (found_repeats(table)[0], False))
    on_text = {pair: Links(typed).target_rows(*pair).to_list() for pair in pairs}
    assert on_hashes == on_text
    assert on_hashes[("costs", "placement_id")][0] is None
    assert on_hashes[("referrals", "child_id")][0] is None
    assert None not in on_hashes[("costs", "placement_id")][1:]


def test_two_identifiers_with_one_hash_are_told_from_one_identifier_used_twice() -> None:
    """Among the rows whose hash another row has, one value a hash is an identifier
    used again; two values with one hash are a collision, and the join must then be on
    the text."""
    from sufficiency_standard.check.links import _one_identifier_per_hash

    shared = pl.Series([11, 12], dtype=pl.UInt64)
    assert _one_identifier_per_hash(pl.Series(["A", "A", "B", "B", "B"]), shared)
    assert not _one_identifier_per_hash(pl.Series(["A", "A", "B", "C"]), shared)


def test_messages_made_many_at_a_time_keep_braces_and_refuse_a_short_list() -> None:
    """A value with braces in it, fixed or per row, is written as it is (never read as
    a field); a list of values shorter than the rows is an error, not rows dropped."""
    from sufficiency_standard.check.issue_rows import _messages

    template = "{fixed} then {shown!r} costs £{amount:,.2f} ({fixed})."
    params = {"fixed": "{x} }{", "shown": ["{0}", "a}"], "amount": [1234.5, 0.256]}
    assert _messages(template, params, 2) == [
        "{x} }{ then '{0}' costs £1,234.50 ({x} }{).",
        "{x} }{ then 'a}' costs £0.26 ({x} }{).",
    ]
    assert _messages("{fixed}", {"fixed": "{}"}, 3) == ["{}"] * 3
    with pytest.raises(ValueError, match="amount has 1 values for 2 rows"):
        _messages(template, {**params, "amount": [1.0]}, 2)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_issues_made_many_at_a_time_are_those_made_one_by_one(kind: str) -> None:
    """row_issues() and cell_issues() give exactly what make_issue() gives for each row:
    fixed and per-row parameters, format specs, personal values, a field per row,
    related places fixed or per row; rows numbered with gaps (a blank row skipped)."""
    from sufficiency_standard.catalogue import make_issue
    from sufficiency_standard.check.issue_rows import cell_issues, location, row_issues, shown
    from sufficiency_standard.issues import Location

    standard = load_standard(None)
    placements = standard.table("placements")
    frame = pl.DataFrame({"start_date": ["x"] * 6, "end_date": ["y"] * 6})
    numbers = [2, 3, 5, 6, 7, 9] if kind != "json" else None
    source = SourceTable(
        "placements", kind, "extract.xlsx, sheet placements" if kind == "xlsx" else "p.csv",
        frame, numbers, {"start_date": "D", "end_date": "E"} if kind != "json" else {},
        json_pointer="/placements" if kind == "json" else None,
        sheet="placements" if kind == "xlsx" else None,
    )  # fmt: skip
    table, _ = type_table(placements, source)
    rows = [0, 2, 5, 3]
    ends = ["2025-01-0" + str(n) for n in range(4)]
    fields = ["start_date", "end_date", "start_date", "end_date"]
    fixed = (Location(table="children", field="birth_month", source="c.csv"),)
    made = row_issues(
        "DATE-AFTER-EXTRACT", table, fields, rows, values=ends,
        related=[(location(table, "end_date", r),) for r in rows],
        field_title="Start", date_value=ends, extract_date="2025-01-01",
    ) + row_issues(
        "COST-OUTLIER", table, "end_date", rows, related=fixed,
        total=[f"{n * 1234.5:,.2f}" for n in range(4)], placement_type="foster",
        low="100", high=[f"{n:,.0f}" for n in (1e3, 2e4, 3e5, 4e6)],
    )  # fmt: skip
    one_by_one = [
        make_issue(
            "DATE-AFTER-EXTRACT", location(table, field, r), value=end,
            related=(location(table, "end_date", r),),
            field_title="Start", date_value=end, extract_date="2025-01-01",
        )
        for field, r, end in zip(fields, rows, ends, strict=True)
    ] + [
        make_issue(
            "COST-OUTLIER", location(table, "end_date", r), related=fixed,
            total=f"{n * 1234.5:,.2f}", placement_type="foster", low="100", high=f"{h:,.0f}",
        )
        for n, (r, h) in enumerate(zip(rows, (1e3, 2e4, 3e5, 4e6), strict=True))
    ]  # fmt: skip
    assert made == one_by_one
    children = standard.table("children")
    child_frame = pl.DataFrame({"child_id": ["C1", "C2", "C3"]})
    child_source = SourceTable("children", kind, "c.csv", child_frame,
                               [2, 3, 4] if kind != "json" else None,
                               {"child_id": "A"} if kind != "json" else {},
                               json_pointer="/children" if kind == "json" else None)  # fmt: skip
    child_table, _ = type_table(children, child_source)
    personal = children.field("child_id")
    assert personal.is_personal
    for field, values in ((personal, ["C1", "C3"]), (placements.field("start_date"), ["a", "b"])):
        owner = child_table if field is personal else table
        made = cell_issues(owner, field, "VALUE-DATE", [0, 2], values, field_title=field.title)
        assert made == [
            make_issue(
                "VALUE-DATE", location(owner, field.name, index), value=value,
                personal=field.is_personal, shown=shown(field, value), field_title=field.title,
            )
            for index, value in zip([0, 2], values, strict=True)
        ]  # fmt: skip


def test_shared_values_are_built_once_when_two_checks_ask_together() -> None:
    """The checks run on two threads; what they share is built by one, the other waits."""
    import threading
    import time

    from sufficiency_standard.check.once import BuiltOnce

    built = BuiltOnce()
    calls: list[int] = []
    start = threading.Barrier(4)

    def build() -> str:
        calls.append(1)
        time.sleep(0.05)  # long enough for the others to ask meanwhile
        return "joined"

    results: list[str] = []

    def ask() -> None:
        start.wait()
        results.append(built.get("costs with placements", build))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["joined"] * 4
    assert calls == [1]
    assert "costs with placements" in built
    assert built.get("other", lambda: "nested " + built.get("costs with placements", build)) == (
        "nested joined"
    )


# Patterns a standard might have: the standard's own, and ones that can match text with
# white space at either end, or nothing, or inside other text.
_PATTERNS = [
    r"^[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?$", r"^(E(06|08|09|10)|W06|S12|N09)[0-9]{6}$",
    r"^[0-9]{4}-(0[1-9]|1[0-2])$", r"^(SC[0-9]{6}|[0-9]{7}|X-[A-Za-z0-9][A-Za-z0-9-]*)$",
    r"^[0-9]+\.[0-9]+\.[0-9]+$", r"^a( b)*$", r"^(a|)b$", r"^\w+$", r"^[+-]\d$",
    r"^[A-Z ]+$", r"^\S+$", r"^.+$", r"^[^a]+$", r"^a\s$", r"^(a|b )$", r"^a*$", r"^x?$",
    r"^a(b )?$", r"^( |a)b$", r"^a(b|c?) ?$", r"^[\u3000]x$", r"^x[\x00-\x20]$", r"a$",
    r"^a", r"^a|b$", r"^a(?=b)",
]  # fmt: skip


def test_patterns_proved_to_match_only_plain_text() -> None:
    """The standard's own patterns are proved (their columns skip the test for
    surrounding spaces); no pattern that can match white space at an end, nothing, or text
    inside other text is."""
    from sufficiency_standard.check.patterns import matches_only_plain_text

    standard = load_standard(None)
    patterns = {f.pattern for t in standard.tables for f in t.fields if f.pattern}
    assert patterns and all(matches_only_plain_text(p) for p in patterns)
    proved = [p for p in _PATTERNS if matches_only_plain_text(p)]
    assert proved == _PATTERNS[:9]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_proved_pattern_matches_no_text_with_white_space_at_either_end(data) -> None:
    """Checked with polars' own engine (Rust), on text the pattern matches, with white
    space of every kind put before or after it."""
    from sufficiency_standard.check.patterns import matches_only_plain_text

    pattern = data.draw(st.sampled_from([p for p in _PATTERNS if matches_only_plain_text(p)]))
    matched = data.draw(st.from_regex(pattern, fullmatch=True).filter(lambda t: "\n" not in t))
    space = data.draw(st.sampled_from([c for c in map(chr, range(0x3001)) if c.isspace()]))
    texts = pl.Series([space + matched, matched + space, "", space])
    assert not pl.select(texts.str.contains(pattern).any()).item()
    if "\\w" not in pattern:  # Python's \w takes more than Rust's (such as "²")
        assert pl.select(pl.lit(matched).str.contains(pattern)).item()


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(max_size=6) | st.sampled_from(["\u3000x", "x\u00a0", "\x85", "a\x1f"]))
)
def test_text_the_fast_path_keeps_as_it_is_has_no_surrounding_space(texts: list[str]) -> None:
    """What the byte test lets through unread is text that removing surrounding white
    space leaves as it is (polars' Unicode white space, and Python's wider one), and
    that is not blank; anything else goes the full way."""
    from sufficiency_standard.check.values import _plainly_text

    column = pl.Series("t", texts, dtype=pl.String)
    kept = pl.select(_plainly_text(pl.lit(column))).to_series().fill_null(False)
    stripped = column.str.strip_chars()
    for text, fast, polars_stripped in zip(texts, kept, stripped, strict=True):
        if fast:
            assert text and text == text.strip() == polars_stripped, repr(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789+-., _e\u00a0\u0663\uff15x", max_size=18))
def test_polars_reads_a_whole_number_from_a_sign_and_digits_only(text: str) -> None:
    """The fast path reads whole numbers with polars' integer parser alone: it takes a
    sign and digits and nothing else (no spaces, separators, exponents or other digits)."""
    import re

    read = pl.Series([text], dtype=pl.String).cast(pl.Int64, strict=False)[0]
    plain = re.fullmatch(r"[+-]?[0-9]+", text) is not None
    assert (read is not None) == (plain and abs(int(text)) < 2**63)
    if read is not None:
        assert read == int(text)
