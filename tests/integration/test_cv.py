from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stancekit.config import compose
from stancekit.training.cv import cross_validate
from tests.conftest import ROOT


def test_cv_predicts_every_example_once_out_of_fold(tiny_overrides: list[str]) -> None:
    cfg = compose([*tiny_overrides, "tracking=none"])
    metrics, pred = cross_validate(cfg, folds=3, progress=False)
    assert pred.index.is_unique and len(pred) == metrics["n_examples"]
    # an article's rows all come from the same fold
    assert (pred.groupby("doc_id")["fold"].nunique() == 1).all()
    assert 0 <= metrics["cv_macro_f1"] <= 1
    assert metrics["cv_macro_f1_ci_low"] <= metrics["cv_macro_f1"] <= metrics["cv_macro_f1_ci_high"]


def test_cv_run_logs_metrics_predictions_and_the_reliability_plot(
    tiny_overrides: list[str],
) -> None:
    import mlflow

    from stancekit.tracking.runs import log_cv_run, setup_tracking

    cfg = compose(tiny_overrides)
    metrics, pred = cross_validate(cfg, folds=3, progress=False)
    setup_tracking(cfg.tracking.uri)
    run_id = log_cv_run(cfg, metrics, pred, None)
    run = mlflow.get_run(run_id)
    assert run.data.tags["kind"] == "cv" and "cv_macro_f1" in run.data.metrics
    logged = {a.path for a in mlflow.artifacts.list_artifacts(run_id=run_id, artifact_path="plots")}
    assert "plots/reliability_cv.png" in logged


def test_hydra_multirun_cross_validates_every_setting(
    tiny_overrides: list[str], tmp_path: Path
) -> None:
    """`python -m stancekit.cv -m ...`: one logged cv run per combination, in one Hydra sweep."""
    import mlflow

    overrides = [o for o in tiny_overrides if not o.startswith("tracking.uri=")]
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    cmd = [
        sys.executable,
        "-m",
        "stancekit.cv",
        "-m",
        *overrides,
        "model=majority,tfidf_logreg",
        "cv.folds=2",
        "tracking.experiment=cv-grid",
        f"paths.log_dir={tmp_path}/logs",
    ]
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.count("cv_macro_f1 = ") + proc.stderr.count("cv_macro_f1 = ") == 2
    assert len(list((tmp_path / "logs" / "multiruns").glob("*/*_cv.folds=2,model=*"))) == 2
    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(experiment_names=["cv-grid"])
    assert sorted(runs["tags.model"]) == ["majority", "tfidf_logreg"]
    assert set(runs["tags.kind"]) == {"cv"} and runs["metrics.cv_macro_f1"].notna().all()
    assert set(runs["metrics.cv_folds"]) == {2.0}
    # each run says which setting of the sweep it is (file paths left out), and compare shows it
    assert sorted(runs["tags.setting"]) == [
        "cv.folds=2,model=majority,train.bootstrap=30",
        "cv.folds=2,model=tfidf_logreg,train.bootstrap=30",
    ]
    from stancekit.tracking.compare import compare_experiment

    result = compare_experiment("cv-grid", split="cv", metric="cv_macro_f1", log_run=False)
    assert "majority [cv.folds=2,model=majority,train.bootstrap=30]" in result.markdown
