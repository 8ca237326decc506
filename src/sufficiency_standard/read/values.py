"""Typed values (Excel cells, JSON scalars) as the text that checking reads.

Numbers are written as a person would type them: whole numbers without ".0", others
with as few digits as show the value (Excel keeps at most 15 significant digits, so
binary noise such as 0.30000000000000004 is shown as Excel shows it, 0.3), never in
exponent notation.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

_EXCEL_DIGITS = 15
_WHOLE_LIMIT = 10**_EXCEL_DIGITS


def number_text(value: float, *, excel: bool) -> str:
    """A float as text: 12.0 -> "12", 1234.5 -> "1234.5", 1e-7 -> "0.0000001"."""
    if value.is_integer():
        if -_WHOLE_LIMIT < value < _WHOLE_LIMIT:
            return str(int(value))
    elif not math.isfinite(value):
        return repr(value)
    text = f"{value:.{_EXCEL_DIGITS}g}" if excel else repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text


def datetime_text(value: dt.datetime) -> str:
    """ISO date, with the time only when it is not midnight."""
    if value.time() == dt.time(0):
        return value.date().isoformat()
    return value.isoformat(timespec="seconds" if not value.microsecond else "milliseconds")
