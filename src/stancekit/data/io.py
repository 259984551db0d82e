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


#: A JSONL line or CSV field longer than this is quarantined, never read into memory whole.
MAX_LINE_BYTES = 64 * 1024 * 1024
#: How much of a bad line a quarantine entry keeps (characters).
MAX_RAW_CHARS = 100_000


@dataclass(frozen=True)
class BadRecord:
    """A line or row that is not a record: where it is, why (``kind`` and ``message``), its text."""

    path: str
    line: int
    kind: str
    message: str
    raw: str = ""

    def where(self, field: str | None = None) -> str:
        return f"{self.path}:{self.line}"


def _raw(data: bytes | str) -> str:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return text[:MAX_RAW_CHARS]


#: Openings of compressed or binary formats that are sometimes misnamed .jsonl or .csv.
BINARY_MAGIC = (b"PAR1", b"\x1f\x8b", b"PK\x03\x04", b"BZh", b"\xfd7zXZ", b"(\xb5/\xfd", b"\x89PNG")


def _looks_binary(path: Path) -> bool:
    # A stray NUL inside one record is that record's problem; many NULs (or UTF-16) are the file's.
    with path.open("rb") as fh:
        head = fh.read(8192)
    return head.startswith(BINARY_MAGIC) or head.count(b"\x00") > len(head) // 100


