"""Evaluating a trained model on any data an adapter reads: macro-F1 with intervals, official metric."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from omegaconf import DictConfig

from stancekit.evaluation.metrics import evaluate_predictions
from stancekit.evaluation.official import OFFICIAL, official_metrics
from stancekit.models.base import StanceModel
from stancekit.training.train import predict_frame, prepare


@dataclass
class Evaluation:
    metrics: dict[str, float]
    pred: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def evaluate_model(model: StanceModel, cfg: DictConfig, split: str = "all") -> Evaluation:
    """Predict the rows of ``cfg.data`` (one split or all) and score them.

    Rows of targets the model does not predict are left out and said so in ``notes``; a gold label
    outside the model's label space is an error, never a silent miss.
    """
    frame = prepare(cfg).frame
    if split != "all":
        frame = frame[frame["split"] == split]
    notes = []
    known = frame["target"].isin(list(model.label_space))
    if not known.all():
        skipped = sorted(set(frame.loc[~known, "target"]))
        notes.append(
            f"skipping {int((~known).sum())} rows of target(s) {skipped}: the model does not predict them"
        )
        frame = frame[known]
    for target, labels in frame.groupby("target")["label"]:
        unknown = set(labels) - set(model.label_space[target])
        if unknown:
            raise ValueError(
                f"labels {sorted(unknown)} of target '{target}' are not in the model's label space "
                f"{model.label_space[target]}"
            )
    if frame.empty:
        raise ValueError(f"no rows to evaluate in {cfg.data.name} (split {split})")
    pred = predict_frame(model, frame)
    space = {t: model.label_space[t] for t in pred["target"].unique()}
    metrics = evaluate_predictions(pred, space, "eval", cfg.train.bootstrap, cfg.train.ci, cfg.seed)
    dataset = cfg.data.get("loader") or cfg.data.name
    if dataset in OFFICIAL:
        metrics.update(official_metrics(dataset, pred, prefix="eval"))
    metrics["eval_rows"] = float(len(pred))
    return Evaluation(metrics, pred, notes)
