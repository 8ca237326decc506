"""A simulated region loaded into a hub, for the analytics' tests: the analyses must
recover what the simulator planted (its truth), so every test of a finding can fail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sufficiency_standard.hub import Hub, ingest
from sufficiency_standard.simulate import SimulatedRegion, simulate_region


@dataclass
class SimulatedHub:
    """A DuckDB hub holding every submission of a simulated region (resubmissions
    included, so the hub's current rows are what the truth describes)."""

    location: str
    region: SimulatedRegion

    @property
    def truth(self) -> dict[str, Any]:
        return self.region.truth

    def open(self) -> Hub:
        return Hub.open(self.location)


def build_simulated_hub(
    folder: Path, seed: int = 11, las: int = 4, years: int = 4, scale: float = 0.5, **options: Any
) -> SimulatedHub:
    region = simulate_region(seed, las=las, years=years, first_year=2021, scale=scale, **options)
    paths = [p for p in region.write(folder / "submissions", compact=True) if p.suffix == ".json"]
    location = str(folder / "region.duckdb")
    with Hub.create(location) as hub:
        for path in paths:
            if path.name == "truth.json":
                continue
            result = ingest(hub, path)
            assert result.outcome == "accepted", f"{path.name}: {result.message}"
    return SimulatedHub(location, region)
