"""MkDocs hook: serve a pinned copy of Mermaid from the site itself.

Material for MkDocs draws ```mermaid blocks with Mermaid, which it loads from a CDN
unless `window.mermaid` already exists. The site must render where there is no
internet (CI, the browser test, a hub's intranet), so this hook puts Mermaid's
dist/mermaid.min.js into the site as javascripts/mermaid.min.js, which mkdocs.yml
loads through extra_javascript.

The file comes from the `mermaid` package of the npm registry, fetched once with
`npm pack` (the tarball alone: none of its 100-odd dependencies, which the bundle
already contains), checked against the integrity hash pinned here, and kept in
docs/.vendor/ (ignored by git). Nothing is committed but the pin. To upgrade, change
MERMAID_VERSION and MERMAID_INTEGRITY (`npm view mermaid@X dist.integrity`); keep the
major version that Material expects (it asks the CDN for mermaid@11).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

MERMAID_VERSION = "11.17.2"
MERMAID_INTEGRITY = "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg=="  # noqa: E501
SITE_PATH = "javascripts/mermaid.min.js"
_MEMBER = "package/dist/mermaid.min.js"


def vendored_path(docs_dir: Path) -> Path:
    return docs_dir / ".vendor" / f"mermaid-{MERMAID_VERSION}.min.js"


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch_mermaid(target: Path) -> None:
    """Download the pinned tarball with npm, check it, and keep only the browser bundle."""
    npm = shutil.which("npm")
    if npm is None:
        raise PluginError(
            f"Mermaid {MERMAID_VERSION} is not in {target} and npm is not installed to "
            "fetch it. Install Node.js and npm, or put mermaid.min.js from the npm "
            f"package mermaid@{MERMAID_VERSION} (dist/mermaid.min.js) at {target}."
        )
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [npm, "pack", f"mermaid@{MERMAID_VERSION}", "--json", "--pack-destination", folder],
            capture_output=True,
            text=True,
            check=False,
            cwd=folder,
        )
        if done.returncode != 0:
            raise PluginError(f"npm pack mermaid@{MERMAID_VERSION} failed:\n{done.stderr.strip()}")
        tarball = Path(folder) / json.loads(done.stdout)[0]["filename"]
        data = tarball.read_bytes()
        if _integrity(data) != MERMAID_INTEGRITY:
            raise PluginError(
                f"mermaid@{MERMAID_VERSION} from npm does not match the pinned integrity "
                "hash in docs/hooks/vendor_mermaid.py; refusing to use it."
            )
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(_MEMBER)
            if member is None:
                raise PluginError(f"{_MEMBER} is missing from mermaid@{MERMAID_VERSION}")
            bundle = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(bundle)
    partial.replace(target)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    source = vendored_path(Path(config.docs_dir))
    if not source.is_file():
        fetch_mermaid(source)
    files.append(File.generated(config, SITE_PATH, abs_src_path=str(source)))
    return files
