"""Writing a simulated region's submissions to files, byte for byte the same each time.

JSON goes through `write.write_json` (indented) or, for large regions, a compact writer
with one record per line (the standard's order, the C JSON encoder). Workbooks go
through `write.write_xlsx`, then are rewritten with fixed timestamps: openpyxl stamps
the time of saving into docProps/core.xml and every zip entry. CSV folders are zipped
with sorted names and fixed timestamps.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sufficiency_standard.write import write_csv_folder, write_json, write_xlsx

FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entries' timestamps
FIXED_W3CDTF = "2020-01-01T00:00:00Z"  # the workbook's created and modified times
FORMATS = ("json", "xlsx", "csv-zip", "csv")
SUFFIX = {"json": ".json", "xlsx": ".xlsx", "csv-zip": ".zip", "csv": ""}
_CORE_TIMES = re.compile(
    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)"
)


def write_submission(
    submission: Mapping[str, Any], path: str | Path, fmt: str = "json", *, compact: bool = False
) -> Path:
    """Write one submission in a format (json, xlsx, csv-zip or csv: a folder); return
    the path written. `path` is given without its suffix."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    target = Path(str(path) + SUFFIX[fmt])
    if fmt == "json":
        return write_compact_json(submission, target) if compact else write_json(submission, target)
    if fmt == "xlsx":
        write_xlsx(submission, target)
        make_xlsx_deterministic(target)
        return target
    if fmt == "csv":
        write_csv_folder(submission, target)
        return target
    with tempfile.TemporaryDirectory() as folder:
        written = write_csv_folder(submission, Path(folder) / "csv")
        zip_files(sorted(written, key=lambda p: p.name), target)
    return target


def write_compact_json(submission: Mapping[str, Any], path: Path) -> Path:
    """The submission as JSON with one record per line: the same document as write_json
    writes (the simulator's records already hold the standard's order), several times
    faster and about half the size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = ["{"]
    items = list(submission.items())
    for number, (key, value) in enumerate(items):
        comma = "," if number < len(items) - 1 else ""
        if isinstance(value, list):
            if not value:
                lines.append(f"  {dumps(key)}: []{comma}")
                continue
            lines.append(f"  {dumps(key)}: [")
            last = len(value) - 1
            lines.extend(
                f"    {dumps(record)}{',' if i < last else ''}" for i, record in enumerate(value)
            )
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {dumps(key)}: {dumps(value)}{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_xlsx_deterministic(path: Path) -> None:
    """Rewrite a workbook with fixed times in its properties and its zip entries."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(
                    lambda m: m.group(1) + FIXED_W3CDTF.encode() + m.group(3), data
                )
            target.writestr(_entry(info.filename), data)
    path.write_bytes(buffer.getvalue())


def zip_files(paths: list[Path], target: Path) -> Path:
    """A zip of files (by name, in the order given) with fixed timestamps."""
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.writestr(_entry(path.name), path.read_bytes())
    target.write_bytes(buffer.getvalue())
    return target


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
