"""Small helpers the simulator's modules share: days, weighted choices, IDs."""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

YEAR_DAYS = 365.25


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the simulator makes millions of small records
    and few cycles, and the collector's passes over them would take half the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Days:
    """ISO text of ordinal days, each worked out once."""

    def __init__(self) -> None:
        self._text: dict[int, str] = {}

    def iso(self, day: int | None) -> str | None:
        if day is None:
            return None
        text = self._text.get(day)
        if text is None:
            text = self._text[day] = date.fromordinal(day).isoformat()
        return text


DAYS = Days()
iso = DAYS.iso


def birthday(born: date, years: int) -> int:
    """The ordinal day of a birthday (29 February falls on 28 February)."""
    year = born.year + years
    try:
        return date(year, born.month, born.day).toordinal()
    except ValueError:
        return date(year, born.month, 28).toordinal()


def randint(rng: random.Random, low: int, high: int) -> int:
    """A whole number from low to high, both included (faster than Random.randint)."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, shares: Mapping[str, float]) -> str:
    """One of the keys, with probability in proportion to its share."""
    total = 0.0
    for weight in shares.values():
        total += weight
    x = rng.random() * total
    last = None
    for value, weight in shares.items():
        x -= weight
        last = value
        if x < 0:
            return value
    assert last is not None
    return last


def financial_year(day: int) -> int:
    """The financial year of a day: 2023 for 1 April 2023 to 31 March 2024."""
    d = date.fromordinal(day)
    return d.year if d.month >= 4 else d.year - 1


def april_first(year: int) -> int:
    return date(year, 4, 1).toordinal()


def row(fields: tuple[str, ...], values: tuple) -> dict:
    """A record with the fields that have a value, in the standard's order."""
    return {name: value for name, value in zip(fields, values, strict=True) if value is not None}


class IdMaker:
    """An LA's IDs for one table: a prefix and numbers that rise with small gaps, as a
    case-management system's do."""

    def __init__(self, rng: random.Random, template: str, first: int) -> None:
        self.rng = rng
        self.template = template
        self.number = first

    def next(self) -> str:
        self.number += 1 if self.rng.random() < 0.7 else self.rng.randint(2, 4)
        return self.template.format(self.number)


# Four ways LAs' systems number their records: table -> (template, first number).
ID_STYLES: tuple[dict[str, tuple[str, int]], ...] = (
    {
        "child": ("C{}", 1000),
        "referral": ("R{}", 2000),
        "needs": ("N{}", 3000),
        "placement": ("P{}", 4000),
        "cost": ("K{}", 5000),
        "provider": ("PRV-{:04d}", 0),
    },
    {
        "child": ("{:07d}", 1_200_000),
        "referral": ("REF{:06d}", 40_000),
        "needs": ("NA{:06d}", 70_000),
        "placement": ("PL{:07d}", 300_000),
        "cost": ("CST{:07d}", 800_000),
        "provider": ("P{:05d}", 100),
    },
    {
        "child": ("CH-{}", 50_000),
        "referral": ("SR-{}", 10_000),
        "needs": ("AS-{}", 20_000),
        "placement": ("PLC-{}", 30_000),
        "cost": ("FIN-{}", 90_000),
        "provider": ("ORG{:04d}", 200),
    },
    {
        "child": ("{code}C{:06d}", 0),
        "referral": ("{code}R{:06d}", 0),
        "needs": ("{code}N{:06d}", 0),
        "placement": ("{code}P{:06d}", 0),
        "cost": ("{code}F{:07d}", 0),
        "provider": ("{code}-PRV{:03d}", 0),
    },
)


def id_makers(rng: random.Random, style: int, la_code: str) -> dict[str, IdMaker]:
    code = la_code[-3:]
    return {
        table: IdMaker(rng, template.replace("{code}", code), first + rng.randint(0, 500))
        for table, (template, first) in ID_STYLES[style % len(ID_STYLES)].items()
    }
