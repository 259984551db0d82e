"""Seeded fuzz of the batch scorer: malformed, mixed-encoding and adversarial records.

    PYTHONPATH=src .venv/bin/python benchmarks/score_fuzz.py [--rounds 20] [--records 300]

Each round writes a JSONL or CSV file of random records (valid articles mixed with broken JSON,
arrays, numbers, invalid UTF-8, Latin-1 and UTF-16 fragments, NUL bytes, lone surrogates, deep
nesting, non-string ids and texts, duplicate ids, huge texts), scores it, and checks that the run
ends with a success marker and articles in = scored + quarantined. Prints a table; exits 1 on a crash.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stancekit.scoring.batch import score_file  # noqa: E402
from tests.conftest import tiny_corpus  # noqa: E402
from tests.scoring_model import save_tiny_pyfunc  # noqa: E402

GOOD = tiny_corpus(50)[0]


def record(rng: random.Random, i: int) -> bytes:
    a = dict(rng.choice(GOOD), id=f"doc-{i}")
    kind = rng.randrange(16)
    if kind < 6:
        return json.dumps(a, ensure_ascii=rng.random() < 0.5).encode()
    return [
        lambda: json.dumps(a).encode()[: rng.randrange(1, 40)],  # cut short
        lambda: b"[1, 2, 3]",
        lambda: str(rng.randrange(-99, 99)).encode(),
        lambda: json.dumps(a, ensure_ascii=False).encode().replace(b"Putin", b"P\xfftin"),
        lambda: (
            json.dumps(dict(a, text=a["text"] + " caf\u00e9"))
            .encode("utf-8")
            .replace(b"\\u00e9", "é".encode("latin-1"))
        ),
        lambda: json.dumps(dict(a, text="Putin \ud800 said")).encode(),  # a lone surrogate
        lambda: b"[" * rng.randrange(1000, 5000),
        lambda: json.dumps(dict(a, id=rng.choice([None, [1], {"x": 1}, True, 3.5, 7]))).encode(),
        lambda: json.dumps(dict(a, text=rng.choice([None, 5, ["a"], "", "  "]))).encode(),
        lambda: json.dumps(dict(a, id="doc-0")).encode(),  # duplicate id
        lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))).replace(b"\n", b""),
        lambda: json.dumps(dict(a, text="Putin said. " * rng.randrange(1000, 20000))).encode(),
        lambda: "Путин".encode("utf-16-le") + b"{}",
        lambda: json.dumps(dict(a, lang=rng.choice([5, None, ["bg"], "xx"]))).encode(),
    ][kind - 6]()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stancekit-fuzz-"))
    model = save_tiny_pyfunc(tmp / "model")
    print("| round | records | scored | quarantined | kinds | balanced | marker |")
    print("|---|---|---|---|---|---|---|")
    crashes = 0
    for r in range(args.rounds):
        rng = random.Random(args.seed * 1000 + r)
        lines = [record(rng, i) for i in range(args.records)]
        inp = tmp / f"in-{r}.jsonl"
        inp.write_bytes(b"\n".join(lines) + b"\n")
        out = tmp / f"out-{r}.jsonl"
        try:
            s = score_file(str(model), inp, out, batch_size=16, part_size=64, progress=False)
        except Exception as exc:  # noqa: BLE001 - a crash is what this looks for
            crashes += 1
            print(f"| {r} | {len(lines)} | CRASH | {type(exc).__name__}: {exc} | | | |")
            continue
        kinds = Counter(s.quarantined_by_kind)
        marker = (tmp / f"out-{r}.success.json").exists()
        print(
            f"| {r} | {s.articles_in} | {s.articles_scored} | {s.quarantined} | "
            f"{len(kinds)} kinds | {s.balanced} | {marker} |"
        )
        crashes += not (s.balanced and marker)
    print(f"\n{args.rounds} rounds, {crashes} crash(es) or unbalanced run(s)")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
