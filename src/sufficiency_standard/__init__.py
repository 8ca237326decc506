"""The Placement Sufficiency Data Standard and the tools to check data against it.

    >>> import sufficiency_standard as s
    >>> s.STANDARD_VERSION
    '0.3.0'

The Pydantic classes are in `sufficiency_standard.models`; the schema, JSON Schema and
shipped versions are reached through the functions below. Heavy modules (polars, the
validator) load only when used, so importing this package is quick.
"""

from __future__ import annotations

from sufficiency_standard.__about__ import __version__
from sufficiency_standard.shipped import (
    UnknownVersionError,
    compiled_standard,
    json_schema,
    json_schema_path,
    latest_version,
    resolve_version,
    schema_dict,
    schema_path,
    shipped_versions,
)

STANDARD_VERSION: str = latest_version()
"""The newest version of the standard shipped in this package."""


def __getattr__(name: str) -> object:
    # The validator pulls in polars; load it only when it is first used.
    if name in ("validate", "validate_typed"):
        from sufficiency_standard import validation

        return getattr(validation, name)
    raise AttributeError(f"module 'sufficiency_standard' has no attribute {name!r}")


__all__ = [
    "STANDARD_VERSION",
    "UnknownVersionError",
    "__version__",
    "compiled_standard",
    "json_schema",
    "json_schema_path",
    "latest_version",
    "resolve_version",
    "schema_dict",
    "schema_path",
    "shipped_versions",
    "validate",
    "validate_typed",
]
