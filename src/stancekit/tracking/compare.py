"""``compare``: an experiment's runs side by side from their stored per-row predictions.

Runs are compared only on the same rows: the ``<split>_fingerprint`` tag (else ``data_fingerprint``)
groups them, the baseline's group is compared, every other run is set apart with a message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stancekit.evaluation.comparison import (
    Comparison,
    compare_predictions,
    comparison_figure,
    comparison_markdown,
    label_space_of,
)
from stancekit.tracking.registry import CHAMPION, finished_runs, pin_alias

log = logging.getLogger(__name__)
SKIPPED_KINDS = ("compare", "gate")


@dataclass
class ExperimentComparison:
    comparison: Comparison
    label_space: dict[str, list[str]]
    markdown: str
    set_apart: list[str] = field(default_factory=list)
    run_id: str | None = None  # the MLflow run holding the table and chart


def load_predictions(run_id: str, split: str) -> pd.DataFrame | None:
    """A run's ``predictions/<split>.csv`` (None when it has none)."""
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        local = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=f"predictions/{split}.csv"
        )
    except (MlflowException, OSError):
        return None
    return pd.read_csv(local, dtype={"doc_id": str, "actor_id": str}, keep_default_na=False)


def actor_types(actor_ids: pd.Series, gazetteer_path: str | Path | None = None) -> pd.Series:
    """Each actor's type from the gazetteer; ``discovered`` for ``new:`` actors, else ``other``."""
    from stancekit.actors.gazetteer import Gazetteer
    from stancekit.paths import project_root

    gaz = Gazetteer.load(gazetteer_path or project_root() / "conf" / "actors" / "gazetteer")

    def kind(actor_id: str) -> str:
        if actor_id in gaz:
            return gaz[actor_id].type
        return "discovered" if str(actor_id).startswith("new:") else "other"

    return actor_ids.map(kind)


def _runs(experiment: str) -> pd.DataFrame:
    runs = finished_runs(experiment)
    if "tags.kind" in runs.columns:
        runs = runs[~runs["tags.kind"].isin(SKIPPED_KINDS)]
    return runs


def _baseline_run(baseline: str | None, name: str, runs: pd.DataFrame, metric: str) -> str:
    if baseline in (None, "", "best"):
        ranked = ranked_runs_of(runs, metric)
        if not ranked:
            raise ValueError(f"no run has metric '{metric}' to choose a baseline by")
        return ranked[0]
    if baseline == CHAMPION:
        pinned = pin_alias(name, CHAMPION)
        if pinned is None or not pinned.run_id:
            raise ValueError(f"{name} has no champion to compare against")
        return pinned.run_id
    matches = [r for r in runs["run_id"] if str(r).startswith(str(baseline))]
    if len(matches) != 1:
        raise ValueError(f"baseline '{baseline}' matches {len(matches)} runs of the experiment")
    return str(matches[0])


def ranked_runs_of(runs: pd.DataFrame, metric: str) -> list[str]:
    col = f"metrics.{metric}"
    if col not in runs.columns:
        return []
    ranked = runs[runs[col].notna()].sort_values(col, ascending=False, kind="stable")
    return [str(r) for r in ranked["run_id"]]


def _run_name(run: pd.Series) -> str:
    """A run as the tables name it: its model, the sweep setting where it has one (runs of one
    sweep share a model name), and its id's first 8 characters."""
    name = run.get("tags.model") or run.get("tags.mlflow.runName") or "run"
    setting = run.get("tags.setting")
    if isinstance(setting, str) and setting:
        name = f"{name} [{setting}]"
    return f"{name} ({str(run['run_id'])[:8]})"


