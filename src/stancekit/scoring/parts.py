"""Where a scoring run keeps its work: atomic parts, a manifest, and the final output made last.

A run writes ``<output>.parts/``: ``manifest.json`` (what is being scored, by which model, with
which settings) and, per block of input records, ``part-NNNNNN.jsonl`` (scored rows) then
``part-NNNNNN.json`` (counts and quarantined records). Each file is written to a temporary name
and renamed, and the ``.json`` file comes last, so a part exists whole or not at all. When every
part is there, the output and the quarantine file are assembled beside the folder, renamed into
place, and the success marker is written last of all; then the folder is removed.

A partitioned run (``--partitioned``, for archives too large for one file) writes the output as a
Parquet dataset folder, one ``part-NNNNNN.parquet`` per part, as Spark writes its output: pandas,
pyarrow and Spark read the folder as one table.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

from stancekit.data.io import RecordWriter

MANIFEST = "manifest.json"
OUTPUT_SCHEMA = (
    ("doc_id", "string"),
    ("actor_id", "string"),
    ("actor", "string"),
    ("role", "string"),
    ("n_mentions", "int64"),
    ("target", "string"),
    ("label", "string"),
    ("proba", "string"),
    ("evidence", "string"),
    ("model_uri", "string"),
    ("model_version", "string"),
    ("date", "string"),
    ("source", "string"),
)


class ResumeRefused(ValueError):
    """``--resume`` asked for a run whose model, settings or input differ from the stopped one."""


def work_dir_for(output: Path) -> Path:
    return output.with_name(output.name + ".parts")


def marker_for(output: Path) -> Path:
    return output.with_name(output.stem + ".success.json")


def quarantine_for(output: Path, given: str | Path | None = None) -> Path:
    """The quarantine file: ``given``, or ``<output stem>.quarantine.jsonl`` beside the output."""
    return Path(given) if given else output.with_name(output.stem + ".quarantine.jsonl")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, lines: Iterable[str]) -> None:
    """Write ``lines`` to a temporary file, flush it to disk, and rename it to ``path``."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _json_line(row: Mapping[str, Any], ascii_only: bool = False) -> str:
    return json.dumps(row, ensure_ascii=ascii_only, default=str) + "\n"


