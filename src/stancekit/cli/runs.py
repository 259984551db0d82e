"""Commands on models and runs: ``cv``, ``evaluate``, ``compare``, ``promote``, ``demo``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from omegaconf import DictConfig

from stancekit.cli.common import TrackingOpt, console, one_line_errors, tracking


@one_line_errors
def cv(
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="config overrides, e.g. data=actor_stance model=tfidf_svm"),
    ] = None,
    folds: Annotated[
        int | None, typer.Option(help="folds by article (default: cv.folds, 5)")
    ] = None,
    log: Annotated[bool, typer.Option(help="log an MLflow run with the cv_* metrics")] = True,
    splits: Annotated[
        str | None,
        typer.Option(
            help="only rows of these splits, comma-separated (e.g. train,val); default all"
        ),
    ] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Cross-validate a model with folds by article; print macro-F1 per target with intervals.
    To cross-validate a grid of settings, use the Hydra multirun `python -m stancekit.cv -m ...`."""
    from stancekit.cli.render import cv_tables
    from stancekit.config import compose
    from stancekit.training.cv import cross_validate, cv_settings

    cfg = compose(overrides or [])
    cfg_folds, cfg_splits = cv_settings(cfg)
    folds = folds or cfg_folds
    chosen = [s.strip() for s in splits.split(",") if s.strip()] if splits else None
    chosen = chosen or cfg_splits
    metrics, pred = cross_validate(cfg, folds, splits=chosen)
    cv_tables(
        metrics,
        cfg.model.name,
        cfg.data.name,
        cfg.data.get("loader"),
        list(cfg.data.targets),
        folds,
    )
    if log and cfg.tracking.enabled:
        from stancekit.tracking.runs import log_cv_run

        tracking(tracking_uri or cfg.tracking.get("uri"))
        log_cv_run(cfg, metrics, pred, chosen)


