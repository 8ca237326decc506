"""One national record (a search with its outcome), read from JSON-LD or the Excel
template, or made from a submission: the values by national property, normalised, and
where each came from, so a problem can name the JSON path or the cell.

Values: concepts as prefixed names ("pu:WithinFiveDays"), booleans, ints, Decimals,
dates and strings; a multivalued property holds a list. A value that could not be
read as its kind is kept as the text it was (the check then says why), never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sufficiency_standard.issues import Location


@dataclass
class Unreadable:
    """A value kept as written because it is not of its property's kind."""

    text: str
    reason: str  # plain English, e.g. "is not a concept of the national context"


@dataclass
class NationalRecord:
    source: str  # the file, and the sheet for a workbook
    location: Location  # where the record starts: its JSON path, or its row
    record_id: str | None = None  # the JSON-LD @id, when there is one
    values: dict[str, Any] = field(default_factory=dict)
    where: dict[str, Location] = field(default_factory=dict)  # property -> its cell or path
    part_ids: dict[str, str] = field(default_factory=dict)  # class -> the part's @id

    def get(self, prop: str) -> Any:
        return self.values.get(prop)

    def put(self, prop: str, value: Any, where: Location | None = None) -> None:
        """Set a property's value (None and [] are "not given", so not stored)."""
        if value is None or value == []:
            self.values.pop(prop, None)
            return
        self.values[prop] = value
        if where is not None:
            self.where[prop] = where

    def has_part(self, cls: str) -> bool:
        """Whether the record has the part (a JSON-LD node, or, in a flat row, any value
        of it): an Excel row has no parts of its own."""
        from sufficiency_standard.national.vocabulary import vocabulary

        vocab = vocabulary()
        link = vocab.link_of(cls)
        if link is None or self.values.get(link) is not None:
            return True
        return any(p.name in self.values for p in vocab.of_class(cls))

    def at(self, prop: str) -> Location:
        """Where the property's value is, or where it should have been."""
        return self.where.get(prop) or self.location
