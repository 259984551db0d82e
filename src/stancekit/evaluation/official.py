"""Each public dataset's published metric, so results compare with the papers' tables.

``official_metrics(name, frame, prefix)`` takes rows with ``target``, ``label`` and ``pred`` (and
``fine_roles``/``pred_fine_roles`` for SemEval-2025 T10) and returns ``{prefix}_<name>_<metric>``,
plus ``{prefix}_<name>_<metric>_<lang>`` for each language when the rows hold more than one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd


def f1_score(true: Sequence[str], pred: Sequence[str], label: str) -> float:
    """F1 of one class (0 when it is neither gold nor predicted)."""
    t, p = np.asarray(true, dtype=object), np.asarray(pred, dtype=object)
    tp = int(np.sum((t == label) & (p == label)))
    denom = int(np.sum(t == label)) + int(np.sum(p == label))
    return 2 * tp / denom if denom else 0.0


def macro_f1(true: Sequence[str], pred: Sequence[str], labels: Iterable[str]) -> float:
    """Macro-F1 over a fixed label set (absent classes count as 0, as with sklearn ``labels=``)."""
    return float(np.mean([f1_score(true, pred, lab) for lab in labels]))


def f_avg(true: Sequence[str], pred: Sequence[str]) -> float:
    """SemEval-2016 Task 6: (F1 favor + F1 against) / 2; ``none`` only enters through errors."""
    return (f1_score(true, pred, "favor") + f1_score(true, pred, "against")) / 2


def _newsmtsc(frame: pd.DataFrame) -> dict[str, float]:
    rows = frame[frame["target"] == "sentiment"]
    return {"f1m": macro_f1(rows["label"], rows["pred"], ("negative", "neutral", "positive"))}


def _semeval2016(frame: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    for target, rows in frame.groupby("target"):
        out[f"favg_{str(target).removeprefix('stance_')}"] = f_avg(rows["label"], rows["pred"])
    if out:
        # TweetEval's number: the mean over targets; the SemEval-2016 script pools all tweets.
        out["favg"] = float(np.mean(list(out.values())))
        out["favg_pooled"] = f_avg(frame["label"], frame["pred"])
    return out


def _ruw(frame: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    for target in ("stance_russia", "stance_ukraine"):
        rows = frame[frame["target"] == target]
        if len(rows):
            name = target.removeprefix("stance_")
            out[f"macro_f1_{name}"] = macro_f1(
                rows["label"], rows["pred"], ("favor", "against", "none")
            )
            out[f"favg_{name}"] = f_avg(rows["label"], rows["pred"])
    per_target = [v for k, v in out.items() if k.startswith("macro_f1_")]
    if per_target:
        out["macro_f1"] = float(np.mean(per_target))
    return out


def _roles(value: Any) -> frozenset[str]:
    """A cell of fine roles (list, array after Parquet, one string, or missing) as a set."""
    if value is None or (isinstance(value, float) and value != value):
        return frozenset()
    if isinstance(value, str):
        value = [value]
    return frozenset(str(v).strip() for v in value)


def _semeval2025(frame: pd.DataFrame) -> dict[str, float]:
    rows = frame[frame["target"] == "main_role"]
    if not len(rows):
        return {}
    out = {
        "main_role_accuracy": float(
            (rows["label"].str.lower() == rows["pred"].astype(str).str.lower()).mean()
        )
    }
    if "fine_roles" in rows and "pred_fine_roles" in rows:
        gold = [_roles(v) for v in rows["fine_roles"]]
        pred = [_roles(v) for v in rows["pred_fine_roles"]]
        out["emr"] = float(np.mean([g == p for g, p in zip(gold, pred, strict=True)]))
        tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
        n_pred, n_gold = sum(len(p) for p in pred), sum(len(g) for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        out["fine_micro_f1"] = (
            2 * precision * recall / (precision + recall) if precision + recall else 0.0
        )
    return out


def _cinexio(frame: pd.DataFrame) -> dict[str, float]:
    rows = frame[frame["target"] == "sentiment"]
    return {"macro_f1": macro_f1(rows["label"], rows["pred"], ("negative", "neutral", "positive"))}


OFFICIAL: dict[str, Callable[[pd.DataFrame], dict[str, float]]] = {
    "newsmtsc": _newsmtsc,
    "semeval2016": _semeval2016,
    "ruw": _ruw,
    "semeval2025_t10": _semeval2025,
    "cinexio": _cinexio,
}


def official_metrics(dataset: str, frame: pd.DataFrame, prefix: str = "val") -> dict[str, float]:
    """The dataset's published metric(s) on ``frame``, keyed ``{prefix}_{dataset}_{metric}``."""
    if dataset not in OFFICIAL:
        raise ValueError(f"no official metric for '{dataset}' (known: {sorted(OFFICIAL)})")
    if frame.empty:
        return {}
    out = {f"{prefix}_{dataset}_{k}": float(v) for k, v in OFFICIAL[dataset](frame).items()}
    # Multilingual data (SemEval-2025 T10): the same metrics per language, as its leaderboard has.
    if "lang" in frame and frame["lang"].nunique() > 1:
        for lang, rows in frame.groupby("lang"):
            for k, v in OFFICIAL[dataset](rows).items():
                out[f"{prefix}_{dataset}_{k}_{lang}"] = float(v)
    return out
