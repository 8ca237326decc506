"""The hub under real processes: killed with SIGKILL mid-ingest, and two ingests at once.

Each case runs `python -m sufficiency_standard hub ingest` as its own process, on DuckDB
and on PostgreSQL. A killed ingest must leave the hub exactly as it was; two ingests at
once must both land, one after the other.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from hub_support import EXAMPLE, another_la, example_submission, write_submission
from polars.testing import assert_frame_equal

from sufficiency_standard.hub import Hub, ingest


def _command(location: str, *files: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sufficiency_standard",
        "hub",
        "ingest",
        location,
        *map(str, files),
    ]


def _snapshot(location: str) -> dict[str, pl.DataFrame]:
    with Hub.open(location) as hub:
        found = {name: hub.history(name) for name in hub.tables}
        found["register"] = hub.submissions()
        return found


def _same(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> None:
    assert before.keys() == after.keys()
    for name in before:
        assert_frame_equal(before[name], after[name])


def _corrected(tmp_path: Path) -> Path:
    corrected = example_submission()
    corrected["referrals"][0]["providers_approached"] += 1
    return write_submission(tmp_path, "corrected", corrected)


@pytest.mark.parametrize(
    "point", ["registering", "loaded placements", "loaded costs", "before commit"]
)
def test_an_ingest_killed_at_any_step_leaves_the_hub_as_it_was(hub_location, tmp_path, point):
    with Hub.create(hub_location) as hub:
        assert ingest(hub, EXAMPLE).outcome == "accepted"
    before = _snapshot(hub_location)
    marker = tmp_path / "paused"
    environment = {
        **os.environ,
        "SUFFICIENCY_HUB_PAUSE_AT": point,
        "SUFFICIENCY_HUB_PAUSE_MARKER": str(marker),
    }
    process = subprocess.Popen(
        _command(hub_location, _corrected(tmp_path)),
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the ingest never reached " + point
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    _same(before, _snapshot(hub_location))
    # And the hub goes on: the same submission is taken whole the next time.
    with Hub.open(hub_location) as hub:
        again = ingest(hub, _corrected(tmp_path))
        assert (again.outcome, again.submission_id, again.superseded) == ("accepted", 2, 1)


def test_ingests_killed_at_random_moments_leave_all_or_nothing(hub_location, tmp_path):
    with Hub.create(hub_location) as hub:
        assert ingest(hub, EXAMPLE).outcome == "accepted"
    before = _snapshot(hub_location)
    path = _corrected(tmp_path)
    killed_before_commit = 0
    # Every 0.04 s from the start until one run gets as far as its commit (a run takes
    # half a second or more here, most of it starting Python and validating).
    for delay in (0.04 * step for step in range(1, 150)):
        process = subprocess.Popen(
            _command(hub_location, path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = _snapshot(hub_location)
        if after["register"].height == before["register"].height:
            _same(before, after)
            killed_before_commit += 1
        else:  # it committed before the kill: the whole submission is there
            register = after["register"]
            assert register.get_column("state").to_list() == ["superseded", "current"]
            with Hub.open(hub_location) as hub:
                counts = json.loads(register.row(1, named=True)["row_counts"])
                for name, count in counts.items():
                    assert hub.rows_of(name, 2).height == count
            break
    else:
        pytest.fail("no run reached its commit in 6 s")
    assert killed_before_commit >= 5


def test_two_ingests_at_once_both_land_one_after_the_other(hub_location, tmp_path):
    Hub.create(hub_location).close()
    somerset = write_submission(tmp_path, "somerset", example_submission())
    bristol = write_submission(tmp_path, "bristol", another_la("E06000023"))
    processes = [
        subprocess.Popen(
            _command(hub_location, path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for path in (somerset, bristol)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    with Hub.open(hub_location) as hub:
        register = hub.submissions()
        assert sorted(register.get_column("submission_id")) == [1, 2]
        assert set(register.get_column("la_code")) == {"E06000066", "E06000023"}
        assert set(register.get_column("state")) == {"current"}
        placements = hub.current("placements")
        assert (
            placements.group_by("la_code").len().get_column("len").to_list()
            == [placements.height // 2] * 2
        )


def test_the_same_new_file_sent_twice_at_once_is_taken_once(hub_location, tmp_path):
    Hub.create(hub_location).close()
    processes = [
        subprocess.Popen(_command(hub_location, EXAMPLE), stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [p.returncode for p in processes] == [0, 0]
    assert sum("accepted as submission 1" in out for out in outputs) == 1
    assert sum("already holds these exact bytes" in out for out in outputs) == 1
    with Hub.open(hub_location) as hub:
        assert hub.submissions().height == 1