def compare_experiment(
    experiment: str,
    split: str = "val",
    baseline: str | None = None,
    registered_model: str = "stancekit-stance",
    metric: str = "val_macro_f1",
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
    log_run: bool = True,
) -> ExperimentComparison:
    """Compare every run of ``experiment`` that stored predictions for ``split``, against
    ``baseline`` (a run id or prefix, ``champion``, or the best run by ``metric``)."""
    runs = _runs(experiment)
    if runs.empty:
        raise ValueError(f"no finished run in '{experiment}'")
    if baseline == CHAMPION:
        champion_run = _baseline_run(baseline, registered_model, runs, metric)
        if champion_run not in set(runs["run_id"]):
            import mlflow

            extra = mlflow.search_runs(
                filter_string=f"attributes.run_id = '{champion_run}'", search_all_experiments=True
            )
            runs = pd.concat([runs, extra], ignore_index=True)
    base = _baseline_run(baseline, registered_model, runs, metric)
    fp_col = next(
        (c for c in (f"tags.{split}_fingerprint", "tags.data_fingerprint") if c in runs.columns),
        None,
    )
    fingerprint = {
        str(r["run_id"]): (str(r[fp_col]) if fp_col and pd.notna(r[fp_col]) else "")
        for _, r in runs.iterrows()
    }
    names = {str(r["run_id"]): _run_name(r) for _, r in runs.iterrows()}
    sets: dict[str, pd.DataFrame] = {}
    set_apart: list[str] = []
    for run_id in [base] + [r for r in map(str, runs["run_id"]) if r != base]:
        if run_id != base and fingerprint[run_id] != fingerprint[base]:
            set_apart.append(
                f"{names[run_id]}: evaluated on other data (fingerprint "
                f"{fingerprint[run_id][:12] or 'none'} vs the baseline's {fingerprint[base][:12] or 'none'})"
            )
            continue
        pred = load_predictions(run_id, split)
        if pred is None:
            if run_id == base:
                raise ValueError(f"the baseline {names[base]} stored no predictions/{split}.csv")
            set_apart.append(f"{names[run_id]}: no predictions/{split}.csv")
            continue
        sets[run_id] = pred
    space = label_space_of(list(sets.values()))
    for frame in sets.values():
        if "actor_id" in frame.columns:
            frame["actor_type"] = actor_types(frame["actor_id"])
    cmp = compare_predictions(sets, space, base, names, n_bootstrap, ci, seed)
    cmp.notes = [f"set apart, not compared: {s}" for s in set_apart]
    md = comparison_markdown(cmp, space, f"{experiment}: {split} rows, baseline {names[base]}")
    result = ExperimentComparison(cmp, space, md, set_apart)
    if log_run:
        result.run_id = _log_comparison(experiment, split, result)
    return result


def _log_comparison(experiment: str, split: str, result: ExperimentComparison) -> str:
    """The table (markdown, CSV), the breakdowns and the chart with intervals as an MLflow run."""
    import matplotlib.pyplot as plt
    import mlflow

    from stancekit.tracking.runs import ensure_experiment

    with mlflow.start_run(
        experiment_id=ensure_experiment(experiment), run_name=f"compare-{split}"
    ) as run:
        mlflow.set_tags({"kind": "compare", "split": split, "baseline": result.comparison.baseline})
        mlflow.log_text(result.markdown, "compare/compare.md")
        mlflow.log_text(result.comparison.table.to_csv(index=False), "compare/compare.csv")
        mlflow.log_text(result.comparison.breakdown.to_csv(index=False), "compare/breakdown.csv")
        fig = comparison_figure(result.comparison, list(result.label_space))
        mlflow.log_figure(fig, "compare/macro_f1_intervals.png")
        plt.close(fig)
        return str(run.info.run_id)


def write_outputs(result: ExperimentComparison, folder: Path, stem: str) -> list[Path]:
    """``<stem>.md``, ``<stem>.csv`` (runs × metrics) and ``<stem>_breakdown.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.md", folder / f"{stem}.csv", folder / f"{stem}_breakdown.csv"]
    paths[0].write_text(result.markdown, encoding="utf-8")
    result.comparison.table.to_csv(paths[1], index=False)
    result.comparison.breakdown.to_csv(paths[2], index=False)
    return paths
