"""Is the actor layer linear in an article's length? Dense text, gazetteer only, one core.

    taskset -c 0 .venv/bin/python benchmarks/actor_scaling.py [--max-kb 1024]

The worst case of the speaker check: one "sentence" (no full stop) packed with mentions, "Путин
каза че Зеленски ..." repeated. Prints seconds and microseconds per KB for doubling sizes; a linear
layer keeps the last column flat.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from stancekit.actors import ActorExtractor, Gazetteer

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-kb", type=int, default=1024)
    args = parser.parse_args()
    extractor = ActorExtractor(Gazetteer.load(ROOT / "conf" / "actors" / "gazetteer"))
    unit = "Путин каза че Зеленски "
    print(f"| {'KB':>6} | {'mentions':>8} | {'seconds':>8} | {'µs per KB':>10} |")
    print(f"|{'-' * 8}|{'-' * 10}|{'-' * 10}|{'-' * 12}|")
    kb = 4
    while kb <= args.max_kb:
        text = unit * (kb * 1024 // len(unit.encode("utf-8")))
        t0 = time.perf_counter()
        actors = extractor.actors(text, "bg")
        seconds = time.perf_counter() - t0
        n = sum(len(a.mentions) for a in actors)
        print(f"| {kb:>6} | {n:>8} | {seconds:>8.2f} | {seconds / kb * 1e6:>10.0f} |")
        kb *= 4


if __name__ == "__main__":
    main()
