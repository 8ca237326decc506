"""Pseudonymise a submission before it leaves the LA, as the schema's annotations say.

Each field's `sharing` annotation decides what happens to it:
- `pseudonymise` (the IDs of children, searches, assessments, placements and costs):
  the value becomes HMAC-SHA-256(key, LA code + 0x1F + domain + 0x1F + value), written
  as its first 16 hexadecimal characters (64 bits). The key is the LA's own secret; the
  LA code as context means two LAs' pseudonyms never coincide even with the same key; the
  domain is the identifier a value names (a placement's child_id and the child's own
  child_id share the domain child_id), so foreign keys still join across tables; and
  the same child has the same pseudonym every month, so submissions link over time.
- `generalise` (postcodes of family, school and placement): cut to the postcode sector
  ("TA1 2") or, if asked, the district ("TA1"); a value that is not a postcode is removed.
- `drop`: the column is not written at all.
- `keep`: written as read.
Columns the standard does not know are never read, so never written. The key is never
written, nor any table from originals to pseudonyms; a manifest says what was changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sufficiency_standard.__about__ import __version__
from sufficiency_standard.check.values import type_table
from sufficiency_standard.importers.common import write_submission
from sufficiency_standard.issues import InputError
from sufficiency_standard.postcodes import PostcodeLevel, generalise_postcode
from sufficiency_standard.read import read_submission
from sufficiency_standard.read.source import SourceSubmission
from sufficiency_standard.standard import Field, Standard, load_standard

KEY_BYTES = 32  # what `keygen` makes
MIN_KEY_BYTES = 16  # shorter keys are refused
PSEUDONYM_HEX = 16  # characters of the HMAC kept: 64 bits
_SEPARATOR = "\x1f"  # the ASCII unit separator: it cannot occur in an LA code or a domain
_KEY_ID_MESSAGE = b"sufficiency-standard key id"


class PseudonymisationError(InputError):
    """Pseudonymisation refused to run (no key, no LA code, a collision...)."""


# -- keys -------------------------------------------------------------------------------


def keygen_command(out: str | Path) -> Path:
    """`sufficiency keygen`: write a new random key (hex) readable by its owner only.

    Refuses to overwrite: losing the key an LA used before breaks the link between its
    submissions over time.
    """
    path = Path(out)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PseudonymisationError(
            f"{path} already exists: a key is never overwritten, because pseudonyms made "
            "with the old key could no longer be linked. Give another --out."
        ) from None
    except OSError as error:
        raise PseudonymisationError(f"cannot write {path}: {error.strerror or error}.") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    os.chmod(path, 0o600)  # the umask cannot have widened it, but be explicit
    return path


_KEY_FILE_BYTES = 4096


def read_key(path: str | Path | None) -> bytes:
    """The secret key in a key file (hexadecimal text); refuses a missing or short key."""
    if path is None:
        raise PseudonymisationError(
            "no key was given: pseudonymisation needs the LA's secret key (--key-file). "
            "Make one once with `sufficiency keygen --out FILE` and keep it safe."
        )
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.read.limits import read_file_bytes

    path = Path(path)
    if not path.exists():
        raise PseudonymisationError(
            f"the key file {path} does not exist. Make one with `sufficiency keygen`."
        )
    try:
        # A key is 64 characters; a large file (or /dev/zero) is not one.
        text = read_file_bytes(path, limit=_KEY_FILE_BYTES).decode("ascii").strip()
    except (InputError, UnicodeDecodeError) as error:
        raise PseudonymisationError(f"the key file {path} cannot be read: {error}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise PseudonymisationError(
            f"the key file {path} does not hold a key written by `sufficiency keygen` "
            "(hexadecimal text)."
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymisationError(
            f"the key in {path} is too short ({len(key)} bytes; at least {MIN_KEY_BYTES} are "
            "needed). Make one with `sufficiency keygen`."
        )
    return key


def key_id(key: bytes) -> str:
    """A short fingerprint of the key, so a hub can see two submissions used the same key
    without learning anything about it."""
    return hmac.new(key, _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:8]


def key_file_warning(path: str | Path) -> str | None:
    """A warning when other users can read the key file (POSIX only)."""
    mode = Path(path).stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"other users can read the key file {path}: run `chmod 600 {path}`."
    return None


def pseudonym(key: bytes, la_code: str, domain: str, value: str) -> str:
    """The pseudonym of one identifier (see the module's docstring)."""
    message = _SEPARATOR.join((la_code, domain, value)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


# -- the submission ---------------------------------------------------------------------


@dataclass
class FieldChange:
    table: str
    field: str
    action: str  # "pseudonymised", "generalised", "dropped"
    values: int = 0  # values changed (for dropped: values not written)
    removed: int = 0  # values removed because they could not be generalised
    domain: str | None = None


@dataclass
class Manifest:
    """What pseudonymisation changed: written beside the output, never holding an original."""

    la_code: str
    standard_version: str
    key_id: str
    postcode_level: PostcodeLevel
    changes: list[FieldChange] = field(default_factory=list)
    columns_not_read: list[str] = field(default_factory=list)

    def to_dict(self, inputs: Sequence[str], output: str) -> dict[str, Any]:
        return {
            "tool": f"sufficiency-standard {__version__}",
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "standard_version": self.standard_version,
            "inputs": list(inputs),
            "output": output,
            "la_code": self.la_code,
            "key_id": self.key_id,
            "method": {
                "identifiers": (
                    "HMAC-SHA-256 keyed with the LA's secret key over la_code, domain and "
                    "value joined by U+001F; the first "
                    f"{PSEUDONYM_HEX} hexadecimal characters ({PSEUDONYM_HEX * 4} bits)"
                ),
                "postcodes": f"cut to the postcode {self.postcode_level}",
            },
            "fields": [
                {k: v for k, v in vars(change).items() if v is not None} for change in self.changes
            ],
            "columns_not_read": self.columns_not_read,
        }


def domain_of(spec: Field, standard: Standard) -> str:
    """The identifier a value names: a foreign key shares the domain of what it points at."""
    if spec.references:
        if spec.references_field:
            return spec.references_field
        target = standard.table(spec.references).identifier
        if target is not None:
            return target.name
    return spec.name


def pseudonymise_submission(
    submission: SourceSubmission,
    standard: Standard,
    key: bytes,
    postcode_level: PostcodeLevel = "sector",
) -> tuple[dict[str, Any], Manifest]:
    """A submission as read -> the shareable submission dict, and what was changed."""
    header = submission.tables.get("submission")
    la_code = None
    if header is not None and "la_code" in header.frame.columns and header.frame.height:
        la_code = (header.frame.get_column("la_code")[0] or "").strip() or None
    if la_code is None:
        raise PseudonymisationError(
            "the submission has no la_code: pseudonyms are keyed with the LA's code, so "
            "fill it in first."
        )
    manifest = Manifest(la_code, standard.version, key_id(key), postcode_level)
    manifest.columns_not_read = sorted(
        {i.message for i in submission.issues if i.code in ("COLUMN-UNKNOWN", "COLUMN-NO-HEADER")}
    )
    seen: dict[tuple[str, str], str] = {}  # (domain, pseudonym) -> original, to catch collisions
    result: dict[str, Any] = {}
    for table in standard.tables:
        # Typed values, so that the shared file holds numbers, dates and lists as the
        # standard's JSON does (cells that cannot be typed keep their text).
        typed, _ = type_table(table, submission.take(table.name))
        rows = typed.records() if typed.source is not None else []
        changes = {
            f.name: FieldChange(table.name, f.name, _action(f.sharing))
            for f in table.fields
            if f.sharing in ("pseudonymise", "generalise", "drop")
        }
        written = []
        for row in rows:
            out: dict[str, Any] = {}
            for spec in table.fields:
                value = row.get(spec.name)
                change = changes.get(spec.name)
                if change is None:
                    out[spec.name] = value
                    continue
                if value is None or not str(value).strip():
                    if spec.sharing != "drop":
                        out[spec.name] = None
                    continue
                if spec.sharing == "drop":
                    change.values += 1
                    continue
                if spec.sharing == "pseudonymise":
                    domain = change.domain = domain_of(spec, standard)
                    original = str(value).strip()
                    made = pseudonym(key, la_code, domain, original)
                    held = seen.setdefault((domain, made), original)
                    if held != original:
                        raise PseudonymisationError(
                            f"two different values of {domain} have the same pseudonym; "
                            "this should never happen: report it."
                        )
                    out[spec.name] = made
                    change.values += 1
                else:
                    cut = generalise_postcode(str(value), postcode_level)
                    if cut is None:
                        change.removed += 1
                    if cut != value:
                        change.values += 1
                    out[spec.name] = cut
            written.append(out)
        manifest.changes += changes.values()  # every field handled, even with nothing to change
        if table.one_row:
            result.update(written[0] if written else {})
        else:
            result[table.name] = written
    return result, manifest


def _action(sharing: str) -> str:
    return {"pseudonymise": "pseudonymised", "generalise": "generalised", "drop": "dropped"}[
        sharing
    ]


@dataclass
class PseudonymisationResult:
    written: Path
    manifest_path: Path
    manifest: Manifest
    validation: Any  # a Report
    warnings: list[str]


def pseudonymise_command(
    inputs: Sequence[str | Path],
    key_file: str | Path | None,
    out: str | Path,
    *,
    mapping: str | Path | None = None,
    postcode_level: PostcodeLevel = "sector",
    manifest_path: str | Path | None = None,
    standard_version: str | None = None,
) -> PseudonymisationResult:
    """`sufficiency pseudonymise`: read, pseudonymise, write (.json, .xlsx or a CSV folder,
    by the name of `out`), write the manifest (default `<out>.manifest.json`) and
    validate the output."""
    from sufficiency_standard.mapping import load_mapping
    from sufficiency_standard.validation import choose_version, declared_version, validate

    key = read_key(key_file)  # before anything is read: no key, no run
    warnings = [w for w in [key_file_warning(key_file)] if w]  # type: ignore[arg-type]
    paths = [Path(p) for p in inputs]
    out = Path(out)
    if any(out.resolve() == p.resolve() for p in paths):
        raise PseudonymisationError(
            "write the pseudonymised submission to a new file, not over its input."
        )
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise PseudonymisationError(
            f"{out} already exists: give another --out, or delete it first."
        )
    source_mapping = load_mapping(mapping) if mapping is not None else None
    submission = read_submission(paths, load_standard(None), source_mapping)
    version = choose_version(declared_version(submission), standard_version).version
    standard = load_standard(version)
    if version != load_standard(None).version:
        submission = read_submission(paths, standard, source_mapping)
    shareable, manifest = pseudonymise_submission(submission, standard, key, postcode_level)
    written = write_submission(shareable, out, standard.version)
    target = Path(manifest_path) if manifest_path else out.with_name(out.name + ".manifest.json")
    document = manifest.to_dict([p.name for p in paths], written.name)
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return PseudonymisationResult(written, target, manifest, validate(written, version), warnings)
