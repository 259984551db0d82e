"""Reading and writing records as JSON Lines, CSV or Parquet, keeping each record's line/row."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}


class DataFormatError(ValueError):
    """A file that cannot be read as records; the message names the file and line."""


@dataclass(frozen=True)
class Record:
    """A raw record and where it came from (``line`` is 1-based: the JSONL line or CSV/Parquet row)."""

    path: str
    line: int
    data: dict[str, Any]

    def where(self, field: str | None = None) -> str:
        loc = f"{self.path}:{self.line}"
        return f"{loc} field '{field}'" if field else loc


def file_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DataFormatError(
            f"{path}: unsupported file type '{suffix}' (use one of {', '.join(sorted(FORMATS))})"
        )
    return FORMATS[suffix]


def _clean(value: Any) -> Any:
    # CSV and Parquet give NaN for missing cells; the schema treats them as absent.
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        return value.tolist()
    return value


def iter_records(path: str | Path, chunksize: int = 10_000) -> Iterator[Record]:
    """Stream records from a JSONL, CSV or Parquet file without loading it whole."""
    path = Path(path)
    fmt = file_format(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if fmt == "jsonl":
        with path.open(encoding="utf-8") as fh:
            for i, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise DataFormatError(f"{path}:{i}: invalid JSON ({exc.msg})") from exc
                if not isinstance(data, dict):
                    raise DataFormatError(
                        f"{path}:{i}: expected a JSON object, got {type(data).__name__}"
                    )
                yield Record(str(path), i, data)
    elif fmt == "csv":
        # Row numbers count the header as line 1, so row n is spreadsheet line n.
        line = 1
        for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunksize):
            for row in chunk.to_dict(orient="records"):
                line += 1
                yield Record(str(path), line, {k: (v if v != "" else None) for k, v in row.items()})
    else:
        import pyarrow.parquet as pq

        line = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunksize):
            for row in batch.to_pylist():
                line += 1
                yield Record(str(path), line, {k: _clean(v) for k, v in row.items()})


def read_records(path: str | Path) -> list[Record]:
    return list(iter_records(path))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


class RecordWriter:
    """Append rows to a JSONL, CSV or Parquet file in batches (streaming for JSONL/CSV)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.fmt = file_format(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = None
        self._pq_writer: Any = None
        self._wrote_header = False
        self.count = 0
        if self.fmt == "jsonl":
            self._fh = self.path.open("w", encoding="utf-8")
        elif self.fmt == "csv":
            self._fh = self.path.open("w", encoding="utf-8", newline="")

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        rows = [dict(r) for r in rows]
        if not rows:
            return
        self.count += len(rows)
        if self.fmt == "jsonl":
            assert self._fh is not None
            for r in rows:
                self._fh.write(json.dumps(_jsonable(r), ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            assert self._fh is not None
            flat = [
                {
                    k: json.dumps(_jsonable(v), ensure_ascii=False)
                    if isinstance(v, (dict, list, tuple))
                    else v
                    for k, v in r.items()
                }
                for r in rows
            ]
            pd.DataFrame(flat).to_csv(self._fh, header=not self._wrote_header, index=False)
            self._wrote_header = True
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            flat = [
                {
                    k: json.dumps(_jsonable(v), ensure_ascii=False)
                    if isinstance(v, dict)
                    else _jsonable(v)
                    for k, v in r.items()
                }
                for r in rows
            ]
            table = pa.Table.from_pylist(flat)
            if self._pq_writer is None:
                self._pq_writer = pq.ParquetWriter(self.path, table.schema)
            self._pq_writer.write_table(table.cast(self._pq_writer.schema))

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        if self._pq_writer is not None:
            self._pq_writer.close()
        elif self.fmt == "parquet" and self.count == 0:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({}), self.path)

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_records(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    with RecordWriter(path) as w:
        w.write(rows)
        return w.count
