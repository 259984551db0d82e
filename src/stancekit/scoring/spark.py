"""Scoring on Spark: the same checked pyfunc model as a Spark UDF, Parquet out.

The model URI is resolved to one version and its folder checked on the driver
(:func:`~stancekit.tracking.loading.check_model_folder`) before ``mlflow.pyfunc.spark_udf`` ships
that folder to the executors. Records pass the local engine's checks (the same line parser and
:class:`~stancekit.scoring.inputs.ArticleGate`; a repeated id is found with a window over the
whole input), so bad records go to the quarantine file with the same kinds and reasons, and
articles in = scored + quarantined. Rows are built by the local engine's row function, so both
engines write the same rows (Spark in no particular order).

Unlike the local engine, an article the model fails on fails the Spark job (the UDF has no
per-article retry); nothing is written to the output then and there is no success marker.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from stancekit.data.io import Record, parquet_record, parse_jsonl_line
from stancekit.scoring.batch import (
    ABSTAIN,
    ScoreStats,
    ScoringError,
    _check_options,
    _rows_of,
    summary,
)
from stancekit.scoring.core import METADATA_FIELDS
from stancekit.scoring.inputs import ArticleGate, DuplicateRefused
from stancekit.scoring.parts import OUTPUT_SCHEMA, marker_for, quarantine_for, write_atomic

# pyspark 4 says at every pandas UDF that it does not fully support pandas 3; the parity test
# checks that the rows are the same as the local engine's.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
SPARK_INPUTS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
#: One gated input record: an article (``entry`` null) or a quarantine entry (JSON).
GATED_SCHEMA = (
    "line long, path string, id string, text string, lang string, date string, source string, "
    "entry string, record string"
)


def spark_session(master: str = "local[2]", batch_size: int = 64) -> Any:
    """A Spark session for scoring; Python workers run this interpreter unless PYSPARK_PYTHON says."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("stancekit-score")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_size))
        .config("spark.executorEnv.MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "false")
    )
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _check_paths(input_path: Path, output_path: Path, quarantine: Path) -> str:
    kind = SPARK_INPUTS.get(input_path.suffix.lower())
    if kind is None:
        raise ScoringError(
            f"--input {input_path}: the Spark engine reads JSON Lines or Parquet "
            f"({', '.join(sorted(SPARK_INPUTS))})"
        )
    if not input_path.exists() or (kind == "jsonl" and not input_path.is_file()):
        raise ScoringError(f"--input {input_path}: no such file")
    if output_path.suffix.lower() != ".parquet":
        raise ScoringError(f"--output {output_path}: the Spark engine writes Parquet (.parquet)")
    if quarantine.suffix.lower() != ".jsonl":
        raise ScoringError(f"--quarantine {quarantine}: the quarantine file is JSON Lines (.jsonl)")
    taken = {input_path.resolve(), output_path.resolve()}
    if output_path.resolve() == input_path.resolve() or quarantine.resolve() in taken:
        raise ScoringError("--input, --output and --quarantine must be three different paths")
    return kind


def _records(spark: Any, path: Path, kind: str) -> Any:
    """An RDD of Record/BadRecord, numbered and named like the local engine's."""
    name, where = str(path), str(path.resolve())
    if kind == "jsonl":
        # Spark's lines lose their end; the local engine's keep it (a last line without one
        # is the only line whose quarantined text then differs by that newline).
        lines = spark.sparkContext.textFile(where).zipWithIndex()
        return lines.map(
            lambda li: parse_jsonl_line(
                name, li[1] + 1, li[0].encode("utf-8", "surrogatepass") + b"\n"
            )
        ).filter(lambda item: item is not None)
    rows = spark.read.parquet(where).rdd.zipWithIndex()
    return rows.map(lambda ri: parquet_record(name, ri[1] + 1, ri[0].asDict(recursive=True)))


def _gate(items: Iterator[Any], max_chars: int | None) -> Iterator[tuple[Any, ...]]:
    """The gate's checks record by record; repeated ids are found afterwards, over all records."""
    gate = ArticleGate(max_chars, "keep-first")
    for item in items:
        gate.seen.clear()
        article, entry = gate.check(item)
        if entry is not None:
            q = json.dumps(entry, ensure_ascii=True, default=str)
            yield (item.line, item.path, None, None, None, None, None, q, None)
        else:
            assert article is not None
            record = json.dumps(item.data, ensure_ascii=False, default=str)
            meta = [article[name] for name in METADATA_FIELDS]
            yield (
                item.line,
                item.path,
                article["id"],
                article["text"],
                article["lang"],
                *meta,
                None,
                record,
            )


def _duplicate_entry(line: int, path: str, doc_id: str, first: int, record: str) -> str:
    gate = ArticleGate(None, "keep-first", {doc_id: first})
    _, entry = gate.check(Record(path, line, json.loads(record)))
    return json.dumps(entry, ensure_ascii=True, default=str)


def _output_schema() -> str:
    kinds = {"string": "string", "int64": "long"}
    return ", ".join(f"{name} {kinds[kind]}" for name, kind in OUTPUT_SCHEMA)


