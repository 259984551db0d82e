"""``promote``: choose the challenger, judge it against the pinned champion, record, then move."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from stancekit.evaluation.comparison import label_space_of
from stancekit.tracking.gate import GateDecision, GateRule, _step, decide
from stancekit.tracking.registry import (
    CHALLENGER,
    CHAMPION,
    Pinned,
    best_run,
    ensure_version,
    model_uri_of,
    move_alias,
    pin_alias,
    tag_version,
)

log = logging.getLogger(__name__)


class GateRefused(ValueError):
    """The gate cannot judge fairly (a different test set, no rows): an error, not a "kept"."""


def run_config(run_id: str) -> DictConfig | None:
    """The resolved config a training run logged (``config/resolved.yaml``), if any."""
    import mlflow
    import yaml
    from mlflow.exceptions import MlflowException

    try:
        text = mlflow.artifacts.load_text(f"runs:/{run_id}/config/resolved.yaml")
    except (MlflowException, OSError):
        return None
    cfg = OmegaConf.create(yaml.safe_load(text))
    assert isinstance(cfg, DictConfig)
    return cfg


def frozen_test_rows(cfg: DictConfig, split: str) -> tuple[pd.DataFrame, str]:
    """The rows of ``split`` of the data ``cfg`` describes, and their fingerprint."""
    from stancekit.training.examples import split_fingerprint
    from stancekit.training.train import prepare

    frame = prepare(cfg).frame
    rows = frame[frame["split"] == split]
    if rows.empty:
        raise GateRefused(f"the data '{cfg.data.name}' has no rows in split '{split}' to judge on")
    return rows, split_fingerprint(frame, split)


def predict_with(model_uri: str, rows: pd.DataFrame) -> pd.DataFrame:
    """A registered or logged stancekit model's predictions for prepared rows."""
    from stancekit.models import load_model
    from stancekit.tracking.loading import stancekit_model_dir
    from stancekit.training.train import predict_frame

    return predict_frame(load_model(stancekit_model_dir(model_uri)), rows)


def _tag(run_id: str | None, key: str) -> str | None:
    import mlflow

    if not run_id:
        return None
    return mlflow.get_run(run_id).data.tags.get(key)


def promote(
    rule: GateRule,
    name: str,
    experiment: str | None = None,
    run_id: str | None = None,
    data_cfg: DictConfig | None = None,
    report: Path | None = None,
) -> GateDecision:
    """Judge a challenger (``run_id``, or the best run of ``experiment`` by ``rule.rank_metric``)
    against the current champion on the frozen test set; move ``champion`` only if the rule passes.
    """
    if run_id is None:
        if experiment is None:
            raise ValueError("give the experiment to choose the challenger from, or its run id")
        run_id = best_run(experiment, rule.rank_metric)
    model_uri_of(run_id)  # fails early when the run has no model
    champion = pin_alias(name, CHAMPION)  # read once; this version is judged, whatever happens
    now = datetime.now(UTC).isoformat(timespec="seconds")
    decision = GateDecision(
        promoted=False,
        reason="",
        name=name,
        challenger_version=None,
        challenger_run=run_id,
        champion_version=champion.version if champion else None,
        champion_run=champion.run_id if champion else None,
        metric=rule.metric,
        test_split=rule.split,
        rule=rule.__dict__.copy(),
        decided_at=now,
    )
    if champion is not None and champion.run_id == run_id:
        decision.challenger_version = champion.version
        decision.reason = f"the challenger (run {run_id[:8]}) is already the champion"
        return _finish(decision, None, None, report)

    cfg = data_cfg if data_cfg is not None else run_config(run_id)
    if cfg is None:
        raise GateRefused(f"run {run_id} logged no config/resolved.yaml; give the data overrides")
    rows, fp = frozen_test_rows(cfg, rule.split)
    decision.test_fingerprint, decision.test_rows = fp, len(rows)
    if rule.test_fingerprint and fp != rule.test_fingerprint:
        raise GateRefused(
            f"the '{rule.split}' rows of '{cfg.data.name}' have fingerprint {fp[:12]}, not the "
            f"frozen test set {rule.test_fingerprint[:12]} that gate.test_fingerprint pins"
        )
    trained_with = _tag(run_id, f"{rule.split}_fingerprint")
    if trained_with and trained_with != fp:
        raise GateRefused(
            f"the challenger (run {run_id[:8]}) was trained with another '{rule.split}' set "
            f"({trained_with[:12]}, here {fp[:12]}): its training rows may include these test rows"
        )
    champion_fp = _tag(champion.run_id if champion else None, f"{rule.split}_fingerprint")
    if champion is not None and champion_fp != fp:
        decision.notes.append(
            f"the champion v{champion.version} was trained with another held-out set; if some "
            "of these rows were in its training data, it is favoured (the gate errs towards keeping)"
        )

    challenger_pred = predict_with(model_uri_of(run_id), rows)
    champion_pred = predict_with(champion.uri, rows) if champion else None
    _step("evaluated")
    space = label_space_of([p for p in (challenger_pred, champion_pred) if p is not None])
    passed, checks, ours, theirs, diffs = decide(rule, challenger_pred, champion_pred, space)
    decision.promoted, decision.checks = passed, checks
    decision.challenger_metrics, decision.champion_metrics = ours, theirs
    decision.differences = diffs
    failed = [c for c in checks if not c.passed]
    decision.reason = ("no champion yet; " if champion is None else "") + (
        "; ".join(c.detail for c in checks) if passed else "; ".join(c.detail for c in failed)
    )

    decision.challenger_version = ensure_version(name, run_id)
    return _finish(decision, challenger_pred, champion_pred, report, champion)


