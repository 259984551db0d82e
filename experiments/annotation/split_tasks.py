"""Split batch 2's Label Studio tasks between annotators: frozen-slice articles first, then the rest.

    stancekit annotate export --articles ../shared/data/semeval2025_t10/train --lang bg --lang ru \
        --lang en --narratives "" --strategy all --output /tmp/ann2/tasks_all.json
    python experiments/annotation/split_tasks.py --tasks /tmp/ann2/tasks_all.json --out /tmp/ann2

First-pass annotators c1..c6 (two per language) share all of batch 2; second-pass annotators d1, d2
label the frozen slice again, independently. Writes tasks_<id>.json and articles_<id>.txt per
annotator, and gazetteer_ids.tsv (id, type, names) for choosing ids of added actors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

FIRST = {"bg": ["c1", "c2"], "ru": ["c3", "c4"], "en": ["c5", "c6"]}
SECOND = {"d1": [("bg", None), ("en", 0)], "d2": [("ru", None), ("en", 1)]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    batch = json.loads((ROOT / "data/annotations/batch2.json").read_text())
    tasks = json.loads(args.tasks.read_text())
    by_doc: dict[str, list] = {}
    for t in tasks:
        by_doc.setdefault(t["data"]["doc_id"], []).append(t)
    plan: dict[str, list[str]] = {}
    for lang, ids in FIRST.items():
        frozen = batch["frozen"][lang]
        order = frozen + [d for d in batch["batch"][lang] if d not in frozen]
        for i, doc in enumerate(order):
            plan.setdefault(ids[i % len(ids)], []).append(doc)
    for ann, parts in SECOND.items():
        for lang, half in parts:
            docs = batch["frozen"][lang]
            plan.setdefault(ann, []).extend(docs if half is None else docs[half::2])
    next_id = 1
    for ann, docs in plan.items():
        out = []
        for doc in docs:
            for t in by_doc.get(doc, []):
                out.append({"id": next_id, "data": t["data"]})
                next_id += 1
        (args.out / f"tasks_{ann}.json").write_text(json.dumps(out, ensure_ascii=False, indent=1))
        (args.out / f"articles_{ann}.txt").write_text("\n".join(docs) + "\n")
        print(f"{ann}: {len(docs)} articles, {len(out)} tasks", file=sys.stderr)
    rows = ["id\ttype\tnames"]
    for path in sorted((ROOT / "conf/actors/gazetteer").glob("*.yaml")):
        for e in yaml.safe_load(path.read_text()) or []:
            names = list((e.get("name") or {}).values())
            for forms in (e.get("aliases") or {}).values():
                names += list(forms)
            rows.append(f"{e['id']}\t{e.get('type', '')}\t{' | '.join(map(str, names))}")
    (args.out / "gazetteer_ids.tsv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
