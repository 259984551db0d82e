"""Comparing runs and promoting the best to the registry: aliases `challenger` and `champion`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from stancekit.tracking.runs import MODEL_URI_TAG

log = logging.getLogger(__name__)
CHAMPION, CHALLENGER = "champion", "challenger"


def compare_runs(experiment: str, metric: str = "val_macro_f1") -> pd.DataFrame:
    """The experiment's finished runs, best first by ``metric``, with its interval and per-target values."""
    import mlflow

    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        raise ValueError(
            f"no MLflow experiment named '{experiment}' at {mlflow.get_tracking_uri()}"
        )
    runs = mlflow.search_runs(
        experiment_ids=[exp.experiment_id], filter_string="attributes.status = 'FINISHED'"
    )
    if runs.empty or f"metrics.{metric}" not in runs.columns:
        raise ValueError(f"no finished run in '{experiment}' has metric '{metric}'")
    runs = runs[runs[f"metrics.{metric}"].notna()]
    cols = {"run_id": "run_id", "tags.model": "model", "start_time": "start_time"}
    table = runs[[c for c in cols if c in runs.columns]].rename(columns=cols)
    table[metric] = runs[f"metrics.{metric}"]
    for suffix in ("ci_low", "ci_high"):
        if f"metrics.{metric}_{suffix}" in runs.columns:
            table[f"{metric}_{suffix}"] = runs[f"metrics.{metric}_{suffix}"]
    for col in sorted(
        c for c in runs.columns if c.startswith(f"metrics.{metric}_") and "_ci_" not in c
    ):
        table[col.removeprefix("metrics.")] = runs[col]
    table["has_model"] = (
        runs.get(f"tags.{MODEL_URI_TAG}", pd.Series([None] * len(runs))).notna().to_numpy()
    )
    return table.sort_values(metric, ascending=False, kind="stable").reset_index(drop=True)


def to_markdown(table: pd.DataFrame, metric: str = "val_macro_f1") -> str:
    """A markdown table, the metric shown with its 95% interval."""
    shown = []
    for _, r in table.iterrows():
        value = f"{r[metric]:.3f}"
        if f"{metric}_ci_low" in r and pd.notna(r[f"{metric}_ci_low"]):
            value += f" [{r[f'{metric}_ci_low']:.3f}, {r[f'{metric}_ci_high']:.3f}]"
        row = {"model": r.get("model", ""), metric: value}
        for col in table.columns:
            if col.startswith(f"{metric}_") and "ci_" not in col:
                row[col.removeprefix(f"{metric}_")] = f"{r[col]:.3f}" if pd.notna(r[col]) else ""
        row["run_id"] = r["run_id"][:8]
        shown.append(row)
    headers = list(shown[0]) if shown else ["model", metric]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(row.get(h, "")) for h in headers) + " |" for row in shown]
    return "\n".join(lines) + "\n"


@dataclass
class Promotion:
    promoted: bool
    name: str
    version: str
    run_id: str
    metric: str
    value: float
    previous_version: str | None
    previous_value: float | None
    reason: str


def _metric_of_run(run_id: str, metric: str) -> float | None:
    import mlflow

    value = mlflow.get_run(run_id).data.metrics.get(metric)
    return float(value) if value is not None else None


def promote(
    experiment: str,
    name: str = "stancekit-stance",
    metric: str = "val_macro_f1",
    min_delta: float = 0.0,
    force: bool = False,
) -> Promotion:
    """Register the experiment's best run as ``challenger``; move ``champion`` to it only if it wins.

    It wins when there is no champion yet, or its ``metric`` beats the champion's by more than
    ``min_delta`` (``force`` skips the comparison).
    """
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    table = compare_runs(experiment, metric)
    table = table[table["has_model"]]
    if table.empty:
        raise ValueError(f"no run in '{experiment}' logged a model to register")
    best = table.iloc[0]
    run_id, value = str(best["run_id"]), float(best[metric])
    client = MlflowClient()
    model_uri = mlflow.get_run(run_id).data.tags[MODEL_URI_TAG]

    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(
            name, description="Actor stance toward the war and the West (stancekit)"
        )
    existing = client.search_model_versions(f"name='{name}' and run_id='{run_id}'")
    mv = (
        existing[0]
        if existing
        else mlflow.register_model(model_uri, name, tags={metric: str(value)})
    )
    version = str(mv.version)
    client.set_registered_model_alias(name, CHALLENGER, version)

    previous_version = previous_value = None
    try:
        champ = client.get_model_version_by_alias(name, CHAMPION)
        previous_version = str(champ.version)
        previous_value = _metric_of_run(champ.run_id, metric) if champ.run_id else None
    except MlflowException:
        champ = None

    if champ is not None and previous_version == version:
        return Promotion(
            False,
            name,
            version,
            run_id,
            metric,
            value,
            previous_version,
            previous_value,
            "the best run is already the champion",
        )
    if force or champ is None or previous_value is None or value > previous_value + min_delta:
        client.set_registered_model_alias(name, CHAMPION, version)
        reason = (
            "forced"
            if force
            else (
                "no champion yet"
                if champ is None
                else f"{metric} {value:.4f} beats {previous_value:.4f}"
            )
        )
        return Promotion(
            True, name, version, run_id, metric, value, previous_version, previous_value, reason
        )
    return Promotion(
        False,
        name,
        version,
        run_id,
        metric,
        value,
        previous_version,
        previous_value,
        f"{metric} {value:.4f} does not beat the champion's {previous_value:.4f} by > {min_delta}",
    )
