from __future__ import annotations

from stancekit.config import compose
from stancekit.training.cv import cross_validate


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
