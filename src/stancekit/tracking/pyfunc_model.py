"""The MLflow pyfunc wrapper, logged as "models from code": this file is the model's source.

Loading it unpickles nothing: the scikit-learn weights are skops files with an explicit
trusted-types list, and the actor layer is a YAML file.
"""

from __future__ import annotations

from typing import Any

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel


class StanceModelWrapper(PythonModel):
    """Articles in, one row per (article, actor, target) out: label, probabilities, evidence."""

    def load_context(self, context: Any) -> None:
        from stancekit.scoring.core import StanceScorer

        self.scorer = StanceScorer.from_artifacts(
            context.artifacts["model"], context.artifacts["actors"]
        )

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        if not isinstance(model_input, pd.DataFrame):
            model_input = pd.DataFrame(model_input)
        return self.scorer.score_frame(model_input, params)


mlflow.models.set_model(StanceModelWrapper())
