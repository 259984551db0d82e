"""Stance labels on unseen news: the frozen slice, scored end to end with the actors the toolkit
finds, next to the names-only prior.

    python experiments/actor_stance/frozen_eval.py [--model tfidf_logreg] [--override KEY=VALUE ...]
        [--out results.json]

The model is trained on every annotated article outside the frozen slice (data=actor_stance holds
the slice out), then scores the slice's 53 articles as a user would: actors found by the actor
layer, contexts, labels. Each gold (actor, target) of the slice gets the label of the extracted
actor that finds it (same id or overlapping mentions), or `none` when no extracted actor does.
The names-only prior gives every gold actor (all of them found: perfect actors) its usual label
in the training rows, or the target's most frequent label for an actor never seen in training.

Metrics: war F-avg = mean F1 of pro_russia and pro_ukraine; west F-avg = mean F1 of anti_west and
pro_west; sentiment macro-F1; per language and overall, with 95% intervals from 1,000 bootstrap
resamples of articles.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.config import build_extractor, build_model, compose, path_of  # noqa: E402
from stancekit.data.adapters import frozen_docs, load_semeval_annotations  # noqa: E402
from stancekit.data.io import read_records  # noqa: E402
from stancekit.evaluation.actors import gold_actors, match_actors  # noqa: E402
from stancekit.evaluation.metrics import headline_with_ci  # noqa: E402
from stancekit.models.base import load_model, model_input  # noqa: E402
from stancekit.scoring.core import StanceScorer  # noqa: E402
from stancekit.training.train import prepare  # noqa: E402


def stack_on(model, examples: pd.DataFrame, level0: np.ndarray, family):  # type: ignore[no-untyped-def]
    """A combined model whose combiners learn from given out-of-fold TF-IDF probabilities and whose
    TF-IDF family is ``family`` (fitted on all of ``examples``): the recipe of ``fit`` with other
    folds, which spares the family's inner-fold fits."""
    assert level0.shape == (len(examples), len(model.classes_)), "level0 is for other rows"
    assert model.embedding is None, "stacking on given probabilities covers the TF-IDF family only"
    given = family.get_config()
    assert all(given[k] == v for k, v in model.tfidf.items()), "family fitted with other settings"
    model.fit_combiners(model_input(examples), examples["label"].tolist(), {"tfidf": level0})
    model.families_ = {"tfidf": family}
    return model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="tfidf_logreg")
    ap.add_argument("--override", action="append", default=[])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument(
        "--level0",
        type=Path,
        help="combined model: stack on these out-of-fold TF-IDF probabilities of the training rows "
        "(cv_sweep.py --level0) instead of the model's own inner folds",
    )
    ap.add_argument("--family", type=Path, help="with --level0: the TF-IDF fitted on every row")
    ap.add_argument("--examples", type=Path, help="the rows prepare() gives, saved as parquet")
    args = ap.parse_args()
    cfg = compose(["data=actor_stance", f"model={args.model}", "tracking=none", *args.override])
    # every article outside the frozen slice (--examples: the same rows prepared before)
    examples = pd.read_parquet(args.examples) if args.examples else prepare(cfg).frame
    model = build_model(cfg.model)
    if args.level0:
        model = stack_on(model, examples, np.load(args.level0), load_model(args.family))
    else:
        model.fit(model_input(examples), examples["label"].tolist())
    # the slice's gold, and the names-only prior from the training gold
    frozen = frozen_docs(path_of(cfg, cfg.data.holdout))
    rows = [r.data for r in read_records(path_of(cfg, cfg.data.labels))]
    gold_rows = [r for r in rows if r["doc_id"] in frozen and r["annotator"] == "adjudicated"]
    train_rows = [r for r in rows if r["doc_id"] not in frozen and r["annotator"] == "adjudicated"]
    usual = defaultdict(Counter)
    overall = defaultdict(Counter)
    for r in train_rows:
        usual[(r["actor_id"], r["target"])][r["label"]] += 1
        overall[r["target"]][r["label"]] += 1
    articles, _ = load_semeval_annotations(
        path_of(cfg, cfg.data.labels), path_of(cfg, cfg.data.articles), tuple(cfg.data.langs)
    )
    articles = [a for a in articles if a.id in frozen]
    extractor = build_extractor(cfg.actors)
    scorer = StanceScorer(model, extractor)
    golds = gold_actors(gold_rows)
    label_of = {(r["doc_id"], r["actor_id"], r["target"]): r["label"] for r in gold_rows}
    out = []
    for a in articles:
        scored = scorer.score_frame(pd.DataFrame([{"id": a.id, "text": a.text, "lang": a.lang}]))
        pred = {(r.actor_id, r.target): r.label for r in scored.itertuples()}
        found = extractor.actors(a.text, a.lang)
        for g in golds.get(a.id, []):
            m = match_actors(a.text, found, [g])
            hit = next((x.actor_id for x in m.matched if x.actor_id == g.actor_id), None) or next(
                (x.actor_id for x in m.matched), None
            )
            for target in ("war", "west", "sentiment"):
                gold = label_of.get((a.id, g.actor_id, target))
                if gold is None:
                    continue
                prior = usual.get((g.actor_id, target)) or overall[target]
                out.append(
                    {
                        "doc_id": a.id,
                        "lang": a.lang,
                        "actor_id": g.actor_id,
                        "target": target,
                        "label": gold,
                        "found": hit is not None,
                        "pred": pred.get((hit, target), "none")
                        if hit
                        else ("neutral" if target == "sentiment" else "none"),
                        "prior": prior.most_common(1)[0][0],
                    }
                )
    frame = pd.DataFrame(out)
    results = {
        "model": args.model,
        "overrides": args.override,
        "stacked_on": str(args.level0) if args.level0 else None,
        "train_examples": len(examples),
        "frozen_articles": len(articles),
        "gold_rows": len(frame),
        "actors_found": round(float(frame["found"].mean()), 3),
    }
    prior = frame.assign(pred=frame["prior"])
    for name, f in (("model", frame), ("names_prior", prior)):
        for lang in ("all", "bg", "ru", "en"):
            sub = f if lang == "all" else f[f["lang"] == lang]
            for target in ("war", "west", "sentiment"):
                results[f"{name}_{target}_{lang}"] = headline_with_ci(sub, target)
    print(json.dumps(results, indent=1))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
