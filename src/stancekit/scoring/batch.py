"""The streaming batch scorer: a file of articles in, a file of scored rows out, bad records quarantined.

Articles in = articles scored + articles quarantined, always: a bad line, a record without id or
text, a duplicate id, an over-long article and an article the model fails on twice are each
quarantined with their line and reason, and the run goes on. Output is made from atomic parts and
the success marker comes last (see :mod:`stancekit.scoring.parts`), so a killed run can resume.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from stancekit.data.io import BadRecord, Record, file_format
from stancekit.scoring.core import METADATA_FIELDS, article_metadata
from stancekit.scoring.inputs import ArticleGate, open_articles, quarantine_entry
from stancekit.scoring.parts import PartStore, marker_for, quarantine_for, work_dir_for

log = logging.getLogger(__name__)
#: Consecutive batches the model fails on entirely before the run stops (a broken model, not bad input).
MAX_FAILED_BATCHES = 5
ABSTAIN = "abstain"


class ScoringError(ValueError):
    """A scoring run that cannot start or go on; the message is one line for the user."""


@dataclass
class ScoreStats:
    articles_in: int = 0
    articles_scored: int = 0
    quarantined: int = 0
    quarantined_by_kind: dict[str, int] = field(default_factory=dict)
    actors: int = 0
    rows_out: int = 0
    abstained: int = 0
    seconds: float = 0.0
    resumed_parts: int = 0
    output: str = ""
    quarantine_file: str | None = None
    marker: str | None = None
    model_uri: str = ""
    model_version: str | None = None
    model_fingerprint: str = ""
    succeeded: bool = True
    failure: str | None = None

    @property
    def balanced(self) -> bool:
        return self.articles_in == self.articles_scored + self.quarantined


def resolve_model_version(model_uri: str) -> str | None:
    """The registry version behind ``models:/name@alias`` or ``models:/name/N`` (None otherwise)."""
    from stancekit.tracking.loading import resolve_version

    return resolve_version(model_uri)[1]


def _same(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def check_paths(
    input_path: Path, output_path: Path, quarantine_path: Path, partitioned: bool = False
) -> None:
    """Refuse a run whose output, quarantine, marker or parts would land on the input or each other."""
    if not input_path.is_file():
        raise ScoringError(f"--input {input_path}: no such file")
    file_format(output_path)
    if partitioned and output_path.suffix.lower() != ".parquet":
        raise ScoringError(
            f"--output {output_path}: a partitioned output is a Parquet dataset folder (.parquet)"
        )
    if output_path.is_dir() and not partitioned:
        raise ScoringError(
            f"--output {output_path} is a folder; give a file name (or --partitioned)"
        )
    if quarantine_path.suffix.lower() != ".jsonl":
        raise ScoringError(
            f"--quarantine {quarantine_path}: the quarantine file is JSON Lines (.jsonl)"
        )
    named = {
        "--output": output_path,
        "--quarantine": quarantine_path,
        "the success marker": marker_for(output_path),
        "the parts folder": work_dir_for(output_path),
    }
    for name, path in named.items():
        if _same(path, input_path):
            raise ScoringError(f"{name} {path} is the input file; it would be overwritten")
    if _same(quarantine_path, output_path) or _same(quarantine_path, marker_for(output_path)):
        raise ScoringError(f"--quarantine {quarantine_path} is the output; give another path")


def _check_options(
    batch_size: int, part_size: int, abstain_below: float | None, max_bad_fraction: float | None
) -> None:
    if batch_size <= 0:
        raise ScoringError(f"--batch-size must be positive, got {batch_size}")
    if part_size <= 0:
        raise ScoringError(f"part_size must be positive, got {part_size}")
    for name, value in (
        ("--abstain-below", abstain_below),
        ("--max-bad-fraction", max_bad_fraction),
    ):
        if value is not None and not 0.0 <= value <= 1.0:
            raise ScoringError(f"{name} must be between 0 and 1, got {value}")


def _rows_of(
    frame: pd.DataFrame,
    model_uri: str,
    version: str | None,
    abstain_below: float | None,
    metadata: Mapping[str, Mapping[str, str | None]] | None = None,
) -> list[dict[str, Any]]:
    """The output rows of a model's frame; ``metadata``: each doc_id's ``METADATA_FIELDS``."""
    rows = []
    absent = dict.fromkeys(METADATA_FIELDS)
    for r in frame.to_dict(orient="records"):
        proba = json.loads(r["proba"]) if isinstance(r["proba"], str) else dict(r["proba"])
        label, evidence = r["label"], r["evidence"]
        if abstain_below is not None and max(proba.values(), default=0.0) < abstain_below:
            label, evidence = ABSTAIN, ""
        rows.append(
            {
                "doc_id": str(r["doc_id"]),
                "actor_id": r["actor_id"],
                "actor": r["actor"],
                "role": r["role"],
                "n_mentions": int(r["n_mentions"]),
                "target": r["target"],
                "label": label,
                "proba": proba,
                "evidence": evidence,
                "model_uri": model_uri,
                "model_version": version,
                **(metadata or {}).get(str(r["doc_id"]), absent),
            }
        )
    return rows


def score_batch(
    predict: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    batch: list[tuple[Record, dict[str, Any]]],
    retries: int = 1,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of a batch, retried ``retries`` times; then article by article, quarantining failures."""
    articles = [a for _, a in batch]
    error: Exception | None = None
    for attempt in range(retries + 1):
        try:
            return predict(articles), []
        except Exception as exc:  # noqa: BLE001 - any model failure is retried, then quarantined
            error = exc
            log.warning("batch of %d failed (try %d): %s", len(batch), attempt + 1, exc)

    def failure(rec: Record, article: dict[str, Any], exc: Exception) -> dict[str, Any]:
        return quarantine_entry(
            rec,
            "model_error",
            f"{rec.where()}: scoring failed for article '{article['id']}' "
            f"({type(exc).__name__}: {exc})",
        )

    assert error is not None
    if len(batch) == 1:
        return [], [failure(*batch[0], error)]
    rows: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for rec, article in batch:  # find the article(s) the model fails on; score the others
        try:
            rows += predict([article])
        except Exception as exc:  # noqa: BLE001
            failed.append(failure(rec, article, exc))
    return rows, failed


