"""``retrain``: the CI job (pull → ``dvc repro`` → gate → promote or keep), with a PR summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stancekit.cli.common import TrackingOpt, console, one_line_errors, tracking


@one_line_errors
def retrain(
    overrides: Annotated[
        list[str] | None, typer.Argument(help="gate overrides, e.g. gate=strict gate.alpha=0.01")
    ] = None,
    pull: Annotated[
        bool, typer.Option(help="`dvc pull` first (the data the job trains on)")
    ] = True,
    summary: Annotated[
        Path | None, typer.Option(help="markdown summary for a PR comment (default reports/)")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="JSON report of the gate's decision")] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Pull data, `dvc repro`, judge the new model on the frozen test set, promote or keep.
    Exit 0: promoted; 10: champion kept (or nothing retrained); 1: error (champion untouched)."""
    from omegaconf import OmegaConf

    from stancekit.config import compose
    from stancekit.paths import project_root
    from stancekit.tracking.gate import GateRule
    from stancekit.tracking.retrain import retrain as run_job

    uri = tracking(tracking_uri)
    root = project_root()
    params = OmegaConf.load(root / "params.yaml")  # what the DVC stages train with
    gate = compose(overrides or []).gate
    result = run_job(
        root,
        GateRule.from_config(gate),
        str(params.tracking.registered_model),
        str(params.tracking.experiment),
        uri,
        pull=pull,
        report=report or root / "reports" / "retrain_gate.json",
    )
    path = summary or root / "reports" / "retrain.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result.summary, encoding="utf-8")
    console.print(result.summary, markup=False)
    console.print(f"summary written to {path}")
    raise typer.Exit(result.exit_code)
