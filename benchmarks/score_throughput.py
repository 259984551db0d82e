"""Scoring throughput of a TF-IDF model next to the actor layer alone, on the same articles.

    PYTHONPATH=src .venv/bin/python benchmarks/score_throughput.py --model models/stance \
        [--articles 300] [--recogniser none] [--per-unit 60]

``--model`` is a model folder as ``dvc repro`` leaves it (``stancekit_model.json`` + its weights and
``actors.yaml``). Articles are 3 KB cuts of real text, in turn Bulgarian (seed article + demo
corpus), Russian and English (SemEval-2025 T10 training texts), as in ``actor_throughput.py``.
Stages, each over the same articles: the actor layer alone (actors + contexts); the scorer
(``StanceScorer.score_frame`` in batches); the scorer as it was, each (actor, target) input and
each evidence sentence vectorised on its own (on the first ``--per-unit`` articles); and the
streaming ``score_file`` (JSONL in, parts, JSONL out) through the saved pyfunc model.
Prints a markdown table with the machine's core count and load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from actor_throughput import corpus  # noqa: E402

from stancekit.models.base import StanceModel  # noqa: E402
from stancekit.scoring.core import StanceScorer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def articles(n: int) -> pd.DataFrame:
    """``n`` 3 KB articles, bg / ru / en in turn."""
    langs = ("bg", "ru", "en")
    pools = {lang: corpus(n // len(langs) + 1, lang=lang) for lang in langs}
    rows = [
        {"id": f"a{i:06d}", "lang": langs[i % 3], "text": pools[langs[i % 3]][i // 3]}
        for i in range(n)
    ]
    return pd.DataFrame(rows)


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"nproc {os.cpu_count()}, load average {load}"


def timed(fn: Callable[..., T], *args: Any) -> tuple[T, float]:
    """``fn(*args)`` and the seconds it took."""
    t0 = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "stance")
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--per-unit", type=int, default=60, help="articles for the per-unit scorer")
    ap.add_argument(
        "--recogniser", default=None, help="override the model's discovery (none, auto, ...)"
    )
    args = ap.parse_args()
    scorer = StanceScorer.from_artifacts(args.model, args.model / "actors.yaml")
    if args.recogniser is not None:
        from stancekit.actors.discovery import make_recogniser

        scorer.extractor.recogniser = make_recogniser(args.recogniser)
        # the pyfunc saved for the streaming stage carries the same setting
        scorer.extractor.discovery["recogniser"] = args.recogniser
    frame = articles(args.articles)
    print(f"start: {machine()}")
    print(
        f"{len(frame)} articles (bg/ru/en, {frame.text.str.len().mean():.0f} characters each), "
        f"discovery: {type(scorer.extractor.recogniser).__name__ if scorer.extractor.recogniser else 'none'}"
    )
    ex = scorer.extractor

    def layer() -> int:
        return sum(
            len(ex.contexts(t, lang)) for t, lang in zip(frame.text, frame.lang, strict=True)
        )

    def score(s: StanceScorer, part: pd.DataFrame) -> int:
        return sum(
            len(s.score_frame(part.iloc[i : i + args.batch_size]))
            for i in range(0, len(part), args.batch_size)
        )

    results = []
    score(scorer, frame.head(args.batch_size))  # warm-up: imports, the word cache's first words
    n_actors, seconds = timed(layer)
    results.append(("actor layer alone (actors + contexts)", len(frame), None, seconds))
    rows, seconds = timed(score, scorer, frame)
    results.append(("scorer, sentence-once (score_frame)", len(frame), rows, seconds))
    if args.per_unit:
        model = scorer.model
        before = StanceScorer(model, ex)
        before.model = types.SimpleNamespace(  # type: ignore[assignment]
            proba_for_contexts=types.MethodType(StanceModel.proba_for_contexts, model),
            proba_by_label=model.proba_by_label,
            label_space=model.label_space,
        )
        part = frame.head(args.per_unit)
        old_rows, seconds = timed(score, before, part)
        results.append(("scorer, per-unit (before)", len(part), old_rows, seconds))
    results.append(stream(scorer, frame))
    print(f"end: {machine()}; {n_actors / len(frame):.1f} actors per article\n")
    print("| stage | articles | articles/s | rows/s | seconds |")
    print("|---|---|---|---|---|")
    for name, n, r, s in results:
        rate = f"{r / s:.0f}" if r is not None else "-"
        print(f"| {name} | {n} | {n / s:.1f} | {rate} | {s:.1f} |")


def stream(scorer: StanceScorer, frame: pd.DataFrame) -> tuple[str, int, int, float]:
    """The whole streaming run through the saved pyfunc model: JSONL in, parts, JSONL out (the
    seconds include loading the model)."""
    from stancekit.scoring.batch import score_file
    from stancekit.tracking.runs import save_model

    tmp = Path(tempfile.mkdtemp(prefix="stancekit-throughput-"))
    model = save_model(scorer, frame.head(2), tmp / "model")
    inp = tmp / "in.jsonl"
    frame.to_json(inp, orient="records", lines=True, force_ascii=False)
    stats = score_file(str(model), inp, tmp / "out.jsonl", progress=False, part_size=500)
    return (
        "streaming score_file (pyfunc load + JSONL in/out)",
        stats.articles_in,
        stats.rows_out,
        stats.seconds,
    )


if __name__ == "__main__":
    main()