@one_line_errors
def evaluate(
    model: Annotated[
        str,
        typer.Option(help="model URI (models:/name@alias, runs:/..., models:/m-...) or a folder"),
    ],
    overrides: Annotated[
        list[str] | None, typer.Argument(help="config overrides, e.g. data=newsmtsc data.path=FILE")
    ] = None,
    split: Annotated[
        str, typer.Option(help="test | val | train | all rows the adapter reads")
    ] = "all",
    output: Annotated[Path | None, typer.Option(help="metrics JSON")] = None,
    log: Annotated[
        bool,
        typer.Option(help="log a run: metrics and per-row predictions (predictions/eval.csv)"),
    ] = True,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Evaluate a model on any data an adapter reads: macro-F1 with intervals and the official metric.
    The run it logs compares with others on the same rows: `stancekit compare --split eval`."""
    from stancekit.cli.render import metrics_table
    from stancekit.config import compose
    from stancekit.evaluation.evaluate import evaluate_model
    from stancekit.models import load_model
    from stancekit.tracking.loading import stancekit_model_dir

    tracking(tracking_uri)
    cfg = compose(overrides or [])
    result = evaluate_model(load_model(stancekit_model_dir(model)), cfg, split)
    for note in result.notes:
        console.print(note, markup=False)
    shown = {
        k: v
        for k, v in result.metrics.items()
        if "_ci_" not in k and "_support_" not in k and not k.startswith("eval_f1_")
    }
    metrics_table(shown, f"{model} on {cfg.data.name} ({split}, {len(result.pred)} rows)", 4)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(result.metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    if log and cfg.tracking.enabled:
        from stancekit.tracking.runs import log_evaluation

        run_id = log_evaluation(cfg, model, result.metrics, result.pred, split)
        console.print(f"logged run {run_id} (experiment {cfg.tracking.experiment})")


@one_line_errors
def compare(
    experiment: Annotated[str, typer.Option(help="MLflow experiment name")],
    split: Annotated[
        str,
        typer.Option(help="whose stored predictions: val | test | cv (predictions/<split>.csv)"),
    ] = "val",
    baseline: Annotated[
        str | None,
        typer.Option(help="run id (or prefix) or `champion`; default the best run by --metric"),
    ] = None,
    metric: Annotated[str, typer.Option(help="logged metric that picks the default baseline")] = (
        "val_macro_f1"
    ),
    name: Annotated[str, typer.Option(help="registered model (for --baseline champion)")] = (
        "stancekit-stance"
    ),
    bootstrap: Annotated[int, typer.Option(help="bootstrap resamples (by article)")] = 1000,
    output_dir: Annotated[
        Path | None, typer.Option(help="markdown + CSV files (default reports/)")
    ] = None,
    log: Annotated[bool, typer.Option(help="log the table and chart as an MLflow run")] = True,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Runs × metrics with intervals, paired p-values against a baseline, breakdowns by language,
    target and actor type; runs evaluated on other data are set apart."""
    from stancekit.cli.render import comparison_tables
    from stancekit.paths import project_root
    from stancekit.tracking.compare import compare_experiment, write_outputs

    tracking(tracking_uri)
    result = compare_experiment(
        experiment, split, baseline, name, metric, n_bootstrap=bootstrap, log_run=log
    )
    comparison_tables(result.comparison, result.label_space)
    paths = write_outputs(
        result, output_dir or project_root() / "reports", f"compare_{experiment}_{split}"
    )
    console.print("written to " + ", ".join(str(p) for p in paths))


@one_line_errors
def promote(
    experiment: Annotated[
        str | None, typer.Option(help="MLflow experiment whose best run is the challenger")
    ] = None,
    run: Annotated[str | None, typer.Option(help="the challenger's run id instead")] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Argument(
            help="config overrides: gate=strict, gate.alpha=0.01; data=... judges on that data"
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="registered model name")] = "stancekit-stance",
    report: Annotated[Path | None, typer.Option(help="JSON report of the decision")] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """The gate: challenger vs champion on the frozen test set by the rule in conf/gate/.
    Exit 0: promoted; 10: champion kept; 1: error (champion untouched)."""
    from stancekit.cli.render import gate_decision
    from stancekit.tracking.gate import GateRule
    from stancekit.tracking.promotion import promote as run_gate

    tracking(tracking_uri)
    cfg, data_cfg = _gate_config(overrides or [])
    decision = run_gate(GateRule.from_config(cfg.gate), name, experiment, run, data_cfg, report)
    gate_decision(decision)
    raise typer.Exit(decision.exit_code)


def _gate_config(overrides: list[str]) -> tuple[DictConfig, DictConfig | None]:
    """The composed config, and it as the data to judge on when an override names the data."""
    from stancekit.config import compose

    cfg = compose(overrides)
    data_keys = ("data", "actors", "train.", "seed", "paths")
    names_data = any(o.lstrip("+~").startswith(data_keys) for o in overrides)
    return cfg, (cfg if names_data else None)


def demo(
    skip_train: Annotated[bool, typer.Option(help="reuse the runs already in the store")] = False,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Train both TF-IDF families (Hydra multirun), compare, promote the best, score the example articles."""
    from stancekit.cli.score import score
    from stancekit.config import compose, path_of
    from stancekit.paths import project_root

    uri = tracking(tracking_uri)
    cfg = compose(["experiment=demo"])
    experiment = cfg.tracking.experiment
    if not skip_train:
        console.rule("1. train (Hydra multirun over model families)")
        subprocess.run(
            [sys.executable, "-m", "stancekit.train", "-m", "experiment=demo"],
            cwd=project_root(),
            env={**os.environ, "MLFLOW_TRACKING_URI": uri},
            check=True,
        )
    console.rule("2. compare")
    compare(experiment=experiment, tracking_uri=uri, bootstrap=200)
    console.rule("3. promote (the gate in conf/gate/default.yaml)")
    from stancekit.cli.render import gate_decision
    from stancekit.tracking.gate import GateRule
    from stancekit.tracking.promotion import promote as run_gate

    gate_decision(
        run_gate(GateRule.from_config(cfg.gate), cfg.tracking.registered_model, experiment)
    )
    console.rule("4. score with the champion")
    score(
        model=f"models:/{cfg.tracking.registered_model}@champion",
        input=path_of(cfg, cfg.data.score_input),
        output=path_of(cfg, cfg.paths.output_dir) / "demo_scores.jsonl",
        tracking_uri=uri,
    )
