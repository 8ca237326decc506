"""The documentation site is current, complete and builds cleanly.

The reference pages are generated from the standard and the issue catalogue; these
tests make sure they were regenerated after a change, that every table, field, code
list, value and rule has its place in them, and that `mkdocs build --strict` passes.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from jsonschema import Draft202012Validator

import sufficiency_standard.validation  # noqa: F401  (declares every entry)
from sufficiency_standard import STANDARD_VERSION
from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.check.schema_rules import declare_schema_rules
from sufficiency_standard.standard import Standard, load_standard

# Every entry the rule page shows: the checks' own and the schema's rules.
declare_schema_rules(load_standard())

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_docs", ROOT / "scripts" / "generate_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_docs = _load_generator()


def build_site(site_dir: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` into site_dir, as CI runs it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def standard() -> Standard:
    return load_standard()


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The site, built once for this module, and what mkdocs printed."""
    site_dir = tmp_path_factory.mktemp("site")
    done = build_site(site_dir)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return site_dir, output


@pytest.fixture(scope="module")
def site(build: tuple[Path, str]) -> Path:
    return build[0]


def missing_from_reference(standard: Standard) -> list[str]:
    """Every table, field, code list and value that the generated pages do not show."""
    missing = []
    for table in standard.tables:
        page = DOCS / generate_docs.table_page(table)
        text = page.read_text(encoding="utf-8") if page.exists() else ""
        if not text:
            missing.append(f"table {table.name}")
        for field in table.fields:
            row = f"| [`{field.name}`](#{field.name}) | {generate_docs.md(field.title)} |"
            if row not in text or f"### {field.name} {{ #{field.name} }}" not in text:
                missing.append(f"field {table.name}.{field.name}")
    for code_list in standard.code_lists.values():
        page = DOCS / generate_docs.code_list_page(code_list)
        text = page.read_text(encoding="utf-8") if page.exists() else ""
        if f"`{code_list.name}`" not in text:
            missing.append(f"code list {code_list.name}")
        for value in code_list.values:
            if f"| `{value.value}` | {generate_docs.md(value.title)} |" not in text:
                missing.append(f"value {code_list.name}.{value.value}")
    return missing


def test_generated_docs_are_current() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/generate_docs.py", "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, (
        "docs are stale; run `python scripts/generate_docs.py`:\n" + done.stdout
    )


def test_every_table_field_code_list_and_value_is_in_the_reference(standard: Standard) -> None:
    assert missing_from_reference(standard) == []


def test_a_field_the_docs_do_not_show_is_caught(standard: Standard) -> None:
    placements = standard.table("placements")
    extra = dataclasses.replace(placements.fields[0], name="new_field", title="New field")
    grown = dataclasses.replace(
        standard,
        tables=tuple(
            dataclasses.replace(t, fields=(*t.fields, extra), _by_name={}) if t is placements else t
            for t in standard.tables
        ),
    )
    assert missing_from_reference(grown) == ["field placements.new_field"]


def test_every_catalogue_entry_has_its_anchor_in_the_rule_catalogue(standard: Standard) -> None:
    text = (REFERENCE / "rules.md").read_text(encoding="utf-8")
    assert ENTRIES, "the catalogue is empty"
    for entry in ENTRIES.values():
        heading = f"### {entry.code}: {generate_docs.md(entry.title)} {{ #{entry.anchor} }}"
        assert heading in text, entry.code
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        assert f"- **Severity:** {entry.severity.value} " in section, entry.code
        assert f"- **Message:** {generate_docs.message_md(entry.message)}\n" in section
        for field in entry.fields:
            assert f"`{field}`" in section, (entry.code, field)
        for table in entry.tables:
            assert f"`{table}`" in section, (entry.code, table)


def test_docs_urls_of_the_catalogue_point_at_the_published_rule_page() -> None:
    site_url = re.search(r"^site_url: (\S+)$", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)
    assert site_url is not None
    for entry in ENTRIES.values():
        assert entry.docs_url == f"{site_url.group(1)}reference/rules/#{entry.anchor}"


def test_entity_relationship_diagram_has_every_table_and_reference(standard: Standard) -> None:
    text = (REFERENCE / "entity-relationships.md").read_text(encoding="utf-8")
    diagram = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    for table in standard.tables:
        assert f"    {table.class_name} {{" in diagram
        for field in table.fields:
            if field.references:
                parent = standard.table(field.references).class_name
                assert re.search(
                    rf"^    {parent} \|[|o]--o\{{ {table.class_name} : \"{field.name}\"$",
                    diagram,
                    re.MULTILINE,
                ), f"{table.name}.{field.name}"


def test_published_json_schemas_are_the_shipped_ones() -> None:
    shipped = ROOT / "src" / "sufficiency_standard"
    assert (REFERENCE / "schemas" / "report.schema.json").read_text() == (
        shipped / "report" / "report.schema.json"
    ).read_text()
    assert (
        REFERENCE / "schemas" / f"sufficiency-standard-{STANDARD_VERSION}.schema.json"
    ).read_text() == (shipped / "standards" / STANDARD_VERSION / "jsonschema.json").read_text()


def test_report_format_example_is_a_valid_report() -> None:
    schema = json.loads((REFERENCE / "schemas" / "report.schema.json").read_text())
    Draft202012Validator(schema).validate(generate_docs.report_example())


def test_home_page_lists_every_table(standard: Standard) -> None:
    home = (DOCS / "index.md").read_text(encoding="utf-8")
    assert '--8<-- "docs/snippets/standard-version.md"' in home
    for table in standard.tables:
        assert f"| [`{table.name}`](reference/tables/{table.name}.md) |" in home, table.name


def test_every_guide_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in sorted(DOCS.rglob("*.md")):
        relative = page.relative_to(DOCS).as_posix()
        if relative.startswith("snippets/"):
            continue
        assert f" {relative}\n" in nav, f"{relative} is not in the nav of mkdocs.yml"


def test_mkdocs_build_strict_passes_without_warnings(build: tuple[Path, str]) -> None:
    site_dir, output = build
    assert (site_dir / "index.html").is_file()
    assert "WARNING" not in output, output


def test_built_site_says_which_version_it_documents(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"version {STANDARD_VERSION}</strong> of the" in home
    assert f"Standard version {STANDARD_VERSION}." in home  # the footer, on every page


def test_built_rule_page_has_every_anchor_the_reports_link_to(site: Path) -> None:
    html = (site / "reference" / "rules" / "index.html").read_text(encoding="utf-8")
    for entry in ENTRIES.values():
        assert f'id="{entry.anchor}"' in html, entry.code


def test_changelog_is_part_of_the_site(site: Path) -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    html = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    first_entry = next(line for line in changelog.splitlines() if line.startswith("## "))
    heading = first_entry[3:]
    assert heading in html or heading.replace("[", "").replace("]", "") in html


def test_mermaid_is_served_by_the_site_itself(site: Path) -> None:
    bundle = site / "javascripts" / "mermaid.min.js"
    assert bundle.stat().st_size > 1_000_000
    page = (site / "reference" / "entity-relationships" / "index.html").read_text()
    assert 'src="../../javascripts/mermaid.min.js"' in page
    assert '<pre class="mermaid"><code>erDiagram' in page
