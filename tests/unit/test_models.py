"""The model interface: fit, per-target probabilities, labels saved with the model, safe loading."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stancekit.models import TfidfStanceModel, load_model
from stancekit.models.base import MANIFEST
from tests.conftest import ROWS


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, list[str]]:
    rows = ROWS * 3
    return pd.DataFrame({"target": [r[0] for r in rows], "text": [r[1] for r in rows]}), [
        r[2] for r in rows
    ]


@pytest.mark.parametrize("classifier", ["logreg", "svm"])
def test_fit_predict_within_target(data: tuple[pd.DataFrame, list[str]], classifier: str) -> None:
    X, y = data
    model = TfidfStanceModel(classifier=classifier).fit(X, y)
    assert model is not None and hasattr(model, "pipeline_")
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), len(model.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    for row, target in zip(proba, X["target"], strict=True):
        outside = [i for i, c in enumerate(model.classes_) if not c.startswith(target + ":")]
        assert row[outside].sum() == 0
    assert (model.predict(X) == np.array(y)).mean() > 0.9
    by_label = model.proba_by_label(X.head(1))
    assert list(by_label[0]) == ["pro_russia", "pro_ukraine", "neutral", "none"]


def test_save_load_keeps_labels_and_predictions(
    data: tuple[pd.DataFrame, list[str]], tmp_path: Path
) -> None:
    X, y = data
    model = TfidfStanceModel(C=2.0).fit(X, y)
    model.save(tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / MANIFEST).read_text())
    assert manifest["family"] == "tfidf"
    assert manifest["label_space"]["west"] == ["anti_west", "pro_west", "neutral", "none"]
    assert manifest["params"]["C"] == 2.0
    loaded = load_model(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    assert not list((tmp_path / "m").glob("*.pkl"))


def test_load_refuses_untrusted_types(data: tuple[pd.DataFrame, list[str]], tmp_path: Path) -> None:
    import skops.io as sio

    X, y = data
    model = TfidfStanceModel().fit(X, y)
    model.save(tmp_path / "m")
    # Swap the weights for an object of a type that is not on the trusted list.
    sio.dump({"x": pd.Timestamp("2024-01-01")}, tmp_path / "m" / "model.skops")
    with pytest.raises(ValueError, match="refusing to load untrusted type"):
        load_model(tmp_path / "m")


def test_unknown_family_is_refused(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text(json.dumps({"family": "pickle", "label_space": {}}))
    with pytest.raises(ValueError, match="unknown model family 'pickle'"):
        load_model(tmp_path)


def test_bad_labels_and_inputs(data: tuple[pd.DataFrame, list[str]]) -> None:
    X, y = data
    with pytest.raises(ValueError, match="label 'pro_west' is not in target 'war''s label set"):
        TfidfStanceModel().fit(X.head(1), ["pro_west"])
    with pytest.raises(ValueError, match="lacks column"):
        TfidfStanceModel().fit(X[["text"]], y)
    model = TfidfStanceModel().fit(X, y)
    with pytest.raises(ValueError, match="unknown target"):
        model.predict_proba(pd.DataFrame({"target": ["climate"], "text": ["x"]}))


def test_svm_needs_two_rows_per_label(data: tuple[pd.DataFrame, list[str]]) -> None:
    X, y = data
    with pytest.raises(ValueError, match="at least 2 training rows of every label"):
        TfidfStanceModel(classifier="svm").fit(X.head(11), y[:11])


def test_majority_baseline(data: tuple[pd.DataFrame, list[str]], tmp_path: Path) -> None:
    from stancekit.models.baseline import MajorityStanceModel

    X, y = data
    model = MajorityStanceModel().fit(X.iloc[:4], ["pro_russia", "pro_russia", "neutral", "none"])
    assert list(model.predict(X.head(1))) == ["pro_russia"]
    model.save(tmp_path / "maj")
    np.testing.assert_allclose(
        load_model(tmp_path / "maj").predict_proba(X), model.predict_proba(X)
    )


def test_actor_block_reads_the_marked_mentions(
    data: tuple[pd.DataFrame, list[str]], tmp_path: Path
) -> None:
    from stancekit.models.tfidf import actor_spans

    assert actor_spans("[ACTOR] Putin [/ACTOR] met [ACTOR] Путин [/ACTOR]'s aide") == "Putin Путин"
    X, y = data
    plain = TfidfStanceModel(actor_ngrams=None).fit(X, y)
    named = TfidfStanceModel(actor_ngrams=[2, 3]).fit(X, y)
    features = named.pipeline_.named_steps["features"]
    assert "put" in features.actor_vectorizer_.vocabulary_
    n_text = len(plain.pipeline_.named_steps["features"].transform(X.head(1)).indices)
    assert len(features.transform(X.head(1)).indices) > n_text  # the name block is there
    named.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(X), named.predict_proba(X))
    assert loaded.get_config()["actor_ngrams"] == [2, 3]
    with pytest.raises(ValueError, match="actor_analyzer must be"):
        TfidfStanceModel(actor_analyzer="bytes")
    # texts without marks (tweets): no actor block, and no error
    bare = X.assign(text=X["text"].str.replace(r"\[/?ACTOR\]", "", regex=True))
    unmarked = TfidfStanceModel().fit(bare, y)
    assert unmarked.pipeline_.named_steps["features"].actor_vectorizer_ is None
    assert unmarked.predict(bare).shape == (len(bare),)


def test_features_saved_before_the_actor_block_still_load(
    data: tuple[pd.DataFrame, list[str]],
) -> None:
    from stancekit.models.tfidf import TargetCrossFeatures

    X, y = data
    features = TfidfStanceModel(actor_ngrams=None).fit(X, y).pipeline_.named_steps["features"]
    state = features.__getstate__()
    # the earlier layout: one packed vocabulary under "vocabularies_", no actor attributes
    state["vocabularies_"] = state.pop("vocabularies_vectorizer_")
    for key in ("actor_vectorizer", "actor_vectorizer_"):
        state.pop(key)
    old = TargetCrossFeatures.__new__(TargetCrossFeatures)
    old.__setstate__(state)
    assert (old.transform(X) != features.transform(X)).nnz == 0
