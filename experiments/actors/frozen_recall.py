"""Actor recall and precision on batch 2 of the annotated set: the frozen slice and the rest.

    python experiments/actors/frozen_recall.py --set frozen [--recogniser auto|none|natasha|latin]
    python experiments/actors/frozen_recall.py --set growth --show-misses 40   # never on frozen

``frozen`` is the seeded actor-dev slice of data/annotations/batch2.json: no one grows the
gazetteer or the rules from it, and this script refuses to list its misses. ``growth`` is the
rest of batch 2, where misses may be read. Gold actors are the adjudicated rows where an article
has them, else every annotator's rows (each (article, actor) once, with every recorded form).

Precision: ``precision_vs_gold`` counts an extracted actor as right when it hits a gold actor.
Extracted actors that hit none are written to ``<audit-dir>/actor_audit_<set>.tsv`` (outside the
repository: it holds article words); once a person or an audit session has filled its last column
``correct`` (y/n) in ``actor_audit_<set>.judged.tsv``, audited precision =
(matched + judged correct) / extracted is reported too.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.config import build_extractor, compose  # noqa: E402
from stancekit.data.adapters import frozen_docs, read_semeval_articles  # noqa: E402
from stancekit.data.io import read_records  # noqa: E402
from stancekit.evaluation.actors import actor_scores, gold_actors, match_actors  # noqa: E402

TEXTS = ROOT.parent / "shared/data/semeval2025_t10/train"


def load_gold(paths: list[Path], docs: set[str]) -> dict:
    rows = [r.data for p in paths for r in read_records(p) if r.data["doc_id"] in docs]
    adjudicated = {r["doc_id"] for r in rows if r.get("annotator") == "adjudicated"}
    rows = [
        r for r in rows if r["doc_id"] not in adjudicated or r.get("annotator") == "adjudicated"
    ]
    return gold_actors(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=("frozen", "growth"), required=True)
    parser.add_argument(
        "--rows", type=Path, nargs="+", default=[ROOT / "data/annotations/actor_stance.jsonl"]
    )
    parser.add_argument("--recogniser", default=None, help="override actors.discovery.recogniser")
    parser.add_argument("--override", action="append", default=[], help="any config override")
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--audit-dir", type=Path, default=Path("/tmp/actor_audit"))
    parser.add_argument("--audit-n", type=int, default=80)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.set == "frozen" and args.show_misses:
        parser.error(
            "the frozen slice's misses are not shown: grow the layer from --set growth only"
        )
    batch = json.loads((ROOT / "data/annotations/batch2.json").read_text())
    frozen = frozen_docs(ROOT / "data/annotations/batch2.json")
    everything = {d for docs in batch["batch"].values() for d in docs}
    docs = frozen if args.set == "frozen" else everything - frozen
    gold = load_gold(args.rows, docs)
    overrides = [f"actors.discovery.recogniser={args.recogniser}"] if args.recogniser else []
    overrides += args.override
    cfg = compose(overrides)
    extractor = build_extractor(cfg.actors)
    articles = [a for a in read_semeval_articles(TEXTS, ("bg", "ru", "en"), None) if a.id in gold]
    by_lang: dict[str, list] = defaultdict(list)
    unmatched = []
    seconds: dict[str, float] = defaultdict(float)
    for a in articles:
        t0 = time.perf_counter()
        found = extractor.actors(a.text, a.lang)
        seconds[a.lang or "?"] += time.perf_counter() - t0
        m = match_actors(a.text, found, gold[a.id])
        by_lang[a.lang or "?"].append(m)
        unmatched += [(a, x) for x in m.unmatched]
    results = {"set": args.set, "recogniser": cfg.actors.discovery.recogniser, "by_lang": {}}
    for lang in ("bg", "ru", "en"):
        if lang in by_lang:
            s = actor_scores(by_lang[lang])
            s["articles"] = len(by_lang[lang])
            s["articles_per_s"] = len(by_lang[lang]) / seconds[lang] if seconds[lang] else 0.0
            results["by_lang"][lang] = s
    results["all"] = actor_scores(m for ms in by_lang.values() for m in ms)
    args.audit_dir.mkdir(parents=True, exist_ok=True)
    audit = args.audit_dir / f"actor_audit_{args.set}.tsv"
    sample = random.Random(13).sample(unmatched, min(args.audit_n, len(unmatched)))
    with audit.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["doc_id", "lang", "actor_id", "mentions", "sentence", "correct"])
        for a, x in sample:
            m0 = x.mentions[0]
            w.writerow(
                [
                    a.id,
                    a.lang,
                    x.actor_id,
                    " | ".join(x.surface_forms),
                    a.text[max(0, m0.start - 150) : m0.end + 150].replace("\n", " "),
                    "",
                ]
            )
    judged = audit.with_suffix(".judged.tsv")
    if judged.exists():
        rows = list(csv.DictReader(judged.open(encoding="utf-8"), delimiter="\t"))
        share = sum(r["correct"].strip().lower() == "y" for r in rows) / max(1, len(rows))
        for s in [*results["by_lang"].values(), results["all"]]:
            n_un = s["extracted_actors"] - round(s["precision_vs_gold"] * s["extracted_actors"])
            s["audited_precision"] = (s["extracted_actors"] - n_un * (1 - share)) / max(
                1, s["extracted_actors"]
            )
        results["audit"] = {"judged": len(rows), "unmatched_correct_share": share}
    print(json.dumps(results, indent=1))
    if args.show_misses:
        for lang, ms in by_lang.items():
            missed = [g for m in ms for g in m.missed]
            print(f"--- {lang}: {len(missed)} missed")
            for g in random.Random(1).sample(missed, min(args.show_misses, len(missed))):
                print(f"  {g.doc_id}\t{g.actor_id}\t{' | '.join(g.mentions)}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
