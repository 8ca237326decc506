"""The hub's one interface to its database: DuckDB in a file (the embedded default) or a
PostgreSQL server (a hub run as a shared service).

Everything above this module writes one SQL, with `?` for parameters, and gets polars
frames back; the two engines differ only here: how to connect, how to serialise
writers, how to load a frame fast, and the names of two column types.
"""

from __future__ import annotations

import fcntl
import os
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from sufficiency_standard.issues import InputError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_PG_LOCK_KEY = 0x5355_4646  # "SUFF": the advisory lock every writer of a hub takes
_FETCH_ROWS = 50_000


class HubError(InputError):
    """The hub cannot be opened or used (exit code 2), with a reason for a person."""


def is_postgres(location: str) -> bool:
    return location.startswith(POSTGRES_SCHEMES)


class Database:
    """A connection to a hub's database. Use `writing()` for every change: one
    transaction, one writer at a time, all or nothing."""

    dialect: str
    blob_type: str
    float_type: str
    location: str

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def frame(
        self, sql: str, parameters: Sequence[Any] = (), schema: dict[str, pl.DataType] | None = None
    ) -> pl.DataFrame:
        """A query's result as a frame; `schema` fixes the columns' types (so that the
        two engines give identical frames, and an empty result still has its types)."""
        raise NotImplementedError

    def load(self, table: str, frame: pl.DataFrame) -> None:
        """Append a frame's rows to a table (columns by name)."""
        raise NotImplementedError

    @contextmanager
    def writing(self) -> Iterator[None]:
        raise NotImplementedError

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def scalar(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        found = self.rows(sql, parameters)
        return found[0][0] if found else None


def _typed(frame: pl.DataFrame, schema: dict[str, pl.DataType] | None) -> pl.DataFrame:
    if schema is None:
        return frame
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    )


# The DuckDB hubs this process has open (a hub dropped without close() leaves when it is
# collected, as its lock does). A second open of the same file in the same process would
# wait for its own lock forever: flock locks belong to each open file.
_OPEN_HERE: weakref.WeakValueDictionary[Path, DuckDBDatabase] = weakref.WeakValueDictionary()


