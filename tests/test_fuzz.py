"""Fuzzing the readers and every command (issue 19's "done when"): inputs made from the
example submission with real writers (openpyxl for workbooks, the CSV and JSON writers,
zipfile), mutated where files go wrong in practice and where crafted files attack
(quotes, references, dates, encodings, structure), and given to each command. Whatever
the input, a command ends with exit code 0, 1 or 2 and never a traceback.

Seeded (derandomize) and bounded so that it runs in every CI run in well under a minute.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sufficiency_standard.cli import app
from sufficiency_standard.write import write_csv_folder, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.loads((ROOT / "examples" / "example-submission.json").read_text(encoding="utf-8"))
runner = CliRunner()

FUZZ = settings(
    max_examples=75,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What is put into a file: what real files hold that they should not, and what a crafted
# file uses to attack a reader.
SNIPPETS = [
    b"",
    b"'",
    b'"',
    b",",
    b";",
    b"\t",
    b"\r",
    b"\n",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x1b[2J",
    b'=HYPERLINK("x")',
    b"9" * 500,
    b"-1e400",
    b"NaN",
    b"3/4/25",
    b"12/05/2025 00:00",
    b"45789",
    b"2009-02",
    b"\xc3\x28",
    b"r='XFD1048576'",
    b' r="AZ2000000"',
    b'\tr="XFD20"',
    b't="e"',
    b"<v>#N/A</v>",
    b"</sheetData>",
    b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    b"&#0;",
    b"{",
    b"]",
    b'"placement_id": 1, "placement_id": 2',
    b"..",
    b"/",
]


@st.composite
def mutations(draw, size: int) -> list[tuple[int, int, bytes]]:
    """A few edits of a text of `size` bytes: (start, how many bytes to remove, insert)."""
    count = draw(st.integers(1, 3))
    edits = []
    for _ in range(count):
        start = draw(st.integers(0, max(size - 1, 0)))
        remove = draw(st.sampled_from([0, 0, 1, 5, 50]))
        insert = draw(st.sampled_from(SNIPPETS))
        edits.append((start, remove, insert))
    return edits


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for start, remove, insert in sorted(edits, reverse=True):
        start = min(start, len(data))
        data = data[:start] + insert + data[start + remove :]
    return data


COMMANDS = ["validate", "validate-json", "validate-xlsx", "validate-html", "mapping", "upgrade"]


def _run(command: str, path: Path, work: Path) -> None:
    """Run a command on `path`; it must end with 0, 1 or 2 (or, for commands that do not
    take this kind of input, its usage code), never with an exception."""
    arguments = {
        "validate": ["validate", str(path)],
        "validate-json": ["validate", str(path), "--format", "json"],
        "validate-xlsx": ["validate", str(path), "-f", "xlsx", "-o", str(work / "r.xlsx")],
        "validate-html": ["validate", str(path), "-f", "html", "-o", str(work / "r.html")],
        "mapping": ["mapping", "init", str(path), "--out", str(work / "m.yaml")],
        "upgrade": ["upgrade", str(path), "--to", "0.3.0", "--out", str(work / "u.json")],
        "pseudonymise": [
            "pseudonymise",
            str(path),
            "--out",
            str(work / "p.json"),
            "-k",
            str(work / "key"),
        ],
    }[command]
    result = runner.invoke(app, arguments)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"{' '.join(arguments)} raised {type(result.exception).__name__}: {result.exception}"
        ) from result.exception
    assert result.exit_code in (0, 1, 2), (arguments, result.exit_code, result.output)


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, Path]:
    """The example as a workbook, a folder of CSV files, a zip of them, and JSON."""
    base = tmp_path_factory.mktemp("fuzz-base")
    folder = base / "csv"
    write_csv_folder(EXAMPLE, folder)
    packed = base / "in.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    document = base / "in.json"
    document.write_text(json.dumps(EXAMPLE, indent=1), encoding="utf-8")
    return {
        "xlsx": write_xlsx(EXAMPLE, base / "in.xlsx"),
        "csv": folder,
        "zip": packed,
        "json": document,
    }


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    place = tmp_path_factory.mktemp("fuzz-work")
    runner.invoke(app, ["keygen", "--out", str(place / "key")])
    return place


def _mutated_zip(source: Path, target: Path, member: int, edits, rename: bytes) -> Path:
    with zipfile.ZipFile(source) as old:
        members = old.infolist()
        chosen = members[member % len(members)]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new:
            for each in members:
                data = old.read(each)
                name = each.filename
                if each is chosen:
                    data = _apply(data, edits)
                    if rename:
                        name = rename.decode("utf-8", "replace") + name
                new.writestr(name, data)
    target.write_bytes(buffer.getvalue())
    return target


@FUZZ
@given(
    member=st.integers(0, 100),
    edits=mutations(20_000),
    rename=st.sampled_from([b"", b"", b"../", b"x/"]),
    command=st.sampled_from([*COMMANDS, "pseudonymise"]),
)
def test_fuzz_workbooks(bases, work, member, edits, rename, command):
    path = _mutated_zip(bases["xlsx"], work / "fuzz.xlsx", member, edits, rename)
    _run(command, path, work)


@FUZZ
@given(
    member=st.integers(0, 100),
    edits=mutations(2_000),
    rename=st.sampled_from([b"", b"", b"../", b"__MACOSX/", b"copy/"]),
    command=st.sampled_from(["validate", "validate-json", "validate-xlsx", "upgrade"]),
)
def test_fuzz_zips_of_csv(bases, work, member, edits, rename, command):
    path = _mutated_zip(bases["zip"], work / "fuzz.zip", member, edits, rename)
    _run(command, path, work)


@FUZZ
@given(
    table=st.integers(0, 100),
    edits=mutations(2_000),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    command=st.sampled_from([*COMMANDS, "pseudonymise"]),
)
def test_fuzz_csv_folders(bases, work, table, edits, encoding, command):
    folder = work / "fuzz-csv"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(bases["csv"], folder)
    files = sorted(folder.iterdir())
    chosen = files[table % len(files)]
    text = chosen.read_text(encoding="utf-8").encode(encoding, "replace")
    chosen.write_bytes(_apply(text, edits))
    _run(command, folder, work)


@FUZZ
@given(
    edits=mutations(30_000),
    command=st.sampled_from(
        ["validate", "validate-json", "validate-xlsx", "upgrade", "pseudonymise"]
    ),
)
def test_fuzz_json(bases, work, edits, command):
    path = work / "fuzz.json"
    path.write_bytes(_apply(bases["json"].read_bytes(), edits))
    _run(command, path, work)
