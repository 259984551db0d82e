"""The second annotation batch and its frozen actor-dev slice, chosen by a seeded rule before any look.

    python experiments/annotation/select_batch2.py [--data ../shared/data/semeval2025_t10/train]

Batch 2 = every SemEval-2025 T10 training article whose subtask-2 narratives include a URW narrative
and that batch 1 (``data/annotations/actor_stance.jsonl``) did not annotate, in bg, ru and en, plus
30 Russian articles of the organisers' war domain (file name ``RU-URW-*``) that carry no subtask-2
label, drawn with the same seed, so that the whole set passes 400 articles.

The frozen slice = ceil(20%) of batch 2 per language, drawn with seed 2027 from the sorted ids. It
is doubly annotated, never used to grow the gazetteer or the discovery rules, never used for model
selection, and is where the actor layer's recall and precision and the stance model's scores on
unseen news are measured. The output (``data/annotations/batch2.json``) records the rule and ids.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = 2027
LANG_DIR = {"bg": "BG", "ru": "RU", "en": "EN"}
EXTRA_RU_UNLABELLED = 30
FROZEN_SHARE = 0.20


def narratives(folder: Path) -> dict[str, str]:
    path = folder / "subtask-2-annotations.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            out[parts[0]] = parts[1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared/data/semeval2025_t10/train"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "data/annotations/batch2.json")
    args = parser.parse_args()
    done = {
        json.loads(line)["doc_id"]
        for line in (ROOT / "data/annotations/actor_stance.jsonl").read_text().splitlines()
    }
    rng = random.Random(SEED)
    batch: dict[str, list[str]] = {}
    extra: list[str] = []
    for lang, sub in LANG_DIR.items():
        folder = args.data / sub
        nar = narratives(folder)
        docs = sorted(p.name for p in (folder / "raw-documents").glob("*.txt"))
        urw = [d for d in docs if "URW" in nar.get(d, "") and d not in done]
        if lang == "ru":
            unlabelled = [d for d in docs if d not in nar and d not in done]
            extra = sorted(rng.sample(unlabelled, EXTRA_RU_UNLABELLED))
            urw = sorted(urw + extra)
        batch[lang] = urw
    frozen = {}
    for lang, docs in batch.items():
        k = math.ceil(FROZEN_SHARE * len(docs))
        frozen[lang] = sorted(random.Random(f"{SEED}-{lang}").sample(docs, k))
    record = {
        "rule": (
            "batch 2: SemEval-2025 T10 train articles with a URW narrative not in batch 1, plus "
            f"{EXTRA_RU_UNLABELLED} RU-URW articles without subtask-2 labels (seed {SEED}); frozen slice: "
            f"ceil({FROZEN_SHARE:.0%}) per language, random.Random('{SEED}-<lang>').sample of the sorted ids"
        ),
        "seed": SEED,
        "batch": batch,
        "ru_unlabelled_extra": extra,
        "frozen": frozen,
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    for lang in batch:
        print(f"{lang}: batch 2 {len(batch[lang])} articles, frozen {len(frozen[lang])}")


if __name__ == "__main__":
    main()
