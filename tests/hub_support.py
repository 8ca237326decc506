"""What the hub's tests share: LAs' submissions made from the example submission with
a real writer. (The hubs themselves, on each engine, are fixtures in conftest.py.)"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sufficiency_standard.write import write_json, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "example-submission.json"


def example_submission(**header: Any) -> dict[str, Any]:
    submission = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    submission.update(header)
    return submission


def write_submission(
    folder: Path, name: str, submission: dict[str, Any], *, as_xlsx: bool = False
) -> Path:
    path = folder / f"{name}.{'xlsx' if as_xlsx else 'json'}"
    (write_xlsx if as_xlsx else write_json)(submission, path)
    return path


def another_la(code: str = "E06000023") -> dict[str, Any]:
    """The example as another LA sends it: same IDs (IDs are each LA's own), its code."""
    return example_submission(la_code=code)


def next_year(submission: dict[str, Any]) -> dict[str, Any]:
    later = copy.deepcopy(submission)
    later["period_start"], later["period_end"] = "2026-04-01", "2027-03-31"
    later["extract_date"] = "2027-04-10"
    return later
