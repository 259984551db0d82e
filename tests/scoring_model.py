"""A tiny real pyfunc model folder (TF-IDF + the tiny gazetteer), saved with the toolkit's own code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import ROWS, TINY_GAZETTEER, tiny_corpus


def save_tiny_pyfunc(folder: Path) -> Path:
    from stancekit.actors import ActorExtractor, ContextConfig, Gazetteer
    from stancekit.models import TfidfStanceModel
    from stancekit.scoring.core import StanceScorer
    from stancekit.tracking.runs import save_model

    gaz = folder.parent / f"{folder.name}.gazetteer.yaml"
    gaz.write_text(TINY_GAZETTEER, encoding="utf-8")
    rows = ROWS * 3
    X = pd.DataFrame({"target": [r[0] for r in rows], "text": [r[1] for r in rows]})
    model = TfidfStanceModel().fit(X, [r[2] for r in rows])
    scorer = StanceScorer(model, ActorExtractor(Gazetteer.load(gaz), ContextConfig()))
    example = pd.DataFrame(tiny_corpus(2)[0])[["id", "text", "lang"]]
    return save_model(scorer, example, folder)