class DuckDBDatabase(Database):
    """A hub in one DuckDB file. DuckDB lets one process at a time open a file for
    writing, so every command takes an exclusive lock on a file beside it first and
    waits its turn, rather than failing on DuckDB's own lock."""

    dialect = "duckdb"
    blob_type = "BLOB"
    float_type = "DOUBLE"

    def __init__(self, path: Path, *, create: bool, wait: Callable[[], None] | None) -> None:
        import duckdb

        self.location = str(path)
        if not create and not path.is_file():
            raise HubError(f"{path} is not a hub: no such file (create one with `hub init`)")
        if create and path.exists():
            raise HubError(f"{path} already exists; choose a new file for a new hub")
        if not path.parent.is_dir():
            raise HubError(f"the folder {path.parent} does not exist")
        self._key = path.resolve()
        if _OPEN_HERE.get(self._key) is not None:
            raise HubError(
                f"{path} is open already in this program: use that Hub, or close it first"
            )
        self._lock = (path.parent / f".{path.name}.lock").open("a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if wait is not None:
                wait()
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            self._connection = duckdb.connect(str(path))
            # No progress bar: it would write into the command's own output.
            self._connection.execute("SET enable_progress_bar = false")
            # Checkpoint (write the WAL into the tables) every 256 MB of changes rather
            # than every 16: ingesting a region's many small submissions took 40% longer
            # and left a file 70% larger. Closing the hub checkpoints whatever is left.
            self._connection.execute("SET checkpoint_threshold = '256MB'")
            # DuckDB keeps what it wrote in memory up to 80% of the machine by default: a
            # national ingest grew to 5 GB. Beyond 2 GB it evicts, or spills to disk.
            self._connection.execute("SET memory_limit = '2GB'")
        except duckdb.Error as error:
            self._lock.close()
            raise HubError(f"{path} cannot be opened as a hub: {error}") from None
        _OPEN_HERE[self._key] = self

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        self._connection.execute(sql, list(parameters))

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(sql, list(parameters)).fetchall()

    def frame(
        self, sql: str, parameters: Sequence[Any] = (), schema: dict[str, pl.DataType] | None = None
    ) -> pl.DataFrame:
        result = self._connection.sql(sql, params=list(parameters) or None)
        return _typed(pl.DataFrame(result), schema)

    def load(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        self._connection.register("incoming_rows", _ArrowStream(frame))
        try:
            self._connection.execute(
                f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM incoming_rows'
            )
        finally:
            self._connection.unregister("incoming_rows")

    @contextmanager
    def writing(self) -> Iterator[None]:
        self._connection.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def table_exists(self, name: str) -> bool:
        sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
        return bool(self.scalar(sql, [name]))

    def close(self) -> None:
        self._connection.close()
        self._lock.close()
        if _OPEN_HERE.get(self._key) is self:
            del _OPEN_HERE[self._key]


class _ArrowStream:
    """A frame offered to DuckDB as an Arrow stream only: given the frame itself, DuckDB
    would convert it through pyarrow, which the package does not need otherwise."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


class PostgresDatabase(Database):
    """A hub in a PostgreSQL database (its current schema). Writers serialise on an
    advisory lock taken inside their transaction; readers need none."""

    dialect = "postgresql"
    blob_type = "BYTEA"
    float_type = "DOUBLE PRECISION"

    def __init__(self, url: str, *, wait: Callable[[], None] | None) -> None:
        try:
            import psycopg
        except ImportError:
            raise HubError(
                "a PostgreSQL hub needs the psycopg package: "
                'pip install "sufficiency-standard[postgres]"'
            ) from None
        self.location = _without_password(url)
        self._wait = wait
        try:
            self._connection = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
            raise HubError(f"cannot connect to {self.location}: {reason}") from None

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        self._connection.execute(self._sql(sql), list(parameters))

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(self._sql(sql), list(parameters)).fetchall()

    def frame(
        self, sql: str, parameters: Sequence[Any] = (), schema: dict[str, pl.DataType] | None = None
    ) -> pl.DataFrame:
        with self._connection.cursor() as cursor:
            cursor.execute(self._sql(sql), list(parameters))
            names = [column.name for column in cursor.description or []]
            chunks = []
            while batch := cursor.fetchmany(_FETCH_ROWS):
                chunks.append(
                    pl.DataFrame(
                        batch,
                        schema={n: (schema or {}).get(n) for n in names},
                        orient="row",
                        infer_schema_length=None,
                    )
                )
        frame = pl.concat(chunks) if chunks else pl.DataFrame({n: [] for n in names})
        return _typed(frame, schema)

    def load(self, table: str, frame: pl.DataFrame) -> None:
        """COPY in PostgreSQL's CSV form: lists as array literals, null as an unquoted
        marker that no quoted value can be taken for."""
        if frame.is_empty():
            return
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        text = frame.with_columns(
            _array_literal(pl.col(name)) for name, dtype in frame.schema.items() if dtype == pl.List
        ).write_csv(include_header=False, null_value="\\N", quote_style="non_numeric")
        with (
            self._connection.cursor() as cursor,
            cursor.copy(
                f"COPY \"{table}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            ) as copy,
        ):
            copy.write(text.encode("utf-8"))

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._connection.transaction():
            acquired = self.scalar("SELECT pg_try_advisory_xact_lock(?)", [_PG_LOCK_KEY])
            if not acquired:
                if self._wait is not None:
                    self._wait()
                self.execute("SELECT pg_advisory_xact_lock(?)", [_PG_LOCK_KEY])
            yield

    def table_exists(self, name: str) -> bool:
        return self.scalar("SELECT to_regclass(?) IS NOT NULL", [name]) is True

    def close(self) -> None:
        self._connection.close()


def _array_literal(column: pl.Expr) -> pl.Expr:
    quoted = column.list.eval(
        pl.lit('"')
        + pl.element()
        .cast(pl.String)
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
        + pl.lit('"')
    )
    return (pl.lit("{") + quoted.list.join(",") + pl.lit("}")).alias(column.meta.output_name())


def _without_password(url: str) -> str:
    """The URL as it may be shown: a password never reaches a message or the log."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{scheme}://{credentials}{at}{host}"


def connect(
    location: str | os.PathLike[str],
    *,
    create: bool = False,
    wait: Callable[[], None] | None = None,
) -> Database:
    """Open the hub at `location`: a file path (DuckDB) or a postgresql:// URL. `wait` is
    called once if another command holds the hub, before waiting for it."""
    text = str(location)
    if is_postgres(text):
        return PostgresDatabase(text, wait=wait)
    return DuckDBDatabase(Path(text), create=create, wait=wait)


def pause_for_tests(point: str) -> None:
    """Stop at a named point when a test asks (SUFFICIENCY_HUB_PAUSE_AT), telling it by a
    file, so that it can kill the process exactly there."""
    if os.environ.get("SUFFICIENCY_HUB_PAUSE_AT") != point:
        return
    marker = os.environ.get("SUFFICIENCY_HUB_PAUSE_MARKER")
    if marker:
        Path(marker).write_text(point, encoding="utf-8")
    time.sleep(float(os.environ.get("SUFFICIENCY_HUB_PAUSE_SECONDS", "60")))
