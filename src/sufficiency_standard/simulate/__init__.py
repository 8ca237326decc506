"""A seeded simulator of a region's LAs and their submissions, with the truth planted in
them, for testing analyses and the hub on data whose answers are known.

    >>> from sufficiency_standard.simulate import simulate_region
    >>> region = simulate_region(seed=1, las=4, years=2, scale=0.1)
    >>> region.submissions[0].name, region.truth["planted"]["dear_provider"]["multiplier"]
    >>> region.write("out/", fmt="json")

Modules: parameters (what drives the data), geography (districts, centroids, LAs),
registry (providers and settings shared by all LAs), population (each LA's children and
their placements over time), needs, searches, costs, snapshot (a submission as known on
its extract date, and corrections), truth (what was planted and realised), writing
(files, byte for byte deterministic).
"""

from sufficiency_standard.simulate.parameters import LAParameters, ModelParameters, default_las
from sufficiency_standard.simulate.region import (
    SimulatedRegion,
    SimulatedSubmission,
    simulate_region,
)
from sufficiency_standard.simulate.writing import write_submission

__all__ = [
    "LAParameters",
    "ModelParameters",
    "SimulatedRegion",
    "SimulatedSubmission",
    "default_las",
    "simulate_region",
    "write_submission",
]
