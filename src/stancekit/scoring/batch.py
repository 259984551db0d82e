"""The streaming batch scorer: a file of articles in, a file of scored rows out, bad records quarantined."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from stancekit.data.io import Record, RecordWriter, iter_records

log = logging.getLogger(__name__)


@dataclass
class ScoreStats:
    articles_in: int = 0
    articles_scored: int = 0
    quarantined: int = 0
    rows_out: int = 0
    output: str = ""
    quarantine_file: str | None = None
    model_uri: str = ""
    model_version: str | None = None


def resolve_model_version(model_uri: str) -> str | None:
    """The registry version behind ``models:/name@alias`` or ``models:/name/N`` (None otherwise)."""
    if not model_uri.startswith("models:/"):
        return None
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    ref = model_uri.removeprefix("models:/")
    try:
        if "@" in ref:
            name, alias = ref.split("@", 1)
            return str(MlflowClient().get_model_version_by_alias(name, alias).version)
        if "/" in ref:
            return ref.split("/", 1)[1]
    except MlflowException:
        return None
    return None


def _articles(path: Path) -> Iterator[Record]:
    if path.suffix.lower() == ".txt":
        # A plain-text file is one article, named after the file.
        yield Record(str(path), 1, {"id": path.stem, "text": path.read_text(encoding="utf-8")})
        return
    yield from iter_records(path)


def _check(rec: Record) -> tuple[dict[str, Any] | None, str | None]:
    d = rec.data
    doc_id = d.get("id", d.get("doc_id"))
    if doc_id is None or str(doc_id).strip() == "":
        return None, f"{rec.where('id')}: missing article id"
    text = d.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, f"{rec.where('text')}: missing text for article '{doc_id}'"
    return {"id": str(doc_id), "text": text, "lang": d.get("lang")}, None


def score_file(
    model_uri: str,
    input_path: str | Path,
    output_path: str | Path,
    batch_size: int = 64,
    quarantine_path: str | Path | None = None,
    progress: bool = True,
) -> ScoreStats:
    """Score every article of ``input_path`` with the pyfunc at ``model_uri``; rows in = scored + quarantined."""
    import mlflow

    input_path, output_path = Path(input_path), Path(output_path)
    model = mlflow.pyfunc.load_model(model_uri)
    stats = ScoreStats(
        output=str(output_path), model_uri=model_uri, model_version=resolve_model_version(model_uri)
    )
    qpath = (
        Path(quarantine_path)
        if quarantine_path
        else output_path.with_name(output_path.stem + ".quarantine.jsonl")
    )
    quarantine: list[dict[str, Any]] = []
    bar = tqdm(desc="scoring articles", unit="article", disable=not progress)

    def flush(batch: list[dict[str, Any]], writer: RecordWriter) -> None:
        if not batch:
            return
        frame = model.predict(pd.DataFrame(batch))
        rows = frame.to_dict(orient="records")
        for r in rows:
            r["proba"] = json.loads(r["proba"])
            r["model_uri"] = model_uri
            r["model_version"] = stats.model_version
        writer.write(rows)
        stats.rows_out += len(rows)
        stats.articles_scored += len(batch)
        bar.update(len(batch))

    with RecordWriter(output_path) as writer:
        batch: list[dict[str, Any]] = []
        for rec in _articles(input_path):
            stats.articles_in += 1
            article, problem = _check(rec)
            if article is None:
                quarantine.append({"where": rec.where(), "reason": problem, "record": rec.data})
                bar.update(1)
                continue
            batch.append(article)
            if len(batch) >= batch_size:
                flush(batch, writer)
                batch = []
        flush(batch, writer)
    bar.close()
    stats.quarantined = len(quarantine)
    if quarantine:
        with qpath.open("w", encoding="utf-8") as fh:
            for q in quarantine:
                fh.write(json.dumps(q, ensure_ascii=False, default=str) + "\n")
        stats.quarantine_file = str(qpath)
        log.warning("%d article(s) quarantined to %s", len(quarantine), qpath)
    return stats
