"""DuckDB engine: one in-memory connection per workspace, SQL kept in ``tierlib/sql/``.

Extension autoloading and autoinstalling are off, so nothing ever waits on the network.
Tables are registered explicitly; values go in as bound parameters; identifiers in the SQL are
the canonical field names only, never text from a user's file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from tierlib.schema import DIMENSIONS

SQL_DIR = Path(__file__).with_name("sql")
DUCKDB_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """The text of ``tierlib/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def connect(memory_limit: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with network-free settings."""
    config = dict(DUCKDB_CONFIG)
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    return duckdb.connect(":memory:", config=config)


class Engine:
    """A workspace's DuckDB connection and the tables registered in it."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None):
        self.con = con or connect()

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Copy a DataFrame into DuckDB as table ``name`` (replacing it), visible to every cursor."""
        if not name.isidentifier():
            raise ValueError(name)
        view = f"_incoming_{name}"
        self.con.register(view, frame)
        try:
            self.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "{view}"')
        finally:
            self.con.unregister(view)

    def query(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """Run ``tierlib/sql/<name>.sql`` with bound parameters and return a DataFrame."""
        cur = self.con.cursor()
        try:
            return cur.execute(sql(name), params or {}).df()
        finally:
            cur.close()

    def load_transactions(self, clean: pd.DataFrame) -> None:
        """Copy a clean transaction table (``schema.Prepared.clean``) into DuckDB as ``tx``."""
        tx = clean.copy()
        for col in ("revenue", "cost", "profit"):
            tx[col] = tx[col].astype("Int64")
        self.register("tx", tx)

    def customers(self, clean: pd.DataFrame | None = None, filters: dict | None = None) -> pd.DataFrame:
        """One row per customer, aggregated in SQL, optionally filtered.

        ``filters`` may hold ``date_from``/``date_to`` (dates; to is exclusive) and, for each of
        ``schema.DIMENSIONS``, a list of accepted values. ``clean`` (re)loads the transactions first.
        """
        if clean is not None:
            self.load_transactions(clean)
        params = {"date_from": None, "date_to": None, **{d: None for d in DIMENSIONS}}
        for key, val in (filters or {}).items():
            if key not in params:
                raise ValueError(f"unknown filter {key!r}")
            params[key] = list(val) if isinstance(val, (list, tuple, set)) and val else (val or None)
        out = self.query("customers", params)
        for col in ("revenue", "cost", "profit"):
            out[col] = out[col].astype("Int64")
        return out

    def dimension_values(self) -> dict[str, list[str]]:
        """Distinct values of each dimension, most frequent first."""
        df = self.query("dimension_values")
        return {d: list(g["val"]) for d, g in df.groupby("dim", sort=False)}

    def date_range(self):
        """(first, last) order date of the transactions, or (None, None)."""
        row = self.query("date_range").iloc[0]
        first, last = row["first_date"], row["last_date"]
        return (None, None) if pd.isna(first) else (first, last)

    def close(self) -> None:
        self.con.close()
