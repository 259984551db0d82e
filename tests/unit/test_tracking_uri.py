"""Which MLflow store a command uses: --tracking-uri, then $MLFLOW_TRACKING_URI, then the project's."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancekit.cli import app
from stancekit.tracking.runs import setup_tracking


def test_explicit_uri_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/env.db")
    explicit = f"sqlite:///{tmp_path}/flag.db"
    assert setup_tracking(explicit) == explicit
    assert mlflow.get_tracking_uri() == explicit and mlflow.get_registry_uri() == explicit
    # without a flag the environment wins over the project's store (MLflow itself exports the
    # URI it was given to the environment, for child processes: set it again)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/env.db")
    assert setup_tracking(None) == f"sqlite:///{tmp_path}/env.db"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert setup_tracking(None, tmp_path) == f"sqlite:///{tmp_path.resolve()}/mlflow.db"


def test_cli_flag_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/env.db")
    flag = f"sqlite:///{tmp_path}/flag.db"
    result = CliRunner().invoke(app, ["compare", "--experiment", "nothing", "--tracking-uri", flag])
    assert result.exit_code == 1
    assert f"no MLflow experiment named 'nothing' at {flag}" in result.output
    assert (tmp_path / "flag.db").exists() and not (tmp_path / "env.db").exists()
