"""The retraining job: pull data (DVC) → ``dvc repro`` → the gate on the frozen test set → promote or
keep, with a markdown summary fit for a pull-request comment."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from stancekit.tracking.gate import EXIT_KEPT, GateDecision, GateRule
from stancekit.tracking.promotion import promote

log = logging.getLogger(__name__)


class JobFailed(RuntimeError):
    """A step of the job (a DVC command) failed; the registry was not touched."""


@dataclass
class RetrainResult:
    decision: GateDecision | None
    summary: str
    challenger_run: str | None

    @property
    def exit_code(self) -> int:
        return self.decision.exit_code if self.decision else EXIT_KEPT


def _dvc(args: list[str], root: Path, tracking_uri: str) -> str:
    import shutil
    import sys

    exe = shutil.which("dvc") or str(Path(sys.executable).with_name("dvc"))
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, "DVC_NO_ANALYTICS": "1"}
    # stage commands run `python`: this interpreter, as in an activated environment
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    log.info("dvc %s", " ".join(args))
    proc = subprocess.run([exe, *args], cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise JobFailed(
            f"dvc {' '.join(args)} failed (exit {proc.returncode}): " + " | ".join(tail)
        )
    return proc.stdout


def new_training_run(experiment: str, since_ms: int) -> str | None:
    """The newest finished run of ``experiment`` with a logged model, started after ``since_ms``."""
    import mlflow

    from stancekit.tracking.runs import MODEL_URI_TAG

    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        return None
    runs = mlflow.search_runs(
        experiment_ids=[exp.experiment_id],
        filter_string=f"attributes.status = 'FINISHED' and attributes.start_time >= {since_ms}",
        order_by=["attributes.start_time DESC"],
    )
    col = f"tags.{MODEL_URI_TAG}"
    if runs.empty or col not in runs.columns:
        return None
    runs = runs[runs[col].notna()]
    return str(runs.iloc[0]["run_id"]) if len(runs) else None


def retrain(
    root: Path,
    rule: GateRule,
    name: str,
    experiment: str,
    tracking_uri: str,
    pull: bool = True,
    report: Path | None = None,
) -> RetrainResult:
    """Run the job in the DVC project at ``root``; the gate decides whether ``champion`` moves."""
    started = int(time.time() * 1000) - 1
    steps = []
    if pull:
        # --allow-missing: a fresh clone whose remote lacks derived outputs still proceeds to repro
        _dvc(["pull", "--allow-missing"], root, tracking_uri)
        steps.append("`dvc pull`")
    _dvc(["repro"], root, tracking_uri)
    steps.append("`dvc repro`")
    run_id = new_training_run(experiment, started)
    if run_id is None:
        summary = summary_markdown(
            None,
            steps,
            "nothing was retrained: data, code and params are unchanged since the last `dvc repro`",
        )
        return RetrainResult(None, summary, None)
    decision = promote(rule, name, run_id=run_id, report=report)
    return RetrainResult(decision, summary_markdown(decision, steps), run_id)


def _run_facts(run_id: str | None) -> dict[str, str]:
    import mlflow

    if not run_id:
        return {}
    run = mlflow.get_run(run_id)
    tags, metrics = run.data.tags, run.data.metrics
    support = {
        split: sum(v for k, v in metrics.items() if k.startswith(f"{split}_support_"))
        for split in ("val", "test")
    }
    return {
        "run": run_id[:8],
        "model": tags.get("model", ""),
        "data": tags.get("data", ""),
        "data fingerprint": tags.get("data_fingerprint", "")[:12],
        "test set fingerprint": tags.get("test_fingerprint", "")[:12],
        "training rows": f"{metrics.get('n_train', float('nan')):.0f}",
        "val rows": f"{support['val']:.0f}",
        "test rows": f"{support['test']:.0f}",
        "git commit": tags.get("git_commit", "")[:12],
    }


def summary_markdown(
    decision: GateDecision | None, steps: list[str], nothing: str | None = None
) -> str:
    """What changed in the data, the gate's comparison with p-values, and the decision."""
    from stancekit.evaluation.comparison import markdown_table

    if decision is None:
        return f"## Retraining: champion kept\n\nSteps: {', '.join(steps)}.\n\n{nothing}.\n"
    verb = "promoted" if decision.promoted else "champion kept"
    lines = [f"## Retraining: {verb}\n", f"Steps: {', '.join(steps)}, gate.\n"]
    lines.append(
        f"**Decision**: {verb}: {decision.name} v{decision.challenger_version} "
        f"(run {decision.challenger_run[:8]}) against "
        + (f"champion v{decision.champion_version}" if decision.champion_version else "no champion")
        + f". {decision.reason}\n"
    )
    ours, theirs = _run_facts(decision.challenger_run), _run_facts(decision.champion_run)
    lines.append("### Data\n")
    lines.append(
        markdown_table(
            [
                {"": key, "champion": theirs.get(key, ""), "challenger": value}
                for key, value in ours.items()
            ]
        )
    )
    if theirs and theirs.get("data fingerprint") == ours.get("data fingerprint"):
        lines.append("The prepared data are the same as the champion's.\n")
    lines.append(
        f"\n### Gate: {decision.test_rows} frozen '{decision.test_split}' rows "
        f"(fingerprint {decision.test_fingerprint[:12]})\n"
    )
    rows = []
    for key, d in decision.differences.items():
        rows.append(
            {
                "macro-F1": key,
                "champion": f"{d['a']:.3f}",
                "challenger": f"{d['b']:.3f}",
                "Δ [95% CI]": f"{d['delta']:+.3f} [{d['ci_low']:+.3f}, {d['ci_high']:+.3f}]",
                "p (better)": f"{d['p_better']:.4f}",
                "p (worse)": f"{d['p_worse']:.4f}",
            }
        )
    if not rows:
        rows = [
            {
                "macro-F1": k.removeprefix("macro_f1").removeprefix("_") or "overall",
                "challenger": f"{v:.3f}",
            }
            for k, v in decision.challenger_metrics.items()
            if k.startswith("macro_f1") and "_ci_" not in k
        ]
    lines.append(markdown_table(rows))
    lines.append("\n### Checks\n")
    lines += [f"- {'✅' if c.passed else '❌'} {c.name}: {c.detail}" for c in decision.checks]
    lines += [f"- note: {n}" for n in decision.notes]
    return "\n".join(lines) + "\n"
