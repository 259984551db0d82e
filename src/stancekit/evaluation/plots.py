"""Figures people would rather see than read: confusion matrices and reliability diagrams."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from stancekit.evaluation.metrics import ece  # noqa: E402


def confusion_figure(
    frame: pd.DataFrame, label_space: Mapping[str, Sequence[str]], title: str = ""
) -> Figure:
    targets = [t for t in label_space if (frame["target"] == t).any()]
    fig, axes = plt.subplots(
        1, max(1, len(targets)), figsize=(4.6 * max(1, len(targets)), 4.4), squeeze=False
    )
    for ax, target in zip(axes[0], targets, strict=False):
        labels = list(label_space[target])
        sub = frame[frame["target"] == target]
        m = np.zeros((len(labels), len(labels)), dtype=int)
        index = {lab: i for i, lab in enumerate(labels)}
        for a, p in zip(sub["label"], sub["pred"], strict=True):
            m[index[a], index[p]] += 1
        ax.imshow(m, cmap="Blues")
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(
                    j,
                    i,
                    str(m[i, j]),
                    ha="center",
                    va="center",
                    color="white" if m[i, j] > m.max() / 2 else "black",
                )
        ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("annotated")
        ax.set_title(target)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def reliability_figure(
    confidence: Sequence[float],
    correct: Sequence[bool],
    n_bins: int = 10,
    groups: Sequence[str] | None = None,
) -> Figure:
    """Accuracy against confidence of the predicted label; the diagonal is perfect calibration.

    With ``groups`` (e.g. each row's target), one curve per group, each with its own ECE.
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    names = np.asarray(groups if groups is not None else ["model"] * len(conf), dtype=object)
    edges = np.linspace(0, 1, n_bins + 1)
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    for name in dict.fromkeys(names):
        sel = names == name
        which = np.clip(np.digitize(conf[sel], edges[1:-1]), 0, n_bins - 1)
        bins = [b for b in range(n_bins) if (which == b).any()]
        ax.plot(
            [conf[sel][which == b].mean() for b in bins],
            [ok[sel][which == b].mean() for b in bins],
            "o-",
            label=f"{name} (ECE {ece(conf[sel], ok[sel], n_bins):.3f})",
        )
    ax.set_xlabel("confidence of predicted label")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return fig
