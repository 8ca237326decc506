"""Fixtures for the hub's tests: a hub on each engine.

PostgreSQL: SUFFICIENCY_TEST_POSTGRES names a server where the tests may create and
drop databases (`.ci/run` starts one with scripts/start_test_postgres.sh). Without it,
or when the server does not answer, the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_SETTING = "SUFFICIENCY_TEST_POSTGRES"


def _postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_SETTING)
    if not url:
        pytest.skip(
            f"no PostgreSQL server for the hub's tests: set {POSTGRES_SETTING} "
            "(bash scripts/start_test_postgres.sh starts one; .ci/run does)"
        )
    return url


def _with_database(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg is needed for PostgreSQL hubs")
    admin = _postgres_admin_url()
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.skip(f"the PostgreSQL server at {admin} does not answer: {error}")
    yield _with_database(admin, name)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["duckdb", "postgresql"])
def hub_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A place for a new hub, on each engine in turn."""
    if request.param == "duckdb":
        return str(tmp_path / "region.duckdb")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def simulated_hub(tmp_path_factory: pytest.TempPathFactory):
    """A hub of four simulated LAs over four financial years (2021-22 to 2024-25), with
    one resubmission, and the simulator's truth: built once per test run (about 5 s)."""
    from analytics_support import build_simulated_hub

    return build_simulated_hub(tmp_path_factory.mktemp("simulated-region"))


@pytest.fixture(scope="session")
def national_verdicts():
    """national_engine_support.national_verdicts (the national team's own SHACL engine,
    jsonld.js + rdf-validate-shacl), installed once per run with `npm ci`; skips, saying
    why, when it cannot run (no Node.js 20 or npm, no registry)."""
    from national_engine_support import national_verdicts, require_engine

    require_engine()
    return national_verdicts
