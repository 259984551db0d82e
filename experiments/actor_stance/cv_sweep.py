"""Model selection by cross-validation by article on the annotated set outside the frozen slice.

    python experiments/actor_stance/cv_sweep.py --out experiments/actor_stance/cv_combined.json \\
        --setting "model=combined" --setting "model=combined model.two_stage=true" ...

Each ``--setting`` is a set of config overrides (on top of ``data=actor_stance``); the data are
prepared once and every setting is cross-validated on the same folds (5, by article, seeded).
Per setting: mean macro-F1 over the three targets, war and west F-avg, sentiment macro-F1, the
mean macro-F1 per language, each with a 95% interval from 1,000 bootstrap resamples of articles,
and the expected calibration error per target. Every setting is an MLflow run in the experiment
``actor_stance-cv`` with the out-of-fold predictions and the per-target reliability plot.
Results are appended to ``--out`` (one JSON object per setting, keyed by the setting).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.config import compose, flatten  # noqa: E402
from stancekit.data.schema import LABEL_SPACE  # noqa: E402
from stancekit.evaluation.metrics import evaluate_predictions, headline_with_ci  # noqa: E402
from stancekit.training.cv import cross_validate  # noqa: E402
from stancekit.training.train import prepare  # noqa: E402

LANGS = ("bg", "ru", "en")


def summarise(metrics: dict[str, float], pred, label_space) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The selection table's numbers for one setting's out-of-fold predictions."""
    out: dict[str, object] = {
        "macro_f1": [round(metrics[f"cv_macro_f1{s}"], 3) for s in ("", "_ci_low", "_ci_high")],
        "war_favg": headline_with_ci(pred, "war"),
        "west_favg": headline_with_ci(pred, "west"),
        "sentiment_macro_f1": headline_with_ci(pred, "sentiment"),
        "ece": {t: round(metrics[f"cv_ece_{t}"], 3) for t in label_space},
    }
    for lang in LANGS:
        sub = pred[pred["lang"] == lang]
        m = evaluate_predictions(sub, label_space, "lang", 1000, 0.95, 0)
        out[f"macro_f1_{lang}"] = [
            round(m[f"lang_macro_f1{s}"], 3) for s in ("", "_ci_low", "_ci_high")
        ]
        out[f"war_favg_{lang}"] = headline_with_ci(sub, "war")
        out[f"west_favg_{lang}"] = headline_with_ci(sub, "west")
    return out


def log_run(cfg, setting: str, metrics: dict[str, float], pred) -> str:  # type: ignore[no-untyped-def]
    import mlflow

    from stancekit.evaluation.plots import reliability_figure
    from stancekit.tracking.runs import ensure_experiment, setup_tracking

    setup_tracking(cfg.tracking.get("uri"))
    with mlflow.start_run(
        experiment_id=ensure_experiment(cfg.tracking.experiment), run_name=f"cv-{cfg.model.name}"
    ) as run:
        mlflow.set_tags({"model": cfg.model.name, "data": cfg.data.name, "kind": "cv"})
        mlflow.set_tag("setting", setting)
        mlflow.log_params({k: str(v)[:6000] for k, v in flatten(cfg).items()})
        mlflow.log_metrics(metrics)
        mlflow.log_figure(
            reliability_figure(
                pred["confidence"], pred["label"] == pred["pred"], groups=pred["target"]
            ),
            "plots/reliability_cv.png",
        )
        cols = ["doc_id", "lang", "actor_id", "target", "label", "pred", "confidence", "fold"]
        mlflow.log_text(pred[cols].to_csv(index=False), "predictions/cv.csv")
        return run.info.run_id


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--setting", action="append", required=True, help="config overrides")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    base = ["data=actor_stance", "tracking.experiment=actor_stance-cv"]
    frame = prepare(compose(base)).frame  # the frozen slice is held out by data.holdout
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    for setting in args.setting:
        cfg = compose([*base, *shlex.split(setting)])
        t0 = time.perf_counter()
        metrics, pred = cross_validate(cfg, args.folds, progress=True, frame=frame)
        label_space = {t: list(LABEL_SPACE[t]) for t in cfg.data.targets}
        row = summarise(metrics, pred, label_space)
        row["seconds"] = round(time.perf_counter() - t0)
        row["n_examples"] = len(frame)
        row["n_articles"] = int(frame["doc_id"].nunique())
        row["mlflow_run"] = log_run(cfg, setting, metrics, pred) if cfg.tracking.enabled else None
        results[setting] = row
        print(setting, json.dumps(row), flush=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
