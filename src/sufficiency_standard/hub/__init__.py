"""The regional hub: LAs' submissions combined, with history, in one database.

    >>> from sufficiency_standard.hub import Hub, ingest
    >>> with Hub.create("region.duckdb") as hub:
    ...     ingest(hub, "la-e06000066.xlsx").message
    >>> with Hub.open("region.duckdb") as hub:
    ...     hub.current("placements")

A hub is a DuckDB file (embedded: nothing to install or start) or a PostgreSQL
database (a postgresql:// URL). The same code gives the same results on both.
"""

from sufficiency_standard.hub.config import HubConfig, load_config
from sufficiency_standard.hub.database import HubError
from sufficiency_standard.hub.ingest import IngestResult, ingest
from sufficiency_standard.hub.store import Hub, init_hub

__all__ = ["Hub", "HubConfig", "HubError", "IngestResult", "ingest", "init_hub", "load_config"]
