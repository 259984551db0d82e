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


def corpus(n: int, size: int = 3072) -> list[str]:
    """``n`` articles of ``size`` bytes (UTF-8), cut from the seed article and the demo corpus."""
    texts = []
    seed = ROOT.parent / "shared" / "data" / "seed" / "kim_putin_vostochny_bg.txt"
    if seed.exists():
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


def discovery_stage(name: str | None) -> list:
    if not name:
        return []
    from stancekit.actors.discovery import make_recogniser

    ex = ActorExtractor(
        Gazetteer.load(ROOT / "conf" / "actors" / "gazetteer"), recogniser=make_recogniser(name)
    )
    return [(f"actors + {name}", lambda t: ex.actors(t, "bg"))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--discover", default=None, help="also time a recogniser: natasha or rules")
    args = parser.parse_args()
    t0 = time.perf_counter()
    extractor = ActorExtractor(Gazetteer.load(ROOT / "conf" / "actors" / "gazetteer"))
    load_s = time.perf_counter() - t0
    texts = corpus(args.articles)
    kb = sum(len(t.encode("utf-8")) for t in texts) / 1024
    rows = []
    stages = [
        ("match (gazetteer)", lambda t: extractor.matcher.find(t, "bg")),
        ("actors + speakers", lambda t: extractor.actors(t, "bg")),
        ("actors + contexts", lambda t: extractor.contexts(t, "bg")),
    ] + discovery_stage(args.discover)
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
        f"{len(texts)} articles, {kb / len(texts):.1f} KB each (UTF-8)"
    )
    print(f"| {'stage':<20} | {'articles/s':>10} | {'KB/s':>8} | {'median run s':>12} |")
    print(f"|{'-' * 22}|{'-' * 12}|{'-' * 10}|{'-' * 14}|")
    for name, aps, kbs, med in rows:
        print(f"| {name:<20} | {aps:>10.0f} | {kbs:>8.0f} | {med:>12.2f} |")


if __name__ == "__main__":
    main()
