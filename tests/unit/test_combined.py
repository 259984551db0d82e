"""The combined (stacked) family: out-of-fold sources, the actor prior, save/load through the pyfunc."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stancekit.models import load_model
from stancekit.models.combined import CombinedStanceModel
from tests.conftest import ROWS, TINY_GAZETTEER, build_tiny_transformer, tiny_corpus

TFIDF = {"C": 4.0, "char_ngrams": [2, 3], "word_ngrams": [1, 1]}


def _data(n: int = 4) -> tuple[pd.DataFrame, list[str]]:
    """The tiny rows ``n`` times, one article per copy, with each row's actor id."""
    rows = ROWS * n
    return (
        pd.DataFrame(
            {
                "target": [r[0] for r in rows],
                "text": [r[1] for r in rows],
                "actor_id": [r[1].split()[1].lower() for r in rows],
                "doc_id": [f"doc{i // len(ROWS)}" for i in range(len(rows))],
            }
        ),
        [r[2] for r in rows],
    )


@pytest.mark.parametrize("two_stage", [False, True])
def test_fit_predict_save_load(two_stage: bool, tmp_path: Path) -> None:
    X, y = _data()
    model = CombinedStanceModel(tfidf=TFIDF, two_stage=two_stage).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (model.predict(X) == np.array(y)).mean() >= 0.9
    assert set(model.temperature_) == {"war", "west", "sentiment"}
    model.save(tmp_path / "m")
    assert not list((tmp_path / "m").rglob("*.pkl"))
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, CombinedStanceModel) and loaded.two_stage == two_stage
    np.testing.assert_allclose(loaded.predict_proba(X), proba, atol=1e-9)
    # without ids the actor is read from its marked mentions
    assert loaded.predict_proba(X[["target", "text"]]).shape == proba.shape


def test_the_actor_prior_leaves_each_rows_own_article_out() -> None:
    X = pd.DataFrame(
        {
            "target": ["war"] * 3,
            "text": ["[ACTOR] Putin [/ACTOR] x"] * 3,
            "actor_id": ["putin"] * 3,
            "doc_id": ["a", "a", "b"],
        }
    )
    model = CombinedStanceModel(tfidf=None)
    counts = model._fit_prior(X, ["pro_russia", "pro_russia", "neutral"])
    col = {c: i for i, c in enumerate(model.classes_)}
    # rows of article a see only article b's label, and b sees a's two
    assert counts[0, col["war:pro_russia"]] == 0 and counts[0, col["war:neutral"]] == 1
    assert counts[2, col["war:pro_russia"]] == 2 and counts[2, col["war:neutral"]] == 0
    # at prediction time the whole training set counts
    assert model._prior_counts(X.head(1))[0, col["war:pro_russia"]] == 2


def test_embedding_family_and_the_pyfunc_round_trip(tmp_path: Path) -> None:
    from stancekit.actors import ActorExtractor, ContextConfig, Gazetteer
    from stancekit.scoring.core import StanceScorer
    from stancekit.tracking.loading import check_model_folder, load_checked_model
    from stancekit.tracking.runs import save_model

    X, y = _data()
    encoder = build_tiny_transformer(tmp_path / "enc", X["text"].tolist())
    model = CombinedStanceModel(
        tfidf=TFIDF,
        embedding={"encoder": str(encoder), "cache_dir": str(tmp_path / "cache")},
    ).fit(X, y)
    assert set(model.families_) == {"tfidf", "embedding"}
    gaz = tmp_path / "gazetteer.yaml"
    gaz.write_text(TINY_GAZETTEER, encoding="utf-8")
    scorer = StanceScorer(model, ActorExtractor(Gazetteer.load(gaz), ContextConfig()))
    articles = pd.DataFrame(tiny_corpus(2)[0])[["id", "text", "lang"]]
    folder = save_model(scorer, articles, tmp_path / "pyfunc")
    check_model_folder(folder)  # the toolkit's own checks: no pickle, its own code
    pyfunc, _ = load_checked_model(str(folder))
    rows = pyfunc.predict(articles)
    assert set(rows["target"]) == {"war", "west", "sentiment"}
    pd.testing.assert_frame_equal(rows, scorer.score_frame(articles))


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="calibration must be"):
        CombinedStanceModel(calibration="platt")
    with pytest.raises(ValueError, match="needs tfidf, embedding or the actor prior"):
        CombinedStanceModel(tfidf=None, embedding=None, use_prior=False)


