"""Macro-F1 per target and overall, per-class F1, and bootstrap intervals resampled by article."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def _f1_per_label(
    y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]
) -> dict[str, float]:
    out = {}
    for lab in labels:
        tp = np.sum((y_true == lab) & (y_pred == lab))
        fp = np.sum((y_true != lab) & (y_pred == lab))
        fn = np.sum((y_true == lab) & (y_pred != lab))
        denom = 2 * tp + fp + fn
        out[lab] = float(2 * tp / denom) if denom else 0.0
    return out


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> float:
    """Macro-F1 over the labels that occur in ``y_true`` or ``y_pred`` (scikit-learn's convention)."""
    t, p = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    present = [lab for lab in labels if (t == lab).any() or (p == lab).any()]
    if not present:
        return 0.0
    return float(np.mean(list(_f1_per_label(t, p, present).values())))


def _overall(frame: pd.DataFrame, label_space: Mapping[str, Sequence[str]]) -> dict[str, float]:
    out = {}
    for target, labels in label_space.items():
        sub = frame[frame["target"] == target]
        if len(sub):
            out[target] = macro_f1(sub["label"], sub["pred"], labels)
    return out


def evaluate_predictions(
    frame: pd.DataFrame,
    label_space: Mapping[str, Sequence[str]],
    prefix: str = "val",
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> dict[str, float]:
    """Metrics for rows with ``doc_id, target, label, pred``; intervals resample whole articles.

    ``{prefix}_macro_f1`` is the mean of the per-target macro-F1s, so each target counts equally.
    """
    metrics: dict[str, float] = {}
    per_target = _overall(frame, label_space)
    if not per_target:
        return metrics
    metrics[f"{prefix}_macro_f1"] = float(np.mean(list(per_target.values())))
    for target, value in per_target.items():
        metrics[f"{prefix}_macro_f1_{target}"] = value
        sub = frame[frame["target"] == target]
        metrics[f"{prefix}_accuracy_{target}"] = float((sub["label"] == sub["pred"]).mean())
        f1s = _f1_per_label(
            sub["label"].to_numpy(object), sub["pred"].to_numpy(object), label_space[target]
        )
        for lab, v in f1s.items():
            metrics[f"{prefix}_f1_{target}_{lab}"] = v
        metrics[f"{prefix}_support_{target}"] = float(len(sub))
    if n_bootstrap > 0:
        low, high = bootstrap_intervals(frame, label_space, n_bootstrap, ci, seed)
        for key in low:
            name = f"{prefix}_macro_f1" + (f"_{key}" if key else "")
            metrics[f"{name}_ci_low"] = low[key]
            metrics[f"{name}_ci_high"] = high[key]
    return metrics


def _weighted_macro_f1(
    true: np.ndarray, pred: np.ndarray, weights: np.ndarray, k: int
) -> np.ndarray:
    """Macro-F1 for each row of ``weights`` (one bootstrap resample per row), over present labels."""
    conf = np.zeros((weights.shape[0], k, k))
    for t in range(k):
        for p in range(k):
            sel = (true == t) & (pred == p)
            if sel.any():
                conf[:, t, p] = weights[:, sel].sum(axis=1)
    tp = np.einsum("bii->bi", conf)
    support = conf.sum(axis=2)
    predicted = conf.sum(axis=1)
    denom = support + predicted
    present = denom > 0
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=present)
    return (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1)


def _resampled_scores(
    frame: pd.DataFrame,
    label_space: Mapping[str, Sequence[str]],
    counts: np.ndarray,
    doc_index: np.ndarray,
) -> dict[str, np.ndarray]:
    """Macro-F1 per target for each resample (``counts``: articles × resamples → times drawn)."""
    per_target: dict[str, np.ndarray] = {}
    for target, labels in label_space.items():
        sel = (frame["target"] == target).to_numpy()
        if not sel.any():
            continue
        code = {lab: i for i, lab in enumerate(labels)}
        true = np.array([code[v] for v in frame["label"][sel]])
        pred = np.array([code[v] for v in frame["pred"][sel]])
        weights = counts[:, doc_index[sel]].astype(float)
        scores = _weighted_macro_f1(true, pred, weights, len(labels))
        # A resample without any row of this target has no score for it.
        per_target[target] = np.where(weights.sum(axis=1) > 0, scores, np.nan)
    return per_target


def _article_resamples(
    doc_ids: np.ndarray, n_bootstrap: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(times each article is drawn per resample, each row's article index)."""
    rng = np.random.default_rng(seed)
    docs, doc_index = np.unique(doc_ids, return_inverse=True)
    # Each resample draws len(docs) articles with replacement; a row counts as often as its article.
    counts = rng.multinomial(len(docs), np.full(len(docs), 1 / len(docs)), size=n_bootstrap)
    return counts, doc_index


def _with_mean(per_target: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"": np.nanmean(np.vstack(list(per_target.values())), axis=0), **per_target}


def bootstrap_intervals(
    frame: pd.DataFrame,
    label_space: Mapping[str, Sequence[str]],
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> tuple[dict[str, float], dict[str, float]]:
    """Percentile intervals of overall ("") and per-target macro-F1, resampling whole articles."""
    counts, doc_index = _article_resamples(frame["doc_id"].to_numpy(), n_bootstrap, seed)
    per_target = _resampled_scores(frame, label_space, counts, doc_index)
    if not per_target:
        return {}, {}
    samples = _with_mean(per_target)
    alpha = (1 - ci) / 2
    low = {k: float(np.nanquantile(v, alpha)) for k, v in samples.items()}
    high = {k: float(np.nanquantile(v, 1 - alpha)) for k, v in samples.items()}
    return low, high


def paired_bootstrap_difference(
    a: pd.DataFrame,
    b: pd.DataFrame,
    label_space: Mapping[str, Sequence[str]],
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float, float]]:
    """Macro-F1 of ``a`` minus ``b`` (mean "" and per target): (difference, low, high).

    ``a`` and ``b`` predict the same rows in the same order (two models' out-of-fold predictions
    on the same folds); each resample draws whole articles once for both, so the interval is that
    of the difference, narrower than comparing two separate intervals.
    """
    keys = ["doc_id", "target", "label"]
    if len(a) != len(b) or not (
        a[keys].reset_index(drop=True).equals(b[keys].reset_index(drop=True))
    ):
        raise ValueError("paired difference needs the same rows (doc_id, target, label) in order")
    counts, doc_index = _article_resamples(a["doc_id"].to_numpy(), n_bootstrap, seed)
    sa = _resampled_scores(a, label_space, counts, doc_index)
    sb = _resampled_scores(b, label_space, counts, doc_index)
    if not sa:
        return {}
    point_a, point_b = _overall(a, label_space), _overall(b, label_space)
    points = {"": float(np.mean(list(point_a.values())) - np.mean(list(point_b.values())))}
    points.update({t: point_a[t] - point_b[t] for t in point_a})
    diff = {k: v - _with_mean(sb)[k] for k, v in _with_mean(sa).items()}
    alpha = (1 - ci) / 2
    return {
        k: (points[k], float(np.nanquantile(v, alpha)), float(np.nanquantile(v, 1 - alpha)))
        for k, v in diff.items()
    }


def classification_report_text(
    frame: pd.DataFrame, label_space: Mapping[str, Sequence[str]]
) -> str:
    from sklearn.metrics import classification_report

    parts = []
    for target, labels in label_space.items():
        sub = frame[frame["target"] == target]
        if not len(sub):
            continue
        parts.append(
            f"== {target} ==\n"
            + classification_report(
                sub["label"],
                sub["pred"],
                labels=list(labels),
                zero_division=0,
                digits=3,
            )
        )
    return "\n".join(parts)


def confusion_table(frame: pd.DataFrame, label_space: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Long-form confusion counts (target, actual, predicted, count), the shape DVC plots read."""
    rows = []
    for target, labels in label_space.items():
        sub = frame[frame["target"] == target]
        for a in labels:
            for p in labels:
                n = int(((sub["label"] == a) & (sub["pred"] == p)).sum())
                rows.append({"target": target, "actual": a, "predicted": p, "count": n})
    return pd.DataFrame(rows)
