"""Versions of the standard: frozen releases, choosing the version, upgrade, diff, and
every place that carries the version agreeing."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import sufficiency_standard as s
from sufficiency_standard import validate
from sufficiency_standard.cli import app
from sufficiency_standard.diff import (
    Change,
    bump_is_enough,
    compare,
    compare_versions,
    declared_bump,
    required_bump,
)
from sufficiency_standard.issues import Severity
from sufficiency_standard.shipped import compiled_standard, release_info, released_versions
from sufficiency_standard.upgrade import upgrade
from sufficiency_standard.validation import VersionError
from sufficiency_standard.write import write_json, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
OLD_SUBMISSION = ROOT / "tests" / "data" / "versions" / "submission-0.1.0.json"
# The 0.2.0 example with what 0.3.0 reads differently: a K3 placement typed Other, an S1
# placement typed Residential, a cost period with no basis, an assessment with no tool.
SUBMISSION_020 = ROOT / "tests" / "data" / "versions" / "submission-0.2.0.json"
FROZEN_REPORT = ROOT / "tests" / "data" / "versions" / "broken-0.1.0-issues.json"
SCHEMA_VERSION = yaml.safe_load((ROOT / "schema" / "sufficiency.yaml").read_text())["version"]
runner = CliRunner()


def old_submission() -> dict[str, Any]:
    return json.loads(OLD_SUBMISSION.read_text(encoding="utf-8"))


def error_codes(report) -> list[str]:
    return [i.code for i in report.issues if i.severity is Severity.ERROR]


# ---------------------------------------------------------------- verdicts by version


def test_a_010_submission_is_valid_under_010_and_says_so() -> None:
    report = validate(OLD_SUBMISSION)
    assert report.valid
    assert report.standard.version == "0.1.0"
    assert report.standard.source == "declared"
    assert "declares" in report.standard.reason


def test_the_same_data_declared_as_020_fails_for_the_missing_no_home_reason() -> None:
    data = old_submission()
    data["standard_version"] = "0.2.0"
    report = validate(data)
    assert not report.valid
    assert error_codes(report) == ["REF-NO-HOME-REASON"]
    assert report.standard.version == "0.2.0"
    outcome = [r for r in data["referrals"] if r.get("outcome") == "No suitable home found"]
    assert len(outcome) == 1


def test_pinning_from_the_library_uses_the_pinned_version() -> None:
    report = validate(OLD_SUBMISSION, standard_version="0.1")
    assert report.standard.version == "0.1.0"
    assert report.standard.source == "pinned"


def test_a_pin_that_disagrees_with_the_declared_version_is_an_error() -> None:
    with pytest.raises(VersionError, match=r"declares version 0\.1\.0"):
        validate(OLD_SUBMISSION, standard_version="0.2.0")


def test_a_declared_version_the_package_does_not_know_is_an_error() -> None:
    data = old_submission()
    data["standard_version"] = "9.4.0"
    with pytest.raises(VersionError, match=r"9\.4\.0.*does not know"):
        validate(data)


def test_without_a_declared_version_the_newest_is_used_and_the_report_says_so() -> None:
    data = old_submission()
    del data["standard_version"]
    report = validate(data)
    assert report.standard.version == s.latest_version()
    assert report.standard.source == "default"
    assert "VALUE-REQUIRED" in error_codes(report)


def test_cli_pins_a_version_and_names_it_in_the_report(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(OLD_SUBMISSION), "--standard-version", "0.1", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["standard_version"] == "0.1.0"
    assert document["standard_version_source"] == "pinned"


def test_cli_reports_a_version_conflict_in_one_line_with_exit_2() -> None:
    result = runner.invoke(app, ["validate", str(OLD_SUBMISSION), "--standard-version", "0.2.0"])
    assert result.exit_code == 2
    assert "declares version 0.1.0" in result.stderr
    assert "Traceback" not in result.output


def test_a_released_version_keeps_finding_exactly_what_it_found_at_release() -> None:
    """The frozen 0.1.0 must report the same issues (code and place) as when released."""
    broken = old_submission()
    broken["placements"][0]["place_code"] = "K1"
    broken["costs"][0]["total_weekly_cost"] = -1
    broken["referrals"][1]["needed_by_date"] = "2001-01-01"
    report = validate(broken)
    found = sorted([i.code, i.path] for i in report.issues)
    assert found == json.loads(FROZEN_REPORT.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- frozen releases


@pytest.mark.parametrize("version", released_versions())
def test_released_versions_are_unchanged_since_release(version: str) -> None:
    release = release_info(version)
    assert release is not None
    folder = ROOT / "src" / "sufficiency_standard" / "standards" / version
    hashes = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name != "release.json"
    }
    assert hashes == release["files_sha256"]


def test_versions_command_lists_every_version_with_its_release_date() -> None:
    result = runner.invoke(app, ["versions"])
    assert result.exit_code == 0
    for version in s.shipped_versions():
        assert version in result.stdout
    assert "released 2026-11-24" in result.stdout


# ---------------------------------------------------------------- upgrade


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_an_upgraded_010_file_validates_under_020(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / f"old{suffix}"
    (write_json if suffix == ".json" else write_xlsx)(old_submission(), source, "0.1.0")
    before = source.read_bytes()
    result = upgrade(source, "0.2.0")
    assert result.output != source and result.output.exists()
    assert source.read_bytes() == before  # never overwritten
    filled = [c for c in result.changes if c.field == "no_home_reason"]
    assert len(filled) == 1 and len(filled[0].rows) == 1
    report = validate(result.output)
    assert report.valid, [i.message for i in report.issues if i.severity is Severity.ERROR]
    assert report.standard.version == "0.2.0"


def test_upgrade_refuses_to_overwrite_the_input_or_an_existing_file(tmp_path: Path) -> None:
    source = tmp_path / "old.json"
    write_json(old_submission(), source, "0.1.0")
    result = runner.invoke(app, ["upgrade", str(source), "--to", "0.2", "--out", str(source)])
    assert result.exit_code == 2
    assert "must not overwrite the input" in result.stderr
    taken = tmp_path / "taken.json"
    taken.write_text("{}")
    result = runner.invoke(app, ["upgrade", str(source), "--to", "0.2", "--out", str(taken)])
    assert result.exit_code == 2
    assert taken.read_text() == "{}"


def test_upgrade_lists_what_it_changed_and_what_it_could_not_carry(tmp_path: Path) -> None:
    data = old_submission()
    data["placements"][0]["carer_name"] = "not a field"
    source = tmp_path / "old.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["upgrade", str(source), "--to", "0.2.0"])
    assert result.exit_code == 0, result.output
    assert "no_home_reason" in result.stdout and "Not recorded" in result.stdout
    assert "NOT CARRIED" in result.stdout and "carer_name" in result.stdout


def _changes_by_field(result) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for change in result.changes:
        found.setdefault((change.table, change.field), []).append(change.what)
    return found


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_a_020_submission_upgrades_to_030_and_is_valid(tmp_path: Path, suffix: str) -> None:
    data = json.loads(SUBMISSION_020.read_text(encoding="utf-8"))
    assert validate(data).valid and validate(data).standard.version == "0.2.0"
    source = tmp_path / f"old{suffix}"
    (write_json if suffix == ".json" else write_xlsx)(data, source, "0.2.0")
    result = upgrade(source, "0.3.0")
    report = validate(result.output)
    assert report.standard.version == "0.3.0"
    assert report.valid, [i.message for i in report.issues if i.severity is Severity.ERROR]
    changed = _changes_by_field(result)
    assert any(
        "renamed from education_continuity" in w
        for w in changed[("placements", "education_disrupted")]
    )
    assert any("codes changed" in w for w in changed[("placements", "education_disrupted")])
    types = " ".join(changed[("placements", "placement_type")])
    assert '"Residential school"' in types and '"Supported accommodation"' in types
    assert any('"Agreed"' in w for w in changed[("costs", "cost_basis")])
    assert any('"Not recorded"' in w for w in changed[("needs_assessments", "assessment_tool")])
    assert result.not_carried == []

    upgraded = {p["placement_id"]: p for p in _read_back(result.output)["placements"]}
    before = {p["placement_id"]: p for p in data["placements"]}
    swapped = {"Yes": "No", "No": "Yes", "Not applicable": "Not applicable"}
    for placement_id, placement in before.items():
        assert "education_continuity" not in upgraded[placement_id]
        assert (
            upgraded[placement_id]["education_disrupted"]
            == swapped[placement["education_continuity"]]
        )
    assert upgraded["P4010"]["placement_type"] == "Residential school"  # S1
    assert upgraded["P4004"]["placement_type"] == "Supported accommodation"  # K3
    assert upgraded["P4003"]["placement_type"] == before["P4003"]["placement_type"]


def _read_back(path: Path) -> dict[str, Any]:
    """A submission file as a dict of tables, in any format the package reads."""
    from sufficiency_standard.check import check_submission
    from sufficiency_standard.read import read_submission
    from sufficiency_standard.standard import load_standard
    from sufficiency_standard.upgrade import _rows_from

    standard = load_standard("0.3.0")
    _, typed = check_submission(read_submission([path], standard), standard)
    tables = _rows_from(typed)
    return {"placements": tables["placements"]}


def test_a_010_submission_upgrades_through_020_to_030(tmp_path: Path) -> None:
    source = tmp_path / "old.json"
    write_json(old_submission(), source, "0.1.0")
    result = upgrade(source, "0.3.0")
    report = validate(result.output)
    assert report.standard.version == "0.3.0"
    assert report.valid, [i.message for i in report.issues if i.severity is Severity.ERROR]
    changed = _changes_by_field(result)
    assert ("referrals", "no_home_reason") in changed  # the 0.2.0 step
    assert ("placements", "education_disrupted") in changed  # the 0.3.0 step


def test_upgrade_to_030_on_the_command_line_lists_each_change(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["upgrade", str(SUBMISSION_020), "--to", "0.3.0", "--out", str(tmp_path / "new.json")]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    for expected in ("education_disrupted", "Residential school", "cost_basis", "Not recorded"):
        assert expected in text


def test_diff_between_020_and_030_lists_every_change_with_its_bump() -> None:
    changes = compare_versions("0.2.0", "0.3.0")
    whats = {c.what: c.level for c in changes}
    assert whats["field placements.education_continuity removed"] == "breaking"
    assert whats["field placements.education_disrupted added"] == "addition"
    assert whats["field costs.cost_basis is now required"] == "breaking"
    assert whats["field referrals.needed_by_date is no longer required"] == "addition"
    # A file made for 0.2.0 has no fostering_capacity sheet, which 0.3.0 needs.
    assert whats["table fostering_capacity added (every submission has its sheet)"] == "breaking"
    assert whats["code 'Residential school' added to PlacementTypeEnum"] == "addition"
    assert whats["code 'Z11' added to PlaceCodeEnum"] == "addition"
    assert whats["rule PLC-PLACE-K3 removed from placements"] == "addition"
    assert whats["rule PLC-PLACE-OTHER of placements changed"] == "breaking"
    assert whats["rule REF-NOTICE added to referrals"] == "breaking"
    assert required_bump(changes, "0.2.0") == "minor"
    assert bump_is_enough(changes, "0.2.0", "0.3.0")
    result = runner.invoke(app, ["diff", "0.2.0", "0.3.0"])
    assert result.exit_code == 0, result.output
    assert "education_disrupted" in result.stdout


# ---------------------------------------------------------------- diff and bumps


def test_diff_between_010_and_020_finds_the_new_field_rule_and_code_list() -> None:
    changes = compare_versions("0.1.0", "0.2.0")
    whats = [c.what for c in changes]
    assert "field referrals.no_home_reason added" in whats
    assert "rule REF-NO-HOME-REASON added to referrals" in whats
    assert required_bump(changes, "0.1.0") == "minor"  # breaking, but still 0.x


def test_the_working_schema_is_bumped_enough_over_the_latest_release() -> None:
    earlier = [v for v in released_versions() if v != SCHEMA_VERSION]
    latest_release = earlier[-1]
    changes = compare(compiled_standard(latest_release), compiled_standard(SCHEMA_VERSION))
    assert bump_is_enough(changes, latest_release, SCHEMA_VERSION), (
        f"{SCHEMA_VERSION} is a {declared_bump(latest_release, SCHEMA_VERSION)} bump over "
        f"{latest_release} but needs {required_bump(changes, latest_release)}: {changes}"
    )


def test_an_under_declared_bump_is_caught() -> None:
    new = copy.deepcopy(compiled_standard("0.2.0"))
    new["version"] = "0.1.1"  # a breaking change called a patch
    changes = compare(compiled_standard("0.1.0"), new)
    assert not bump_is_enough(changes, "0.1.0", "0.1.1")


@pytest.mark.parametrize(
    ("level", "old", "needed"),
    [
        ("breaking", "1.2.3", "major"),
        ("breaking", "0.2.3", "minor"),
        ("addition", "1.2.3", "minor"),
        ("wording", "1.2.3", "patch"),
    ],
)
def test_required_bump_follows_semver(level: str, old: str, needed: str) -> None:
    assert required_bump([Change(level, "x")], old) == needed  # type: ignore[arg-type]


def test_removing_a_code_is_breaking() -> None:
    new = copy.deepcopy(compiled_standard("0.2.0"))
    new["enums"]["PetsEnum"]["values"].pop()
    changes = compare(compiled_standard("0.2.0"), new)
    assert [c.level for c in changes] == ["breaking"]


def test_diff_command_exits_0_when_the_bump_is_enough() -> None:
    result = runner.invoke(app, ["diff", "0.1.0", "0.2.0"])
    assert result.exit_code == 0
    assert "Needs a minor version bump" in result.stdout


# ---------------------------------------------------------------- one version everywhere


def test_every_place_that_carries_the_version_agrees() -> None:
    version = SCHEMA_VERSION
    for part in ("enums", "slots"):
        assert yaml.safe_load((ROOT / "schema" / f"{part}.yaml").read_text())["version"] == version
    assert s.__version__ == version
    assert version == s.STANDARD_VERSION
    assert s.json_schema(version)["$id"].endswith(f"/{version}/jsonschema.json")
    assert compiled_standard(version)["version"] == version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest_heading = re.search(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.M)
    assert newest_heading and newest_heading.group(1) == version
    assert f"version {version}" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert version in (ROOT / "docs" / "snippets" / "standard-version.md").read_text()
    assert f"Standard version {version}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_releasing_steps_are_documented_and_in_the_site() -> None:
    releasing = (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")
    for step in ("scripts/generate.py", "scripts/release.py", "sufficiency diff", "CHANGELOG"):
        assert step in releasing
    assert "releasing.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
