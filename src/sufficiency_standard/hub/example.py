"""The example region shipped with the package: simulated LAs' submissions over several
years (made by `scripts/make_example_region.py` with sufficiency_standard.simulate) and
the hub configuration a region would write for them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXAMPLE_FOLDER = Path(__file__).resolve().parent.parent / "example_region"
_SUBMISSION_SUFFIXES = (".xlsx", ".json", ".zip")


@dataclass(frozen=True)
class ExampleRegion:
    folder: Path
    config: Path  # hub.yaml
    submissions: list[Path]  # in the order a region received them


def example_region(folder: Path = EXAMPLE_FOLDER) -> ExampleRegion:
    """The example region's files. Submissions are named LA-YEAR[-resubmission]: name
    order is the order they arrive in (a resubmission after its original)."""
    submissions = sorted(
        (p for p in folder.iterdir() if p.suffix in _SUBMISSION_SUFFIXES and p.stem != "truth"),
        key=lambda p: (p.stem.split("-resubmission")[0], "-resubmission" in p.stem, p.name),
    )
    return ExampleRegion(folder, folder / "hub.yaml", submissions)
