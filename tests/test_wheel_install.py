"""Issue 19, item 12: the install the LA guide gives works on a fresh machine.

Builds a wheel from the repository (`pip wheel --no-deps .`), installs it in a new
virtual environment (its dependencies from the registry, or from what this machine
already has) and validates the example workbook with the installed `sufficiency`.
Slow (about 30 to 60 s): marked `slow`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_wheel_built_from_the_repository_installs_and_validates(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels)]
    built = subprocess.run(
        [*pip_wheel, "--no-build-isolation", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0:  # no build backend here: build it as pip would, isolated
        built = subprocess.run(
            [*pip_wheel, str(ROOT)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("sufficiency_standard-*.whl")

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    # The dependencies as this environment has them (no network, seconds): its
    # site-packages is added after the new environment's own, so the package itself is
    # the wheel's (a .pth line adds a folder without running the .pth files in it, so
    # not this checkout's editable install).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    outer = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "outer-dependencies.pth").write_text("\n".join(outer) + "\n")
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    where = subprocess.run(
        [str(python), "-c", "import sufficiency_standard as s; print(s.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout
    assert where.startswith(site), where  # the wheel's copy, not the repository's

    sufficiency = bin_dir / "sufficiency"
    done = subprocess.run(
        [str(sufficiency), "validate", str(ROOT / "examples" / "example-submission.xlsx")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository: the installed package, not the source
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "meets the Placement Sufficiency Data Standard" in done.stdout
