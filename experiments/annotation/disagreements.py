"""Align the two passes over batch 2's doubly annotated articles and list what needs a decision.

    python experiments/annotation/disagreements.py --first /tmp/ann2/rows_c?.jsonl \
        --second /tmp/ann2/rows_d?.jsonl --out /tmp/ann2/disagreements.jsonl \
        --aligned /tmp/ann2/rows_second_aligned.jsonl

Actors the annotators added get ids of their own choosing, so the second pass's actors are first
mapped onto the first pass's: same id, or a mention form of one occurs overlapping a form of the
other in the text. The second pass's rows are written with the mapped ids (``--aligned``). Then
each item needing an adjudicator is listed: an actor only one pass labelled (or one pass rejected),
and a (article, actor, target) the passes label differently, each with both labels and evidence.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.actors import mentions_from_strings  # noqa: E402
from stancekit.data.adapters import read_semeval_articles  # noqa: E402
from stancekit.data.io import read_records, write_records  # noqa: E402

TEXTS = ROOT.parent / "shared/data/semeval2025_t10/train"


def read(paths: list[Path]) -> list[dict]:
    return [r.data for p in paths for r in read_records(p)]


def rejected(paths: list[Path]) -> set[tuple[str, str]]:
    out = set()
    for p in paths:
        rej = p.with_name(p.stem + ".rejected.jsonl")
        if rej.exists():
            out |= {(r.data["doc_id"], r.data["actor_id"]) for r in read_records(rej)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--first", type=Path, nargs="+", required=True)
    ap.add_argument("--second", type=Path, nargs="+", required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--aligned", type=Path, required=True)
    args = ap.parse_args()
    second = read(args.second)
    docs = {r["doc_id"] for r in second}
    first = [r for r in read(args.first) if r["doc_id"] in docs]
    rej1, rej2 = rejected(args.first), rejected(args.second)
    texts = {
        a.id: a.text for a in read_semeval_articles(TEXTS, ("bg", "ru", "en"), None) if a.id in docs
    }

    def actors(rows: list[dict]) -> dict[str, dict[str, set[str]]]:
        out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in rows:
            out[r["doc_id"]][r["actor_id"]].update(r.get("mentions") or [])
        return out

    a1, a2 = actors(first), actors(second)
    mapping: dict[tuple[str, str], str] = {}
    for doc in docs:
        text = texts[doc]
        spans1 = {
            k: [(m.start, m.end) for m in mentions_from_strings(k, text, sorted(v))]
            for k, v in a1[doc].items()
        }
        for k2, forms in a2[doc].items():
            if k2 in a1[doc]:
                mapping[(doc, k2)] = k2
                continue
            spans2 = [(m.start, m.end) for m in mentions_from_strings(k2, text, sorted(forms))]
            hit = [
                k1
                for k1, sp in spans1.items()
                if any(s < e2 and s2 < e for s, e in sp for s2, e2 in spans2)
            ]
            mapping[(doc, k2)] = hit[0] if len(hit) == 1 else k2
    aligned = [{**r, "actor_id": mapping[(r["doc_id"], r["actor_id"])]} for r in second]
    write_records(args.aligned, aligned)
    items = []
    by_key: dict[tuple[str, str, str], dict[str, dict]] = defaultdict(dict)
    for r in first + aligned:
        by_key[(r["doc_id"], r["actor_id"], r["target"])][r["annotator"]] = r
    actors_of = defaultdict(set)
    for r in first + aligned:
        actors_of[(r["doc_id"], r["actor_id"])].add(r["annotator"])
    for (doc, actor), who in sorted(actors_of.items()):
        if len(who) == 1:
            only = next(iter(who))
            other_rejected = (doc, actor) in (rej2 if only.startswith("c") else rej1)
            rows = [
                by_key[(doc, actor, t)][only]
                for t in ("war", "west", "sentiment")
                if only in by_key[(doc, actor, t)]
            ]
            items.append(
                {
                    "kind": "actor",
                    "doc_id": doc,
                    "actor_id": actor,
                    "mentions": sorted({m for r in rows for m in r.get("mentions") or []}),
                    "labelled_by": only,
                    "other_pass": "rejected it" if other_rejected else "did not list it",
                    "labels": {r["target"]: r["label"] for r in rows},
                }
            )
    for (doc, actor, target), given in sorted(by_key.items()):
        if len(given) == 2 and len({r["label"] for r in given.values()}) == 2:
            items.append(
                {
                    "kind": "label",
                    "doc_id": doc,
                    "actor_id": actor,
                    "target": target,
                    "passes": {
                        who: {"label": r["label"], "evidence": r.get("evidence", "")}
                        for who, r in given.items()
                    },
                }
            )
    write_records(args.out, items)
    print(
        f"{len(docs)} articles; {sum(i['kind'] == 'actor' for i in items)} actor items, "
        f"{sum(i['kind'] == 'label' for i in items)} label items → {args.out}"
    )


if __name__ == "__main__":
    main()
