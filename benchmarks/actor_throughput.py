"""Throughput of actor extraction (gazetteer alone) on ~3 KB articles, one core.

    .venv/bin/python benchmarks/actor_throughput.py [--articles N] [--repeat R]

Articles are cut from the seed article and the demo corpus to ~3 KB each; prints a table of
articles/s and KB/s for matching alone and for matching + speakers + contexts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from stancekit.actors import ActorExtractor, Gazetteer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def corpus(n: int, size: int = 3072, lang: str = "bg") -> list[str]:
    """``n`` articles of ``size`` bytes (UTF-8), cut from the seed article and the demo corpus
    (Bulgarian), or from SemEval-2025 T10's training texts in ``lang`` where they are at hand."""
    texts = []
    seed = ROOT.parent / "shared" / "data" / "seed" / "kim_putin_vostochny_bg.txt"
    semeval = ROOT.parent / "shared" / "data" / "semeval2025_t10" / "train" / lang.upper()
    if lang != "bg" and (semeval / "raw-documents").is_dir():
        texts = [
            p.read_text(encoding="utf-8") for p in sorted((semeval / "raw-documents").glob("*.txt"))
        ]
    elif seed.exists():
        texts.append(seed.read_text(encoding="utf-8"))
    demo = ROOT / "data" / "demo" / "articles.jsonl"
    if demo.exists():
        texts += [
            json.loads(line)["text"] for line in demo.read_text(encoding="utf-8").splitlines()
        ]
    pool = "\n".join(texts)
    data = pool.encode("utf-8")
    out = []
    for i in range(n):
        start = (i * 977) % max(1, len(data) - size)
        out.append(data[start : start + size].decode("utf-8", errors="ignore"))
    return out


def discovery_stage(name: str | None, lang: str) -> list:
    if not name:
        return []
    from stancekit.actors.discovery import make_recogniser

    ex = ActorExtractor(
        Gazetteer.load(ROOT / "conf" / "actors" / "gazetteer"), recogniser=make_recogniser(name)
    )
    return [(f"actors + {name}", lambda t: ex.actors(t, lang))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--discover", default=None, help="also time a recogniser: auto, natasha, latin"
    )
    parser.add_argument("--lang", default="bg", help="bg (seed + demo), or ru/en (SemEval texts)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    extractor = ActorExtractor(Gazetteer.load(ROOT / "conf" / "actors" / "gazetteer"))
    load_s = time.perf_counter() - t0
    texts = corpus(args.articles, lang=args.lang)
    kb = sum(len(t.encode("utf-8")) for t in texts) / 1024
    rows = []
    stages = [
        ("match (gazetteer)", lambda t: extractor.matcher.find(t, args.lang)),
        ("actors + speakers", lambda t: extractor.actors(t, args.lang)),
        ("actors + contexts", lambda t: extractor.contexts(t, args.lang)),
    ] + discovery_stage(args.discover, args.lang)
    for name, fn in stages:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for t in texts:
                fn(t)
            times.append(time.perf_counter() - t0)
        best = min(times)
        rows.append((name, len(texts) / best, kb / best, statistics.median(times)))
    print(
        f"gazetteer: {len(extractor.gazetteer)} actors, compiled in {load_s:.2f} s; "
        f"{len(texts)} {args.lang} articles, {kb / len(texts):.1f} KB each (UTF-8)"
    )
    print(f"| {'stage':<20} | {'articles/s':>10} | {'KB/s':>8} | {'median run s':>12} |")
    print(f"|{'-' * 22}|{'-' * 12}|{'-' * 10}|{'-' * 14}|")
    for name, aps, kbs, med in rows:
        print(f"| {name:<20} | {aps:>10.0f} | {kbs:>8.0f} | {med:>12.2f} |")


if __name__ == "__main__":
    main()
