"""Reading bad input: every bad line becomes a BadRecord with its line; the scan goes on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from stancekit.data.io import (
    BadRecord,
    DataFormatError,
    Record,
    RecordScanner,
    iter_records,
    scan_records,
)
from tests.conftest import write_jsonl


def _scan(path: Path) -> list[Record | BadRecord]:
    return list(scan_records(path))


def test_bad_jsonl_lines_are_reported_with_their_line_and_the_rest_is_read(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(
        b'{"id": "1", "text": "ok"}\n'
        b"{not json\n"
        b"[1, 2]\n"
        b"42\n"
        b"\n"
        b'{"id": "2", "text": "caf\xe9"}\n'
        b'{"id": "3", "text": "a\x00b"}\n' + b"[" * 100_000 + b"\n"
        b'{"id": "4", "text": "last"}\n'
    )
    items = _scan(p)
    good = [i for i in items if isinstance(i, Record)]
    bad = [i for i in items if isinstance(i, BadRecord)]
    assert [r.data["id"] for r in good] == ["1", "4"]
    assert [(b.line, b.kind) for b in bad] == [
        (2, "invalid_json"),
        (3, "not_object"),
        (4, "not_object"),
        (6, "invalid_utf8"),
        (7, "invalid_json"),
        (8, "invalid_json"),
    ]
    assert bad[1].message == "expected a JSON object, got list"
    assert bad[3].message == "invalid UTF-8 at byte 25 of the line"
    assert bad[0].raw == "{not json\n"


def test_strict_reader_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(b'{"id": "1", "text": "ok"}\n\xff\xfe\n')
    with pytest.raises(DataFormatError, match=r"a.jsonl:2: invalid UTF-8 at byte 1"):
        list(iter_records(p))


def test_a_binary_file_is_refused_in_one_line(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"PAR1\x00\x01\x02" * 100)
    with pytest.raises(DataFormatError) as err:
        scan_records(p)
    assert str(err.value) == (
        f"{p}: binary data (a compressed file, or NUL bytes: UTF-16?), not JSONL text in UTF-8"
    )


def test_an_overlong_line_is_skipped_without_reading_it_whole(tmp_path: Path) -> None:
    from stancekit.data.io import RecordScanner

    p = tmp_path / "a.jsonl"
    p.write_text(
        json.dumps({"id": "big", "text": "x" * 5000}) + "\n" + '{"id": "2", "text": "ok"}\n'
    )
    items = list(RecordScanner(p, max_line_bytes=1000))
    assert isinstance(items[0], BadRecord) and items[0].kind == "line_too_long"
    assert isinstance(items[1], Record) and items[1].line == 2


def test_ragged_and_invalid_csv_rows_are_bad_records(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(
        b"id,text,lang\n"
        b"a1,first,en\n"
        b"a2,oops,en,extra text\n"
        b"a3\n"
        b'a4,"two\nlines",en\n'
        b"a5,caf\xe9,fr\n"
        b"a6,last,en\n"
    )
    items = _scan(p)
    assert [(i.line, i.data["id"]) for i in items if isinstance(i, Record)] == [
        (2, "a1"),
        (5, "a4"),
        (8, "a6"),
    ]
    bad = [(i.line, i.kind, i.message) for i in items if isinstance(i, BadRecord)]
    assert bad == [
        (3, "ragged_row", "row has 4 fields, the header has 3"),
        (4, "ragged_row", "row has 1 fields, the header has 3"),
        (7, "invalid_utf8", "invalid UTF-8 in the row"),
    ]


def test_csv_with_repeated_columns_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("id,text,text\n1,a,b\n")
    with pytest.raises(DataFormatError, match=r"a.csv:1: bad header .*repeated columns \['text'\]"):
        _scan(p)


def test_a_broken_parquet_file_is_one_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "a.parquet"
    p.write_bytes(b"not parquet at all")
    with pytest.raises(DataFormatError, match="not a readable Parquet file"):
        _scan(p)


def test_parquet_is_read_in_row_batches_of_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    pd.DataFrame({"id": [str(i) for i in range(10)], "text": ["t"] * 10}).to_parquet(path)
    sizes: list[int] = []
    real = pq.ParquetFile.iter_batches

    def recording(self: pq.ParquetFile, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for b in real(self, *args, **kwargs):
            sizes.append(b.num_rows)
            yield b

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", recording)
    scanner = RecordScanner(path, chunksize=4)
    first = next(iter(scanner))
    assert first.line == 1 and sizes == [4]  # one chunk read for the first record
    assert len(list(RecordScanner(path, chunksize=4))) == 10
    assert sizes[1:] == [4, 4, 2]


def test_jsonl_is_read_line_by_line(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl", [{"id": str(i), "text": "x" * 1000} for i in range(50)]
    )
    scanner = RecordScanner(path)
    it = iter(scanner)
    next(it)
    assert 0 < scanner.done < path.stat().st_size / 10
