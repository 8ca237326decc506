"""The generated artefacts are current, and the package works without linkml at run time.

Everything in src/sufficiency_standard/standards/ and models.py is generated from
schema/ by scripts/generate.py; these tests make sure nobody edits one without the
other, and that what is shipped can be used by someone who installed only the package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

import sufficiency_standard
from sufficiency_standard import json_schema

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = Path("scripts") / "generate.py"
PACKAGE = Path("src") / "sufficiency_standard"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def run_python(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The schema, the generator and the generated artefacts, copied as the repo lays them out.

    The generator finds everything relative to its own file, so run from the copy it
    checks the copy.
    """
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / GENERATOR, tmp_path / GENERATOR)
    shutil.copytree(ROOT / PACKAGE / "standards", tmp_path / PACKAGE / "standards")
    shutil.copy2(ROOT / PACKAGE / "models.py", tmp_path / PACKAGE / "models.py")
    return tmp_path


def test_generated_artefacts_are_current() -> None:
    result = run_python(str(GENERATOR), "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_drift_check_fails_when_a_description_changes(repo_copy: Path) -> None:
    unchanged = run_python(str(GENERATOR), "--check", cwd=repo_copy)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr

    slots_file = repo_copy / "schema" / "slots.yaml"
    slots = yaml.safe_load(slots_file.read_text(encoding="utf-8"))
    slots["slots"]["start_date"]["description"] = "The day the child arrived."
    slots_file.write_text(yaml.safe_dump(slots, sort_keys=False), encoding="utf-8")

    changed = run_python(str(GENERATOR), "--check", cwd=repo_copy)
    assert changed.returncode == 1
    stale = [line for line in changed.stdout.splitlines() if line.startswith("stale: ")]
    assert any(line.endswith("models.py") for line in stale), changed.stdout
    assert any(line.endswith("jsonschema.json") for line in stale), changed.stdout


def test_json_schema_is_draft_2020_12_with_a_versioned_id() -> None:
    document = json_schema()
    assert document["$schema"] == DRAFT_2020_12
    assert f"/{sufficiency_standard.STANDARD_VERSION}/" in document["$id"]
    Draft202012Validator.check_schema(document)


def test_package_reports_the_standard_version() -> None:
    result = run_python("-c", "import sufficiency_standard as s; print(s.STANDARD_VERSION)")
    assert result.returncode == 0, result.stderr
    schema_version = yaml.safe_load((ROOT / "schema" / "sufficiency.yaml").read_text())["version"]
    assert result.stdout.strip() == schema_version


WITHOUT_LINKML = textwrap.dedent(
    """
    import json, sys

    class NoLinkML:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("linkml", "linkml_runtime"):
                raise ImportError(f"{name} is not installed here")
            return None

    sys.meta_path.insert(0, NoLinkML())
    try:
        import linkml_runtime
    except ImportError:
        pass
    else:
        raise SystemExit("the blocker did not block linkml_runtime")

    import sufficiency_standard as s
    from sufficiency_standard import models
    from sufficiency_standard.standard import load_standard

    submission = models.Submission(
        standard_version="0.1.0", la_code="E06000066", period_start="2025-04-01",
        period_end="2026-03-31", extract_date="2026-04-10",
    )
    print(json.dumps({
        "shipped": list(s.shipped_versions()),
        "schema_version": s.schema_dict()["version"],
        "json_schema_id": s.json_schema()["$id"],
        "schema_path_exists": s.schema_path().is_file(),
        "json_schema_path_exists": s.json_schema_path().is_file(),
        "tables": list(load_standard().table_names),
        "la_code": submission.la_code,
        "linkml_loaded": sorted(
            m for m in sys.modules if m.split(".")[0] in ("linkml", "linkml_runtime")
        ),
    }))
    """
)


def test_models_and_accessors_work_without_linkml() -> None:
    result = run_python("-c", WITHOUT_LINKML)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    version = sufficiency_standard.STANDARD_VERSION
    assert version in found["shipped"]
    assert found["schema_version"] == version
    assert version in found["json_schema_id"]
    assert found["schema_path_exists"] and found["json_schema_path_exists"]
    assert found["tables"][0] == "submission"
    assert found["la_code"] == "E06000066"
    assert found["linkml_loaded"] == []