def score_spark(
    model_uri: str,
    input_path: str | Path,
    output_path: str | Path,
    *,
    master: str = "local[2]",
    batch_size: int = 64,
    quarantine_path: str | Path | None = None,
    abstain_below: float | None = None,
    max_bad_fraction: float | None = None,
    max_chars: int | None = 100_000,
    duplicates: str = "keep-first",
    trust_model_code: bool = False,
) -> ScoreStats:
    """Score ``input_path`` on Spark into a Parquet folder; rows in = scored + quarantined."""
    import mlflow
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from stancekit.tracking.loading import check_model_folder, fetch_model

    started = time.perf_counter()
    input_path, output_path = Path(input_path), Path(output_path)
    qpath = quarantine_for(output_path, quarantine_path)
    _check_options(batch_size, 1, abstain_below, max_bad_fraction)
    try:
        ArticleGate(max_chars, duplicates)
    except ValueError as exc:
        raise ScoringError(str(exc)) from exc
    kind = _check_paths(input_path, output_path, qpath)
    fetched = fetch_model(model_uri)  # the alias is resolved once: this version runs everywhere
    check_model_folder(fetched.path, trust_model_code)
    stats = ScoreStats(
        output=str(output_path),
        model_uri=model_uri,
        model_version=fetched.version,
        model_fingerprint=fetched.fingerprint,
    )

    spark = spark_session(master, batch_size)
    gated = spark.createDataFrame(
        _records(spark, input_path, kind).mapPartitions(lambda items: _gate(items, max_chars)),
        GATED_SCHEMA,
    ).persist()
    try:
        valid = gated.where(F.col("entry").isNull()).withColumn(
            "first", F.min("line").over(Window.partitionBy("id"))
        )
        dup_udf = F.udf(lambda *cols: _duplicate_entry(*cols), "string")
        repeated = valid.where(F.col("line") != F.col("first"))
        if duplicates == "refuse" and (dup := repeated.orderBy("line").first()) is not None:
            try:
                ArticleGate(None, "refuse", {dup["id"]: dup["first"]}).check(
                    Record(dup["path"], dup["line"], json.loads(dup["record"]))
                )
            except DuplicateRefused as exc:
                raise ScoringError(str(exc)) from exc
        quarantine = (
            gated.where(F.col("entry").isNotNull())
            .select("line", "entry")
            .unionByName(
                repeated.select(
                    "line",
                    dup_udf("line", "path", "id", "first", "record").alias("entry"),
                )
            )
        )
        articles = valid.where(F.col("line") == F.col("first")).drop("entry", "record", "first")

        stats.articles_in = gated.count()
        kinds: dict[str, int] = {}
        tmp_q = qpath.with_name(f".{qpath.name}.tmp-{os.getpid()}")
        with tmp_q.open("w", encoding="utf-8") as fh:
            for row in quarantine.orderBy("line").toLocalIterator():
                entry = json.loads(row["entry"])
                kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
                fh.write(json.dumps(entry, ensure_ascii=True, default=str) + "\n")
        stats.quarantined = sum(kinds.values())
        stats.quarantined_by_kind = dict(sorted(kinds.items()))
        stats.articles_scored = articles.count()
        if not stats.balanced:
            raise ScoringError(
                f"internal check failed: {stats.articles_in} articles in but "
                f"{stats.articles_scored} to score + {stats.quarantined} quarantined"
            )
        stats.quarantine_file = str(qpath)
        bad = stats.quarantined / stats.articles_in if stats.articles_in else 0.0
        if max_bad_fraction is not None and bad > max_bad_fraction:
            os.replace(tmp_q, qpath)
            stats.succeeded = False
            stats.failure = (
                f"{stats.quarantined} of {stats.articles_in} articles quarantined ({bad:.1%}), "
                f"more than --max-bad-fraction {max_bad_fraction:.1%}; nothing was scored (see {qpath})"
            )
            stats.seconds = time.perf_counter() - started
            return stats

        predict = mlflow.pyfunc.spark_udf(
            spark,
            str(fetched.path),
            result_type="doc_id string, rows string",
            env_manager="local",
            params={"format": "json"},
            extra_env={"MLFLOW_ALLOW_PICKLE_DESERIALIZATION": "false"},
        )
        version = fetched.version

        def expand(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            columns = [name for name, _ in OUTPUT_SCHEMA]
            for frame in frames:
                rows: list[dict[str, Any]] = []
                for art in frame.to_dict(orient="records"):
                    scored = pd.DataFrame(json.loads(art["rows"]))
                    meta = {art["id"]: {name: art[name] for name in METADATA_FIELDS}}
                    rows += _rows_of(scored, model_uri, version, abstain_below, meta)
                for row in rows:
                    row["proba"] = json.dumps(row["proba"], ensure_ascii=False)
                yield pd.DataFrame(rows, columns=columns)

        scored = articles.select(
            "id", *METADATA_FIELDS, predict(F.struct("id", "text", "lang"))["rows"].alias("rows")
        ).mapInPandas(expand, _output_schema())
        marker = marker_for(output_path)
        marker.unlink(missing_ok=True)
        scored.write.mode("overwrite").parquet(str(output_path))
        os.replace(tmp_q, qpath)

        written = spark.read.parquet(str(output_path))
        counts = written.agg(
            F.count("*").alias("rows"),
            F.countDistinct("doc_id", "actor_id").alias("actors"),
            F.sum((F.col("label") == ABSTAIN).cast("long")).alias("abstained"),
        ).first()
        stats.rows_out, stats.actors = counts["rows"], counts["actors"]
        stats.abstained = counts["abstained"] or 0
        stats.seconds = time.perf_counter() - started
        stats.marker = str(marker)
        write_atomic(marker, [json.dumps(summary(stats), indent=1, ensure_ascii=False) + "\n"])
        return stats
    finally:
        gated.unpersist()
        for tmp in qpath.parent.glob(f".{qpath.name}.tmp-{os.getpid()}"):
            tmp.unlink()