def test_fit_cache_serves_a_second_setting_without_refitting_the_families(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stancekit.models import combined
    from stancekit.models.tfidf import TfidfStanceModel

    X, y = _data(2)
    cache = str(tmp_path / "fits")
    first = CombinedStanceModel(tfidf=TFIDF, fit_cache=cache).fit(X, y)
    assert len(list((tmp_path / "fits").iterdir())) == 2  # out-of-fold matrix and the full fit
    combined._FITTED.clear()  # a new process: only the folder is shared

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("TF-IDF fitted again")

    monkeypatch.setattr(TfidfStanceModel, "fit", refuse)
    other = CombinedStanceModel(tfidf=TFIDF, fit_cache=cache, two_stage=True).fit(X, y)
    assert other.families_["tfidf"].predict_proba(X) == pytest.approx(
        first.families_["tfidf"].predict_proba(X)
    )


def test_cross_target_pairs_each_row_with_the_same_actors_other_targets(tmp_path: Path) -> None:
    model = CombinedStanceModel(tfidf=TFIDF, cross_target=True)
    X = pd.DataFrame(
        {
            "target": ["war", "west", "war", "sentiment"],
            "text": ["t1", "t1", "t2", "t2"],
            "actor_id": ["putin", "putin", "putin", "nato"],
            "doc_id": ["a", "a", "b", "b"],
        }
    )
    proba = np.random.default_rng(0).dirichlet(np.ones(len(model.classes_)), size=len(X))
    partners = model._partners(X, {"tfidf": proba})
    assert partners is not None
    west = [model.classes_.index(f"west:{lab}") for lab in model.label_space["west"]]
    # the war row of putin in article a sees the west row of putin in article a
    np.testing.assert_allclose(partners["west"][0], np.log(proba[1, west]))
    # putin in article b has no west row: the uniform distribution stands in
    np.testing.assert_allclose(partners["west"][2], np.log(np.full(len(west), 1 / len(west))))
    # nato is another actor: nothing from putin's war row
    war = model.label_space["war"]
    np.testing.assert_allclose(partners["war"][3], np.log(np.full(len(war), 1 / len(war))))
    # fitted, saved and loaded, the setting is kept and the probabilities are the same
    Xd, y = _data()
    fitted = model.fit(Xd, y)
    assert (fitted.predict(Xd) == np.array(y)).mean() >= 0.9
    fitted.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.cross_target
    np.testing.assert_allclose(loaded.predict_proba(Xd), fitted.predict_proba(Xd), atol=1e-9)


def test_fallback_serves_a_family_where_the_combiner_does_worse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the combiner's held-out predictions score below a family's own, ``fallback`` serves
    that family's calibrated probabilities for the target; where it does not, the combiner stays."""
    X, y = _data(6)
    settings = {"tfidf": TFIDF, "use_prior": False, "use_role": False, "fallback": True}
    model = CombinedStanceModel(**settings)
    index = {c: i for i, c in enumerate(model.classes_)}
    rng = np.random.default_rng(0)
    family = rng.dirichlet(np.ones(len(model.classes_)) * 5, size=len(X)) * 0.2
    for r, (t, lab) in enumerate(zip(X["target"], y, strict=True)):
        family[r, index[f"{t}:{lab}"]] += 1.0  # the family knows every label
    given = {"tfidf": family}
    plain = CombinedStanceModel(**settings).fit_combiners(X, y, given)
    assert plain.passthrough_ == {}  # a combiner as good as the family keeps the target

    def always_first_label(*args: object) -> np.ndarray:
        F, target = args[-5], args[-2]
        assert isinstance(F, np.ndarray) and isinstance(target, str)
        held = np.zeros((len(F), len(model.label_space[target])))
        held[:, 0] = 1.0
        return held

    chosen = CombinedStanceModel(**settings)
    monkeypatch.setattr(chosen, "_held_out", always_first_label)
    chosen.fit_combiners(X, y, given)
    assert chosen.passthrough_ == {"war": "tfidf", "west": "tfidf", "sentiment": "tfidf"}
    by_label = chosen._by_label(chosen.combine_probas(X, given), X["target"])
    assert [max(p, key=p.__getitem__) for p in by_label] == list(y)
    # the choice is saved with the model
    monkeypatch.setattr(CombinedStanceModel, "_held_out", always_first_label)
    full = CombinedStanceModel(tfidf=TFIDF, fallback=True).fit(X, y)
    assert full.passthrough_
    full.save(tmp_path / "m")
    assert load_model(tmp_path / "m").passthrough_ == full.passthrough_
