"""simulate_region: a seeded region of LAs, their submissions and the truth."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sufficiency_standard.simulate import parameters as p
from sufficiency_standard.simulate.common import collection_paused
from sufficiency_standard.simulate.geography import districts
from sufficiency_standard.simulate.population import LASimulation
from sufficiency_standard.simulate.registry import build_registry
from sufficiency_standard.simulate.snapshot import (
    STANDARD_VERSION,
    Period,
    build_submission,
    periods,
    with_planted_errors,
)
from sufficiency_standard.simulate.truth import la_truth, planted_effects, spend_by_year
from sufficiency_standard.simulate.writing import write_submission

HORIZON_DAYS = 200  # simulated past the last period, so searches still open are seen


@dataclass
class SimulatedSubmission:
    """One LA's submission for one financial year, as a dict ready for write_json,
    write_xlsx or write_csv_folder."""

    la_code: str
    period_start: date
    period_end: date
    submission: dict[str, Any]
    resubmission: bool = False

    @property
    def label(self) -> str:
        """The financial year, as 2023-24."""
        return f"{self.period_start.year}-{(self.period_start.year + 1) % 100:02d}"

    @property
    def name(self) -> str:
        """The file name without suffix: E06000066-2023-24, or ...-resubmission."""
        return f"{self.la_code}-{self.label}" + ("-resubmission" if self.resubmission else "")


@dataclass
class SimulatedRegion:
    seed: int
    submissions: list[SimulatedSubmission]
    truth: dict[str, Any] = field(default_factory=dict)

    def submission(self, la_code: str, label: str, resubmission: bool = False) -> dict[str, Any]:
        for sub in self.submissions:
            if (sub.la_code, sub.label, sub.resubmission) == (la_code, label, resubmission):
                return sub.submission
        raise KeyError(f"no submission for {la_code} {label}")

    def write(
        self,
        folder: str | Path,
        fmt: str | Mapping[str, str] | Callable[[SimulatedSubmission], str] = "json",
        *,
        compact: bool = False,
        truth: bool = True,
    ) -> list[Path]:
        """Write every submission into `folder` as <name>.<suffix> and the truth as
        truth.json; return the paths written. `fmt` is one format for all (json, xlsx,
        csv-zip, csv), a mapping from submission name to format (json where not named),
        or a function of the submission. `compact` writes JSON with one record per line
        (fast, for large regions)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with collection_paused():
            return self._write(folder, fmt, compact, truth)

    def _write(self, folder: Path, fmt, compact: bool, truth: bool) -> list[Path]:
        written = []
        for sub in self.submissions:
            if callable(fmt):
                chosen = fmt(sub)
            elif isinstance(fmt, str):
                chosen = fmt
            else:
                chosen = fmt.get(sub.name, "json")
            written.append(
                write_submission(sub.submission, folder / sub.name, chosen, compact=compact)
            )
        if truth:
            path = folder / "truth.json"
            path.write_text(
                json.dumps(self.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            written.append(path)
        return written


def simulate_region(
    seed: int,
    las: int | list[p.LAParameters] = 4,
    years: int = 2,
    first_year: int = 2023,
    scale: float = 1.0,
    *,
    resubmissions: int | Sequence[tuple[str, str]] = 1,
    model: p.ModelParameters | None = None,
) -> SimulatedRegion:
    """Simulate `las` LAs (a number: the first of the catalogue, the South West's first;
    or their parameters) for `years` financial years from April of `first_year`, each LA
    `scale` times its size. `resubmissions` LA-periods (a number, drawn from the seed, or
    (LA code, "2023-24") pairs) get a corrected second submission (the first one then
    carries the errors it corrects). The same arguments always give
    the same region."""
    with collection_paused():
        return _simulate(seed, las, years, first_year, scale, resubmissions, model)


def _simulate(seed, las, years, first_year, scale, resubmissions, model) -> SimulatedRegion:
    model = model or p.ModelParameters()
    chosen = p.default_las(las, seed) if isinstance(las, int) else list(las)
    if len({la.la_code for la in chosen}) != len(chosen):
        raise ValueError("each LA may be simulated once")
    known = districts()
    for la in chosen:
        unknown = [d for d in la.districts if d not in known]
        if unknown or not la.districts:
            raise ValueError(
                f"{la.la_code} needs postcode districts from the simulator's table "
                f"(simulate/geography.py); unknown: {', '.join(unknown) or 'none given'}"
            )
    chosen = [p.scaled(la, scale) for la in chosen]
    start = date(first_year, 4, 1).toordinal()
    last_period_end = date(first_year + years, 3, 31).toordinal()
    horizon = last_period_end + HORIZON_DAYS
    registry = build_registry(chosen, random.Random(f"{seed}:registry"), start, horizon, model)
    sims = []
    for la in chosen:
        sim = LASimulation(la, registry, model, seed, start, horizon)
        sim.run()
        sim.finalise()
        sims.append(sim)
    las_periods = {la.la_code: periods(first_year, years, la.extract_lag_days) for la in chosen}
    # Which LA-periods are sent twice.
    pairs = [(la.la_code, i) for la in chosen for i in range(years)]
    if isinstance(resubmissions, int):
        corrected = set(
            random.Random(f"{seed}:resubmissions").sample(pairs, min(resubmissions, len(pairs)))
        )
    else:
        labels = {
            f"{y}-{(y + 1) % 100:02d}": y - first_year
            for y in range(first_year, first_year + years)
        }
        corrected = {(code, labels[label]) for code, label in resubmissions}
        unknown = corrected - set(pairs)
        if unknown:
            raise ValueError(f"no such LA and period to resubmit: {sorted(unknown)}")
    submissions: list[SimulatedSubmission] = []
    corrections: list[dict[str, Any]] = []
    for sim in sims:
        code = sim.la.la_code
        for index, period in enumerate(las_periods[code]):
            snapshot = build_submission(sim, registry, period, seed)
            if (code, index) in corrected:
                rng = random.Random(f"{seed}:correction:{code}:{index}")
                first, changes = with_planted_errors(snapshot, sim, rng)
                submissions.append(_sub(code, period, first))
                submissions.append(_sub(code, period, snapshot.submission, resubmission=True))
                corrections.append(
                    {
                        "la_code": code,
                        "period": period.label,
                        "first_submission": submissions[-2].name,
                        "resubmission": submissions[-1].name,
                        "changes": changes,
                    }
                )
            else:
                submissions.append(_sub(code, period, snapshot.submission))
    truth = {
        "generator": "sufficiency_standard.simulate.simulate_region",
        "seed": seed,
        "standard_version": STANDARD_VERSION,
        "first_year": first_year,
        "years": years,
        "scale": scale,
        "note": "Synthetic data: every child, ID, organisation and number is made up.",
        "model": model.to_dict(),
        "las": {sim.la.la_code: la_truth(sim, las_periods[sim.la.la_code]) for sim in sims},
        "planted": planted_effects(sims, next(iter(las_periods.values())), registry, model),
        "registry": registry.truth(),
        "spend": spend_by_year([(s.la_code, s.label, s.submission) for s in submissions]),
        "resubmissions": corrections,
        "submissions": [
            {
                "name": s.name,
                "la_code": s.la_code,
                "period": s.label,
                "resubmission": s.resubmission,
            }
            for s in submissions
        ],
    }
    return SimulatedRegion(seed, submissions, truth)


def _sub(code: str, period: Period, submission: dict, resubmission: bool = False):
    return SimulatedSubmission(code, period.start, period.end, submission, resubmission)
