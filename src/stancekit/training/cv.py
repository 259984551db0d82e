"""Cross-validation with folds by article: every article is predicted once, by a model that never saw it."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from sklearn.model_selection import StratifiedGroupKFold
from tqdm.auto import tqdm

from stancekit.config import build_model
from stancekit.evaluation.metrics import evaluate_predictions
from stancekit.evaluation.official import official_metrics
from stancekit.models.base import model_input
from stancekit.training.train import data_label_space, is_public, predict_frame, prepare

log = logging.getLogger(__name__)


def cv_settings(cfg: DictConfig) -> tuple[int, list[str] | None]:
    """The ``cv`` config group's folds and splits (``None``: every prepared row)."""
    splits = cfg.cv.get("splits")
    return int(cfg.cv.folds), (list(splits) if splits else None)


def article_folds(
    frame: pd.DataFrame, targets: Sequence[str], folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices of ``folds`` folds by article, stratified on each article's most
    frequent ``war`` label as the train/val/test split is (public data: its first target's)."""
    key = "war" if "war" in targets else targets[0]
    major = (
        frame[frame["target"] == key]
        .groupby("doc_id")["label"]
        .agg(lambda s: Counter(s).most_common(1)[0][0])
    )
    strata = frame["doc_id"].map(major).fillna("none").to_numpy()
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(frame)), strata, frame["doc_id"].to_numpy()))


def cross_validate(
    cfg: DictConfig,
    folds: int = 5,
    progress: bool = True,
    splits: Sequence[str] | None = None,
    frame: pd.DataFrame | None = None,
) -> tuple[dict[str, float], pd.DataFrame]:
    """Out-of-fold predictions for every prepared example and ``cv_*`` metrics with article bootstrap.

    Every row :func:`prepare` returns takes part, or those whose ``split`` is in ``splits`` (e.g.
    ``["train", "val"]`` to keep a test split untouched for one final check); for public data the
    dataset's official metrics come as ``cv_<dataset>_<metric>`` (and ``..._<lang>``). A ``frame``
    already prepared from ``cfg`` (e.g. a sample of its articles) is used instead of preparing one;
    the folds depend only on its rows and the seed, so every model given it sees the same folds.
    """
    if frame is None:
        frame = prepare(cfg).frame
    if splits:
        unknown = set(splits) - set(frame["split"])
        if unknown:
            raise ValueError(
                f"no rows in split(s) {sorted(unknown)}; the data has {sorted(set(frame['split']))}"
            )
        frame = frame[frame["split"].isin(list(splits))]
    docs = frame["doc_id"].to_numpy()
    parts = []
    t0 = time.perf_counter()
    for k, (train_idx, test_idx) in enumerate(
        tqdm(
            article_folds(frame, list(cfg.data.targets), folds, cfg.seed),
            desc="folds",
            disable=not progress,
        )
    ):
        model = build_model(cfg.model)
        model.label_space = data_label_space(cfg, model.label_space)
        train = frame.iloc[train_idx]
        model.fit(model_input(train), train["label"].tolist())
        parts.append(predict_frame(model, frame.iloc[test_idx]).assign(fold=k))
    pred = pd.concat(parts).sort_index()
    metrics = evaluate_predictions(
        pred,
        model.label_space,
        "cv",
        cfg.train.bootstrap,
        cfg.train.ci,
        cfg.seed,
    )
    if is_public(cfg):  # the dataset's published metric (per language where it mixes languages)
        metrics.update(official_metrics(cfg.data.loader, pred, prefix="cv"))
    metrics["cv_folds"] = float(folds)
    metrics["cv_seconds"] = time.perf_counter() - t0
    metrics["n_examples"] = float(len(frame))
    metrics["n_articles"] = float(len(set(docs)))
    return metrics, pred
