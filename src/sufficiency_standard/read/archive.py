"""Opening zip files (xlsx workbooks, zips of CSV files) without trusting them.

Before anything is decompressed, the zip's own directory is checked: too many members,
too much data once decompressed, or a member that decompresses to hundreds of times its
stored size (a "zip bomb") is refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sufficiency_standard.issues import InputError

MAX_MEMBERS = 10_000
MAX_TOTAL_UNCOMPRESSED = 1 << 30  # 1 GiB: far above any LA extract
MAX_RATIO = 200  # real sheet XML and CSV compress 5-30 times
RATIO_CHECKED_FROM = 10 << 20  # members this large (10 MiB) must not exceed MAX_RATIO


def open_zip(path: Path, what: str) -> zipfile.ZipFile:
    """The zip at `path`, checked; `what` names the expected content in messages."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(
            f"{path.name} is damaged or incomplete: it cannot be opened as {what}."
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"{path.name} names a file inside it in bytes that are not text (it says UTF-8 "
            f"but is not): make the zip again, or give the files themselves."
        ) from None
    except OSError as error:
        raise InputError(f"{path.name} cannot be opened: {error.strerror or error}.") from None
    try:
        check_zip_limits(archive, path.name)
    except InputError:
        archive.close()
        raise
    return archive


def check_zip_limits(archive: zipfile.ZipFile, name: str) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise InputError(f"{name} holds {len(members):,} files, more than {MAX_MEMBERS:,}.")
    total = sum(member.file_size for member in members)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise InputError(
            f"{name} would decompress to {total / (1 << 30):.1f} GiB, more than the "
            f"{MAX_TOTAL_UNCOMPRESSED / (1 << 30):.0f} GiB allowed; it was not opened."
        )
    stored = sum(member.compress_size for member in members)
    if total >= RATIO_CHECKED_FROM and total / max(stored, 1) > MAX_RATIO:
        # Many members each just under the size checked one by one add up the same.
        raise InputError(
            f"{name} looks like a zip bomb: its files would decompress to "
            f"{total / max(stored, 1):,.0f} times their size; it was not opened."
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise InputError(
                f"{name} is password-protected ({member.filename} is encrypted); "
                "save a copy without a password."
            )
        if member.file_size >= RATIO_CHECKED_FROM:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_RATIO:
                raise InputError(
                    f"{name} looks like a zip bomb: {member.filename} would decompress to "
                    f"{ratio:,.0f} times its size; it was not opened."
                )
