"""Is one model really better than another on the same rows? A paired bootstrap by article.

Both prediction sets are scored on the same resamples of articles, so the spread of the difference
reflects the data, not two independent draws. The p-values follow the paired bootstrap of Koehn
(2004): the share of resamples in which the difference has the other sign, with one added to
numerator and denominator so that a p-value is never exactly zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from stancekit.evaluation.metrics import bootstrap_scores, macro_f1, resample_counts

#: What identifies a row of predictions: one (article, actor, target).
ROW_KEY = ["doc_id", "actor_id", "target"]


@dataclass(frozen=True)
class PairedDifference:
    """``b`` minus ``a`` on one metric, with its interval and one-sided and two-sided p-values."""

    a: float
    b: float
    delta: float
    ci_low: float
    ci_high: float
    p_better: float  # H0: b is not better than a
    p_worse: float  # H0: b is not worse than a
    p_value: float  # two-sided

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def pair_rows(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """One frame with ``pred_a`` and ``pred_b`` for the rows both sets predict; refuses other rows.

    Rows are matched on (doc_id, actor_id, target), or the part of it both sets have; the gold
    labels must agree row by row. Where one key has several rows (a person named in several
    sentences of one story, as in NewsMTSC), they are matched in the order the runs stored them,
    which is the prepared data's order (CV predictions are put back in it): the sets must then
    have the same number of rows under that key.
    """
    key = [k for k in ROW_KEY if k in a.columns and k in b.columns]
    a, b = (
        f.assign(_occurrence=f.groupby(key, sort=False, dropna=False).cumcount()) for f in (a, b)
    )
    key = [*key, "_occurrence"]
    merged = a.merge(b[[*key, "label", "pred"]], on=key, how="outer", suffixes=("_a", "_b"))
    missing = merged["pred_a"].isna() | merged["pred_b"].isna()
    if missing.any():
        row = merged.loc[missing, key].iloc[0].to_dict()
        raise ValueError(
            f"the two prediction sets cover different rows ({int(missing.sum())} rows in only one, "
            f"e.g. {row}): they were not evaluated on the same data"
        )
    differs = merged["label_a"] != merged["label_b"]
    if differs.any():
        row = merged.loc[differs, key].iloc[0].to_dict()
        raise ValueError(
            f"gold labels differ on {int(differs.sum())} rows (e.g. {row}): not the same data"
        )
    return merged.rename(columns={"label_a": "label"}).drop(columns=["label_b", "_occurrence"])


def paired_bootstrap(
    a: pd.DataFrame,
    b: pd.DataFrame,
    label_space: Mapping[str, Sequence[str]],
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> dict[str, PairedDifference]:
    """Macro-F1 of ``b`` minus ``a``, overall ("") and per target, resampling whole articles."""
    if n_bootstrap < 1:
        raise ValueError(f"n_bootstrap must be at least 1, got {n_bootstrap}")
    rows = pair_rows(a, b)
    space = {t: labels for t, labels in label_space.items() if (rows["target"] == t).any()}
    if not space:
        raise ValueError("no rows of any target in the label space to compare")
    point: dict[str, tuple[float, float]] = {}
    for target, labels in space.items():
        sub = rows[rows["target"] == target]
        point[target] = (
            macro_f1(sub["label"], sub["pred_a"], labels),
            macro_f1(sub["label"], sub["pred_b"], labels),
        )
    point[""] = (
        float(np.mean([v[0] for v in point.values()])),
        float(np.mean([v[1] for v in point.values()])),
    )
    weights = resample_counts(rows["doc_id"].to_numpy(), n_bootstrap, seed)
    scores_a = bootstrap_scores(rows, space, weights, "pred_a")
    scores_b = bootstrap_scores(rows, space, weights, "pred_b")
    alpha = (1 - ci) / 2
    out = {}
    for key, (value_a, value_b) in point.items():
        diff = scores_b[key] - scores_a[key]
        diff = diff[~np.isnan(diff)]
        n = len(diff)
        p_better = float((np.sum(diff <= 0) + 1) / (n + 1))
        p_worse = float((np.sum(diff >= 0) + 1) / (n + 1))
        out[key] = PairedDifference(
            a=value_a,
            b=value_b,
            delta=value_b - value_a,
            ci_low=float(np.quantile(diff, alpha)) if n else float("nan"),
            ci_high=float(np.quantile(diff, 1 - alpha)) if n else float("nan"),
            p_better=p_better,
            p_worse=p_worse,
            p_value=min(1.0, 2 * min(p_better, p_worse)),
        )
    return out
