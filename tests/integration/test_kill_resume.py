"""A scoring run killed with SIGKILL resumes to exactly the output of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, tiny_corpus, write_jsonl
from tests.scoring_model import save_tiny_pyfunc


def _score(model: Path, inp: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "stancekit",
        "score",
        "--model",
        str(model),
        "--input",
        str(inp),
        "--output",
        str(out),
        "--part-size",
        "10",
        "--batch-size",
        "4",
        "--no-progress",
        "--no-show",
        *extra,
    ]


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    model = save_tiny_pyfunc(tmp_path / "model")
    inp = write_jsonl(tmp_path / "in.jsonl", tiny_corpus(400)[0])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    whole = tmp_path / "whole.jsonl"
    subprocess.run(_score(model, inp, whole), env=env, check=True, capture_output=True, timeout=600)

    out = tmp_path / "o.jsonl"
    parts = tmp_path / "o.jsonl.parts"
    proc = subprocess.Popen(
        _score(model, inp, out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while len(list(parts.glob("part-*.json"))) < 3:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists() and not (tmp_path / "o.success.json").exists()

    done = subprocess.run(
        _score(model, inp, out, "--resume"), env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "part(s) resumed" in done.stdout
    assert out.read_bytes() == whole.read_bytes()
    assert (tmp_path / "o.success.json").exists() and not parts.exists()
