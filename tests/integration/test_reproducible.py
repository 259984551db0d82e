"""Same seed, same data → the same metrics and the same learned parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stancekit.config import compose
from stancekit.training.train import train
from tests.conftest import build_tiny_transformer, tiny_corpus, write_jsonl


def learned_state(obj: object, path: str = "model", depth: int = 0) -> dict[str, object]:
    """Every learned attribute (name ending in ``_``) of an estimator tree, flattened by path."""
    out: dict[str, object] = {}
    if depth > 6 or not hasattr(obj, "__dict__"):
        return out
    for key, value in vars(obj).items():
        where = f"{path}.{key}"
        if isinstance(value, (list, tuple)) and value and hasattr(value[0], "__dict__"):
            for i, item in enumerate(value):
                out.update(learned_state(item, f"{where}[{i}]", depth + 1))
        elif hasattr(value, "get_params") or (key.endswith("_") and hasattr(value, "__dict__")):
            out.update(learned_state(value, where, depth + 1))
        elif key.endswith("_") or key == "steps":
            if key == "steps":
                for name, step in value:
                    out.update(learned_state(step, f"{where}.{name}", depth + 1))
            elif hasattr(value, "toarray"):
                out[where] = value.toarray()
            elif isinstance(value, dict):
                out[where] = sorted(value.items(), key=str)
            else:
                out[where] = value
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    return bool(a == b)


@pytest.mark.parametrize("model", ["tfidf_logreg", "tfidf_svm"])
def test_scikit_learn_families_are_identical_twice(tiny_overrides: list[str], model: str) -> None:
    cfg = compose([*tiny_overrides, f"model={model}", "tracking=none", "data.max_rows=16"])
    first, second = train(cfg), train(cfg)
    assert first.metrics == second.metrics
    assert first.data_fingerprint == second.data_fingerprint
    state_a, state_b = learned_state(first.model), learned_state(second.model)
    assert len(state_a) > 5 and state_a.keys() == state_b.keys()
    differ = [k for k in state_a if not _same(state_a[k], state_b[k])]
    assert not differ, differ[:5]


#: Stated tolerance for fine-tuned transformers on CPU: probabilities agree to this.
TRANSFORMER_ATOL = 1e-5


@pytest.mark.slow
def test_transformer_is_reproducible_within_tolerance(tmp_path: Path) -> None:
    articles, labels = tiny_corpus(12)
    tiny = build_tiny_transformer(tmp_path / "tiny", [a["text"] for a in articles])
    cfg = compose(
        [
            "model=transformer_minilm",
            f"model.pretrained={tiny}",
            "model.epochs=1",
            "model.batch_size=8",
            "model.progress=false",
            f"data.articles={write_jsonl(tmp_path / 'a.jsonl', articles)}",
            f"data.labels={write_jsonl(tmp_path / 'l.jsonl', labels)}",
            "tracking=none",
            "train.bootstrap=10",
        ]
    )
    first, second = train(cfg), train(cfg)
    for split in first.predictions:
        a = np.array([v for p in first.predictions[split]["proba"] for _, v in sorted(p.items())])
        b = np.array([v for p in second.predictions[split]["proba"] for _, v in sorted(p.items())])
        np.testing.assert_allclose(a, b, atol=TRANSFORMER_ATOL)
    for key, value in first.metrics.items():
        assert abs(value - second.metrics[key]) <= TRANSFORMER_ATOL, key
