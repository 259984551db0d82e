"""Cross-validation with folds by article: every article is predicted once, by a model that never saw it."""

from __future__ import annotations

import logging
import time
from collections import Counter

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from sklearn.model_selection import StratifiedGroupKFold
from tqdm.auto import tqdm

from stancekit.config import build_model
from stancekit.evaluation.metrics import evaluate_predictions
from stancekit.training.train import predict_frame, prepare

log = logging.getLogger(__name__)


def cross_validate(
    cfg: DictConfig, folds: int = 5, progress: bool = True
) -> tuple[dict[str, float], pd.DataFrame]:
    """Out-of-fold predictions for every prepared example and ``cv_*`` metrics with article bootstrap."""
    frame = prepare(cfg).frame
    docs = frame["doc_id"].to_numpy()
    # stratify folds on each article's most frequent war label, as the train/val/test split does
    war = (
        frame[frame["target"] == "war"]
        .groupby("doc_id")["label"]
        .agg(lambda s: Counter(s).most_common(1)[0][0])
    )
    strata = frame["doc_id"].map(war).fillna("none").to_numpy()
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=cfg.seed)
    parts = []
    t0 = time.perf_counter()
    for k, (train_idx, test_idx) in enumerate(
        tqdm(
            list(splitter.split(np.zeros(len(frame)), strata, docs)),
            desc="folds",
            disable=not progress,
        )
    ):
        model = build_model(cfg.model)
        model.label_space = {t: model.label_space[t] for t in cfg.data.targets}
        train = frame.iloc[train_idx]
        model.fit(train[["target", "text"]], train["label"].tolist())
        parts.append(predict_frame(model, frame.iloc[test_idx]).assign(fold=k))
    pred = pd.concat(parts).sort_index()
    metrics = evaluate_predictions(
        pred,
        {t: model.label_space[t] for t in cfg.data.targets},
        "cv",
        cfg.train.bootstrap,
        cfg.train.ci,
        cfg.seed,
    )
    metrics["cv_folds"] = float(folds)
    metrics["cv_seconds"] = time.perf_counter() - t0
    metrics["n_examples"] = float(len(frame))
    metrics["n_articles"] = float(len(set(docs)))
    return metrics, pred