def parse_jsonl_line(
    path: str, number: int, raw: bytes, too_long: bool = False, max_line_bytes: int = MAX_LINE_BYTES
) -> Record | BadRecord | None:
    """One JSONL line as a record, a :class:`BadRecord` saying why it is not one, or None if blank."""
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if too_long:
        return BadRecord(
            path,
            number,
            "line_too_long",
            f"line longer than {max_line_bytes} bytes",
            _raw(raw[:MAX_RAW_CHARS]),
        )
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadRecord(
            path,
            number,
            "invalid_utf8",
            f"invalid UTF-8 at byte {exc.start + 1} of the line",
            _raw(raw),
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadRecord(
            path,
            number,
            "invalid_json",
            f"invalid JSON ({exc.msg} at column {exc.colno})",
            _raw(text),
        )
    except (ValueError, RecursionError) as exc:  # int too long, nesting too deep
        return BadRecord(path, number, "invalid_json", f"invalid JSON ({exc})", _raw(text))
    if not isinstance(data, dict):
        return BadRecord(
            path,
            number,
            "not_object",
            f"expected a JSON object, got {type(data).__name__}",
            _raw(text),
        )
    return Record(path, number, data)


def parquet_record(path: str, line: int, row: Mapping[str, Any]) -> Record:
    """A Parquet row as a record (missing cells, NaN included, become None)."""
    return Record(path, line, {k: _clean(v) for k, v in row.items()})


class RecordScanner:
    """Records of a JSONL, CSV or Parquet file, and a :class:`BadRecord` for each line that is not one.

    Bad lines (invalid JSON or UTF-8, a JSON array or number, a ragged CSV row, an over-long line)
    do not stop the scan; a file that cannot be read at all raises :class:`DataFormatError`.
    ``done`` and ``total`` (bytes, or rows for Parquet) drive a progress bar.
    """

    def __init__(
        self, path: str | Path, chunksize: int = 10_000, max_line_bytes: int = MAX_LINE_BYTES
    ):
        self.path = Path(path)
        self.fmt = file_format(self.path)
        self.chunksize = chunksize
        self.max_line_bytes = max_line_bytes
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: no such file")
        if self.fmt != "parquet" and _looks_binary(self.path):
            raise DataFormatError(
                f"{self.path}: binary data (a compressed file, or NUL bytes: UTF-16?), not "
                f"{self.fmt.upper()} text in UTF-8"
            )
        self.unit = "row" if self.fmt == "parquet" else "B"
        self.total: int | None = None if self.fmt == "parquet" else self.path.stat().st_size
        self.done = 0
        self._fh: Any = None

    def __iter__(self) -> Iterator[Record | BadRecord]:
        if self.fmt == "jsonl":
            return self._jsonl()
        if self.fmt == "csv":
            return self._csv()
        return self._parquet()

    def _position(self) -> None:
        self.done = self._fh.tell()

    def _lines(self) -> Iterator[tuple[int, bytes, bool]]:
        """(line number, bytes, too long) for each line of the file, reading at most a bounded line."""
        with self.path.open("rb") as self._fh:
            number = 0
            while True:
                raw = self._fh.readline(self.max_line_bytes + 1)
                if not raw:
                    return
                number += 1
                too_long = len(raw) > self.max_line_bytes and not raw.endswith(b"\n")
                if too_long:
                    while True:  # skip the rest of the line without keeping it
                        more = self._fh.readline(1 << 20)
                        if not more or more.endswith(b"\n"):
                            break
                self._position()
                yield number, raw, too_long

    def _jsonl(self) -> Iterator[Record | BadRecord]:
        path = str(self.path)
        for number, raw, too_long in self._lines():
            item = parse_jsonl_line(path, number, raw, too_long, self.max_line_bytes)
            if item is not None:
                yield item

    def _csv(self) -> Iterator[Record | BadRecord]:
        import csv
        import io

        path = str(self.path)
        csv.field_size_limit(self.max_line_bytes)
        with self.path.open("rb") as self._fh:
            text = io.TextIOWrapper(
                self._fh, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            reader = csv.reader(text)
            header: list[str] | None = None
            end = 0
            while True:
                start = end + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    end = reader.line_num
                    self._position()
                    if header is None:
                        raise DataFormatError(f"{path}:{start}: unreadable header ({exc})") from exc
                    yield BadRecord(path, start, "unreadable_row", f"unreadable CSV row ({exc})")
                    continue
                end = reader.line_num
                self._position()
                if header is None:
                    header = [h.strip() for h in row]
                    dupes = sorted({h for h in header if header.count(h) > 1})
                    if dupes or not any(header):
                        raise DataFormatError(
                            f"{path}:1: bad header {header}"
                            + (f" (repeated columns {dupes})" if dupes else "")
                        )
                    continue
                if not any(cell.strip() for cell in row):
                    continue
                shown = ",".join(row)
                if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
                    yield BadRecord(
                        path,
                        start,
                        "invalid_utf8",
                        "invalid UTF-8 in the row",
                        _raw(shown.encode("utf-8", "surrogateescape")),
                    )
                    continue
                if len(row) != len(header):
                    yield BadRecord(
                        path,
                        start,
                        "ragged_row",
                        f"row has {len(row)} fields, the header has {len(header)}",
                        _raw(shown),
                    )
                    continue
                yield Record(
                    path,
                    start,
                    {k: (v if v != "" else None) for k, v in zip(header, row, strict=True)},
                )

    def _parquet(self) -> Iterator[Record | BadRecord]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = str(self.path)
        try:
            pfile = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise DataFormatError(f"{path}: not a readable Parquet file ({exc})") from exc
        self.total = pfile.metadata.num_rows
        line = 0
        try:
            for batch in pfile.iter_batches(batch_size=self.chunksize):
                for row in batch.to_pylist():
                    line += 1
                    self.done = line
                    yield parquet_record(path, line, row)
        except (pa.ArrowException, OSError) as exc:
            raise DataFormatError(f"{path}: unreadable after row {line} ({exc})") from exc


def scan_records(path: str | Path, chunksize: int = 10_000) -> RecordScanner:
    """Every record of a file, and a :class:`BadRecord` in place of each bad line (see RecordScanner)."""
    return RecordScanner(path, chunksize)


def iter_records(path: str | Path, chunksize: int = 10_000) -> Iterator[Record]:
    """Stream records from a JSONL, CSV or Parquet file; the first bad line raises, naming its line."""
    for item in RecordScanner(path, chunksize):
        if isinstance(item, BadRecord):
            raise DataFormatError(f"{item.where()}: {item.message}")
        yield item


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
