"""Peak memory of a scoring run at two input sizes: streaming keeps it flat.

    PYTHONPATH=src .venv/bin/python benchmarks/score_memory.py [--sizes 10000 100000] [--formats jsonl]

Each run is ``stancekit score`` in a subprocess (the tiny TF-IDF pyfunc of the tests, synthetic
articles from ``tests/conftest.tiny_corpus``, a few bad lines so the quarantine is exercised); its
peak resident set size is read from the kernel (``wait4``'s ``ru_maxrss``, taken by a small
launcher process so the benchmark's own memory is not counted in). Prints a markdown
table and the growth from the smallest to the largest size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import tiny_corpus, write_jsonl  # noqa: E402
from tests.scoring_model import save_tiny_pyfunc  # noqa: E402


def write_input(folder: Path, n: int, fmt: str) -> Path:
    articles = tiny_corpus(n)[0]
    for i, a in enumerate(articles):
        a["id"] = f"mem-{i:07d}"  # unique at any size
    path = write_jsonl(folder / f"in-{n}.jsonl", articles)
    with path.open("a", encoding="utf-8") as fh:  # bad lines, quarantined as the run goes
        fh.write('{"broken\n[1]\n{"id": "mem-0000000", "text": "a duplicate"}\n')
    if fmt == "parquet":
        import pandas as pd

        pq = path.with_suffix(".parquet")
        pd.DataFrame(articles).to_parquet(pq, index=False)
        return pq
    return path


#: Runs a command and prints its peak RSS in KiB. A fresh small process is the parent, because a
#: child's ``ru_maxrss`` also counts the memory of the process it was forked from (the benchmark
#: itself, holding the generated articles), which would hide the scorer's own peak.
LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
code = os.waitstatus_to_exitcode(status)
if code:
    sys.stderr.write(proc.stderr.read().decode()[-2000:])
print(usage.ru_maxrss)
sys.exit(code)
"""


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """Peak RSS (MiB) and seconds of ``cmd``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *cmd], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return int(done.stdout.split()[-1]) / 1024, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--formats", nargs="+", default=["jsonl"], choices=["jsonl", "parquet"])
    ap.add_argument("--part-size", type=int, default=1000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stancekit-mem-"))
    model = save_tiny_pyfunc(tmp / "model")
    print(f"nproc {os.cpu_count()}, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| input | articles | input MB | peak RSS MiB | seconds | articles/s |")
    print("|---|---|---|---|---|---|")
    for fmt in args.formats:
        peaks = []
        for n in args.sizes:
            inp = write_input(tmp, n, fmt)
            out = tmp / f"out-{n}.{fmt}"
            cmd = [
                sys.executable, "-m", "stancekit", "score", "--model", str(model),
                "--input", str(inp), "--output", str(out), "--part-size", str(args.part_size),
                "--no-progress", "--no-show",
            ]  # fmt: skip
            rss, seconds = peak_rss_mb(cmd)
            peaks.append(rss)
            mb = inp.stat().st_size / 1e6
            print(f"| {fmt} | {n} | {mb:.1f} | {rss:.0f} | {seconds:.0f} | {n / seconds:.0f} |")
            sys.stdout.flush()
            inp.unlink()
            out.unlink()
        growth = peaks[-1] / peaks[0] - 1
        print(f"| {fmt}: growth {args.sizes[0]} → {args.sizes[-1]} | | | {growth:+.1%} | | |")


if __name__ == "__main__":
    main()
