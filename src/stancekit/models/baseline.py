"""The majority baseline: each target's most frequent training label, with its training prior."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stancekit.models.base import StanceModel, class_name


class MajorityStanceModel(StanceModel):
    """Predicts the training distribution of labels per target, whatever the text says."""

    family = "majority"

    def __init__(self, label_space: Mapping[str, Sequence[str]] | None = None):
        super().__init__(label_space)

    def fit(self, X: pd.DataFrame, y: Sequence[str]) -> MajorityStanceModel:
        classes = self._check_labels(X, y)
        counts = Counter(classes)
        self.prior_ = {c: counts.get(c, 0) / len(classes) for c in self.classes_}
        return self

    def _raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        row = np.array([self.prior_[c] for c in self.classes_])
        # a hair of preference for the majority so ties cannot flip with the label order
        for target in self.label_space:
            labels = [class_name(target, lab) for lab in self.label_space[target]]
            best = max(labels, key=self.prior_.__getitem__)
            row[self.classes_.index(best)] += 1e-9
        return np.tile(row, (len(X), 1))

    def _save_weights(self, path: Path) -> None:
        (path / "prior.json").write_text(json.dumps(self.prior_, indent=1), encoding="utf-8")

    @classmethod
    def _load(cls, path: Path, manifest: dict[str, Any]) -> MajorityStanceModel:
        model = cls(label_space=manifest["label_space"])
        model.prior_ = json.loads((path / "prior.json").read_text(encoding="utf-8"))
        return model
