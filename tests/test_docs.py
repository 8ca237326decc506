"""The documentation site is current, complete and builds cleanly.

The reference pages are generated from the standard and the issue catalogue; these
tests make sure they were regenerated after a change, that every table, field, code
list, value and rule has its place in them, and that `mkdocs build --strict` passes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from scripts_loader import load_script

import sufficiency_standard.validation  # noqa: F401  (declares every entry)
from sufficiency_standard import STANDARD_VERSION
from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.check.schema_rules import declare_schema_rules
from sufficiency_standard.shipped import compiled_standard
from sufficiency_standard.standard import Field, Standard, Table, load_standard

# Every entry the rule page shows: the checks' own and the schema's rules.
declare_schema_rules(load_standard())

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
# A copy of the national placements standard, when one is at hand (it is not part of
# this repository); the crosswalk's list of national properties is checked against it.
NATIONAL_COPY = Path(
    os.environ.get(
        "NATIONAL_PLACEMENTS_STANDARD", "/work/shared/reference/national-placements-standard"
    )
)


generate_docs = load_script("generate_docs")


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
    vendored = list((ROOT / "docs" / ".vendor").glob("mermaid-*.min.js"))
    if not vendored and shutil.which("npm") is None:
        pytest.skip(
            "the docs build fetches Mermaid once with npm, which is not installed: install "
            "Node.js and npm to run the docs tests (README, Quick start)"
        )
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


def _documented_entries() -> list:
    """The catalogue as the newest version's docs describe it: checking an older version's
    submission (as other test modules do, in any order) adds that version's own schema
    rules to the catalogue, which the newest rule page rightly leaves out."""
    from sufficiency_standard.shipped import shipped_versions
    from sufficiency_standard.standard import load_standard

    current = {r.code for t in load_standard(None).tables for r in t.rules}
    older = {r.code for v in shipped_versions() for t in load_standard(v).tables for r in t.rules}
    return [e for code, e in ENTRIES.items() if code in current or code not in older]


def test_every_catalogue_entry_has_its_anchor_in_the_rule_catalogue(standard: Standard) -> None:
    text = (REFERENCE / "rules.md").read_text(encoding="utf-8")
    assert ENTRIES, "the catalogue is empty"
    for entry in _documented_entries():
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
    for entry in _documented_entries():
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


# -- questions, crosswalk and definitions ---------------------------------------------


def questions() -> list[dict[str, str]]:
    """The regional questions as the compiled standard holds them."""
    return compiled_standard(STANDARD_VERSION).get("questions", [])


def answered_by(standard: Standard, question_id: str) -> list[tuple[Table, Field]]:
    return [(t, f) for t in standard.tables for f in t.fields if question_id in f.questions]


def field_label(table: Table, field: Field) -> str:
    """How the questions page and the crosswalk link a field."""
    return f"[`{table.name}.{field.name}`](tables/{table.name}.md#{field.name})"


def section(text: str, heading: str) -> str:
    """What a page says under a heading, up to the next heading of any level."""
    return re.split(r"\n#{1,6} ", text.split(heading, 1)[1], maxsplit=1)[0]


def missing_from_questions_page(standard: Standard, text: str) -> list[str]:
    """Every question, and every field that answers it, that the page does not show; and
    every field whose row in the second half lacks one of its questions."""
    missing = []
    for question in questions():
        heading = f"### {question['id']} {{ #{question['id'].lower()} }}\n"
        if heading not in text:
            missing.append(f"question {question['id']}")
            continue
        body = section(text, heading)
        if generate_docs.md(question["question"]) not in body:
            missing.append(f"text of {question['id']}")
        if question.get("left_out") and generate_docs.md(question["left_out"]) not in body:
            missing.append(f"why {question['id']} is left out")
        for table, field in answered_by(standard, question["id"]):
            if field_label(table, field) not in body:
                missing.append(f"{question['id']} -> {table.name}.{field.name}")
    reverse = text.split("{ #fields }", 1)[-1]
    for table in standard.tables:
        for field in table.fields:
            row = next(
                (
                    line
                    for line in reverse.splitlines()
                    if line.startswith(f"| {field_label(table, field)} |")
                ),
                None,
            )
            if row is None:
                missing.append(f"row of {table.name}.{field.name}")
                continue
            for question_id in field.questions:
                if f"[{question_id}](questions.md#{question_id.lower()})" not in row:
                    missing.append(f"{table.name}.{field.name} -> {question_id}")
    return missing


def missing_from_crosswalk(standard: Standard, text: str) -> list[str]:
    """Every field with a national property, and every code value with a national
    concept, that the crosswalk does not show."""
    missing = []
    for table in standard.tables:
        for field in table.fields:
            if not field.national_property:
                continue
            row = next(
                (
                    line
                    for line in text.splitlines()
                    if line.startswith(f"| {field_label(table, field)} |")
                ),
                "",
            )
            national = [p.strip().rsplit(".", 1)[-1] for p in field.national_property.split(",")]
            if not row or any(f"`{p}`" not in row for p in national):
                missing.append(f"{table.name}.{field.name}")
            elif field.national_match and f"`{field.national_match}`" not in row:
                missing.append(f"match of {table.name}.{field.name}")
    for name, body in compiled_standard(STANDARD_VERSION)["enums"].items():
        for value in body["values"]:
            concept = value.get("national_concept")
            if concept and f"| `{value['value']}` | `{concept}`" not in text:
                missing.append(f"value {name}.{value['value']}")
    return missing


def replace_field(standard: Standard, table_name: str, field: Field) -> Standard:
    """A copy of the standard with one field of one table replaced."""
    return dataclasses.replace(
        standard,
        tables=tuple(
            dataclasses.replace(
                t,
                fields=tuple(field if f.name == field.name else f for f in t.fields),
                _by_name={},
            )
            if t.name == table_name
            else t
            for t in standard.tables
        ),
    )


def test_questions_page_shows_every_question_with_every_field_that_answers_it(
    standard: Standard,
) -> None:
    assert questions(), "the compiled standard has no questions"
    text = (REFERENCE / "questions.md").read_text(encoding="utf-8")
    assert missing_from_questions_page(standard, text) == []


def test_a_field_taken_out_of_a_question_changes_the_questions_page(standard: Standard) -> None:
    regional = generate_docs.load_regional(standard.version)
    placements = standard.table("placements")
    field = next(f for f in placements.fields if f.questions)
    dropped, kept = field.questions[0], field.questions[1:]
    fewer = replace_field(standard, "placements", dataclasses.replace(field, questions=kept))
    page = generate_docs.render_questions(fewer, regional)
    assert page != (REFERENCE / "questions.md").read_text(encoding="utf-8")
    assert missing_from_questions_page(standard, page) == [
        f"{dropped} -> placements.{field.name}",
        f"placements.{field.name} -> {dropped}",
    ]


def test_questions_page_lists_the_minimal_set_first_and_says_why_unused_fields_stay(
    standard: Standard,
) -> None:
    text = (REFERENCE / "questions.md").read_text(encoding="utf-8")
    order = {"**Required**": 0, "Recommended": 1, "Optional": 2}
    for table in standard.tables:
        body = section(text, f"### {table.name} {{ #fields-{table.name.replace('_', '-')} }}\n")
        rows = [line for line in body.splitlines() if line.startswith("| [`")]
        assert len(rows) == len(table.fields), table.name
        statuses = [order[row.split(" | ")[1]] for row in rows]
        assert statuses == sorted(statuses), table.name
        for field in table.fields:
            row = next(r for r in rows if r.startswith(f"| {field_label(table, field)} |"))
            if field.kept_because:
                assert generate_docs.md(field.kept_because) in row, field.name
            elif not field.questions:
                assert "Structural (" in row, f"{table.name}.{field.name} has no reason to stay"


def test_field_reference_gives_each_field_its_status_and_questions(standard: Standard) -> None:
    for table in standard.tables:
        text = (DOCS / generate_docs.table_page(table)).read_text(encoding="utf-8")
        for field in table.fields:
            body = section(text, f"### {field.name} {{ #{field.name} }}\n")
            expected = generate_docs.status(field)
            assert f"- **Required, recommended or optional:** {expected}\n" in body, field.name
            for question_id in field.questions:
                link = f"[{question_id}](../questions.md#{question_id.lower()})"
                assert link in body, (table.name, field.name, question_id)


def test_crosswalk_shows_every_field_and_value_with_a_national_counterpart(
    standard: Standard,
) -> None:
    text = (REFERENCE / "crosswalk.md").read_text(encoding="utf-8")
    assert missing_from_crosswalk(standard, text) == []
    assert "Crown copyright" in text and "Open Government Licence v3.0" in text
    assert "MIT" in text


def test_a_new_national_property_is_missing_from_the_crosswalk_until_regenerated(
    standard: Standard,
) -> None:
    table = standard.table("placements")
    field = next(f for f in table.fields if not f.national_property)
    named = dataclasses.replace(field, national_property="placementDate", national_match="close")
    grown = replace_field(standard, "placements", named)
    text = (REFERENCE / "crosswalk.md").read_text(encoding="utf-8")
    assert missing_from_crosswalk(grown, text) == [f"placements.{field.name}"]
    regional = generate_docs.load_regional(standard.version)
    assert missing_from_crosswalk(grown, generate_docs.render_crosswalk(grown, regional)) == []


def test_every_national_property_our_fields_name_is_one_of_the_national_standard(
    standard: Standard,
) -> None:
    for table in standard.tables:
        for field in table.fields:
            for name in generate_docs.national_properties(field):
                assert name in generate_docs.NATIONAL_CLASS_OF, (table.name, field.name, name)
            if field.national_property:
                assert field.national_match in generate_docs.MATCHES, (table.name, field.name)


def test_the_list_of_national_properties_is_the_national_standards() -> None:
    page = NATIONAL_COPY / "placements-standard.md"
    if not page.exists():
        pytest.skip(f"no copy of the national placements standard at {NATIONAL_COPY}")
    prefixes = {
        "placement": "Placement",
        "availability": "PlacementAvailability",
        "requirements": "PlacementRequirements",
        "recommendation": "PlacementRecommendation",
        "risk": "RiskAssessment",
        "actual": "ActualPlacement",
        "qa": "QualityAssurance",
    }
    published = [
        (prefixes[prefix], name)
        for prefix, name in re.findall(r'<span id="([a-z]+)-(\w+)">\2</span>', page.read_text())
        if name not in generate_docs.NATIONAL_LINKS
    ]
    listed = [
        (cls, name) for cls, names in generate_docs.NATIONAL_CLASSES.items() for name in names
    ]
    assert listed == published


def test_definitions_page_quotes_the_schema_and_orders_the_provider_merge(
    standard: Standard,
) -> None:
    text = (REFERENCE / "definitions.md").read_text(encoding="utf-8")
    for description in (
        standard.table("costs").description,
        standard.table("submission").description,
    ):
        for paragraph in description.split("\n"):
            assert generate_docs.md_prose(paragraph) in text
    for table_name, field_name in [
        ("placements", "distance_miles"),
        ("referrals", "urgency"),
        ("referrals", "planned_or_emergency"),
        ("providers", "ofsted_provider_urn"),
        ("providers", "company_number"),
        ("providers", "charity_number"),
    ]:
        assert generate_docs.md(standard.table(table_name).field(field_name).description) in text
    assert generate_docs.md_prose(standard.code_lists["RiskLevelEnum"].description) in text
    place = compiled_standard(STANDARD_VERSION)["enums"]["PlaceCodeEnum"]["values"]
    for value in place:
        for key in ("in_force_from", "in_force_until"):
            if value.get(key):
                assert f"| `{value['value']}` |" in text and value[key] in text
    merge = section(text, "### How a hub merges providers across LAs { #merging-providers }\n")
    positions = [
        merge.index(f"`providers.{name}`")
        for name in ("ofsted_provider_urn", "company_number", "charity_number")
    ]
    assert positions == sorted(positions)
    assert "never merges providers on it" in merge


def test_built_questions_page_has_an_anchor_for_every_question(site: Path) -> None:
    html = (site / "reference" / "questions" / "index.html").read_text(encoding="utf-8")
    for question in questions():
        assert f'id="{question["id"].lower()}"' in html, question["id"]
