"""Spark against the local engine: the same model, the same articles, through ``stancekit score``.

    PYTHONPATH=src .venv/bin/python benchmarks/spark_vs_local.py [--articles 10000] [--masters local[2]]

The model is TF-IDF + logistic regression trained on the bundled demo corpus (``data=demo``) with
the project's gazetteer (discovery off, so the engines are compared, not natasha). The articles are
the demo articles (bg/ru/uk/en, about 850 characters) repeated with new ids, dates and sources.
Each run is a fresh ``stancekit score`` process, so Spark's times include starting its JVM, its
Python workers and loading the model in them; "start-up" is the same command on a handful of
articles. Prints a markdown table; the rows of both engines are compared (sorted) at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SOURCES = ["bnr", "dnevnik", "mediapool", "ria", "pravda", "reuters"]


def build_model(folder: Path) -> Path:
    from stancekit.config import build_extractor, compose
    from stancekit.scoring.core import StanceScorer
    from stancekit.tracking.runs import save_model
    from stancekit.training.train import train

    cfg = compose(
        ["data=demo", "model=tfidf_logreg", "tracking=none", "actors.discovery.recogniser=none"]
    )
    result = train(cfg)
    scorer = StanceScorer(result.model, build_extractor(cfg.actors))
    example = pd.read_json(ROOT / "data/demo/articles.jsonl", lines=True).head(2)
    return save_model(scorer, example[["id", "text", "lang"]], folder)


def write_articles(path: Path, n: int) -> Path:
    demo = [json.loads(line) for line in (ROOT / "data/demo/articles.jsonl").open()]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            art = demo[i % len(demo)]
            row = {
                "id": f"bench-{i:06d}",
                "lang": art["lang"],
                "date": f"{2022 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "source": SOURCES[i % len(SOURCES)],
                "text": art["text"],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def run(model: Path, inp: Path, out: Path, engine: str, master: str) -> tuple[float, dict]:
    cmd = [
        sys.executable, "-m", "stancekit", "score", "--model", str(model), "--input", str(inp),
        "--output", str(out), "--engine", engine, "--master", master, "--batch-size", "64",
        "--no-progress", "--no-show",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    marker = json.loads(out.with_name(out.stem + ".success.json").read_text())
    return seconds, marker


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=20, help="articles of the start-up run")
    ap.add_argument("--masters", default="local[2]", help="comma-separated Spark masters")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stancekit-spark-bench-"))
    model = build_model(tmp / "model")
    big = write_articles(tmp / "big.jsonl", args.articles)
    small = write_articles(tmp / "small.jsonl", args.small)
    runs = [("local", "-")] + [("spark", m) for m in args.masters.split(",")]
    print(f"\n{args.articles} articles ({big.stat().st_size / 1e6:.1f} MB), model {model}")
    print(f"cores: {os.cpu_count()}\n")
    print("| engine | master | articles | wall s | articles/s | rows/s | rows |")
    print("|---|---|---|---|---|---|---|")
    outputs = {}
    for engine, master in runs:
        for inp, n in ((small, args.small), (big, args.articles)):
            out = tmp / f"{engine}-{master.replace('[', '').replace(']', '')}-{n}.parquet"
            seconds, marker = run(model, inp, out, engine, master)
            assert marker["articles_in"] == n, marker["check"]
            rows = marker["rows_out"]
            print(
                f"| {engine} | {master} | {n} | {seconds:.1f} | {n / seconds:.1f} | "
                f"{rows / seconds:.0f} | {rows} |",
                flush=True,
            )
            outputs[(engine, master, n)] = out
    key = ["doc_id", "actor_id", "target"]
    local = pd.read_parquet(outputs[("local", "-", args.articles)]).sort_values(key)
    for engine, master in runs[1:]:
        other = pd.read_parquet(outputs[(engine, master, args.articles)]).sort_values(key)
        same = local.reset_index(drop=True).equals(other.reset_index(drop=True))
        print(f"\n{engine} {master}: rows identical to the local engine's: {same}")


if __name__ == "__main__":
    main()
