"""TF-IDF (word and character n-grams) + a linear classifier, target-conditioned by feature crossing."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.extmath import softmax

from stancekit.actors.contexts import ACTOR_CLOSE, ACTOR_OPEN, ActorContext
from stancekit.models.base import ContextProbas, SkopsStanceModel
from stancekit.models.tfidf_sentences import (
    WordNgramCache,
    context_blocks,
    decomposable,
    tfidf_from_counts,
)

WEIGHTS = "model.skops"
#: Types outside scikit-learn/numpy's defaults that a saved TF-IDF model may contain. Loading
#: refuses a file holding any other type that skops does not trust by default.
TRUSTED_TYPES = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "stancekit.models.tfidf.TargetCrossFeatures",
]


#: Mentions of the actor as the actor layer marks them in a context.
ACTOR_SPAN = re.compile(rf"{re.escape(ACTOR_OPEN)}\s*(.*?)\s*{re.escape(ACTOR_CLOSE)}", re.DOTALL)


def actor_spans(text: str) -> str:
    """The marked mentions of the actor in ``text``, joined by spaces (its name as written)."""
    return " ".join(ACTOR_SPAN.findall(text))


class TargetCrossFeatures(TransformerMixin, BaseEstimator):
    """Shared text features plus a copy placed in the row's target block.

    A linear model on these learns weights common to all targets and per-target weights, which is
    what lets one model serve every target without the targets' cues cancelling out. With an
    ``actor_vectorizer``, the marked mentions (the actor's name) get a feature block of their own,
    so "who" is not drowned in "what the sentence says".
    """

    def __init__(
        self, vectorizer: Any = None, targets: Sequence[str] = (), actor_vectorizer: Any = None
    ):
        self.vectorizer = vectorizer
        self.targets = targets
        self.actor_vectorizer = actor_vectorizer

    def fit(self, X: pd.DataFrame, y: Any = None) -> TargetCrossFeatures:
        self.vectorizer_ = clone(self.vectorizer).fit(X["text"].tolist())
        names = [actor_spans(t) for t in X["text"]]
        # texts without marked actors (tweets, reviews) get no actor block rather than an error
        self.actor_vectorizer_ = (
            clone(self.actor_vectorizer).fit(names)
            if self.actor_vectorizer is not None and any(n.strip() for n in names)
            else None
        )
        self.target_index_ = {t: i for i, t in enumerate(self.targets)}
        return self

    # skops writes a dict entry by entry (and numpy scalars as files of their own), so a vocabulary
    # of tens of thousands of n-grams takes minutes; it travels as two arrays instead.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for attr in ("vectorizer_", "actor_vectorizer_"):
            if state.get(attr) is not None:
                state[attr], state[f"vocabularies_{attr}"] = _pack(state[attr])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        packed = {
            a: state.pop(f"vocabularies_{a}", None) for a in ("vectorizer_", "actor_vectorizer_")
        }
        if "vocabularies_" in state:  # saved before the actor block existed
            packed["vectorizer_"] = state.pop("vocabularies_")
        self.__dict__.update(state)
        self.__dict__.setdefault("actor_vectorizer", None)
        self.__dict__.setdefault("actor_vectorizer_", None)
        for attr, terms in packed.items():
            if terms:
                _unpack(getattr(self, attr), terms)

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        texts = X["text"].tolist()
        base = sp.csr_matrix(self.vectorizer_.transform(texts))
        return self.cross(self.with_actor_block(base, texts), X["target"])

    def with_actor_block(
        self, base: sp.csr_matrix, texts: Sequence[str], words: WordNgramCache | None = None
    ) -> sp.csr_matrix:
        """``base`` (the texts' shared features) with the actor block beside it, if there is one
        (its char_wb n-grams counted through ``words`` when given)."""
        vec = self.actor_vectorizer_
        if vec is None:
            return base
        spans = [actor_spans(t) for t in texts]
        if words is not None and decomposable(vec) and vec.analyzer == "char_wb":
            names = tfidf_from_counts(vec, words.counts(vec, spans))
        else:
            names = vec.transform(spans)
        return sp.hstack([base, names], format="csr")

    def cross(self, base: sp.csr_matrix, targets: Sequence[str]) -> sp.csr_matrix:
        """Shared features plus their copy in each row's target block."""
        base = sp.csr_matrix(base)
        base.sort_indices()
        n, d = base.shape
        t = np.array([self.target_index_[v] for v in targets], dtype=np.int64)
        # row r holds its entries twice: at their columns, then shifted into target block t[r]
        lengths = np.diff(base.indptr)
        row = np.repeat(np.arange(n), lengths)
        within = np.arange(base.nnz) - base.indptr[row]
        first = 2 * base.indptr[row] + within
        second = first + lengths[row]
        indices = np.empty(2 * base.nnz, dtype=np.int64)
        data = np.empty(2 * base.nnz, dtype=base.dtype)
        indices[first], indices[second] = base.indices, base.indices + d * (1 + t[row])
        data[first], data[second] = base.data, base.data
        return sp.csr_matrix(
            (data, indices, 2 * base.indptr), shape=(n, d * (1 + len(self.targets)))
        )


def _pack(vectorizer: Any) -> tuple[Any, list[dict[str, Any]]]:
    """``vectorizer`` (or a FeatureUnion of them) without vocabularies, and the terms as arrays."""
    packed, parts = [], []
    for name, vec in _vectorizers(vectorizer):
        light = copy.copy(vec)
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        packed.append({"name": name, "terms": np.array(terms, dtype=str)})
        light.vocabulary_ = None
        light.stop_words_ = None  # introspection only; can be huge
        parts.append((name, light))
    if hasattr(vectorizer, "transformer_list"):
        union = copy.copy(vectorizer)
        union.transformer_list = parts
        return union, packed
    return parts[0][1], packed


def _unpack(vectorizer: Any, packed: list[dict[str, Any]]) -> None:
    by_name = {p["name"]: p["terms"] for p in packed}
    for name, vec in _vectorizers(vectorizer):
        vec.vocabulary_ = {str(t): i for i, t in enumerate(by_name[name].tolist())}


def _vectorizers(union: Any) -> list[tuple[str, Any]]:
    return list(union.transformer_list) if hasattr(union, "transformer_list") else [("text", union)]


class TfidfStanceModel(SkopsStanceModel, BaseEstimator):
    """Word + char TF-IDF, crossed with the target, into logistic regression or a calibrated linear SVM.

    ``actor_ngrams`` (default ``(2, 4)``; ``None`` turns it off) adds n-grams of the marked actor
    mentions as a block of their own (``actor_analyzer``: ``char_wb``, ``char`` or ``word``); rows
    without marks (tweets, reviews) simply have no such features.
    """

    family = "tfidf"
    skops_attr = "pipeline_"
    skops_file = WEIGHTS
    skops_trusted = TRUSTED_TYPES

    def __init__(
        self,
        classifier: str = "logreg",
        C: float = 4.0,
        word_ngrams: Sequence[int] = (1, 2),
        char_ngrams: Sequence[int] = (2, 5),
        min_df: int = 1,
        max_features: int | None = 200_000,
        class_weight: str | None = "balanced",
        calibration_cv: int = 3,
        max_iter: int = 3000,
        random_state: int = 42,
        actor_ngrams: Sequence[int] | None = (2, 4),
        actor_analyzer: str = "char_wb",
        label_space: Mapping[str, Sequence[str]] | None = None,
    ):
        super().__init__(label_space)
        if classifier not in ("logreg", "svm"):
            raise ValueError(f"classifier must be 'logreg' or 'svm', got '{classifier}'")
        if actor_analyzer not in ("char_wb", "char", "word"):
            raise ValueError(
                f"actor_analyzer must be 'char_wb', 'char' or 'word', got '{actor_analyzer}'"
            )
        self.classifier = classifier
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.class_weight = class_weight
        self.calibration_cv = calibration_cv
        self.max_iter = max_iter
        self.random_state = random_state
        self.actor_ngrams = actor_ngrams
        self.actor_analyzer = actor_analyzer

    def get_config(self) -> dict[str, Any]:
        params = self.get_params()
        params.pop("label_space", None)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}

    def _classifier(self, y: Sequence[str]) -> Any:
        if self.classifier == "logreg":
            return LogisticRegression(
                C=self.C,
                max_iter=self.max_iter,
                class_weight=self.class_weight,
                random_state=self.random_state,
            )
        svm = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
        # Calibration needs every class in every fold; tiny data gets fewer folds.
        folds = min(self.calibration_cv, min(Counter(y).values()))
        if folds < 2:
            raise ValueError(
                "the calibrated SVM needs at least 2 training rows of every label "
                f"(least frequent: {Counter(y).most_common()[-1]}); use more data or model=tfidf_logreg"
            )
        return CalibratedClassifierCV(svm, method="sigmoid", cv=folds)

    def fit(self, X: pd.DataFrame, y: Sequence[str]) -> TfidfStanceModel:
        classes = self._check_labels(X, y)
        vectorizer = FeatureUnion(
            [
                (
                    "word",
                    TfidfVectorizer(
                        ngram_range=tuple(self.word_ngrams),
                        sublinear_tf=True,
                        min_df=self.min_df,
                        max_features=self.max_features,
                    ),
                ),
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=tuple(self.char_ngrams),
                        sublinear_tf=True,
                        min_df=self.min_df,
                        max_features=self.max_features,
                    ),
                ),
            ]
        )
        names = None
        if self.actor_ngrams:  # the marked mentions (the actor's name) as a feature block
            names = TfidfVectorizer(
                analyzer=self.actor_analyzer,
                ngram_range=tuple(self.actor_ngrams),
                sublinear_tf=True,
                min_df=self.min_df,
            )
        self.pipeline_ = Pipeline(
            [
                ("features", TargetCrossFeatures(vectorizer, list(self.label_space), names)),
                ("clf", self._classifier(classes)),
            ]
        ).fit(X[["target", "text"]], classes)
        return self

    def _raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self._align(
            self.pipeline_.predict_proba(X[["target", "text"]]), self.pipeline_.classes_
        )

    def proba_for_contexts(
        self, contexts: Sequence[ActorContext], targets: Sequence[str]
    ) -> ContextProbas:
        """As the per-row model gives them, with each distinct sentence of the batch vectorised
        once (see :mod:`stancekit.models.tfidf_sentences`)."""
        features = self.pipeline_.named_steps["features"]
        union = features.vectorizer_
        vectorizers = [v for _, v in _vectorizers(union)]
        plain_union = getattr(union, "transformer_weights", None) is None
        if not contexts or not plain_union or not all(map(decomposable, vectorizers)):
            return super().proba_for_contexts(contexts, targets)
        unknown = set(targets) - set(self.label_space)
        if unknown:
            raise ValueError(
                f"unknown target(s) {sorted(unknown)}; the model knows {list(self.label_space)}"
            )
        if getattr(self, "_words", None) is None:
            self._words = WordNgramCache()
        units, sentences = context_blocks(vectorizers, contexts, self._words)
        units = features.with_actor_block(units, [c.text for c in contexts], self._words)
        sentences = features.with_actor_block(
            sentences, [s for c in contexts for s in c.sentences], self._words
        )
        firsts = np.cumsum([0] + [len(c.sentences) for c in contexts])
        by_unit, by_sentence = [], []
        for target in targets:
            by_unit.append(self._block_by_label(units, target))
            got = self._block_by_label(sentences, target)
            by_sentence.append([got[firsts[c] : firsts[c + 1]] for c in range(len(contexts))])
        return ContextProbas(
            [[by_unit[t][c] for t in range(len(targets))] for c in range(len(contexts))],
            [[by_sentence[t][c] for t in range(len(targets))] for c in range(len(contexts))],
        )

    def _block_by_label(self, base: sp.csr_matrix, target: str) -> list[dict[str, float]]:
        """Label probabilities of rows with these shared features, all read for ``target``."""
        features = self.pipeline_.named_steps["features"]
        clf = self.pipeline_.named_steps["clf"]
        rows = [target] * base.shape[0]
        if isinstance(clf, LogisticRegression) and len(clf.classes_) > 2:
            # the crossed row's score is the shared weights' plus the target block's, so the
            # crossed matrix (twice the size) is never built: the same softmax of the same sums
            d, t = base.shape[1], features.target_index_[target]
            weights = clf.coef_[:, :d] + clf.coef_[:, d * (1 + t) : d * (2 + t)]
            proba = softmax(np.asarray(base @ weights.T) + clf.intercept_)
        else:
            proba = clf.predict_proba(features.cross(base, rows))
        return self._by_label(self._masked(self._align(proba, clf.classes_), rows), rows)
