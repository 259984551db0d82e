"""The DVC pipeline really runs: `dvc repro`, `dvc push` to a local remote, `dvc exp run -S` with Hydra."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
DVC = str(Path(sys.executable).with_name("dvc"))


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc.stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("dvc")
    repo = tmp / "repo"
    repo.mkdir()
    for name in ("conf", "src", "data/demo", "data/annotations", ".dvc"):
        shutil.copytree(
            ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "tmp", "cache")
        )
    for name in ("dvc.yaml", "params.yaml", "pyproject.toml", ".dvcignore", ".gitignore"):
        shutil.copy(ROOT / name, repo / name)
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp}/mlflow.db",
        "DVC_NO_ANALYTICS": "1",
        "STANCEKIT_ROOT": str(repo),
        # stage commands run `python`: the project's interpreter, as in an activated venv
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    _run(["git", "init", "-q"], repo, env)
    _run([DVC, "remote", "add", "-d", "-f", "local", str(tmp / "remote")], repo, env)
    _run(["git", "add", "-A"], repo, env)
    _run(["git", "commit", "-qm", "init"], repo, env)
    return repo, env


def test_repro_produces_metrics_plots_and_model(repo: tuple[Path, dict[str, str]]) -> None:
    path, env = repo
    _run([DVC, "repro"], path, env)
    metrics = json.loads((path / "metrics" / "metrics.json").read_text())
    assert 0 <= metrics["test_macro_f1"] <= 1
    assert (
        metrics["test_macro_f1_ci_low"]
        <= metrics["test_macro_f1"]
        <= metrics["test_macro_f1_ci_high"]
    )
    assert "val_macro_f1" in json.loads((path / "metrics" / "train.json").read_text())
    assert (path / "models" / "stance" / "model.skops").exists()
    assert (path / "plots" / "confusion_test.png").exists()
    lock = yaml.safe_load((path / "dvc.lock").read_text())
    assert set(lock["stages"]) == {"prepare", "train", "evaluate", "annotation_stats"}
    stats = json.loads((path / "metrics" / "annotations.json").read_text())
    assert stats["articles"] >= 150 and 0 < stats["agreement_war_alpha"] <= 1
    # A second repro has nothing to do.
    assert "didn't change" in _run([DVC, "repro"], path, env) or "up to date" in _run(
        [DVC, "status"], path, env
    )
    _run([DVC, "push"], path, env)
    assert any((path.parent / "remote").rglob("*")), "dvc push stored nothing in the local remote"


def test_exp_run_recomposes_params_from_conf(repo: tuple[Path, dict[str, str]]) -> None:
    path, env = repo
    _run(["git", "add", "-A"], path, env)
    _run(["git", "commit", "-qm", "repro"], path, env)
    _run([DVC, "exp", "run", "-S", "model=tfidf_svm", "-S", "train.bootstrap=50"], path, env)
    params = yaml.safe_load((path / "params.yaml").read_text())
    assert params["model"]["name"] == "tfidf_svm" and params["train"]["bootstrap"] == 50
    assert json.loads((path / "metrics" / "metrics.json").read_text())["test_macro_f1"] >= 0
