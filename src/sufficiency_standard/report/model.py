"""The result of validating one submission."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from sufficiency_standard.__about__ import __version__
from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.issues import Issue, Location, Severity

REPORT_FORMAT = "1.1"

VersionSource = Literal["pinned", "declared", "default", "national"]

_VERSION_REASONS = {
    "pinned": "the version you asked for (--standard-version)",
    "declared": "the version the data declares (standard_version in the submission)",
    "default": "the newest version in this package, as the data declares none",
    "national": "the national placements standard's SHACL shape (draft 2026), as the file is "
    "national JSON-LD",
}
NATIONAL_TITLE = "the national Children's Social Care Placements Standard (draft 2026)"

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFORMATION: 2}


@dataclass(frozen=True)
class VersionChoice:
    """Which version of the standard was used, and why."""

    version: str
    source: VersionSource

    @property
    def reason(self) -> str:
        return _VERSION_REASONS[self.source]


@dataclass
class Report:
    """Everything found in one submission, in a stable order."""

    standard: VersionChoice
    inputs: list[str]
    issues: list[Issue]
    rows: dict[str, int] = field(default_factory=dict)
    # The standard's tables in its order, which issues follow (others after, by name).
    table_order: tuple[str, ...] = ()
    _counted: Counter[Severity] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.issues[:] = _in_report_order(self.issues, self.table_order)
        self._counted = Counter(issue.severity for issue in self.issues)

    @property
    def valid(self) -> bool:
        return self.counts["error"] == 0

    @property
    def standard_version(self) -> str:
        return self.standard.version

    @property
    def counts(self) -> dict[str, int]:
        """Issues by severity (counted once: the issues of a report do not change)."""
        return {severity.value: self._counted.get(severity, 0) for severity in Severity}

    def by_code(self) -> dict[str, list[Issue]]:
        """Issues grouped by code, most severe and most frequent first."""
        groups: dict[str, list[Issue]] = {}
        for issue in self.issues:
            groups.setdefault(issue.code, []).append(issue)
        return dict(
            sorted(
                groups.items(),
                key=lambda item: (_SEVERITY_ORDER[item[1][0].severity], -len(item[1]), item[0]),
            )
        )

    def verdict(self) -> str:
        names = ", ".join(self.inputs) or "The submission"
        version = f"the Placement Sufficiency Data Standard {self.standard.version}"
        if self.standard.source == "national":
            if self.valid:
                return f"{names} conforms to {NATIONAL_TITLE}."
            return f"{names} does not conform to {NATIONAL_TITLE}."
        if self.valid:
            return f"{names} meets {version}."
        return f"{names} does not meet {version}."

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        """The JSON report document (see report.schema.json)."""
        return {
            **self.summary_dict(),
            "issues": [issue_dict(issue, show_values) for issue in self.issues],
        }

    def summary_dict(self) -> dict[str, Any]:
        """The JSON report document without its last member, the list of issues."""
        return {
            "report_format": REPORT_FORMAT,
            "valid": self.valid,
            "standard_version": self.standard.version,
            "standard_version_source": self.standard.source,
            "standard_version_reason": self.standard.reason,
            "tool_version": __version__,
            "inputs": self.inputs,
            "counts": self.counts,
            "rows": self.rows,
        }


# A place in the JSON report: these members of a Location, in this order.
LOCATION_MEMBERS = ("table", "field", "row", "cell", "path", "source")


def location_dict(location: Location) -> dict[str, Any]:
    return {name: getattr(location, name) for name in LOCATION_MEMBERS}


def issue_dict(issue: Issue, show_values: bool) -> dict[str, Any]:
    entry = ENTRIES[issue.code]
    document: dict[str, Any] = {
        "code": issue.code,
        "severity": issue.severity.value,
        "title": entry.title,
        **location_dict(issue.location),
        "message": issue.message,
        "docs": entry.docs_url,
    }
    if issue.value is not None and (show_values or not issue.personal):
        document["value"] = issue.value
    if issue.related:
        document["related"] = [location_dict(place) for place in issue.related]
    return document


def _in_report_order(issues: list[Issue], table_order: tuple[str, ...]) -> list[Issue]:
    """The issues most severe first; then those about the whole input, then by table (the
    standard's order, then any other by name), row, path, cell and code; ties as given.

    Sorted on columns, in polars: a key tuple per issue took a tenth of a second for the
    tens of thousands of issues of a large submission.
    """
    if len(issues) < 2:
        return issues
    import polars as pl

    places = [issue.location for issue in issues]
    keys = pl.DataFrame(
        {
            "severity": [_SEVERITY_ORDER[issue.severity] for issue in issues],
            "table": [place.table for place in places],
            "row": [place.row for place in places],
            "path": [place.path for place in places],
            "cell": [place.cell for place in places],
            "code": [issue.code for issue in issues],
        },
        schema={
            "severity": pl.Int8,
            "table": pl.String,
            "row": pl.Int64,
            "path": pl.String,
            "cell": pl.String,
            "code": pl.String,
        },
    )
    table = pl.col("table")
    place = table.replace_strict(
        {name: number for number, name in enumerate(table_order)},
        default=None,
        return_dtype=pl.Int64,
    )
    order = (
        keys.with_row_index("given")
        .sort(
            pl.col("severity"),
            # The whole input (no table), the standard's tables, then any other table.
            pl.when(table.is_null()).then(-1).when(place.is_not_null()).then(0).otherwise(1),
            place.fill_null(0),
            pl.when(place.is_null()).then(table).otherwise(pl.lit("")).fill_null(""),
            pl.col("row").fill_null(-1),
            pl.col("path").fill_null(""),
            pl.col("cell").fill_null(""),
            pl.col("code"),
            maintain_order=True,
        )
        .get_column("given")
    )
    return [issues[given] for given in order.to_list()]
