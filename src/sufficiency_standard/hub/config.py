"""A hub's configuration: what a region agrees with its LAs, written once as YAML.

    region: South West
    standard_version: "0.3"        # the version every submission is held in
    retention_years: 7             # `hub prune` deletes periods that ended longer ago
    small_number_threshold: 5      # counts below it are suppressed in the region's reports
    purposes:
      sufficiency: Regional sufficiency analysis and commissioning
    las:
      E06000066: {name: Somerset, purposes: [sufficiency]}

Which LA shares for which purpose is consent, kept as data: an export for a purpose
holds only the LAs that signed up to it. A hub with no `las` list takes any LA.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sufficiency_standard.issues import InputError

_LA_CODE = re.compile(r"^E(06|07|08|09|10)\d{6}$")


class LAMembership(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    purposes: list[str] = Field(default_factory=list)


class HubConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = None
    standard_version: str | None = None
    retention_years: int | None = Field(default=None, ge=1, le=100)
    small_number_threshold: int = Field(default=5, ge=0, le=100)
    purposes: dict[str, str] = Field(default_factory=dict)
    las: dict[str, LAMembership] = Field(default_factory=dict)

    @field_validator("las")
    @classmethod
    def _la_codes(cls, las: dict[str, LAMembership]) -> dict[str, LAMembership]:
        for code in las:
            if not _LA_CODE.match(code):
                raise ValueError(
                    f"{code} is not an LA code (E06, E07, E08, E09 or E10 and 6 digits)"
                )
        return las

    @model_validator(mode="after")
    def _purposes_known(self) -> HubConfig:
        for code, membership in self.las.items():
            unknown = [p for p in membership.purposes if p not in self.purposes]
            if unknown:
                raise ValueError(
                    f"LA {code} shares for {', '.join(unknown)}, which is not among the "
                    f"purposes ({', '.join(self.purposes) or 'none are listed'})"
                )
        return self

    def accepts(self, la_code: str | None) -> bool:
        return not self.las or la_code in self.las

    def las_for(self, purpose: str) -> list[str]:
        if purpose not in self.purposes:
            raise InputError(
                f'"{purpose}" is not a purpose of this hub '
                f"({', '.join(self.purposes) or 'it lists none'})"
            )
        return sorted(code for code, m in self.las.items() if purpose in m.purposes)

    def la_name(self, la_code: str) -> str | None:
        membership = self.las.get(la_code)
        return membership.name if membership else None

    def to_yaml(self) -> str:
        return yaml.safe_dump(
            self.model_dump(exclude_defaults=True), sort_keys=False, allow_unicode=True
        )


def parse_config(text: str, source: str) -> HubConfig:
    try:
        raw = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise InputError(f"{source} is not readable YAML{line}") from None
    except RecursionError:
        raise InputError(f"{source} is nested too deeply to be a hub configuration") from None
    if not isinstance(raw, dict):
        raise InputError(f"{source} must be a mapping of settings (region, las, ...)")
    try:
        return HubConfig.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'the file'}: "
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors()
        )
        raise InputError(f"{source}: {problems}") from None


def load_config(path: str | Path) -> HubConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the hub configuration {path}: {error}") from None
    return parse_config(text, str(path))
