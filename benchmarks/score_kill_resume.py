"""Kill and resume at scale: SIGKILL a scoring run at random points, resume, compare with a whole run.

    PYTHONPATH=src .venv/bin/python benchmarks/score_kill_resume.py [--articles 50000] [--seeds 5]

One uninterrupted run gives the reference output. Then, per seed, a run is killed (SIGKILL) once a
random number of parts is finished, resumed with ``--resume`` (killed again at a later random point
on odd seeds), and its output and quarantine file are compared byte for byte with the reference.
Prints a markdown table; exits 1 if any output differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import tiny_corpus, write_jsonl  # noqa: E402
from tests.scoring_model import save_tiny_pyfunc  # noqa: E402


def command(model: Path, inp: Path, out: Path, part_size: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "stancekit", "score", "--model", str(model), "--input", str(inp),
        "--output", str(out), "--part-size", str(part_size), "--no-progress", "--no-show", *extra,
    ]  # fmt: skip


def kill_after(cmd: list[str], parts: Path, n_parts: int) -> bool:
    """Run ``cmd`` and SIGKILL it once ``n_parts`` parts exist; False if it finished first."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while len(list(parts.glob("part-*.json"))) < n_parts:
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--part-size", type=int, default=500)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stancekit-kill-"))
    model = save_tiny_pyfunc(tmp / "model")
    articles = tiny_corpus(args.articles)[0]
    inp = write_jsonl(tmp / "in.jsonl", articles)
    with inp.open("a", encoding="utf-8") as fh:  # some bad input too, so the quarantine is compared
        fh.write('{"broken\n[1]\n' + json.dumps({"id": articles[0]["id"], "text": "dup"}) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    whole = tmp / "whole.jsonl"
    t0 = time.perf_counter()
    subprocess.run(command(model, inp, whole, args.part_size), env=env, check=True)
    seconds = time.perf_counter() - t0
    total_parts = -(-(args.articles + 3) // args.part_size)
    print(
        f"\n{args.articles + 3} records, {total_parts} parts; uninterrupted run {seconds:.1f} s\n"
    )
    print("| seed | killed after parts | resumes | identical output | identical quarantine |")
    print("|---|---|---|---|---|")
    differ = 0
    for seed in range(args.seeds):
        rng = random.Random(seed)
        out = tmp / f"out-{seed}.jsonl"
        parts = out.with_name(out.name + ".parts")
        kills = [rng.randrange(1, max(2, total_parts - 1))]
        if seed % 2 and kills[0] + 1 < total_parts - 1:
            kills.append(rng.randrange(kills[0] + 1, total_parts - 1))
        killed = [kill_after(command(model, inp, out, args.part_size), parts, kills[0])]
        for later in kills[1:]:
            killed.append(
                kill_after(command(model, inp, out, args.part_size, "--resume"), parts, later)
            )
        subprocess.run(command(model, inp, out, args.part_size, "--resume"), env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        same_out = out.read_bytes() == whole.read_bytes()
        same_q = (tmp / f"out-{seed}.quarantine.jsonl").read_bytes() == (
            tmp / "whole.quarantine.jsonl"
        ).read_bytes()
        differ += not (same_out and same_q)
        shown = ", ".join(
            f"{k}{'' if ok else ' (ended first)'}" for k, ok in zip(kills, killed, strict=True)
        )
        print(f"| {seed} | {shown} | {len(kills)} | {same_out} | {same_q} |")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
