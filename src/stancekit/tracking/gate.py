"""The promotion gate: the challenger against the champion on a frozen test set, by a rule in config.

The order is what makes it safe: pin the champion's version, evaluate both pinned versions on the
same rows, decide, record the decision (model-version tags, a run with both prediction sets, a JSON
report), and only then move ``champion``, with a check that nobody moved it meanwhile. A failure
at any step before the move leaves ``champion`` where it was.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from stancekit.evaluation.metrics import evaluate_predictions
from stancekit.evaluation.significance import paired_bootstrap

log = logging.getLogger(__name__)

#: Exit codes of ``stancekit promote`` and ``stancekit retrain`` for CI (any error exits 1).
EXIT_PROMOTED, EXIT_KEPT, EXIT_ERROR = 0, 10, 1


@dataclass(frozen=True)
class GateRule:
    """The promotion rule (``conf/gate/*.yaml``)."""

    metric: str = "macro_f1"
    min_gain: float = 0.0
    alpha: float | None = 0.05
    no_target_worse: bool = True
    floor: float = 0.0
    split: str = "test"
    test_fingerprint: str | None = None
    n_bootstrap: int = 1000
    ci: float = 0.95
    seed: int = 0
    rank_metric: str = "val_macro_f1"

    @classmethod
    def from_config(cls, gate: Mapping[str, Any] | DictConfig) -> GateRule:
        data = OmegaConf.to_container(gate) if isinstance(gate, DictConfig) else dict(gate)
        assert isinstance(data, dict)
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"gate config: unknown key(s) {sorted(map(str, unknown))}")
        rule = cls(**{str(k): v for k, v in data.items()})
        if rule.alpha is not None and not 0 < rule.alpha < 1:
            raise ValueError(f"gate.alpha must be between 0 and 1 (or null), got {rule.alpha}")
        if rule.min_gain < 0:
            raise ValueError(f"gate.min_gain must be >= 0, got {rule.min_gain}")
        if rule.n_bootstrap < 1:
            raise ValueError(f"gate.n_bootstrap must be >= 1, got {rule.n_bootstrap}")
        return rule


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class GateDecision:
    """What the gate decided and every number it decided on (also the JSON report)."""

    promoted: bool
    reason: str
    name: str
    challenger_version: str | None
    challenger_run: str
    champion_version: str | None = None
    champion_run: str | None = None
    metric: str = "macro_f1"
    test_split: str = "test"
    test_fingerprint: str = ""
    test_rows: int = 0
    checks: list[Check] = field(default_factory=list)
    challenger_metrics: dict[str, float] = field(default_factory=dict)
    champion_metrics: dict[str, float] = field(default_factory=dict)
    differences: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rule: dict[str, Any] = field(default_factory=dict)
    gate_run: str | None = None
    decided_at: str = ""

    @property
    def exit_code(self) -> int:
        return EXIT_PROMOTED if self.promoted else EXIT_KEPT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, default=str) + "\n"


def _step(name: str) -> None:
    """A named point of the gate's sequence (tests inject failures here)."""
    log.debug("gate: %s", name)


def decide(
    rule: GateRule,
    challenger: pd.DataFrame,
    champion: pd.DataFrame | None,
    label_space: Mapping[str, Sequence[str]],
) -> tuple[bool, list[Check], dict[str, float], dict[str, float], dict[str, dict[str, float]]]:
    """Apply the rule to two prediction sets over the same rows (``champion`` None: a first one).

    Returns (passed, checks, challenger metrics, champion metrics, paired differences). The floor
    and the minimum gain are checked with ``mlflow.validate_evaluation_results``; significance and
    the per-target check with the paired bootstrap of :mod:`stancekit.evaluation.significance`.
    """
    from mlflow.models import MetricThreshold
    from mlflow.models.evaluation.validation import ModelValidationFailedException

    def metrics_of(frame: pd.DataFrame) -> dict[str, float]:
        m = evaluate_predictions(frame, label_space, "m", rule.n_bootstrap, rule.ci, rule.seed)
        return {k.removeprefix("m_"): v for k, v in m.items()}

    ours = metrics_of(challenger)
    if rule.metric not in ours:
        raise ValueError(f"gate.metric '{rule.metric}' is not a metric of the test rows")
    checks: list[Check] = []

    def threshold_check(
        name: str, threshold: MetricThreshold, base: dict[str, float] | None
    ) -> None:
        try:
            mlflow_validate(rule.metric, threshold, ours, base)
            checks.append(Check(name, True, _describe(name, rule, ours, base)))
        except ModelValidationFailedException as exc:
            checks.append(Check(name, False, str(exc).strip().splitlines()[-1].strip()))

    if champion is None:
        threshold_check(
            "floor", MetricThreshold(threshold=float(rule.floor), greater_is_better=True), None
        )
        return all(c.passed for c in checks), checks, ours, {}, {}

    theirs = metrics_of(champion)
    diffs = paired_bootstrap(
        champion, challenger, label_space, rule.n_bootstrap, rule.ci, rule.seed
    )
    key = rule.metric.removeprefix("macro_f1").removeprefix("_")
    main = diffs[key]
    if rule.min_gain > 0:
        threshold_check(
            "min_gain",
            MetricThreshold(min_absolute_change=float(rule.min_gain), greater_is_better=True),
            theirs,
        )
    else:
        checks.append(
            Check(
                "gain",
                main.delta > 0,
                f"{rule.metric} {main.b:.4f} vs champion {main.a:.4f} (Δ {main.delta:+.4f})",
            )
        )
    if rule.alpha is not None:
        checks.append(
            Check(
                "significant",
                main.p_better < rule.alpha,
                f"paired bootstrap p={main.p_better:.4f} (better) vs alpha {rule.alpha}",
            )
        )
        if rule.no_target_worse:
            worse = [
                f"{t} Δ {d.delta:+.4f} p={d.p_worse:.4f}"
                for t, d in diffs.items()
                if t and d.p_worse < rule.alpha
            ]
            checks.append(
                Check(
                    "no_target_worse",
                    not worse,
                    "significantly worse: " + "; ".join(worse)
                    if worse
                    else "no target significantly worse",
                )
            )
    differences = {(t or "overall"): d.to_dict() for t, d in diffs.items()}
    return all(c.passed for c in checks), checks, ours, theirs, differences


def mlflow_validate(
    metric: str, threshold: Any, candidate: dict[str, float], baseline: dict[str, float] | None
) -> None:
    """MLflow's threshold validation of one metric (raises ModelValidationFailedException)."""
    import mlflow
    from mlflow.models import EvaluationResult

    def result(metrics: dict[str, float]) -> EvaluationResult:
        return EvaluationResult(metrics={metric: metrics[metric]}, artifacts={}, run_id="")

    mlflow.validate_evaluation_results(
        {metric: threshold}, result(candidate), result(baseline) if baseline else None
    )


def _describe(
    name: str, rule: GateRule, ours: dict[str, float], base: dict[str, float] | None
) -> str:
    m = rule.metric
    if name == "floor":
        return f"{m} {ours[m]:.4f} >= floor {rule.floor}"
    assert base is not None
    return f"{m} {ours[m]:.4f} >= champion {base[m]:.4f} + {rule.min_gain}"
