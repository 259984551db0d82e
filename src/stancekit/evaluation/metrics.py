"""Macro-F1 per target and overall, per-class F1, bootstrap intervals resampled by article, and
Wilson intervals of proportions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from stancekit.data.schema import LABEL_SPACE, STANCE_LABELS


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


def ece(confidence: Sequence[float], correct: Sequence[bool], n_bins: int = 10) -> float:
    """Expected calibration error: the row-weighted gap between accuracy and mean confidence of the
    predicted label, over ``n_bins`` equal-width confidence bins."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if not len(conf):
        return 0.0
    which = np.clip(np.digitize(conf, np.linspace(0, 1, n_bins + 1)[1:-1]), 0, n_bins - 1)
    gap = 0.0
    for b in np.unique(which):
        sel = which == b
        gap += sel.sum() * abs(ok[sel].mean() - conf[sel].mean())
    return float(gap / len(conf))


def headline_score(frame: pd.DataFrame, target: str) -> float:
    """A stance target's F-avg (mean F1 of its two stance classes, both always counted, as in
    SemEval-2016); another target's macro-F1 over the labels that occur."""
    sub = frame[frame["target"] == target]
    true, pred, k, fixed = _coded(sub, target)
    return float(_weighted_macro_f1(true, pred, np.ones((1, len(sub))), k, fixed)[0])


def headline_with_ci(
    frame: pd.DataFrame, target: str, n_bootstrap: int = 1000, seed: int = 0, ci: float = 0.95
) -> list[float]:
    """``[value, low, high]`` of :func:`headline_score`, resampling whole articles (rounded to 3)."""
    rng = np.random.default_rng(seed)
    docs, doc_index = np.unique(frame["doc_id"].to_numpy(), return_inverse=True)
    counts = rng.multinomial(len(docs), np.full(len(docs), 1 / len(docs)), size=n_bootstrap)
    sel = (frame["target"] == target).to_numpy()
    true, pred, k, fixed = _coded(frame[sel], target)
    boots = _weighted_macro_f1(true, pred, counts[:, doc_index[sel]].astype(float), k, fixed)
    alpha = (1 - ci) / 2
    return [
        round(headline_score(frame, target), 3),
        round(float(np.quantile(boots, alpha)), 3),
        round(float(np.quantile(boots, 1 - alpha)), 3),
    ]


def _coded(sub: pd.DataFrame, target: str) -> tuple[np.ndarray, np.ndarray, int, list[int] | None]:
    """Gold and predicted labels as codes, the number of codes, and the stance classes' codes."""
    labels = list(LABEL_SPACE.get(target) or sorted(set(sub["label"]) | set(sub["pred"])))
    code = {lab: i for i, lab in enumerate(labels)}
    true = np.array([code[v] for v in sub["label"]], dtype=int)
    pred = np.array([code[v] for v in sub["pred"]], dtype=int)
    fixed = [code[lab] for lab in STANCE_LABELS[target]] if target in STANCE_LABELS else None
    return true, pred, len(labels), fixed


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
        if "confidence" in sub.columns:
            metrics[f"{prefix}_ece_{target}"] = ece(sub["confidence"], sub["label"] == sub["pred"])
    if "confidence" in frame.columns:
        metrics[f"{prefix}_ece"] = ece(frame["confidence"], frame["label"] == frame["pred"])
    if n_bootstrap > 0:
        low, high = bootstrap_intervals(frame, label_space, n_bootstrap, ci, seed)
        for key in low:
            name = f"{prefix}_macro_f1" + (f"_{key}" if key else "")
            metrics[f"{name}_ci_low"] = low[key]
            metrics[f"{name}_ci_high"] = high[key]
    return metrics


def _weighted_macro_f1(
    true: np.ndarray, pred: np.ndarray, weights: np.ndarray, k: int, fixed: list[int] | None = None
) -> np.ndarray:
    """Macro-F1 for each row of ``weights`` (one bootstrap resample per row), over present labels
    (or over the ``fixed`` label codes, always counted)."""
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
    if fixed is not None:
        return f1[:, fixed].mean(axis=1)
    return (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1)


def resample_counts(doc_ids: Sequence[object], n_bootstrap: int, seed: int) -> np.ndarray:
    """How often each row's article is drawn in each resample (``n_bootstrap`` × rows).

    Each resample draws as many articles as there are, with replacement; a row counts as often as
    its article. Two prediction sets over the same rows share these weights: a paired resample.
    """
    rng = np.random.default_rng(seed)
    docs, doc_index = np.unique(np.asarray(doc_ids), return_inverse=True)
    counts = rng.multinomial(len(docs), np.full(len(docs), 1 / len(docs)), size=n_bootstrap)
    return counts[:, doc_index].astype(float)


def bootstrap_scores(
    frame: pd.DataFrame,
    label_space: Mapping[str, Sequence[str]],
    weights: np.ndarray,
    pred_column: str = "pred",
) -> dict[str, np.ndarray]:
    """Macro-F1 of each resample (rows of ``weights``): overall ("") and per target."""
    per_target: dict[str, np.ndarray] = {}
    for target, labels in label_space.items():
        sel = (frame["target"] == target).to_numpy()
        if not sel.any():
            continue
        code = {lab: i for i, lab in enumerate(labels)}
        true = np.array([code[v] for v in frame["label"][sel]])
        pred = np.array([code[v] for v in frame[pred_column][sel]])
        w = weights[:, sel]
        scores = _weighted_macro_f1(true, pred, w, len(labels))
        # A resample without any row of this target has no score for it.
        per_target[target] = np.where(w.sum(axis=1) > 0, scores, np.nan)
    if not per_target:
        return {}
    return {"": np.nanmean(np.vstack(list(per_target.values())), axis=0), **per_target}


def bootstrap_intervals(
    frame: pd.DataFrame,
    label_space: Mapping[str, Sequence[str]],
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> tuple[dict[str, float], dict[str, float]]:
    """Percentile intervals of overall ("") and per-target macro-F1, resampling whole articles."""
    weights = resample_counts(frame["doc_id"].to_numpy(), n_bootstrap, seed)
    samples = bootstrap_scores(frame, label_space, weights)
    alpha = (1 - ci) / 2
    low = {k: float(np.nanquantile(v, alpha)) for k, v in samples.items()}
    high = {k: float(np.nanquantile(v, 1 - alpha)) for k, v in samples.items()}
    return low, high


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


def wilson_interval(
    count: ArrayLike, total: ArrayLike, ci: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the proportion ``count / total`` (elementwise; NaN where total is 0).

    Unlike the normal approximation it stays inside [0, 1] and is sensible for shares near 0 or 1
    and for small totals, which is what label shares of rarely named actors are.
    """
    from scipy.stats import norm

    k = np.asarray(count, dtype=float)
    n = np.asarray(total, dtype=float)
    z = float(norm.ppf(0.5 + ci / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high
