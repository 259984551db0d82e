"""The model users score with (experiment=news), built from TF-IDF fits made for selection.

    python experiments/actor_stance/build_news.py --level0 L0.npy \\
        --nonfrozen DIR --nonfrozen-examples FILE --all DIR --all-examples FILE \\
        [--override model.two_stage=true ...] --out models/news

The recipe is the combined model's `fit` on every annotated article with other folds for the
out-of-fold TF-IDF probabilities: the cross-validation's (cv_sweep.py --level0, 5 folds by article)
for the rows outside the frozen slice, and for the slice's rows those of the TF-IDF fitted on every
other article (which never saw them). The combiners learn from these; the TF-IDF family is the one
fitted on every row. On 2 shared cores this spares the three inner-fold TF-IDF fits that
`dvc repro news/dvc.yaml` (the same recipe with the model's own inner folds) makes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.config import build_extractor, build_model, compose, root_of  # noqa: E402
from stancekit.models.base import load_model, model_input  # noqa: E402
from stancekit.scoring.core import StanceScorer  # noqa: E402
from stancekit.tracking.runs import input_example, save_model  # noqa: E402
from stancekit.training.train import data_label_space  # noqa: E402

KEY = ["doc_id", "actor_id", "target"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--level0", type=Path, required=True)
    ap.add_argument("--nonfrozen", type=Path, required=True, help="TF-IDF fitted without the slice")
    ap.add_argument("--nonfrozen-examples", type=Path, required=True)
    ap.add_argument("--all", type=Path, required=True, help="TF-IDF fitted on every article")
    ap.add_argument("--all-examples", type=Path, required=True)
    ap.add_argument("--override", action="append", default=[])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    cfg = compose(["experiment=news", "tracking=none", *args.override])
    everything = pd.read_parquet(args.all_examples)
    outside = pd.read_parquet(args.nonfrozen_examples)
    level0 = np.load(args.level0)
    assert len(level0) == len(outside), "level0 is for other rows"
    assert not everything.duplicated(KEY).any() and not outside.duplicated(KEY).any()
    model = build_model(cfg.model)
    model.label_space = data_label_space(cfg, model.label_space)
    family = load_model(args.all)
    assert all(family.get_config()[k] == v for k, v in model.tfidf.items())
    row_of = {k: i for i, k in enumerate(outside[KEY].itertuples(index=False, name=None))}
    where = [row_of.get(k) for k in everything[KEY].itertuples(index=False, name=None)]
    held = np.array([w is None for w in where])
    oof = np.zeros((len(everything), len(model.classes_)))
    oof[~held] = level0[[w for w in where if w is not None]]
    oof[held] = load_model(args.nonfrozen).predict_proba(model_input(everything[held]))
    print(
        f"{len(everything)} rows: {int((~held).sum())} from the CV, {int(held.sum())} of the slice"
    )
    model.fit_combiners(model_input(everything), everything["label"].tolist(), {"tfidf": oof})
    model.families_ = {"tfidf": family}
    scorer = StanceScorer(model, build_extractor(cfg.actors, root_of(cfg)))
    shutil.rmtree(args.out, ignore_errors=True)
    save_model(scorer, input_example(cfg, SimpleNamespace(examples=everything)), args.out)  # type: ignore[arg-type]
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
