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


def test_metrics_and_plots_diff_show_what_a_change_did(repo: tuple[Path, dict[str, str]]) -> None:
    path, env = repo
    # the workspace holds the tfidf_svm experiment; HEAD the tfidf_logreg repro
    out = _run([DVC, "metrics", "diff", "HEAD", "--all"], path, env)
    assert "metrics/metrics.json" in out and "test_macro_f1" in out
    _run([DVC, "plots", "diff", "HEAD", "-o", str(path / "plots_diff")], path, env)
    assert (path / "plots_diff" / "index.html").exists()


def test_user_data_under_dvc_round_trips_through_the_remote(
    repo: tuple[Path, dict[str, str]],
) -> None:
    path, env = repo
    mine = path / "data" / "raw" / "mine.jsonl"
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text('{"id": "m1", "text": "Putin spoke.", "lang": "en"}\n', encoding="utf-8")
    _run([DVC, "add", str(mine.relative_to(path))], path, env)
    assert (path / "data" / "raw" / "mine.jsonl.dvc").exists()
    assert "/mine.jsonl" in (path / "data" / "raw" / ".gitignore").read_text()
    _run([DVC, "push"], path, env)
    mine.unlink()
    shutil.rmtree(path / ".dvc" / "cache")
    _run([DVC, "pull", "data/raw/mine.jsonl.dvc"], path, env)
    assert mine.read_text(encoding="utf-8").startswith('{"id": "m1"')


def _retrain(path: Path, env: dict[str, str], code: int) -> str:
    cmd = [sys.executable, "-m", "stancekit.cli", "retrain", "gate.n_bootstrap=200"]
    proc = subprocess.run(cmd, cwd=path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == code, f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return (path / "reports" / "retrain.md").read_text(encoding="utf-8")


def test_retrain_job_keeps_or_promotes(repo: tuple[Path, dict[str, str]]) -> None:
    """The CI job end to end: pull, repro, gate; nothing new (kept), a first champion (promoted),
    a worse model (kept, with the comparison table and p-values), each with its exit code."""
    from mlflow import MlflowClient

    from stancekit.pipeline import write_params

    path, env = repo
    _run(["git", "add", "-A"], path, env)
    _run(["git", "commit", "-qm", "exp"], path, env)
    summary = _retrain(path, env, 10)
    assert "nothing was retrained" in summary

    write_params(path / "params.yaml", ["train.bootstrap=40"])
    summary = _retrain(path, env, 0)
    assert "## Retraining: promoted" in summary and "no champion" in summary
    assert "### Data" in summary and "✅ floor" in summary

    write_params(path / "params.yaml", ["model=majority", "train.bootstrap=40"])
    summary = _retrain(path, env, 10)
    assert "## Retraining: champion kept" in summary and "p (better)" in summary
    assert "❌" in summary and "| overall |" in summary
    import mlflow

    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    champ = MlflowClient().get_model_version_by_alias("stancekit-stance", "champion")
    assert mlflow.get_run(champ.run_id).data.tags["model"] == "tfidf_logreg"
    report = json.loads((path / "reports" / "retrain_gate.json").read_text())
    assert report["promoted"] is False and report["champion_version"] == str(champ.version)
