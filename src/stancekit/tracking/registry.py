"""The registry: ranking an experiment's runs, registering versions, moving aliases safely.

Aliases: ``champion`` is what scorers load (``models:/<name>@champion``); ``challenger`` is the
last version the gate judged. Only :mod:`stancekit.tracking.gate` moves ``champion``, and only
with :func:`move_alias`, which refuses when the alias moved since it was read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from stancekit.tracking.runs import MODEL_URI_TAG

log = logging.getLogger(__name__)
CHAMPION, CHALLENGER = "champion", "challenger"
DESCRIPTION = "Actor stance toward the war and the West (stancekit)"


class AliasMoved(RuntimeError):
    """The alias no longer points where it pointed when the decision was taken."""


def finished_runs(experiment: str) -> pd.DataFrame:
    """Every finished run of ``experiment`` (``mlflow.search_runs``'s frame); an unknown
    experiment is an error naming the tracking store."""
    import mlflow

    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        raise ValueError(
            f"no MLflow experiment named '{experiment}' at {mlflow.get_tracking_uri()}"
        )
    runs: pd.DataFrame = mlflow.search_runs(
        experiment_ids=[exp.experiment_id], filter_string="attributes.status = 'FINISHED'"
    )
    return runs


def ranked_runs(experiment: str, metric: str = "val_macro_f1") -> pd.DataFrame:
    """The experiment's finished runs with ``metric``, best first (run_id, model, metric, has_model)."""
    runs = finished_runs(experiment)
    if runs.empty or f"metrics.{metric}" not in runs.columns:
        raise ValueError(f"no finished run in '{experiment}' has metric '{metric}'")
    runs = runs[runs[f"metrics.{metric}"].notna()]
    table = pd.DataFrame(
        {
            "run_id": runs["run_id"],
            "model": runs.get("tags.model", pd.Series([""] * len(runs), index=runs.index)),
            "start_time": runs["start_time"],
            metric: runs[f"metrics.{metric}"],
            "has_model": runs.get(
                f"tags.{MODEL_URI_TAG}", pd.Series([None] * len(runs), index=runs.index)
            ).notna(),
        }
    )
    return table.sort_values(metric, ascending=False, kind="stable").reset_index(drop=True)


def best_run(experiment: str, metric: str = "val_macro_f1") -> str:
    """The run with a logged model that ranks first by ``metric`` (the selection split)."""
    table = ranked_runs(experiment, metric)
    table = table[table["has_model"]]
    if table.empty:
        raise ValueError(f"no run in '{experiment}' logged a model to register")
    return str(table.iloc[0]["run_id"])


def model_uri_of(run_id: str) -> str:
    import mlflow

    uri = mlflow.get_run(run_id).data.tags.get(MODEL_URI_TAG)
    if not uri:
        raise ValueError(f"run {run_id} logged no model (no '{MODEL_URI_TAG}' tag)")
    return str(uri)


def ensure_version(name: str, run_id: str) -> str:
    """The registered version of the run's model, registering it (and the name) if needed."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name, description=DESCRIPTION)
    existing = client.search_model_versions(f"name='{name}' and run_id='{run_id}'")
    if existing:
        return str(max(int(v.version) for v in existing))
    return str(mlflow.register_model(model_uri_of(run_id), name).version)


@dataclass(frozen=True)
class Pinned:
    """A version read through an alias once; everything after uses this version, not the alias."""

    name: str
    alias: str
    version: str
    run_id: str | None

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def pin_alias(name: str, alias: str = CHAMPION) -> Pinned | None:
    """The version ``alias`` points at now (None when the alias or the model does not exist)."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        mv = MlflowClient().get_model_version_by_alias(name, alias)
    except MlflowException:
        return None
    return Pinned(name, alias, str(mv.version), mv.run_id)


def tag_version(name: str, version: str, tags: dict[str, str]) -> None:
    from mlflow import MlflowClient

    client = MlflowClient()
    for key, value in tags.items():
        client.set_model_version_tag(name, version, key, value)


def move_alias(name: str, alias: str, version: str, expected: str | None) -> None:
    """Point ``alias`` at ``version`` if it still points at ``expected`` (None: not set).

    MLflow has no compare-and-set; reading just before the write narrows the window to one round
    trip, and a move that happened while the gate evaluated is caught and refused.
    """
    from mlflow import MlflowClient

    now = pin_alias(name, alias)
    current = now.version if now else None
    if current != expected:
        was, now_at = (f"v{v}" if v else "nothing" for v in (expected, current))
        raise AliasMoved(
            f"'{alias}' of {name} moved from {was} to {now_at} while the gate ran; nothing was "
            "changed (run the gate again to judge against the new one)"
        )
    MlflowClient().set_registered_model_alias(name, alias, version)
