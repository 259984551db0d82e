"""Commands on models and runs: ``cv``, ``evaluate``, ``compare``, ``promote``, ``demo``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from stancekit.cli.common import TrackingOpt, console, one_line_errors, tracking


@one_line_errors
def cv(
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="config overrides, e.g. data=actor_stance model=tfidf_svm"),
    ] = None,
    folds: Annotated[int, typer.Option(help="folds by article")] = 5,
    log: Annotated[bool, typer.Option(help="log an MLflow run with the cv_* metrics")] = True,
    splits: Annotated[
        str | None,
        typer.Option(
            help="only rows of these splits, comma-separated (e.g. train,val); default all"
        ),
    ] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Cross-validate a model with folds by article; print macro-F1 per target with intervals."""
    from stancekit.cli.render import cv_tables
    from stancekit.config import compose
    from stancekit.training.cv import cross_validate

    cfg = compose(overrides or [])
    chosen = [s.strip() for s in splits.split(",") if s.strip()] if splits else None
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
    tracking_uri: TrackingOpt = None,
) -> None:
    """Evaluate a model on any data an adapter reads: macro-F1 with intervals and the official metric."""
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


@one_line_errors
def compare(
    experiment: Annotated[str, typer.Option(help="MLflow experiment name")],
    metric: Annotated[str, typer.Option(help="metric to rank by")] = "val_macro_f1",
    output: Annotated[
        Path | None, typer.Option(help="markdown file (default reports/compare_<experiment>.md)")
    ] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Rank an experiment's runs by a metric; print the table and write it as markdown."""
    from stancekit.paths import project_root
    from stancekit.tracking.registry import compare_runs, to_markdown

    tracking(tracking_uri)
    md = to_markdown(compare_runs(experiment, metric), metric)
    output = output or project_root() / "reports" / f"compare_{experiment}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(f"# {experiment}: runs by {metric}\n\n{md}", encoding="utf-8")
    console.print(md, markup=False)
    console.print(f"written to {output}")


@one_line_errors
def promote(
    experiment: Annotated[
        str, typer.Option(help="MLflow experiment whose best run is the challenger")
    ],
    metric: Annotated[str, typer.Option(help="metric to compare")] = "val_macro_f1",
    name: Annotated[str, typer.Option(help="registered model name")] = "stancekit-stance",
    min_delta: Annotated[
        float, typer.Option(help="margin the challenger must beat the champion by")
    ] = 0.0,
    force: Annotated[
        bool, typer.Option(help="move `champion` whatever the comparison says")
    ] = False,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Register the best run as `challenger`; make it `champion` only if it beats the current one."""
    from stancekit.tracking.registry import promote as do_promote

    tracking(tracking_uri)
    p = do_promote(experiment, name=name, metric=metric, min_delta=min_delta, force=force)
    verb = "promoted" if p.promoted else "kept champion"
    console.print(
        f"{verb}: {p.name} v{p.version} (run {p.run_id[:8]}, {p.metric}={p.value:.4f}); {p.reason}"
    )


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
    compare(experiment=experiment, tracking_uri=uri)
    console.rule("3. promote")
    promote(experiment=experiment, name=cfg.tracking.registered_model, tracking_uri=uri)
    console.rule("4. score with the champion")
    score(
        model=f"models:/{cfg.tracking.registered_model}@champion",
        input=path_of(cfg, cfg.data.score_input),
        output=path_of(cfg, cfg.paths.output_dir) / "demo_scores.jsonl",
        tracking_uri=uri,
    )
