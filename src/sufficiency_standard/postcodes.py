"""UK postcodes cut down to what the standard may hold: a sector ("TA1 2") or a district ("TA1").

A full postcode covers about fifteen homes, so it can point at a foster carer's house;
a sector covers a few thousand. The importers cut what they read, and pseudonymisation
cuts whatever is left before a submission is shared.
"""

from __future__ import annotations

import re
from typing import Literal

PostcodeLevel = Literal["sector", "district"]

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")
_DIGIT = re.compile(r"^[0-9]$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def generalise_postcode(text: str | None, level: PostcodeLevel = "sector") -> str | None:
    """The sector or district of a postcode, sector or district; None when it is none.

    Spaces and case do not matter ("ta12ab" is "TA1 2AB"). A district stays a district
    when a sector is asked for: nothing is invented.
    """
    if text is None:
        return None
    spaced = " ".join(text.upper().split())
    compact = spaced.replace(" ", "")
    full = _FULL.match(compact)
    parts = spaced.split(" ")
    if full:
        district, sector_digit = full.group(1), full.group(2)
    elif len(parts) == 2 and _DISTRICT.match(parts[0]) and _DIGIT.match(parts[1]):
        district, sector_digit = parts
    elif _DISTRICT.match(compact):
        # "TA12" is a district; a sector is only read when written with its space.
        return compact
    else:
        return None
    return district if level == "district" else f"{district} {sector_digit}"


def compact_postcode(text: str) -> str:
    """The postcode as one upper-case word ("ta1 2ab" -> "TA12AB"), to compare as written."""
    return re.sub(r"\s+", "", text).upper()


def is_full_postcode(text: str | None) -> bool:
    return text is not None and bool(_FULL.match(compact_postcode(text)))
