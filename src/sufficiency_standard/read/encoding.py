"""Turning the bytes of a text file (CSV, JSON) into text, saying how it was decoded.

Plain UTF-8 is expected. UTF-8 with a byte order mark (what Excel writes for "CSV UTF-8"),
UTF-16 with a byte order mark (Excel's "Unicode text") and Windows-1252 (Excel's plain
"CSV" on an English Windows PC, where "£" is one byte) are accepted and noted. Anything
else cannot be read without guessing, so it is refused.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from sufficiency_standard.issues import InputError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str | None  # a person's name for the encoding; None for plain UTF-8
    utf8: bytes  # the same text as UTF-8 without a byte order mark (for fast parsers)


def decode_text(data: bytes, name: str) -> DecodedText:
    """The text of a file, or InputError naming the file when it is not text we can read."""
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8) :]
        return DecodedText(_strict(body, "utf-8", name), "UTF-8 with a byte order mark", body)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", name)
        return DecodedText(text, "UTF-16", text.encode("utf-8"))
    if data.startswith(_ZIP_MAGIC):
        raise InputError(f"{name} is a zip or Excel file, not a text file; check its name.")
    if data.startswith(_OLE2_MAGIC):
        raise InputError(f"{name} is an Excel or Office file, not a text file; check its name.")
    if b"\x00" in data[:65536]:
        raise InputError(f"{name} is not a text file (it holds binary data).")
    try:
        return DecodedText(data.decode("utf-8"), None, data)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is neither UTF-8 nor Windows-1252 text (byte {error.start + 1} cannot be "
            "read); save it as CSV UTF-8."
        ) from None
    return DecodedText(text, "Windows-1252", text.encode("utf-8"))


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} starts as {encoding.upper()} text but byte {error.start + 1} is not "
            f"valid {encoding.upper()}; save it again as CSV UTF-8."
        ) from None
