"""Export: the hub's current tables and its star schema, as files a region's tools read.

    DIR/tables/<table>.<ext>   every table of the standard, the latest copy of each
                               record, with provenance and merged provider/setting keys
    DIR/star/<table>.<ext>     the star schema (star.py)
    DIR/export.json            what was exported, from which hub, when, for whom

Parquet keeps every type (dates, decimals, lists) and is what Spark, Databricks, DuckDB
and Power BI read directly; CSV writes lists joined by "; "; xlsx writes one workbook per
folder, every value as a value (text is never a formula).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sufficiency_standard.__about__ import __version__
from sufficiency_standard.hub.database import HubError
from sufficiency_standard.hub.star import StarSchema, current_tables
from sufficiency_standard.hub.store import Hub

FORMATS = ("parquet", "csv", "xlsx")
_EXCEL_ROWS = 1_048_575  # a sheet's rows, less the header


@dataclass
class ExportResult:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)  # "tables/placements" -> rows


def export_hub(
    hub: Hub,
    out: str | Path,
    *,
    la_code: str | None = None,
    purpose: str | None = None,
    file_format: str = "parquet",
) -> ExportResult:
    """Write the current tables and the star schema of every LA, one LA (`la_code`:
    exactly its own rows), or the LAs that share for a purpose."""
    if file_format not in FORMATS:
        raise HubError(f"unknown format {file_format}: use {', '.join(FORMATS)}")
    if la_code is not None and purpose is not None:
        raise HubError("give an LA or a purpose, not both")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HubError(f"{out} exists and is not an empty folder; give a new one")
    la_codes: list[str] | None = None
    if la_code is not None:
        held = set(hub.submissions().get_column("la_code").drop_nulls().to_list())
        if la_code not in held:
            raise HubError(f"the hub holds no submission from LA {la_code}")
        la_codes = [la_code]
    elif purpose is not None:
        la_codes = hub.config.las_for(purpose)

    current = current_tables(hub, la_codes)
    groups = {"tables": current, "star": StarSchema(hub, la_codes, current).tables()}
    if file_format == "xlsx":
        for group, frames in groups.items():
            for name, frame in frames.items():
                if frame.height > _EXCEL_ROWS:
                    raise HubError(
                        f"{group}/{name} has {frame.height:,} rows, more than a sheet holds; "
                        "export as parquet or csv"
                    )
    result = ExportResult(out)
    for group, frames in groups.items():
        folder = out / group
        folder.mkdir(parents=True, exist_ok=True)
        if file_format == "xlsx":
            _write_workbook(frames, folder / f"{group}.xlsx")
        for name, frame in frames.items():
            if file_format == "parquet":
                frame.write_parquet(folder / f"{name}.parquet")
            elif file_format == "csv":
                _flat(frame).write_csv(folder / f"{name}.csv")
            result.rows[f"{group}/{name}"] = frame.height
    (out / "export.json").write_text(
        json.dumps(
            {
                "hub": hub.database.location,
                "standard_version": hub.version,
                "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "package_version": __version__,
                "la_codes": la_codes if la_codes is not None else "all",
                "purpose": purpose,
                "format": file_format,
                "rows": result.rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    hub.log("export", None, f"{file_format} for {la_code or purpose or 'all LAs'}")
    return result


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists joined as the standard writes them ("a; b"), for formats without lists."""
    return frame.with_columns(
        pl.col(name).list.join("; ") for name, dtype in frame.schema.items() if dtype == pl.List
    )


def _write_workbook(frames: dict[str, pl.DataFrame], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    for name, frame in frames.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(list(frame.columns))
        for row in _flat(frame).iter_rows():
            cells = []
            for value in row:
                if isinstance(value, str):
                    # A control character cannot be stored in a workbook: shown as its code.
                    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m[0]):02x}", value)
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # text that starts with "=" stays text
                    cells.append(cell)
                else:
                    cells.append(float(value) if hasattr(value, "as_tuple") else value)
            sheet.append(cells)
    book.save(path)
