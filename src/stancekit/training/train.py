"""``train(cfg)``: data → actors → contexts → fitted model → metrics. No Hydra, DVC or MLflow inside."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from stancekit.config import build_extractor, build_model, checked_int, path_of, root_of
from stancekit.data import load_dataset, split_by_article
from stancekit.evaluation.metrics import evaluate_predictions
from stancekit.evaluation.official import official_metrics
from stancekit.models.base import StanceModel, model_input
from stancekit.training.examples import Examples, build_examples, fingerprint

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    model: StanceModel
    metrics: dict[str, float]
    predictions: dict[str, pd.DataFrame]  # split -> rows with label, pred, proba
    examples: pd.DataFrame  # every prepared example with its split
    quarantine: list[dict[str, str]] = field(default_factory=list)
    data_fingerprint: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def load_data(cfg: DictConfig) -> tuple[list, list]:
    """Articles and label rows as ``cfg.data`` says: plain files, or stand-off rows joined with texts."""
    loader = cfg.data.get("loader") or "files"
    checked_int(cfg, "data.max_rows", 1)
    articles, labels = path_of(cfg, cfg.data.articles), path_of(cfg, cfg.data.labels)
    if loader == "files":
        return load_dataset(articles, labels, cfg.data.get("max_rows"))
    if loader == "semeval_annotations":
        from stancekit.data.adapters import frozen_docs, load_semeval_annotations

        holdout = cfg.data.get("holdout")
        return load_semeval_annotations(
            labels,
            articles,
            tuple(cfg.data.langs),
            cfg.data.get("annotator"),
            cfg.data.get("max_rows"),
            frozen_docs(path_of(cfg, holdout) if holdout else None),
        )
    raise ValueError(f"unknown data.loader '{loader}' (files or semeval_annotations)")


def is_public(cfg: DictConfig) -> bool:
    """Does ``cfg.data.loader`` name an example-level public dataset adapter?"""
    from stancekit.data.public import ADAPTERS

    return cfg.data.get("loader") in ADAPTERS


def _public_options(cfg: DictConfig) -> dict[str, Any]:
    options = cfg.data.get("options")
    if options is None:
        return {}
    options = OmegaConf.to_container(options, resolve=True)
    assert isinstance(options, dict)
    return {str(k): v for k, v in options.items()}


def load_examples(cfg: DictConfig) -> Examples:
    """A public dataset's ready-made examples, its own splits kept (test carved by ``doc_id``)."""
    from stancekit.data.public import cap_per_split, load_public

    frame, _ = load_public(
        cfg.data.loader,
        path_of(cfg, cfg.data.path),
        val_size=cfg.train.val_size,
        test_size=cfg.train.test_size,
        seed=cfg.seed,
        **_public_options(cfg),
    )
    frame = frame[frame["target"].isin(list(cfg.data.targets))].reset_index(drop=True)
    frame = cap_per_split(frame, checked_int(cfg, "data.max_rows", 1))
    log.info(
        "prepared %d %s examples (%s)",
        len(frame),
        cfg.data.loader,
        ", ".join(f"{k} {v}" for k, v in frame["split"].value_counts().items()),
    )
    return Examples(frame)


def data_label_space(cfg: DictConfig, default: dict[str, list[str]]) -> dict[str, list[str]]:
    """``cfg.data.targets`` with their labels: a public dataset's own, else ``default`` (LABELS.md)."""
    if is_public(cfg):
        from stancekit.data.public import label_space_of

        default = label_space_of(cfg.data.loader, _public_options(cfg).get("topics"))
    return {t: list(default[t]) for t in cfg.data.targets}


def prepare(cfg: DictConfig) -> Examples:
    """Load, validate, find actors, cut contexts and split by article (``split`` column)."""
    if is_public(cfg):
        return load_examples(cfg)
    root = root_of(cfg)
    articles, labels = load_data(cfg)
    targets = list(cfg.data.targets)
    labels = [r for r in labels if r.target in targets]
    extractor = build_extractor(cfg.actors, root)
    examples = build_examples(articles, labels, extractor)
    split = split_by_article(articles, labels, cfg.train.val_size, cfg.train.test_size, cfg.seed)
    where = {doc: name for name, docs in split.items() for doc in docs}
    examples.frame["split"] = examples.frame["doc_id"].map(where)
    log.info(
        "prepared %d examples from %d articles (%s); %d quarantined",
        len(examples.frame),
        len(articles),
        ", ".join(f"{k} {len(v)}" for k, v in split.items()),
        len(examples.quarantine),
    )
    return examples


