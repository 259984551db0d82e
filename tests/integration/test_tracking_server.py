"""Everything against a real `mlflow server` (SQLite backend, local artifact root) on loopback:
train, register and promote (the gate), score with the champion; the server stops in teardown."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancekit.cli import app
from tests.conftest import ROOT, tiny_corpus, write_jsonl

pytestmark = pytest.mark.slow
MLFLOW = str(Path(sys.executable).with_name("mlflow"))
STARTUP_S = 120


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("server")
    port = _free_port()
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [
            MLFLOW,
            "server",
            "--backend-store-uri",
            f"sqlite:///{tmp}/server.db",
            "--artifacts-destination",
            str(tmp / "artifacts"),
            "--serve-artifacts",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"mlflow server exited ({proc.returncode}):\n{(tmp / 'server.log').read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"mlflow server not up after {STARTUP_S}s:\n{(tmp / 'server.log').read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def test_train_promote_score_against_a_server(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    articles, labels = tiny_corpus()
    a = write_jsonl(tmp_path / "articles.jsonl", articles)
    lab = write_jsonl(tmp_path / "labels.jsonl", labels)
    cmd = [
        sys.executable,
        "-m",
        "stancekit.train",
        f"data.articles={a}",
        f"data.labels={lab}",
        "tracking.experiment=server",
        f"tracking.uri={server}",
        "train.bootstrap=20",
        f"paths.log_dir={tmp_path}/logs",
    ]
    # tracking.uri (explicit) wins over an environment that points elsewhere
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/elsewhere.db"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert not (tmp_path / "elsewhere.db").exists()

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/elsewhere.db")
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["promote", "--experiment", "server", "--tracking-uri", server, "gate.n_bootstrap=100"],
    )
    assert result.exit_code == 0, result.output
    assert "promoted" in result.output
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(
        app,
        [
            "score",
            "--model",
            "models:/stancekit-stance@champion",
            "--input",
            str(a),
            "--output",
            str(out),
            "--tracking-uri",
            server,
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and {r["model_version"] for r in rows} == {"1"}
    mlflow.set_tracking_uri(server)
    champ = mlflow.MlflowClient().get_model_version_by_alias("stancekit-stance", "champion")
    assert champ.tags["gate.decision"] == "promoted"
    # the artifacts went through the server into its artifact root, not a local mlruns folder
    assert not (ROOT / "mlruns").exists() or not any((ROOT / "mlruns").iterdir())
    assert not (tmp_path / "elsewhere.db").exists()
