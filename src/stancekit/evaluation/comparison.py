"""Comparing prediction sets on the same rows: metrics with intervals, paired p-values against a
baseline, and breakdowns by language, target and actor type. No MLflow here: sets in, tables out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stancekit.evaluation.metrics import evaluate_predictions
from stancekit.evaluation.significance import paired_bootstrap

#: Columns a breakdown can group by (``actor_type`` is added by whoever knows the gazetteer).
BREAKDOWNS = ("lang", "target", "actor_type")


@dataclass
class Comparison:
    """``table``: one row per prediction set; ``breakdown``: long form (set, by, group, metric)."""

    table: pd.DataFrame
    breakdown: pd.DataFrame
    baseline: str
    notes: list[str]


def label_space_of(frames: Sequence[pd.DataFrame]) -> dict[str, list[str]]:
    """Each target's labels seen in gold or predictions, in LABELS.md order where it has them."""
    from stancekit.data.schema import LABEL_SPACE

    seen: dict[str, set[str]] = {}
    for frame in frames:
        for col in ("label", "pred"):
            for target, labels in frame.groupby("target")[col]:
                seen.setdefault(str(target), set()).update(map(str, labels))
    order = [t for t in LABEL_SPACE if t in seen] + sorted(set(seen) - set(LABEL_SPACE))
    space = {}
    for target in order:
        labels = seen[target]
        known = [lab for lab in LABEL_SPACE.get(target, ()) if lab in labels]
        space[target] = known + sorted(labels - set(known))
    return space


