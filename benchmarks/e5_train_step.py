"""Seconds per optimisation step of multilingual-e5-small (batch 16) on this machine's CPU.

    python benchmarks/e5_train_step.py [--steps 4] [--lengths 64 128]

One row per setting: the whole encoder trained, the embeddings frozen, or the embeddings and the
bottom 6 of 12 layers frozen (the transformer family's ``freeze_embeddings`` / ``freeze_layers``).
Random token ids; the first step includes allocator warm-up, so the median is reported with all.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    import torch
    from transformers import AutoModelForSequenceClassification

    from stancekit.models.e5_convert import cached_e5_checkpoint

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 128])
    args = parser.parse_args()
    path = str(cached_e5_checkpoint())
    print("| setting | tokens | trainable params (M) | s/step, each | median s/step |")
    print("|---|---|---|---|---|")
    for setting, frozen_layers in (("full", None), ("freeze_emb", 0), ("freeze_emb_6", 6)):
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=10)
        if frozen_layers is not None:
            model.bert.embeddings.requires_grad_(False)
            for layer in model.bert.encoder.layer[:frozen_layers]:
                layer.requires_grad_(False)
        params = [p for p in model.parameters() if p.requires_grad]
        optimiser = torch.optim.AdamW(params, lr=1e-5)
        for length in args.lengths:
            x = torch.randint(5, 1000, (16, length))
            y = torch.randint(0, 10, (16,))
            times = []
            for _ in range(args.steps):
                start = time.perf_counter()
                model(input_ids=x, labels=y).loss.backward()
                optimiser.step()
                optimiser.zero_grad()
                times.append(time.perf_counter() - start)
            print(
                f"| {setting} | {length} | {sum(p.numel() for p in params) / 1e6:.1f} | "
                f"{', '.join(f'{t:.1f}' for t in times)} | {statistics.median(times):.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
