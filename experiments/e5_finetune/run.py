"""One cross-validation run of the e5 fine-tuning comparison: out-of-fold predictions, metrics per
language with article-bootstrap intervals, wall and CPU time, written to ``results/<name>.*``.

Every family is run through the library's ``cross_validate`` on the same prepared rows (optionally
a seeded sample of whole articles per language), so the folds are the same for all of them.

    python experiments/e5_finetune/run.py [--folds 3] [--splits train,val] [--articles-per-lang N]
        NAME data=... model=... (config overrides)
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stancekit.config import build_model, compose
from stancekit.evaluation.metrics import evaluate_predictions
from stancekit.training.cv import cross_validate
from stancekit.training.train import data_label_space, prepare

RESULTS = Path(__file__).parent / "results"


def sample_articles(frame: pd.DataFrame, per_lang: int, seed: int) -> pd.DataFrame:
    """Every row of ``per_lang`` articles drawn per language (seeded); whole articles only."""
    rng = np.random.default_rng(seed)
    keep = []
    for _, docs in frame.groupby("lang")["doc_id"]:
        unique = np.array(sorted(set(docs)))
        keep.extend(rng.choice(unique, size=min(per_lang, len(unique)), replace=False))
    return frame[frame["doc_id"].isin(set(keep))]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("overrides", nargs="*")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--splits", default=None, help="comma-separated splits to keep")
    parser.add_argument("--articles-per-lang", type=int, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    cfg = compose(args.overrides)
    frame = prepare(cfg).frame
    if args.splits:
        frame = frame[frame["split"].isin(args.splits.split(","))]
    if args.articles_per_lang:
        frame = sample_articles(frame, args.articles_per_lang, cfg.seed)
    wall, cpu = time.perf_counter(), cpu_seconds()
    metrics, pred = cross_validate(cfg, args.folds, frame=frame)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    space = data_label_space(cfg, build_model(cfg.model).label_space)
    per_lang = {
        lang: evaluate_predictions(sub, space, "cv", cfg.train.bootstrap, cfg.train.ci, cfg.seed)
        | {"n_rows": float(len(sub)), "n_articles": float(sub["doc_id"].nunique())}
        for lang, sub in pred.groupby("lang")
    }
    RESULTS.mkdir(exist_ok=True)
    cols = ["doc_id", "lang", "actor_id", "target", "label", "pred", "fold"]
    pred[[c for c in cols if c in pred]].to_csv(RESULTS / f"{args.name}.csv.gz", index=False)
    report = {
        "name": args.name,
        "overrides": args.overrides,
        "folds": args.folds,
        "splits": args.splits,
        "articles_per_lang": args.articles_per_lang,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "metrics": metrics,
        "per_lang": per_lang,
    }
    (RESULTS / f"{args.name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(
        f"{args.name}: macro-F1 {metrics.get('cv_macro_f1', float('nan')):.3f}, "
        f"wall {wall:.0f} s, CPU {cpu:.0f} s"
    )


if __name__ == "__main__":
    main()