def score_file(
    model_uri: str,
    input_path: str | Path,
    output_path: str | Path,
    batch_size: int = 64,
    quarantine_path: str | Path | None = None,
    progress: bool = True,
    *,
    resume: bool = False,
    abstain_below: float | None = None,
    max_bad_fraction: float | None = None,
    max_chars: int | None = 100_000,
    duplicates: str = "keep-first",
    trust_model_code: bool = False,
    part_size: int = 1000,
    partitioned: bool = False,
) -> ScoreStats:
    """Score every article of ``input_path`` with the pyfunc at ``model_uri``; rows in = scored + quarantined.

    With ``partitioned``, the output (``*.parquet``) is a Parquet dataset folder with one file per
    part of ``part_size`` articles, as Spark writes it, instead of one file."""
    from stancekit.tracking.loading import load_checked_model

    started = time.perf_counter()
    input_path, output_path = Path(input_path), Path(output_path)
    qpath = quarantine_for(output_path, quarantine_path)
    _check_options(batch_size, part_size, abstain_below, max_bad_fraction)
    try:
        gate = ArticleGate(max_chars, duplicates)
    except ValueError as exc:
        raise ScoringError(str(exc)) from exc
    check_paths(input_path, output_path, qpath, partitioned)
    scanner = open_articles(input_path)  # a missing or binary input fails here, before any write
    model, fetched = load_checked_model(model_uri, trust_model_code)
    stat = input_path.stat()
    manifest = {
        "model_uri": model_uri,
        "pinned_uri": fetched.pinned_uri,
        "model_version": fetched.version,
        "model_fingerprint": fetched.fingerprint,
        "config": {
            "abstain_below": abstain_below,
            "max_chars": max_chars,
            "duplicates": duplicates,
            "part_size": part_size,
            "output_format": output_path.suffix.lower() + (" dataset" if partitioned else ""),
        },
        "input": {
            "path": str(input_path.resolve()),
            "bytes": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
        },
    }
    store = PartStore(output_path, partitioned)

    def predict(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
        frame = model.predict(pd.DataFrame(articles, columns=["id", "text", "lang"]))
        metadata = {a["id"]: article_metadata(a) for a in articles}
        return _rows_of(frame, model_uri, fetched.version, abstain_below, metadata)

    bar = tqdm(
        total=scanner.total,
        unit=scanner.unit,
        unit_scale=True,
        desc="scoring",
        disable=not progress,
        smoothing=0.1,
    )
    failed_in_a_row = 0

    def run_part(
        number: int,
        items: list[tuple[Record | BadRecord, dict[str, Any] | None, dict[str, Any] | None]],
    ) -> None:
        nonlocal failed_in_a_row
        rows: list[dict[str, Any]] = []
        quarantine: list[tuple[int, dict[str, Any]]] = []
        batch: list[tuple[Record, dict[str, Any]]] = []
        scored = 0

        def flush() -> None:
            nonlocal failed_in_a_row, scored
            if not batch:
                return
            got, failed = score_batch(predict, batch)
            failed_in_a_row = failed_in_a_row + 1 if len(failed) == len(batch) else 0
            if failed_in_a_row >= MAX_FAILED_BATCHES:
                raise ScoringError(
                    f"the model failed on {failed_in_a_row} batches in a row; last: "
                    f"{failed[-1]['reason']} (finished parts are kept: fix and pass --resume)"
                )
            rows.extend(got)
            quarantine.extend((e["line"], e) for e in failed)
            scored += len(batch) - len(failed)
            batch.clear()

        for item, article, entry in items:
            if entry is not None:
                quarantine.append((item.line, entry))
            else:
                assert article is not None and isinstance(item, Record)
                batch.append((item, article))
                if len(batch) >= batch_size:
                    flush()
        flush()
        quarantine.sort(key=lambda pair: pair[0])
        meta = {
            "part": number,
            "articles_in": len(items),
            "scored": scored,
            "quarantine": [e for _, e in quarantine],
            "actors": len({(r["doc_id"], r["actor_id"]) for r in rows}),
            "rows": len(rows),
            "abstained": sum(r["label"] == ABSTAIN for r in rows),
        }
        store.write_part(number, rows, meta)

    try:
        done_parts = store.open(manifest, resume)
        items: list[Any] = []
        index = 0
        for item in scanner:
            article, entry = gate.check(item)  # also replays the ids of finished parts on resume
            part = index // part_size
            index += 1
            if part >= done_parts:
                items.append((item, article, entry))
                if len(items) >= part_size:
                    run_part(part, items)
                    items = []
            if bar.total is None and scanner.total is not None:
                bar.total = scanner.total
            bar.update(scanner.done - bar.n)
        if items:
            run_part((index - 1) // part_size, items)
        bar.close()
        stats = _summarise(store, manifest, output_path, qpath)
        stats.resumed_parts = done_parts
        stats.seconds = time.perf_counter() - started
        if not stats.balanced:
            raise ScoringError(
                f"internal check failed: {stats.articles_in} articles in but "
                f"{stats.articles_scored} scored + {stats.quarantined} quarantined"
            )
        bad = stats.quarantined / stats.articles_in if stats.articles_in else 0.0
        if max_bad_fraction is not None and bad > max_bad_fraction:
            stats.succeeded = False
            stats.failure = (
                f"{stats.quarantined} of {stats.articles_in} articles quarantined ({bad:.1%}), "
                f"more than --max-bad-fraction {max_bad_fraction:.1%}; the output was not written "
                f"and there is no success marker (see {qpath}; parts kept in {store.dir})"
            )
            store.finish(qpath, None)
            stats.quarantine_file = str(qpath)
            return stats
        stats.quarantine_file, stats.marker = str(qpath), str(marker_for(output_path))
        store.finish(qpath, summary(stats))
        return stats
    finally:
        bar.close()
        store.close()


def _summarise(store: PartStore, manifest: dict[str, Any], output: Path, qpath: Path) -> ScoreStats:
    stats = ScoreStats(
        output=str(output),
        model_uri=manifest["model_uri"],
        model_version=manifest["model_version"],
        model_fingerprint=manifest["model_fingerprint"],
    )
    kinds: Counter[str] = Counter()
    for meta in store.metas():
        stats.articles_in += meta["articles_in"]
        stats.articles_scored += meta["scored"]
        stats.quarantined += len(meta["quarantine"])
        kinds.update(q["kind"] for q in meta["quarantine"])
        stats.actors += meta["actors"]
        stats.rows_out += meta["rows"]
        stats.abstained += meta["abstained"]
    stats.quarantined_by_kind = dict(sorted(kinds.items()))
    return stats


def summary(stats: ScoreStats) -> dict[str, Any]:
    """What the success marker records: the counts, the check, the model."""
    out = asdict(stats)
    out["articles_per_s"] = round(stats.articles_in / stats.seconds, 2) if stats.seconds else None
    out["check"] = (
        f"{stats.articles_in} in = {stats.articles_scored} scored + {stats.quarantined} quarantined"
    )
    return out


def format_summary(stats: ScoreStats) -> list[str]:
    """The end-of-run report, one fact per line."""
    kinds = ", ".join(f"{k} {n}" for k, n in stats.quarantined_by_kind.items())
    rate = stats.articles_in / stats.seconds if stats.seconds else 0.0
    version = f" v{stats.model_version}" if stats.model_version else ""
    lines = [
        f"{stats.articles_in} articles in: {stats.articles_scored} scored, "
        f"{stats.quarantined} quarantined" + (f" ({kinds})" if kinds else ""),
        f"check: articles in = scored + quarantined: {stats.articles_in} = "
        f"{stats.articles_scored} + {stats.quarantined} "
        + ("ok" if stats.balanced else "MISMATCH"),
        f"{stats.actors} actors, {stats.rows_out} rows, {stats.abstained} abstentions",
        f"{rate:.1f} articles/s over {stats.seconds:.1f} s"
        + (f" ({stats.resumed_parts} part(s) resumed)" if stats.resumed_parts else ""),
        f"model {stats.model_uri}{version}",
    ]
    if stats.succeeded:
        lines.append(f"rows written to {stats.output}; success marker {stats.marker}")
        if stats.quarantined:
            lines.append(f"quarantined records in {stats.quarantine_file}")
    else:
        lines.append(f"FAILED: {stats.failure}")
    return lines