def predict_frame(model: StanceModel, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if not len(out):
        return out.assign(pred=[], confidence=[], proba=[])
    probas = model.proba_by_label(model_input(out))
    out["pred"] = [max(p, key=p.get) for p in probas]  # type: ignore[arg-type]
    out["confidence"] = [max(p.values()) for p in probas]
    out["proba"] = probas
    return out


def fit_and_evaluate(cfg: DictConfig, frame: pd.DataFrame) -> TrainResult:
    timings: dict[str, float] = {}
    train_rows = frame[frame["split"] == "train"]
    cap = cfg.train.get("max_train_rows")
    if cap:
        train_rows = train_rows.sample(n=min(cap, len(train_rows)), random_state=cfg.seed)
    if train_rows.empty:
        raise ValueError(
            "no training rows after preparation and splitting; check data.* and train.*"
        )
    model: StanceModel = build_model(cfg.model)
    label_space = data_label_space(cfg, model.label_space)
    model.label_space = label_space
    log.info("fitting %s on %d rows", cfg.model.get("name", type(model).__name__), len(train_rows))
    t0 = time.perf_counter()
    model.fit(model_input(train_rows), train_rows["label"].tolist())
    timings["fit_s"] = time.perf_counter() - t0

    metrics: dict[str, float] = {}
    predictions: dict[str, pd.DataFrame] = {}
    t0 = time.perf_counter()
    for split in ("val", "test"):
        rows = frame[frame["split"] == split]
        if rows.empty:
            continue
        predictions[split] = predict_frame(model, rows)
        metrics.update(
            evaluate_predictions(
                predictions[split],
                label_space,
                prefix=split,
                n_bootstrap=cfg.train.bootstrap,
                ci=cfg.train.ci,
                seed=cfg.seed,
            )
        )
        if is_public(cfg):
            metrics.update(official_metrics(cfg.data.loader, predictions[split], prefix=split))
    timings["evaluate_s"] = time.perf_counter() - t0
    metrics["n_train"] = float(len(train_rows))
    return TrainResult(model, metrics, predictions, frame, timings=timings)


def train(cfg: DictConfig) -> TrainResult:
    """Prepare the data, fit ``cfg.model`` on the train split, evaluate on val and test."""
    t0 = time.perf_counter()
    examples = prepare(cfg)
    prep_s = time.perf_counter() - t0
    result = fit_and_evaluate(cfg, examples.frame)
    result.quarantine = examples.quarantine
    result.data_fingerprint = fingerprint(examples.frame)
    result.timings["prepare_s"] = prep_s
    if cfg.train.get("onnx"):
        export_for_scoring(cfg, result, examples.frame)
    return result


def export_for_scoring(cfg: DictConfig, result: TrainResult, frame: pd.DataFrame) -> None:
    """ONNX (int8) export of a fine-tuned transformer: parity and speed-up become metrics.

    The exported model replaces the PyTorch one for scoring only when its labels agree on at
    least ``train.onnx_min_agreement`` of the validation rows.
    """
    import tempfile

    from stancekit.models.onnx import export_onnx
    from stancekit.models.transformer import TransformerStanceModel

    if not isinstance(result.model, TransformerStanceModel):
        log.warning(
            "train.onnx applies to fine-tuned transformers; %s is left as it is",
            result.model.family,
        )
        return
    rows = frame[frame["split"] == "val"]
    rows = rows if len(rows) else frame[frame["split"] == "train"].head(200)
    onnx_model, report = export_onnx(
        result.model,
        tempfile.mkdtemp(prefix="stancekit-onnx-"),
        rows,
        quantize=cfg.train.get("onnx_quantize", True),
        min_agreement=cfg.train.get("onnx_min_agreement", 0.99),
    )
    result.metrics.update(
        {
            "onnx_label_agreement": report.label_agreement,
            "onnx_speedup": report.speedup,
            "onnx_max_abs_proba_diff": report.max_abs_proba_diff,
            "onnx_rows_per_s": report.onnx_rows_per_s,
            "torch_rows_per_s": report.torch_rows_per_s,
            "onnx_parity_passed": float(report.passed),
        }
    )
    log.info(
        "ONNX int8: labels agree on %.2f%% of %d rows, %.1fx faster",
        100 * report.label_agreement,
        report.rows,
        report.speedup,
    )
    if report.passed:
        result.model = onnx_model
    else:
        log.warning(
            "ONNX parity %.3f < %.3f: scoring keeps the PyTorch model",
            report.label_agreement,
            report.min_agreement,
        )


def resolved_config(cfg: DictConfig) -> dict[str, Any]:
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    return {str(k): v for k, v in data.items()}
