"""Calibration: ECE is defined once (evaluation.metrics) and falls when temperature scaling fits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stancekit.evaluation.metrics import ece, evaluate_predictions, headline_score
from stancekit.evaluation.plots import reliability_figure
from stancekit.models.calibration import apply_temperature, fit_temperature


def test_ece_is_the_weighted_gap_between_confidence_and_accuracy() -> None:
    assert abs(ece([0.9] * 4, [True] * 4) - 0.1) < 1e-12
    assert abs(ece([0.8] * 10, [True] * 8 + [False] * 2)) < 1e-12  # 80% right at 0.8: calibrated
    # two bins: 0.95 (all right: gap 0.05) and 0.55 (half right: gap 0.05)
    assert abs(ece([0.95, 0.95, 0.55, 0.55], [True, True, True, False]) - 0.05) < 1e-12


def _overconfident(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from soft true probabilities; the 'model' reports them sharpened (cubed)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, 3))
    truth_p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    truth = np.array([rng.choice(3, p=p) for p in truth_p])
    sharp = truth_p**3
    return sharp / sharp.sum(axis=1, keepdims=True), truth


def test_temperature_fitted_on_held_out_rows_lowers_ece_and_keeps_labels() -> None:
    held, held_truth = _overconfident(3000, 0)
    test, test_truth = _overconfident(3000, 1)
    t = fit_temperature(held, held_truth)
    assert 2.0 < t < 4.5  # the cube is undone by a temperature near 3
    calibrated = apply_temperature(test, t)

    def error(p: np.ndarray) -> float:
        return ece(p.max(axis=1), p.argmax(axis=1) == test_truth)

    assert error(test) > 0.1
    assert error(calibrated) < error(test) / 3
    assert (calibrated.argmax(axis=1) == test.argmax(axis=1)).all()
    np.testing.assert_allclose(calibrated.sum(axis=1), 1.0)


def test_zero_columns_stay_zero() -> None:
    p = apply_temperature(np.array([[0.7, 0.3, 0.0]]), 2.0)
    assert p[0, 2] == 0.0 and p[0, 0] < 0.7


def test_ece_per_target_in_the_metrics_and_the_plot() -> None:
    frame = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "target": ["war", "war", "west", "west"],
            "label": ["pro_russia", "none", "pro_west", "none"],
            "pred": ["pro_russia", "pro_russia", "pro_west", "none"],
            "confidence": [0.9, 0.9, 0.6, 0.6],
        }
    )
    space = {"war": ["pro_russia", "pro_ukraine", "neutral", "none"], "west": ["pro_west", "none"]}
    m = evaluate_predictions(frame, space, "cv", n_bootstrap=0)
    assert abs(m["cv_ece_war"] - 0.4) < 1e-12 and abs(m["cv_ece_west"] - 0.4) < 1e-12
    assert abs(m["cv_ece"] - 0.4) < 1e-12
    fig = reliability_figure(
        frame["confidence"], frame["label"] == frame["pred"], groups=frame["target"]
    )
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][1:] == [
        "war (ECE 0.400)",
        "west (ECE 0.400)",
    ]
    # war F-avg counts both stance classes: pro_russia F1 = 2/3, pro_ukraine 0
    assert abs(headline_score(frame, "war") - 1 / 3) < 1e-12