class PartStore:
    """The parts of one run; holds an exclusive lock on the folder while open."""

    def __init__(self, output: Path, partitioned: bool = False):
        self.output = output
        self.partitioned = partitioned
        self.dir = work_dir_for(output)
        self._lock: Any = None

    # -- opening ----------------------------------------------------------------------------
    def open(self, manifest: dict[str, Any], resume: bool) -> int:
        """Lock the folder; on ``resume`` check the manifest and return how many parts are done."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = (self.dir / ".lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ResumeRefused(f"{self.dir} is in use by another scoring run") from exc
        path = self.dir / MANIFEST
        if resume and path.exists():
            before = json.loads(path.read_text(encoding="utf-8"))
            changed = [
                f"{key} {before.get(key)!r} → {manifest.get(key)!r}"
                for key in ("model_version", "model_fingerprint", "config", "input")
                if before.get(key) != manifest.get(key)
            ]
            if changed:
                raise ResumeRefused(
                    f"cannot resume {self.dir}: " + "; ".join(changed) + " (run without --resume "
                    "to start again)"
                )
            return self._clean()
        for stale in self.dir.iterdir():
            if stale.name != ".lock":
                stale.unlink() if stale.is_file() else shutil.rmtree(stale)
        write_atomic(path, [json.dumps(manifest, indent=1, ensure_ascii=False)])
        return 0

    def _clean(self) -> int:
        """Remove anything but whole parts, and the parts after the first gap; count those kept."""
        done = 0
        while (self.dir / f"part-{done:06d}.json").exists():
            done += 1
        for file in self.dir.iterdir():
            if file.name in (MANIFEST, ".lock"):
                continue
            stem = file.name.split(".", 1)[0]
            number = int(stem[5:]) if stem.startswith("part-") and stem[5:].isdigit() else -1
            if not 0 <= number < done:
                file.unlink()
        return done

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # -- parts ------------------------------------------------------------------------------
    def write_part(self, number: int, rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
        write_atomic(self.dir / f"part-{number:06d}.jsonl", (_json_line(r) for r in rows))
        # quarantined records hold whatever the input held (lone surrogates too): write them escaped
        write_atomic(self.dir / f"part-{number:06d}.json", [_json_line(meta, ascii_only=True)])

    def metas(self) -> Iterator[dict[str, Any]]:
        number = 0
        while (path := self.dir / f"part-{number:06d}.json").exists():
            yield json.loads(path.read_text(encoding="utf-8"))
            number += 1

    def row_parts(self) -> Iterator[tuple[Path, Iterator[dict[str, Any]]]]:
        """Each part's rows file and its rows, in part order."""
        number = 0
        while (path := self.dir / f"part-{number:06d}.jsonl").exists():
            yield path, _read_rows(path)
            number += 1

    def rows(self) -> Iterator[dict[str, Any]]:
        for _, rows in self.row_parts():
            yield from rows

    # -- the end ----------------------------------------------------------------------------
    def finish(self, quarantine: Path, summary: dict[str, Any] | None) -> None:
        """Assemble the output and quarantine file; with a ``summary``, write the marker last.

        Without one (too much bad input), only the quarantine file is put in place, the output is
        left as it was, and the parts stay for a later ``--resume``.
        """
        q_tmp = quarantine.with_name(f".{quarantine.name}.tmp-{os.getpid()}")
        write_atomic(
            q_tmp, (_json_line(q, True) for meta in self.metas() for q in meta["quarantine"])
        )
        if summary is None:
            os.replace(q_tmp, quarantine)
            return
        out_tmp = self.output.with_name(
            f".{self.output.name}.tmp-{os.getpid()}{self.output.suffix}"
        )
        if self.partitioned:
            self._assemble_dataset(out_tmp)
        else:
            _assemble(self.rows(), out_tmp)
        marker = marker_for(self.output)
        marker.unlink(missing_ok=True)
        _replace(out_tmp, self.output)
        os.replace(q_tmp, quarantine)
        _fsync_dir(self.output.parent)
        write_atomic(marker, [json.dumps(summary, indent=1, ensure_ascii=False) + "\n"])
        self.close()
        shutil.rmtree(self.dir)

    def _assemble_dataset(self, folder: Path) -> None:
        """One Parquet file per part in ``folder`` (a part with no rows still gives a file, so
        that the dataset's schema is there even when nothing was scored)."""
        folder.mkdir()
        for path, rows in self.row_parts():
            _write_parquet(rows, folder / f"{path.stem}.parquet")
        if not any(folder.iterdir()):
            _write_parquet([], folder / "part-000000.parquet")
        _fsync_dir(folder)


def _read_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _replace(new: Path, old: Path) -> None:
    """Put ``new`` (a file or a dataset folder) where ``old`` is, whichever of the two ``old`` is."""
    if old.is_dir() and not old.is_symlink():
        aside = old.with_name(f".{old.name}.old-{os.getpid()}")
        os.replace(old, aside)
        os.replace(new, old)
        shutil.rmtree(aside)
    else:
        if new.is_dir():
            old.unlink(missing_ok=True)
        os.replace(new, old)


def _write_parquet(rows: Iterable[dict[str, Any]], path: Path) -> None:
    """The rows as one Parquet file with the output schema (probabilities as a JSON string)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.type_for_alias(kind)) for name, kind in OUTPUT_SCHEMA])
    with pq.ParquetWriter(path, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for row in chain(rows, [None]):
            if row is not None:
                chunk.append(
                    {
                        **row,
                        "proba": json.dumps(row["proba"], ensure_ascii=False),
                        "model_version": row.get("model_version"),
                    }
                )
            if chunk and (row is None or len(chunk) >= 50_000):
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                chunk = []
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _assemble(rows: Iterable[dict[str, Any]], path: Path) -> None:
    """The rows in the output's format (JSONL, CSV or Parquet with a fixed schema), flushed to disk."""
    if path.suffix.lower() == ".parquet":
        _write_parquet(rows, path)
        return
    with RecordWriter(path) as writer:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= 10_000:
                writer.write(chunk)
                chunk = []
        writer.write(chunk)
        if writer.fmt == "csv" and writer.count == 0:
            assert writer._fh is not None
            writer._fh.write(",".join(name for name, _ in OUTPUT_SCHEMA) + "\n")
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())
