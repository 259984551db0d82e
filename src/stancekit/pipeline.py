"""DVC stages: ``python -m stancekit.pipeline {prepare,train,evaluate,annotation_stats,news}``.

Stages read ``params.yaml`` (composed from ``conf/`` by ``dvc exp run`` with Hydra composition, or by
``make params``), never ``@hydra.main``, so ``dvc exp run -S`` overrides reach them.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from stancekit.config import build_extractor, root_of

log = logging.getLogger("stancekit.pipeline")

PREPARED = Path("data/prepared")
MODEL_DIR = Path("models/stance")
NEWS_MODEL = Path("models/news")
NEWS_PARAMS = Path("news/params.yaml")


def _write_json(path: Path, data: dict[str, float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def stage_prepare(cfg: DictConfig, root: Path) -> None:
    from stancekit.training.train import prepare

    examples = prepare(cfg)
    out = root / PREPARED
    out.mkdir(parents=True, exist_ok=True)
    examples.frame.to_parquet(out / "examples.parquet", index=False)
    with (out / "quarantine.jsonl").open("w", encoding="utf-8") as fh:
        for q in examples.quarantine:
            fh.write(json.dumps(q, ensure_ascii=False) + "\n")


def stage_train(cfg: DictConfig, root: Path) -> None:
    from stancekit.scoring.core import write_actor_config
    from stancekit.training.examples import fingerprint
    from stancekit.training.train import fit_and_evaluate

    frame = pd.read_parquet(root / PREPARED / "examples.parquet")
    result = fit_and_evaluate(cfg, frame)
    result.data_fingerprint = fingerprint(frame)
    model_dir = root / MODEL_DIR
    result.model.save(model_dir)
    extractor = build_extractor(cfg.actors, root)
    write_actor_config(
        model_dir / "actors.yaml", extractor.gazetteer, extractor.context, extractor.discovery
    )
    _write_json(
        root / "metrics" / "train.json",
        {k: v for k, v in result.metrics.items() if k.startswith("val_")},
    )
    if cfg.tracking.enabled:
        from stancekit.tracking.runs import log_training

        run_id = log_training(cfg, result)
        log.info("logged run %s", run_id)


def stage_evaluate(cfg: DictConfig, root: Path) -> None:
    from stancekit.evaluation.metrics import confusion_table, evaluate_predictions
    from stancekit.evaluation.plots import confusion_figure
    from stancekit.models import load_model
    from stancekit.training.train import predict_frame

    frame = pd.read_parquet(root / PREPARED / "examples.parquet")
    model = load_model(root / MODEL_DIR)
    test = frame[frame["split"] == "test"]
    pred = predict_frame(model, test)
    metrics = evaluate_predictions(
        pred, model.label_space, "test", cfg.train.bootstrap, cfg.train.ci, cfg.seed
    )
    _write_json(root / "metrics" / "metrics.json", metrics)
    plots = root / "plots"
    plots.mkdir(exist_ok=True)
    table = confusion_table(pred, model.label_space)
    # DVC's confusion template counts rows, so expand the counts into one row per prediction.
    table.loc[table.index.repeat(table["count"])].drop(columns="count").to_csv(
        plots / "confusion_test.csv", index=False
    )
    confusion_figure(pred, model.label_space, "test").savefig(plots / "confusion_test.png", dpi=110)


ANNOTATIONS = Path("data/annotations/actor_stance.jsonl")


def stage_annotation_stats(cfg: DictConfig, root: Path) -> None:
    """Counts per language/target/label of the gold rows, and agreement on the doubly annotated items."""
    from collections import Counter

    from stancekit.annotation.adjudicate import GOLD
    from stancekit.annotation.agreement import agreement_by_language
    from stancekit.data.io import read_records
    from stancekit.data.schema import LABEL_SPACE

    rows = pd.DataFrame([r.data for r in read_records(root / ANNOTATIONS)])
    gold = rows[rows["annotator"] == GOLD]
    people = rows[rows["annotator"] != GOLD]
    stats: dict[str, float] = {
        "articles": float(gold["doc_id"].nunique()),
        "actors": float(len(gold.groupby(["doc_id", "actor_id"]))),
        "gold_rows": float(len(gold)),
        "annotator_rows": float(len(people)),
    }
    for lang, n in gold.groupby("lang")["doc_id"].nunique().items():
        stats[f"articles_{lang}"] = float(n)
    for (target, label), n in Counter(zip(gold["target"], gold["label"], strict=True)).items():
        stats[f"gold_{target}_{label}"] = float(n)
    for lang, results in agreement_by_language(rows, LABEL_SPACE):
        suffix = "" if lang == "all" else f"_{lang}"
        for a in results:
            stats[f"agreement_{a.target}{suffix}_items"] = float(a.n_items)
            stats[f"agreement_{a.target}{suffix}_alpha"] = a.alpha
            if a.kappa is not None:
                stats[f"agreement_{a.target}{suffix}_kappa"] = a.kappa
    _write_json(root / "metrics" / "annotations.json", stats)


def stage_news(cfg: DictConfig, root: Path) -> None:
    """The model users score with: ``experiment=news`` trained on every annotated article, saved as
    a pyfunc folder (``stancekit score --model models/news``)."""
    import shutil

    from stancekit.scoring.core import StanceScorer
    from stancekit.tracking.runs import input_example, save_model
    from stancekit.training.train import train

    result = train(cfg)
    out = root / NEWS_MODEL
    shutil.rmtree(out, ignore_errors=True)
    scorer = StanceScorer(result.model, build_extractor(cfg.actors, root))
    save_model(scorer, input_example(cfg, result), out)
    _write_json(
        root / "metrics" / "news.json",
        {
            "n_train": float(len(result.examples)),
            "n_articles": float(result.examples["doc_id"].nunique()),
            "quarantined": float(len(result.quarantine)),
        },
    )


STAGES = {
    "prepare": stage_prepare,
    "train": stage_train,
    "evaluate": stage_evaluate,
    "annotation_stats": stage_annotation_stats,
    "news": stage_news,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m stancekit.pipeline", description=__doc__)
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument(
        "--params", default="params.yaml", help="composed config (default params.yaml)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    cfg = OmegaConf.load(args.params)
    assert isinstance(cfg, DictConfig)
    root = root_of(cfg)
    STAGES[args.stage](cfg, root)


def write_params(path: str | Path = "params.yaml", overrides: list[str] | None = None) -> Path:
    """Compose ``conf/`` into ``params.yaml`` the way DVC's Hydra composition does; with no
    arguments, also ``news/params.yaml`` (``experiment=news``) for ``news/dvc.yaml``."""
    from stancekit.config import compose

    cfg = compose(overrides or [])
    OmegaConf.resolve(cfg)
    path = Path(path)
    path.write_text(OmegaConf.to_yaml(cfg), encoding="utf-8")
    if path == Path("params.yaml") and overrides is None:
        write_params(path.parent / NEWS_PARAMS, ["experiment=news"])
    return path


if __name__ == "__main__":
    main()
