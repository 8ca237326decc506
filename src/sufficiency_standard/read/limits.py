"""Limits on what is read, far above any real LA file, so that a damaged or crafted file
is refused at once with a reason rather than read for minutes into gigabytes.

An LA's submission has a few dozen columns per table and at most a few hundred
megabytes of text (a million placements as CSV is some 300 MB); the readers' other
limits are in archive (zips) and sheet_xml (how far a sheet reaches).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sufficiency_standard.issues import InputError

# Columns in a table (a header row, or the widest row of a sheet or CSV file): the
# standard's widest table has under 40 fields; each column costs a polars column.
MAX_COLUMNS = 2_048
# A text file (CSV, JSON, a key or mapping file) read into memory whole.
MAX_TEXT_FILE_BYTES = 2 << 30  # 2 GiB


def refuse_wide(width: int, name: str, what: str = "row") -> None:
    """InputError when a table is wider than MAX_COLUMNS."""
    if width > MAX_COLUMNS:
        raise InputError(
            f"{name} has a {what} of {width:,} columns, more than the {MAX_COLUMNS:,} "
            "any table could need: it is not a table of the standard, or something far "
            "to the right of the table should be deleted."
        )


def read_file_bytes(path: Path, limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit` of them; InputError for anything else (a
    device such as /dev/zero, a pipe, a file too large), or when it cannot be opened."""
    name = path.name
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(f"{name} is not a regular file (it is a device or a pipe).")
            data = handle.read(limit + 1)
    except OSError as error:
        raise InputError(f"{name} cannot be opened: {error.strerror or error}.") from None
    if len(data) > limit:
        raise InputError(
            f"{name} is larger than {limit / (1 << 30):.0f} GiB, far more than any "
            "submission; it was not read."
        )
    return data
