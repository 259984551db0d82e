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

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.config import build_model, compose, flatten  # noqa: E402
from stancekit.data.schema import LABEL_SPACE  # noqa: E402
from stancekit.evaluation.metrics import evaluate_predictions, headline_with_ci  # noqa: E402
from stancekit.models.base import StanceModel, class_name, model_input  # noqa: E402
from stancekit.models.embedding import EmbeddingStanceModel  # noqa: E402
from stancekit.models.tfidf import TfidfStanceModel  # noqa: E402
from stancekit.training.cv import article_folds  # noqa: E402
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


def family_out_of_fold(cfg, family: str, frame, folds, store: Path | None, only=None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """One of the combined model's families (``tfidf`` or ``embedding``, with the combined config's
    settings for it) fitted once per outer fold: its out-of-fold probabilities (over the model's
    classes) for every row. The TF-IDF settings are model=tfidf_logreg's and the embedding ones
    model=embed_e5's, so these are also those models' cross-validation. Each fold's part is kept in
    ``store`` (``<store>.fold<k>.npy``), so folds can run in separate processes (``only``)."""
    space = {t: list(LABEL_SPACE[t]) for t in cfg.data.targets}
    out = np.zeros((len(frame), sum(len(v) for v in space.values())))
    for k, (train_idx, test_idx) in enumerate(tqdm(folds, desc=f"{family} folds")):
        part = store.with_suffix(f".fold{k}.npy") if store else None
        if part is not None and part.exists():
            out[test_idx] = np.load(part)
            continue
        if only is not None and k not in only:
            continue
        train = frame.iloc[train_idx]
        model: StanceModel
        if family == "tfidf":
            model = TfidfStanceModel(**cfg.model.tfidf, label_space=space)
        else:
            model = EmbeddingStanceModel(**cfg.model.embedding, label_space=space)
        model.fit(model_input(train), train["label"].tolist())
        out[test_idx] = model.predict_proba(model_input(frame.iloc[test_idx]))
        if part is not None:
            np.save(part, out[test_idx])
    return out


def to_predictions(frame, proba: np.ndarray, classes: list[str], fold: np.ndarray):  # type: ignore[no-untyped-def]
    """Rows with ``pred``, ``confidence`` and ``proba`` (within the row's target) from a matrix."""
    out = frame.copy()
    index = {c: i for i, c in enumerate(classes)}
    probas = [
        {lab: float(proba[r, index[class_name(t, lab)]]) for lab in LABEL_SPACE[t]}
        for r, t in enumerate(frame["target"])
    ]
    out["pred"] = [max(p, key=p.__getitem__) for p in probas]
    out["confidence"] = [max(p.values()) for p in probas]
    out["proba"] = probas
    return out.assign(fold=fold)


def stacked_cv(cfg, frame, folds, level0: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    """Out-of-fold predictions of a combined setting whose families' probabilities come from
    ``level0`` (by family): each fold's combiners are fitted on the other folds' rows and their
    probabilities."""
    proba = np.zeros_like(next(iter(level0.values())))
    fold_of = np.zeros(len(frame), dtype=int)
    model = None
    for k, (train_idx, test_idx) in enumerate(folds):
        model = build_model(cfg.model)
        model.label_space = {t: list(LABEL_SPACE[t]) for t in cfg.data.targets}
        used = [f for f in ("tfidf", "embedding") if getattr(model, f) is not None]

        def given(idx: np.ndarray, used: list[str] = used) -> dict[str, np.ndarray]:
            return {f: level0[f][idx] for f in used}

        train, test = frame.iloc[train_idx], frame.iloc[test_idx]
        model.fit_combiners(model_input(train), train["label"].tolist(), given(train_idx))
        raw = model.combine_probas(model_input(test), given(test_idx))
        proba[test_idx] = raw / np.where(
            raw.sum(axis=1, keepdims=True) > 0, raw.sum(axis=1, keepdims=True), 1
        )
        fold_of[test_idx] = k
    assert model is not None
    return to_predictions(frame, proba, model.classes_, fold_of)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--setting", action="append", required=True, help="config overrides")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--level0", type=Path, help="a .npy file keeping the TF-IDF out-of-fold probabilities"
    )
    ap.add_argument(
        "--level0-embedding",
        type=Path,
        help="a .npy file keeping the embedding family's out-of-fold probabilities",
    )
    ap.add_argument("--base", action="append", default=[], help="overrides for every setting")
    ap.add_argument("--examples", type=Path, help="the rows prepare() gives, saved as parquet")
    ap.add_argument(
        "--only-folds", help="compute just these folds' level-0 parts (e.g. 0,3), then stop"
    )
    args = ap.parse_args()
    base = ["data=actor_stance", "tracking.experiment=actor_stance-cv", *args.base]
    cfg0 = compose([*base, "model=combined"])
    # the frozen slice is held out by data.holdout; --examples: the same rows prepared before
    frame = pd.read_parquet(args.examples) if args.examples else prepare(cfg0).frame
    folds = article_folds(frame, list(cfg0.data.targets), args.folds, cfg0.seed)
    fold_of = np.zeros(len(frame), dtype=int)
    for k, (_, test_idx) in enumerate(folds):
        fold_of[test_idx] = k
    settings = {s: compose([*base, *shlex.split(s)]) for s in args.setting}
    needs_embedding = any(
        c.model.name == "embed_e5" or (c.model.name == "combined" and c.model.get("embedding"))
        for c in settings.values()
    )
    stores = {"tfidf": args.level0, "embedding": args.level0_embedding}
    families = ["tfidf", "embedding"] if needs_embedding else ["tfidf"]
    t0 = time.perf_counter()
    if args.only_folds:
        only = {int(k) for k in args.only_folds.split(",")}
        for family in families:
            family_out_of_fold(cfg0, family, frame, folds, stores[family], only)
        return
    level0: dict[str, np.ndarray] = {}
    for family in families:
        store = stores[family]
        if store and store.exists():
            level0[family] = np.load(store)
            assert len(level0[family]) == len(frame), f"{store} was computed on other rows"
        else:
            level0[family] = family_out_of_fold(cfg0, family, frame, folds, store)
            if store:
                np.save(store, level0[family])
    level0_s = time.perf_counter() - t0
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    label_space = {t: list(LABEL_SPACE[t]) for t in cfg0.data.targets}
    classes = [class_name(t, lab) for t, labs in label_space.items() for lab in labs]
    for setting, cfg in settings.items():
        t0 = time.perf_counter()
        if cfg.model.name in ("tfidf_logreg", "embed_e5"):
            family = "tfidf" if cfg.model.name == "tfidf_logreg" else "embedding"
            same = all(cfg.model[k] == v for k, v in cfg0.model[family].items())
            assert same, f"the level-0 {family} settings differ from model={cfg.model.name}'s"
            pred = to_predictions(frame, level0[family], classes, fold_of)
        elif cfg.model.name == "combined":
            for family in ("tfidf", "embedding"):
                given = cfg.model.get(family)
                assert given is None or given == cfg0.model[family], f"{setting}: {family} differs"
            pred = stacked_cv(cfg, frame, folds, level0)
        else:
            raise SystemExit(f"{setting}: only model=tfidf_logreg, embed_e5 and combined")
        metrics = evaluate_predictions(pred, label_space, "cv", 1000, 0.95, cfg.seed)
        row = summarise(metrics, pred, label_space)
        row["seconds"] = round(time.perf_counter() - t0 + level0_s)
        row["n_examples"] = len(frame)
        row["n_articles"] = int(frame["doc_id"].nunique())
        row["mlflow_run"] = log_run(cfg, setting, metrics, pred) if cfg.tracking.enabled else None
        results[setting] = row
        print(setting, json.dumps(row), flush=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
