"""The national placements standard's own SHACL engine, as a reference for the tests.

The national team checks JSON-LD with jsonld.js and rdf-validate-shacl on Node.js, not
with pySHACL; the two do not agree on the standard's own examples (see
tests/test_national_engine.py). tests/national_engine/ pins that engine (package.json and
a committed package-lock.json); validate.mjs runs it. This module installs the engine
once per test session (`npm ci`, as docs/hooks/vendor_mermaid.py fetches Mermaid with
npm) and returns its verdicts as plain Python:

    from national_engine_support import national_verdicts, require_engine

    require_engine()  # skips the test, saying why, when Node.js or npm is missing
    verdict = national_verdicts([path])[path]
    assert verdict.conforms, verdict.results

The `national_verdicts` fixture of tests/conftest.py does both. Without Node.js 20 or
npm, or when `npm ci` fails (no registry), engine_problem() says why and tests skip.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "tests" / "national_engine"
REFERENCE = ROOT / "src" / "sufficiency_standard" / "national" / "reference"
SHAPE = REFERENCE / "shacl-shape.ttl"
CONTEXT = REFERENCE / "context.jsonld"
EXAMPLES = REFERENCE / "examples"
NODE_MAJOR = 20  # package.json's "engines"; jsonld 9 needs at least Node.js 18


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with IRIs cut to their local names."""

    focus: str  # the focus node's IRI (or blank node label), in full
    path: str | None  # the property, e.g. "placementLocation"; None for sh:not and node shapes
    value: str | None  # an IRI in full or a literal's lexical form, e.g. "4.5005E3"
    datatype: str | None  # a literal value's datatype, in full
    severity: str  # "Violation", "Warning" or "Info"
    constraint: str  # e.g. "MinInclusiveConstraintComponent"
    shape: str | None  # the named shape, e.g. "ActualPlacementShape" (a property shape's holder)
    message: str  # the shape's sh:message (several joined by " | ")


@dataclass(frozen=True)
class Verdict:
    """The national engine's verdict on one JSON-LD file."""

    conforms: bool  # SHACL's: no result at all, so a Warning alone also makes it False
    results: list[Result]
    # IRIs that jsonld.js dropped, without an error, because they were relative (not RDF).
    dropped: list[str] = field(default_factory=list)
    nquads: str = ""  # the RDF that the shape saw

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]


class EngineUnavailable(RuntimeError):
    """The national engine cannot run here; the message says why."""


def local_name(iri: str | None) -> str | None:
    """The part of an IRI after its last '#' or '/'."""
    if iri is None:
        return None
    return re.split(r"[#/]", iri)[-1]


def _pinned() -> dict[str, str]:
    return json.loads((ENGINE / "package.json").read_text(encoding="utf-8"))["dependencies"]


def _installed_matches_pins() -> bool:
    """Every package of package.json is in node_modules at its pinned version."""
    for name, version in _pinned().items():
        manifest = ENGINE / "node_modules" / name / "package.json"
        if not manifest.is_file():
            return False
        if json.loads(manifest.read_text(encoding="utf-8")).get("version") != version:
            return False
    return True


@functools.cache
def _setup() -> str | None:
    """Check Node.js and npm, run `npm ci` when node_modules is missing or stale; the
    problem, or None. Cached: runs once per test session."""
    node = shutil.which("node")
    if node is None:
        return (
            "the national engine (jsonld.js + rdf-validate-shacl) needs Node.js, which is "
            f"not installed: install Node.js {NODE_MAJOR} and npm (README, Quick start)"
        )
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = re.match(r"v(\d+)\.", done.stdout.strip())
    if done.returncode != 0 or major is None or int(major.group(1)) < NODE_MAJOR:
        return f"the national engine needs Node.js {NODE_MAJOR} or later, not {done.stdout!r}"
    if _installed_matches_pins():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return (
            f"the national engine's packages are not installed in {ENGINE / 'node_modules'} "
            "and npm is not installed to fetch them: install npm, or run "
            "`npm ci --prefix tests/national_engine` where it is"
        )
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ENGINE,
        timeout=600,
    )
    if done.returncode != 0:
        return f"`npm ci` in {ENGINE} failed (no npm registry?):\n{done.stderr.strip()}"
    if not _installed_matches_pins():
        return f"`npm ci` in {ENGINE} did not install the versions that package.json pins"
    return None


def ensure_engine() -> None:
    """Install the engine's npm packages if needed (once per session); raise
    EngineUnavailable, saying why, if it cannot run."""
    problem = _setup()
    if problem is not None:
        raise EngineUnavailable(problem)


def engine_problem() -> str | None:
    """Why the national engine cannot run here, or None if it can (installing it first)."""
    return _setup()


def require_engine() -> None:
    """Skip the calling test, saying why, if the national engine cannot run."""
    problem = engine_problem()
    if problem is not None:
        pytest.skip(problem)


def _result(raw: dict) -> Result:
    value = raw.get("value") or {}
    return Result(
        focus=(raw.get("focusNode") or {}).get("value", ""),
        path=local_name(raw.get("path")),
        value=value.get("value"),
        datatype=value.get("datatype"),
        severity=local_name(raw.get("severity")) or "",
        constraint=local_name(raw.get("sourceConstraintComponent")) or "",
        shape=local_name(raw.get("shape")),
        message=" | ".join(raw.get("message", [])),
    )


def national_verdicts(
    paths: list[Path],
    base: str | None = None,
    *,
    shape: Path = SHAPE,
    context: Path = CONTEXT,
) -> dict[Path, Verdict]:
    """The national engine's verdict on each JSON-LD file, as the national team runs it.

    Whatever context URL a file names, the shipped context (or `context`) is used. base
    is None as the national team runs it: jsonld.js then drops relative IRIs (see
    Verdict.dropped). Raises EngineUnavailable if the engine cannot run (tests should
    call require_engine() first, or use the national_verdicts fixture).
    """
    ensure_engine()
    paths = [Path(p) for p in paths]
    if not paths:
        return {}
    command = ["node", str(ENGINE / "validate.mjs"), "--nquads"]
    if base is not None:
        command += ["--base", base]
    command += [str(shape), str(context), *map(str, paths)]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=ENGINE, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"the national engine failed:\n{done.stderr.strip()}")
    files = json.loads(done.stdout)["files"]
    return {
        path: Verdict(
            conforms=entry["conforms"],
            results=[_result(raw) for raw in entry["results"]],
            dropped=[
                next(iter(event["details"].values()))
                for event in entry["dropped"]
                if event["code"].startswith("relative ") and event.get("details")
            ],
            nquads=entry.get("nquads", ""),
        )
        for path, entry in zip(paths, files, strict=True)
    }


def engine_versions() -> dict[str, str]:
    """The engine's packages and their pinned versions (from package.json)."""
    return _pinned()