def _finish(
    decision: GateDecision,
    challenger_pred: pd.DataFrame | None,
    champion_pred: pd.DataFrame | None,
    report: Path | None,
    champion: Pinned | None = None,
) -> GateDecision:
    """Record the decision (gate run, version tags, report), then move the aliases."""
    if challenger_pred is not None:
        decision.gate_run = _log_gate_run(decision, challenger_pred, champion_pred)
        _step("logged")
        assert decision.challenger_version is not None
        tag_version(decision.name, decision.challenger_version, _version_tags(decision))
        _step("tagged")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(decision.to_json(), encoding="utf-8")
    _step("reported")
    if decision.promoted and decision.challenger_version is not None:
        move_alias(
            decision.name,
            CHAMPION,
            decision.challenger_version,
            champion.version if champion else None,
        )
        _step("moved")
    if challenger_pred is not None and decision.challenger_version is not None:
        from mlflow import MlflowClient

        MlflowClient().set_registered_model_alias(
            decision.name, CHALLENGER, decision.challenger_version
        )
    return decision


def _version_tags(d: GateDecision) -> dict[str, str]:
    main = d.differences.get(d.metric.removeprefix("macro_f1").removeprefix("_") or "overall", {})
    tags = {
        "gate.decision": "promoted" if d.promoted else "kept",
        "gate.reason": d.reason[:4000],
        "gate.decided_at": d.decided_at,
        "gate.metric": d.metric,
        "gate.value": f"{d.challenger_metrics.get(d.metric, float('nan')):.4f}",
        "gate.champion_version": d.champion_version or "",
        "gate.champion_value": (
            f"{d.champion_metrics[d.metric]:.4f}" if d.metric in d.champion_metrics else ""
        ),
        "gate.test_fingerprint": d.test_fingerprint,
        "gate.test_rows": str(d.test_rows),
        "gate.run_id": d.gate_run or "",
    }
    if main:
        tags["gate.delta"] = f"{main['delta']:+.4f}"
        tags["gate.p_value"] = f"{main['p_better']:.4f}"
    return tags


def _log_gate_run(
    d: GateDecision, challenger_pred: pd.DataFrame, champion_pred: pd.DataFrame | None
) -> str:
    """One MLflow run per decision: both prediction sets on the frozen rows, numbers and report."""
    import mlflow

    from stancekit.tracking.runs import log_predictions

    experiment_id = mlflow.get_run(d.challenger_run).info.experiment_id
    with mlflow.start_run(
        experiment_id=experiment_id, run_name=f"gate-{d.name}-v{d.challenger_version}"
    ) as run:
        mlflow.set_tags(
            {
                "kind": "gate",
                "gate.decision": "promoted" if d.promoted else "kept",
                "challenger_run": d.challenger_run,
                "challenger_version": d.challenger_version or "",
                "champion_version": d.champion_version or "",
                f"{d.test_split}_fingerprint": d.test_fingerprint,
            }
        )
        mlflow.log_metrics({f"challenger_{k}": v for k, v in d.challenger_metrics.items()})
        mlflow.log_metrics({f"champion_{k}": v for k, v in d.champion_metrics.items()})
        log_predictions(challenger_pred, "challenger")
        if champion_pred is not None:
            log_predictions(champion_pred, "champion")
        d.gate_run = run.info.run_id
        mlflow.log_text(d.to_json(), "gate_report.json")
        return str(run.info.run_id)
