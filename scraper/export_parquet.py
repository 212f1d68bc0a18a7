"""Parquet files for pandas, polars, R arrow and DuckDB: one per table, typed.

Columns keep the SQLite types (INTEGER → int64, REAL → float64, TEXT → string,
BLOB → binary). Times stay the archive's ISO 8601 text (the blog's offset is part
of what it said) and gain a ``<column>_ts`` column beside them: the same instant
as a UTC timestamp, null where the text has no offset (a local time of unknown
zone) or cannot be read, counted per column in the manifest. Rows are written in
batches, so memory stays flat on any archive. Needs pyarrow (``blogarchive[parquet]``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .tables import is_time_column

BATCH_ROWS = 500  # posts with bodies: memory is set by the batch, not the archive
TS_SUFFIX = "_ts"


class MissingParquet(ImportError):
    pass


def require_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as e:
        raise MissingParquet("--format parquet needs pyarrow: pip install 'blogarchive[parquet]'") from e
    return pyarrow


def utc_instant(value) -> tuple[dt.datetime | None, bool]:
    """(the UTC instant, whether the text had one)."""
    if not isinstance(value, str) or not value:
        return None, True
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, False
    if parsed.tzinfo is None:
        return None, False
    return parsed.astimezone(dt.timezone.utc), True


def arrow_type(pa, declared: str, blob: bool):
    declared = (declared or "").upper()
    if blob:
        return pa.binary()
    if "INT" in declared:
        return pa.int64()
    if any(t in declared for t in ("REAL", "FLOA", "DOUB")):
        return pa.float64()
    return pa.string()


def coerce(value, kind: str):
    """A value as its column's type; (value, False) when it does not fit."""
    if value is None:
        return None, True
    if kind == "int":
        if isinstance(value, int):
            return value, True
        try:
            return int(value), True
        except (TypeError, ValueError):
            return None, False
    if kind == "float":
        try:
            return float(value), True
        except (TypeError, ValueError):
            return None, False
    if kind == "binary":
        return (value, True) if isinstance(value, bytes) else (str(value).encode("utf-8"), True)
    return (value, True) if isinstance(value, str) else (str(value), True)


def write_table(path: Path, names: list[str], declared: dict[str, str], blob_cols: set[str],
                cursor, on_rows=None) -> dict:
    """Write one table; its facts for the manifest (rows, added columns, values set null)."""
    pa = require_pyarrow()
    import pyarrow.parquet as pq

    fields, kinds = [], []
    for name in names:
        typ = arrow_type(pa, declared.get(name, ""), name in blob_cols)
        fields.append(pa.field(name, typ))
        kinds.append("int" if typ == pa.int64() else "float" if typ == pa.float64()
                     else "binary" if typ == pa.binary() else "str")
    times = [i for i, n in enumerate(names) if is_time_column(n) and kinds[i] == "str"]
    added = [names[i] + TS_SUFFIX for i in times if names[i] + TS_SUFFIX not in names]
    times = times[:len(added)]
    fields += [pa.field(n, pa.timestamp("us", tz="UTC")) for n in added]
    schema = pa.schema(fields)
    no_instant = dict.fromkeys(added, 0)
    not_fitting: dict[str, int] = {}
    rows = 0
    tmp = path.with_name(path.name + ".part")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        while True:
            batch = cursor.fetchmany(BATCH_ROWS)
            if not batch:
                break
            columns = []
            for i, name in enumerate(names):
                values = []
                for row in batch:
                    value, fits = coerce(row[i], kinds[i])
                    if not fits:
                        not_fitting[name] = not_fitting.get(name, 0) + 1
                    values.append(value)
                columns.append(values)
            for i, name in zip(times, added):
                stamps = []
                for row in batch:
                    instant, had = utc_instant(row[i])
                    if not had:
                        no_instant[name] += 1
                    stamps.append(instant)
                columns.append(stamps)
            writer.write_table(pa.Table.from_arrays(
                [pa.array(c, type=f.type) for c, f in zip(columns, fields)], schema=schema))
            rows += len(batch)
            if on_rows is not None:
                on_rows(len(batch))
    tmp.replace(path)
    facts = {"rows": rows, "columns": names + added}
    if added:
        facts["utc_timestamp_columns"] = {n: names[i] for i, n in zip(times, added)}
        facts["timestamps_null_without_offset"] = no_instant
    if not_fitting:
        facts["values_not_fitting_type_set_null"] = not_fitting
    return facts
