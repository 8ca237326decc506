"""Freeze the schema's version as a release: write standards/<version>/release.json.

Run after `python scripts/generate.py`, once CHANGELOG.md has a `## [X.Y.Z] - DATE`
section for the version. The release file records the date, the changes (from the
changelog) and the SHA-256 of every file of the version, so that tests can prove a
released version never changes. See docs/releasing.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT / "src" / "sufficiency_standard" / "standards"
RELEASE_FILE = "release.json"


def changelog_section(version: str) -> tuple[str, list[str]]:
    """The date and the bullet points of a version's section of CHANGELOG.md."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(
        rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})\n(.*?)(?=^## \[|\Z)",
        text,
        flags=re.M | re.S,
    )
    if match is None:
        raise SystemExit(f"CHANGELOG.md has no '## [{version}] - YYYY-MM-DD' section")
    # Only the bullet lines: a "### Changed" heading must not run on into the bullet above it.
    body = "\n".join(line for line in match.group(2).splitlines() if not line.startswith("#"))
    bullets = [
        " ".join(line.strip()[2:].split())
        for line in re.split(r"\n(?=- )", body)
        if line.strip().startswith("- ")
    ]
    return match.group(1), bullets


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != RELEASE_FILE
    }


def main() -> int:
    version = yaml.safe_load((ROOT / "schema" / "sufficiency.yaml").read_text())["version"]
    folder = STANDARDS / version
    if (folder / RELEASE_FILE).exists():
        print(f"{version} is already released", file=sys.stderr)
        return 1
    released, changes = changelog_section(version)
    release = {
        "version": version,
        "released": released,
        "changes": changes,
        "files_sha256": file_hashes(folder),
    }
    (folder / RELEASE_FILE).write_text(json.dumps(release, indent=2) + "\n", encoding="utf-8")
    print(f"released {version} ({released}): {folder / RELEASE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
