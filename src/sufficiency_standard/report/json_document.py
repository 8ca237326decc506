"""The report as a stable JSON document (its schema: report.schema.json)."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any, BinaryIO

from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.collector import collector_paused
from sufficiency_standard.issues import Issue, Location
from sufficiency_standard.report.model import LOCATION_MEMBERS, Report

if TYPE_CHECKING:
    import polars as pl

# The encoder json.dumps(ensure_ascii=False) uses for strings (the C one when present).
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]

_ISSUE = "\n    "  # an issue starts on its own line in the list of issues
_MEMBER = "\n      "  # the members of an issue
_PLACE = "\n        "  # a related place in an issue's list of them
_PLACE_MEMBER = "\n          "


def render_json(report: Report, show_values: bool = False) -> str:
    """The text of `json.dumps(report.to_dict(show_values), indent=2, ensure_ascii=False)`,
    with a newline."""
    return render_json_bytes(report, show_values).decode("utf-8")


def render_json_bytes(report: Report, show_values: bool = False) -> bytes:
    """render_json's text as UTF-8, which is what a file or pipe takes."""
    buffer = io.BytesIO()
    write_json(report, buffer, show_values)
    return buffer.getvalue()


@collector_paused()
def write_json(report: Report, out: BinaryIO, show_values: bool = False) -> None:
    """Write render_json's text, as UTF-8, to a binary file.

    With an indent the json module encodes in pure Python, which takes about a second
    for the tens of thousands of issues of a large submission; the issues, whose shape
    is known, are written here directly, as columns in polars (tests compare the two),
    and a batch at a time, so that a report of a million issues is never held whole.
    """
    summary = json.dumps({**report.summary_dict(), "issues": []}, indent=2, ensure_ascii=False)
    if not report.issues:
        out.write((summary + "\n").encode("utf-8"))
        return
    assert summary.endswith('"issues": []\n}')
    out.write((summary[: -len("[]\n}")] + "[" + _ISSUE).encode("utf-8"))
    between = ("," + _ISSUE).encode("utf-8")
    for start in range(0, len(report.issues), _BATCH):
        if start:
            out.write(between)
        out.write(_issue_texts(report.issues[start : start + _BATCH], show_values))
    out.write(b"\n  ]\n}\n")


_BATCH = 20_000  # issues written at a time: about 14 MB of text


def _issue_texts(issues: list[Issue], show_values: bool) -> bytes:
    """Every issue as its JSON object, indented as in the report, one after another."""
    import polars as pl

    # An issue's code and severity give its first members and docs: written once a kind.
    kinds = {
        key: number
        for number, key in enumerate(
            dict.fromkeys((issue.code, issue.severity) for issue in issues)
        )
    }
    heads = [_entry_members(code, severity.value) for code, severity in kinds]
    frame = _places_frame([issue.location for issue in issues]).with_columns(
        pl.Series("kind", [kinds[issue.code, issue.severity] for issue in issues], pl.UInt32),
        pl.Series("message", [issue.message for issue in issues], pl.String),
        pl.Series(
            "value",
            [None if issue.personal and not show_values else issue.value for issue in issues],
            pl.String,
        ),
        pl.Series("related", _related_texts([issue.related for issue in issues]), pl.String),
    )

    def member(name: str, value: pl.Expr) -> pl.Expr:
        return pl.concat_str(pl.lit(f',{_MEMBER}"{name}": '), value)

    def head(part: int) -> pl.Expr:
        texts = [members[part] for members in heads]
        return pl.col("kind").replace_strict(list(range(len(texts))), texts, return_dtype=pl.String)

    texts = frame.select(
        pl.concat_str(
            pl.lit("{" + _MEMBER),
            head(0),
            pl.lit("," + _MEMBER),
            head(1),
            pl.lit("," + _MEMBER),
            head(2),
            pl.lit("," + _MEMBER),
            _place_text(_MEMBER),
            member("message", _json_text(pl.col("message"))),
            pl.lit("," + _MEMBER),
            head(3),
            pl.when(pl.col("value").is_null())
            .then(pl.lit(""))
            .otherwise(member("value", _json_text(pl.col("value")))),
            pl.when(pl.col("related").is_null())
            .then(pl.lit(""))
            .otherwise(
                member(
                    "related",
                    pl.concat_str(pl.lit("[" + _PLACE), "related", pl.lit(_MEMBER + "]")),
                )
            ),
            pl.lit(_ISSUE + "}"),
        )
        .str.join("," + _ISSUE)
        .cast(pl.Binary)
    )
    return texts.item()


def _related_texts(related: list[tuple[Location, ...]]) -> list[str | None]:
    """Each issue's related places as the text inside its brackets (None when none)."""
    import polars as pl

    places = [place for each in related for place in each]
    if not places:
        return [None] * len(related)
    texts = iter(
        _places_frame(places)
        .select(
            pl.concat_str(
                pl.lit("{" + _PLACE_MEMBER), _place_text(_PLACE_MEMBER), pl.lit(_PLACE + "}")
            )
        )
        .to_series()
        .to_list()
    )
    separator = "," + _PLACE
    return [separator.join([next(texts) for _ in each]) if each else None for each in related]


def _places_frame(places: list[Location]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(
        {name: [getattr(place, name) for place in places] for name in LOCATION_MEMBERS},
        schema={name: pl.Int64 if name == "row" else pl.String for name in LOCATION_MEMBERS},
    )


def _place_text(indent: str) -> pl.Expr:
    """A place's members (from _places_frame's columns), each on its own line."""
    import polars as pl

    pieces: list[pl.Expr] = []
    for number, name in enumerate(LOCATION_MEMBERS):
        column = pl.col(name)
        value = column.cast(pl.String).fill_null("null") if name == "row" else _json_text(column)
        pieces += [pl.lit(("" if number == 0 else f",{indent}") + f'"{name}": '), value]
    return pl.concat_str(pieces)


def _json_text(column: pl.Expr) -> pl.Expr:
    """Text as a JSON string, or null: polars encodes a struct as the json module does
    (ensure_ascii=False); this takes the value out of {"v":...}."""
    import polars as pl

    encoded = pl.struct(column.alias("v")).struct.json_encode()
    return encoded.str.strip_prefix('{"v":').str.strip_suffix("}")


_ENTRY_MEMBERS: dict[tuple[str, str], tuple[str, str, str, str]] = {}


def _entry_members(code: str, severity: str) -> tuple[str, str, str, str]:
    """The members an issue takes from its code: code, severity, title and docs."""
    members = _ENTRY_MEMBERS.get((code, severity))
    if members is None:
        entry = ENTRIES[code]
        members = (
            '"code": ' + _value(code),
            '"severity": ' + _value(severity),
            '"title": ' + _value(entry.title),
            '"docs": ' + _value(entry.docs_url),
        )
        _ENTRY_MEMBERS[(code, severity)] = members
    return members


def _value(value: Any) -> str:
    """A plain value as json.dumps writes it."""
    if value is None:
        return "null"
    if type(value) is str:
        return _string(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)
