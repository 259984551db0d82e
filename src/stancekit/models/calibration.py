"""Temperature scaling: one scalar per target that makes probabilities mean what they say.

Dividing log-probabilities by a temperature keeps their order, so calibration never changes a
predicted label; the temperature is fitted on held-out predictions by minimising log loss.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

EPS = 1e-9


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Rows of ``proba`` sharpened (temperature < 1) or softened (> 1); zero columns stay zero."""
    proba = np.asarray(proba, dtype=float)
    if temperature == 1.0:
        return proba
    live = proba > 0
    logits = np.where(live, np.log(np.clip(proba, EPS, 1.0)) / temperature, -np.inf)
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.where(live, np.exp(logits), 0.0)
    total = scaled.sum(axis=1, keepdims=True)
    return np.divide(scaled, total, out=np.zeros_like(scaled), where=total > 0)


def fit_temperature(proba: np.ndarray, truth: np.ndarray) -> float:
    """The temperature in [0.05, 20] that minimises the log loss of held-out ``proba`` on ``truth``
    (column indices)."""
    truth = np.asarray(truth, dtype=int)

    def loss(log_t: float) -> float:
        p = apply_temperature(proba, float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(truth)), truth], EPS, 1.0))))

    best = minimize_scalar(loss, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(best.x))