def compare_predictions(
    sets: Mapping[str, pd.DataFrame],
    label_space: Mapping[str, Sequence[str]],
    baseline: str,
    names: Mapping[str, str] | None = None,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> Comparison:
    """Every set's macro-F1 (overall, per target, per class) with intervals, and its paired
    bootstrap difference from ``baseline`` (the same rows, the same resamples)."""
    if baseline not in sets:
        raise ValueError(f"baseline '{baseline}' is not among the compared sets {sorted(sets)}")
    names = names or {}
    rows = []
    for key, frame in sets.items():
        m = evaluate_predictions(frame, label_space, "m", n_bootstrap, ci, seed)
        row: dict[str, object] = {"run": key, "name": names.get(key, key), "rows": len(frame)}
        for metric, value in m.items():
            if "_support_" in metric or "_accuracy_" in metric:
                continue
            row[metric.removeprefix("m_")] = value
        if key == baseline:
            row["baseline"] = True
        else:
            diff = paired_bootstrap(sets[baseline], frame, label_space, n_bootstrap, ci, seed)
            row["baseline"] = False
            for target, d in diff.items():
                suffix = f"_{target}" if target else ""
                row[f"delta{suffix}"] = d.delta
                row[f"delta{suffix}_ci_low"] = d.ci_low
                row[f"delta{suffix}_ci_high"] = d.ci_high
                row[f"p_value{suffix}"] = d.p_value
        rows.append(row)
    table = pd.DataFrame(rows).sort_values(
        ["baseline", "macro_f1"], ascending=[False, False], kind="stable"
    )
    return Comparison(
        table.reset_index(drop=True),
        breakdowns(sets, label_space, names, n_bootstrap, ci, seed),
        baseline,
        [],
    )


def breakdowns(
    sets: Mapping[str, pd.DataFrame],
    label_space: Mapping[str, Sequence[str]],
    names: Mapping[str, str] | None = None,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Macro-F1 with its interval per language, target and actor type (where the column exists)."""
    names = names or {}
    out = []
    for key, frame in sets.items():
        for by in BREAKDOWNS:
            if by not in frame.columns:
                continue
            for group, sub in frame.groupby(by, dropna=False):
                m = evaluate_predictions(sub, label_space, "m", n_bootstrap, ci, seed)
                if "m_macro_f1" not in m:
                    continue
                out.append(
                    {
                        "run": key,
                        "name": names.get(key, key),
                        "by": by,
                        "group": "" if pd.isna(group) else str(group),
                        "rows": len(sub),
                        "macro_f1": m["m_macro_f1"],
                        "ci_low": m.get("m_macro_f1_ci_low", np.nan),
                        "ci_high": m.get("m_macro_f1_ci_high", np.nan),
                    }
                )
    return pd.DataFrame(
        out, columns=["run", "name", "by", "group", "rows", "macro_f1", "ci_low", "ci_high"]
    )


def _interval(r: pd.Series, col: str) -> str:
    value = r.get(col)
    if value is None or pd.isna(value):
        return ""
    low, high = r.get(f"{col}_ci_low"), r.get(f"{col}_ci_high")
    if low is None or pd.isna(low):
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def _p(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.3f}"  # type: ignore[arg-type]


def summary_rows(
    cmp: Comparison, targets: Sequence[str], per_target: bool = True
) -> list[dict[str, str]]:
    """The main table as strings: metric [interval], difference from the baseline and p-value
    (``per_target``: also each target's macro-F1 and p-value)."""
    shown = []
    for _, r in cmp.table.iterrows():
        row = {"run": str(r["name"]), "macro_f1": _interval(r, "macro_f1")}
        if per_target:
            for t in targets:
                row[t] = _interval(r, f"macro_f1_{t}")
        if r["baseline"]:
            row["Δ vs baseline"], row["p"] = "baseline", ""
        else:
            row["Δ vs baseline"] = _interval(r, "delta")
            row["p"] = _p(r.get("p_value"))
        if per_target:
            for t in targets:
                row[f"p {t}"] = "" if r["baseline"] else _p(r.get(f"p_value_{t}"))
        shown.append(row)
    return shown


def target_p_rows(cmp: Comparison, targets: Sequence[str]) -> list[dict[str, str]]:
    """Each set's difference from the baseline per target, with its p-value."""
    shown = []
    for _, r in cmp.table[~cmp.table["baseline"].astype(bool)].iterrows():
        row = {"run": str(r["name"])}
        for t in targets:
            row[f"Δ {t}"] = _interval(r, f"delta_{t}")
            row[f"p {t}"] = _p(r.get(f"p_value_{t}"))
        shown.append(row)
    return shown


def class_rows(cmp: Comparison, label_space: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """Per-class F1: one row per (target, label), one column per set."""
    shown = []
    for t, labels in label_space.items():
        for lab in labels:
            col = f"f1_{t}_{lab}"
            if col not in cmp.table.columns:
                continue
            row = {"target": t, "label": lab}
            for _, r in cmp.table.iterrows():
                row[str(r["name"])] = f"{r[col]:.3f}" if pd.notna(r[col]) else ""
            shown.append(row)
    return shown


def breakdown_rows(cmp: Comparison, by: str) -> list[dict[str, str]]:
    """One breakdown as strings: a row per group, a column per set."""
    sub = cmp.breakdown[cmp.breakdown["by"] == by]
    shown: dict[str, dict[str, str]] = {}
    for _, r in sub.iterrows():
        row = shown.setdefault(str(r["group"]), {by: str(r["group"]), "rows": str(int(r["rows"]))})
        row[str(r["name"])] = _interval(
            pd.Series({"v": r["macro_f1"], "v_ci_low": r["ci_low"], "v_ci_high": r["ci_high"]}),
            "v",
        )
    return list(shown.values())


def markdown_table(rows: Sequence[Mapping[str, str]]) -> str:
    """A list of string rows as a markdown table (columns from the union of keys, in order)."""
    headers = list(dict.fromkeys(h for row in rows for h in row))
    if not headers:
        return ""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(row.get(h, "")) for h in headers) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def comparison_markdown(
    cmp: Comparison, label_space: Mapping[str, Sequence[str]], title: str
) -> str:
    """The whole comparison as one markdown document (fit for a pull-request comment)."""
    targets = list(label_space)
    parts = [f"## {title}\n"]
    parts += [f"> {note}\n" for note in cmp.notes]
    parts.append(
        "Macro-F1 with 95% bootstrap intervals (resampling articles); Δ and p against the "
        "baseline from a paired bootstrap on the same rows.\n"
    )
    parts.append(markdown_table(summary_rows(cmp, targets)))
    parts.append("\n### F1 per class\n")
    parts.append(markdown_table(class_rows(cmp, label_space)))
    for by in BREAKDOWNS:
        rows = breakdown_rows(cmp, by)
        if rows:
            parts.append(f"\n### Macro-F1 by {by.replace('_', ' ')}\n")
            parts.append(markdown_table(rows))
    return "\n".join(parts)


def comparison_figure(cmp: Comparison, targets: Sequence[str]):  # type: ignore[no-untyped-def]
    """Macro-F1 overall and per target of each set, with its interval as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["macro_f1", *[f"macro_f1_{t}" for t in targets]]
    table = cmp.table
    fig, ax = plt.subplots(figsize=(1.5 + 1.6 * len(metrics), 3.6))
    width = 0.8 / max(len(table), 1)
    x = np.arange(len(metrics))
    for i, (_, r) in enumerate(table.iterrows()):
        values = np.array([r.get(m, np.nan) for m in metrics], dtype=float)
        low = np.array([r.get(f"{m}_ci_low", np.nan) for m in metrics], dtype=float)
        high = np.array([r.get(f"{m}_ci_high", np.nan) for m in metrics], dtype=float)
        err = np.vstack([np.nan_to_num(values - low), np.nan_to_num(high - values)])
        ax.bar(x + i * width, values, width, yerr=err, capsize=3, label=str(r["name"])[:30])
    ax.set_xticks(x + width * (len(table) - 1) / 2, ["overall", *targets])
    ax.set_ylabel("macro-F1 (95% interval)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig
