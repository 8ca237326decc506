"""What each measured approach runs, in its own process (started by run.py).

    python benchmarks/approaches.py <approach> <data folder> [options]

Each prints one JSON object on its last line of output: how long its own work took
inside the process ("seconds"), how many records it went through and what it found.
The wall time, CPU time and peak memory of the whole process are measured by run.py.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import time
from pathlib import Path
from typing import Any


def polars_read(folder: Path) -> dict[str, Any]:
    """The floor: polars reading every CSV file as text (what a validator must see)."""
    import polars as pl

    started = time.perf_counter()
    rows = 0
    for path in sorted(glob.glob(str(folder / "csv" / "*.csv"))):
        rows += pl.read_csv(path, infer_schema=False).height
    return {"seconds": time.perf_counter() - started, "records": rows}


def calamine_read(folder: Path) -> dict[str, Any]:
    """The xlsx floor: python-calamine reading every sheet into Python values."""
    import python_calamine

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(str(folder / "submission.xlsx"))
    rows = 0
    for name in workbook.sheet_names:
        rows += len(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)) - 1
    return {"seconds": time.perf_counter() - started, "records": rows}


def library(folder: Path, target: str) -> dict[str, Any]:
    """`sufficiency_standard.validate(path)`: reading and every check, no report text."""
    started = time.perf_counter()
    from sufficiency_standard import validate

    imported = time.perf_counter()
    report = validate(folder / target)
    done = time.perf_counter()
    return {
        "seconds": done - imported,
        "import_seconds": imported - started,
        "records": sum(report.rows.values()),
        "issues": len(report.issues),
        "counts": report.counts,
    }


def json_schema(folder: Path, engine: str, sample: bool) -> dict[str, Any]:
    """A JSON Schema validator over every record, read line by line from JSON lines.

    Each table's records are checked against the class of the standard's JSON Schema
    (Draft 2020-12, formats such as `date` checked). Reading and parsing the JSON is
    part of the time, as it is for any validator that starts from files.
    """
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    from sufficiency_standard import json_schema as standard_schema
    from sufficiency_standard.standard import load_standard

    version = manifest["standard_version"]
    schema = standard_schema(version)
    standard = load_standard(version)
    started = time.perf_counter()
    validators = {}
    for table in standard.tables:
        # The submission's own fields are the top of the document; each other table's
        # records are instances of its class.
        sub = (
            schema
            if table.one_row
            else {
                "$schema": schema["$schema"],
                "$defs": schema["$defs"],
                "$ref": f"#/$defs/{table.class_name}",
            }
        )
        validators[table.name] = _validator(engine, sub)
    limits = manifest["sample_rows"] if sample else manifest["rows"]
    records = errors = 0
    hits: list[list[Any]] = []
    for table in standard.tables:
        validator = validators[table.name]
        limit = limits[table.name]
        with (folder / "jsonl" / f"{table.name}.jsonl").open(encoding="utf-8") as lines:
            for index, line in enumerate(lines):
                if index >= limit:
                    break
                record = json.loads(line)
                records += 1
                for error in validator(record):
                    errors += 1
                    hits.append([table.name, index + 2, error])
    return {
        "seconds": time.perf_counter() - started,
        "records": records,
        "issues": errors,
        "found": hits,
    }


def _validator(engine: str, schema: dict[str, Any]):
    """A function from a record to the first field of each error's path."""
    if engine == "rs":
        import jsonschema_rs

        checker = jsonschema_rs.validator_for(schema, validate_formats=True)

        def errors(record: Any) -> list[str | None]:
            out = []
            for error in checker.iter_errors(record):
                path = list(error.instance_path)
                if not path and type(error.kind).__name__ == "Required":
                    path = [error.kind.property]
                out.append(_field(path))
            return out

    else:
        import jsonschema

        cls = jsonschema.validators.validator_for(schema)
        checker = cls(schema, format_checker=cls.FORMAT_CHECKER)

        def errors(record: Any) -> list[str | None]:
            out = []
            for error in checker.iter_errors(record):
                path = list(error.absolute_path)
                if not path and error.validator == "required":
                    # "x is a required property": the field is in the message.
                    path = [str(error.message).split("'")[1]] if "'" in error.message else []
                out.append(_field(path))
            return out

    return errors


def _field(path: Any) -> str | None:
    parts = list(path)
    return str(parts[0]) if parts else None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("approach")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--target", default="csv")
    parser.add_argument("--sample", action="store_true")
    args = parser.parse_args()
    if args.approach == "polars":
        result = polars_read(args.folder)
    elif args.approach == "calamine":
        result = calamine_read(args.folder)
    elif args.approach == "library":
        result = library(args.folder, args.target)
    elif args.approach in ("jsonschema-rs", "jsonschema"):
        engine = "rs" if args.approach == "jsonschema-rs" else "python"
        result = json_schema(args.folder, engine, args.sample)
    else:
        raise SystemExit(f"unknown approach {args.approach}")
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
