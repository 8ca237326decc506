"""The versions of the standard shipped inside this package, and their files.

Each released version lives in standards/<version>/ with its merged LinkML schema
(schema.yaml), its JSON Schema (jsonschema.json) and the compiled form the validator
reads (standard.json). Nothing here needs linkml.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_STANDARDS = resources.files("sufficiency_standard") / "standards"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@cache
def shipped_versions() -> tuple[str, ...]:
    """Every version of the standard in the package, oldest first."""
    found = [
        entry.name
        for entry in _STANDARDS.iterdir()
        if entry.is_dir() and (entry / "standard.json").is_file()
    ]
    return tuple(sorted(found, key=_version_key))


def latest_version() -> str:
    """The newest version shipped."""
    return shipped_versions()[-1]


def resolve_version(version: str | None = None) -> str:
    """A full version for `version` ("0.1" means the newest 0.1.x; None the latest).

    Raises UnknownVersionError naming the versions shipped when there is no match.
    """
    if version is None:
        return latest_version()
    wanted = version.strip().removeprefix("v")
    matches = [v for v in shipped_versions() if v == wanted or v.startswith(wanted + ".")]
    if not matches:
        raise UnknownVersionError(wanted, shipped_versions())
    return matches[-1]


class UnknownVersionError(LookupError):
    """A version of the standard that this package does not ship."""

    def __init__(self, version: str, shipped: tuple[str, ...]) -> None:
        self.version = version
        self.shipped = shipped
        super().__init__(
            f"version {version} of the standard is not shipped in this package "
            f"(shipped: {', '.join(shipped)})"
        )


def version_folder(version: str | None = None) -> Path:
    """The folder of a shipped version's files."""
    return Path(str(_STANDARDS / resolve_version(version)))


def schema_path(version: str | None = None) -> Path:
    """Path of the LinkML schema (imports merged) of a version."""
    return version_folder(version) / "schema.yaml"


@cache
def schema_dict(version: str | None = None) -> dict[str, Any]:
    """The LinkML schema of a version as a dict."""
    import yaml  # loaded when a schema is asked for, not at every start

    return yaml.safe_load(schema_path(version).read_text(encoding="utf-8"))


def json_schema_path(version: str | None = None) -> Path:
    """Path of the JSON Schema (Draft 2020-12) of a version."""
    return version_folder(version) / "jsonschema.json"


@cache
def json_schema(version: str | None = None) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a Submission of a version, as a dict."""
    return json.loads(json_schema_path(version).read_text(encoding="utf-8"))


RELEASE_FILE = "release.json"


@cache
def release_info(version: str) -> dict[str, Any] | None:
    """A released version's record (date, changes, file hashes); None for a draft."""
    path = version_folder(version) / RELEASE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def released_versions() -> tuple[str, ...]:
    """The versions that are released and frozen, oldest first."""
    return tuple(v for v in shipped_versions() if release_info(v) is not None)


@cache
def compiled_standard(version: str | None = None) -> dict[str, Any]:
    """The compiled standard of a version: tables, fields, code lists and rules."""
    return json.loads((version_folder(version) / "standard.json").read_text(encoding="utf-8"))
