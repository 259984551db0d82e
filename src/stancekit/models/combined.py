"""What each family knows, stacked: TF-IDF, frozen sentence embeddings, the actor's usual labels in
the training data and the speaker role, combined per target by a small logistic regression.

The families' probabilities that the combiner learns from are out of fold (each training row is
predicted by family models that never saw its article), and so is the actor prior (each row's
counts leave its own article out), so the combiner learns how far to trust each source on unseen
articles rather than on rows the families have memorised. The combiner's own out-of-fold output
then fits one temperature per target, which calibrates the probabilities without changing a label.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from stancekit.models.base import StanceModel, class_name, load_model, load_skops
from stancekit.models.calibration import apply_temperature, fit_temperature
from stancekit.models.embedding import EmbeddingStanceModel
from stancekit.models.tfidf import TfidfStanceModel, actor_spans

COMBINER = "combiner.skops"
STATE = "combined.json"
#: floor for probabilities before their log is taken
EPS = 1e-4
NONE = "none"
SPEAKER_MARK = "[SPEAKER]"


def actor_keys(X: pd.DataFrame) -> list[str]:
    """Each row's actor: its ``actor_id``, or (rows without one) its marked mentions, lowercased."""
    if "actor_id" in X.columns:
        return [str(a) for a in X["actor_id"]]
    return [actor_spans(t).lower() for t in X["text"]]


def article_groups(X: pd.DataFrame) -> list[str]:
    """The article of each row (``doc_id``), or the text itself where no id comes with it."""
    col = "doc_id" if "doc_id" in X.columns else "text"
    return [str(v) for v in X[col]]


#: Family fits and out-of-fold probabilities of this process, by what they were fitted on: settings
#: of a sweep that differ only in the combiner (two-stage, prior, role, calibration) share them.
_FITTED: dict[str, Any] = {}
_FITTED_MAX = 12


def _fit_key(name: str, family: StanceModel, X: pd.DataFrame, y: np.ndarray, kind: str) -> str:
    digest = hashlib.sha256()
    spec = [name, kind, family.get_config(), family.label_space, len(X)]
    digest.update(json.dumps(spec, sort_keys=True, default=str).encode())
    for column in (X["target"], X["text"], article_groups(X), y):
        digest.update("\x1f".join(map(str, column)).encode())
    return digest.hexdigest()


def _remember(key: str, value: Any) -> None:
    while len(_FITTED) >= _FITTED_MAX:
        _FITTED.pop(next(iter(_FITTED)))
    _FITTED[key] = value


def _plain(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A family's parameters as plain JSON values (a config's lists and tuples become lists)."""
    if params is None:
        return None
    return {str(k): v for k, v in json.loads(json.dumps(dict(params), default=list)).items()}


def _macro_f1(truth: np.ndarray, proba: np.ndarray) -> float:
    """Macro-F1 of the most probable column against ``truth`` (column indices), over the labels
    that occur in ``truth``."""
    from sklearn.metrics import f1_score

    return float(f1_score(truth, proba.argmax(axis=1), labels=np.unique(truth), average="macro"))


def _normalised(proba: np.ndarray) -> np.ndarray:
    return proba / np.clip(proba.sum(axis=1, keepdims=True), EPS, None)


def _learnable(labels: np.ndarray, two_stage: bool) -> bool:
    """Can a combiner be fitted on these labels (two of them, and two stances for the second stage)?"""
    present = set(labels)
    return len(present) >= 2 and (not two_stage or len(present - {NONE}) >= 2)


class CombinedStanceModel(StanceModel):
    """TF-IDF + embedding probabilities, the actor prior and the speaker role → per-target combiner.

    ``tfidf`` and ``embedding`` are the parameters of the two families (``None`` leaves one out);
    ``prior_strength`` is the weight of the target's overall label distribution in each actor's
    smoothed one (``use_prior=False`` leaves the prior out); ``cross_target`` gives each target's
    combiner the families' probabilities for the same actor in the same article on the other targets
    (an actor's war stance says much about its stance on the West); ``fallback`` keeps a target's
    combiner only where its held-out macro-F1 on the training rows beats each family's alone, and
    otherwise serves that family's (calibrated) probabilities; ``two_stage`` splits each target with
    ``none`` into "stance or none", then "which stance"; ``calibration`` is ``temperature`` or
    ``none``. Rows are grouped into inner folds by ``doc_id`` when the input has it. With
    ``fit_cache`` (a folder), the families' fits and out-of-fold probabilities are kept there by
    what they were fitted on, so a rerun or another combiner setting on the same data reuses them.
    """

    family = "combined"

    def __init__(
        self,
        tfidf: Mapping[str, Any] | None = None,
        embedding: Mapping[str, Any] | None = None,
        use_prior: bool = True,
        prior_strength: float = 2.0,
        use_role: bool = True,
        inner_folds: int = 3,
        two_stage: bool = False,
        cross_target: bool = False,
        fallback: bool = False,
        combiner_C: float = 1.0,
        class_weight: str | None = "balanced",
        calibration: str = "temperature",
        random_state: int = 42,
        fit_cache: str | None = None,
        label_space: Mapping[str, Sequence[str]] | None = None,
    ):
        super().__init__(label_space)
        if calibration not in ("temperature", "none"):
            raise ValueError(f"calibration must be 'temperature' or 'none', got '{calibration}'")
        if tfidf is None and embedding is None and not use_prior:
            raise ValueError("the combined model needs tfidf, embedding or the actor prior")
        if inner_folds < 2:
            raise ValueError(f"inner_folds must be at least 2, got {inner_folds}")
        self.tfidf = _plain(tfidf)
        self.embedding = _plain(embedding)
        self.use_prior = use_prior
        self.prior_strength = prior_strength
        self.use_role = use_role
        self.inner_folds = inner_folds
        self.two_stage = two_stage
        self.cross_target = cross_target
        self.fallback = fallback
        self.combiner_C = combiner_C
        self.class_weight = class_weight
        self.calibration = calibration
        self.random_state = random_state
        self.fit_cache = fit_cache

    def get_config(self) -> dict[str, Any]:
        keys = (
            "tfidf",
            "embedding",
            "use_prior",
            "prior_strength",
            "use_role",
            "inner_folds",
            "two_stage",
            "cross_target",
            "fallback",
            "combiner_C",
            "class_weight",
            "calibration",
            "random_state",
            "fit_cache",
        )
        return {k: getattr(self, k) for k in keys}

    # -- the families ---------------------------------------------------------------------------
    def _families(self) -> dict[str, StanceModel]:
        out: dict[str, StanceModel] = {}
        if self.tfidf is not None:
            out["tfidf"] = TfidfStanceModel(**self.tfidf, label_space=self.label_space)
        if self.embedding is not None:
            params = {"progress": False, **self.embedding}
            out["embedding"] = EmbeddingStanceModel(**params, label_space=self.label_space)
        return out

    def _out_of_fold(self, X: pd.DataFrame, y: Sequence[str]) -> dict[str, np.ndarray]:
        """Each family's probabilities for every training row, from a model fitted without its article."""
        groups = article_groups(X)
        folds = min(self.inner_folds, len(set(groups)))
        if folds < 2:
            raise ValueError("the combined model needs training rows from at least 2 articles")
        labels = np.asarray(y, dtype=object)
        oof = {}
        for name, family in self._families().items():
            key = _fit_key(name, family, X, labels, f"oof{folds}")
            cached = self._recall(key)
            if cached is None:
                cached = np.zeros((len(X), len(self.classes_)))
                for fit_idx, held_idx in GroupKFold(n_splits=folds).split(X, groups=groups):
                    family.fit(X.iloc[fit_idx], labels[fit_idx].tolist())
                    cached[held_idx] = family.predict_proba(X.iloc[held_idx])
                self._keep(key, cached)
            oof[name] = cached
        return oof

    def _recall(self, key: str) -> Any:
        """A family fit or out-of-fold matrix made before: in this process, else in ``fit_cache``."""
        if key in _FITTED:
            return _FITTED[key]
        folder = self._cache_folder(key)
        if folder is None:
            return None
        if (folder / "oof.npy").is_file():
            _remember(key, np.load(folder / "oof.npy", allow_pickle=False))
        elif (folder / "model").is_dir():
            _remember(key, load_model(folder / "model"))
        return _FITTED.get(key)

    def _keep(self, key: str, value: Any) -> None:
        _remember(key, value)
        folder = self._cache_folder(key)
        if folder is None:
            return
        tmp = folder.with_name(folder.name + ".part")
        tmp.mkdir(parents=True, exist_ok=True)
        if isinstance(value, np.ndarray):
            np.save(tmp / "oof.npy", value, allow_pickle=False)
        else:
            value.save(tmp / "model")
        tmp.replace(folder)  # whole or not at all: a killed run leaves only a .part folder

    def _cache_folder(self, key: str) -> Path | None:
        if not self.fit_cache:
            return None
        from stancekit.paths import resolve

        return resolve(self.fit_cache) / key

    def _fit_families(self, X: pd.DataFrame, y: Sequence[str]) -> dict[str, StanceModel]:
        out = {}
        for name, family in self._families().items():
            key = _fit_key(name, family, X, np.asarray(y, dtype=object), "all")
            cached = self._recall(key)
            if cached is None:
                cached = family.fit(X, list(y))
                self._keep(key, cached)
            out[name] = cached
        return out

    # -- the actor prior --------------------------------------------------------------------------
    def _fit_prior(self, X: pd.DataFrame, y: Sequence[str]) -> np.ndarray:
        """Counts per (actor, target, label) from all rows; returns each row's counts without its article."""
        keys, groups = actor_keys(X), article_groups(X)
        self.prior_counts_: dict[str, dict[str, dict[str, int]]] = {t: {} for t in self.label_space}
        self.overall_: dict[str, dict[str, int]] = {t: {} for t in self.label_space}
        own: dict[tuple[str, str, str, str], int] = {}
        for k, g, t, lab in zip(keys, groups, X["target"], y, strict=True):
            by_label = self.prior_counts_[t].setdefault(k, {})
            by_label[lab] = by_label.get(lab, 0) + 1
            self.overall_[t][lab] = self.overall_[t].get(lab, 0) + 1
            own[(g, k, t, lab)] = own.get((g, k, t, lab), 0) + 1
        counts = np.zeros((len(X), len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for r, (k, g, t) in enumerate(zip(keys, groups, X["target"], strict=True)):
            seen = self.prior_counts_[t].get(k, {})
            for lab in self.label_space[t]:
                counts[r, index[class_name(t, lab)]] = seen.get(lab, 0) - own.get((g, k, t, lab), 0)
        return counts

    def _prior_counts(self, X: pd.DataFrame) -> np.ndarray:
        counts = np.zeros((len(X), len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for r, (k, t) in enumerate(zip(actor_keys(X), X["target"], strict=True)):
            seen = self.prior_counts_[t].get(k, {})
            for lab, n in seen.items():
                if class_name(t, lab) in index:
                    counts[r, index[class_name(t, lab)]] = n
        return counts

    # -- the combiner -----------------------------------------------------------------------------
    def _columns(self, target: str) -> list[int]:
        """The columns of :attr:`classes_` that hold ``target``'s labels, in label-space order."""
        return [self.classes_.index(class_name(target, lab)) for lab in self.label_space[target]]

    def _partners(
        self, X: pd.DataFrame, probas: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray] | None:
        """With ``cross_target``: per target, each family's log-probabilities for the row of the same
        actor in the same article (or the same context text, where rows carry no ``doc_id``) on that
        target, the target's uniform distribution where the input has no such row."""
        if not self.cross_target:
            return None
        keys = list(zip(article_groups(X), actor_keys(X), strict=True))
        first: dict[tuple[tuple[str, str], str], int] = {}
        for r, (key, t) in enumerate(zip(keys, X["target"], strict=True)):
            first.setdefault((key, str(t)), r)
        out = {}
        for t in self.label_space:
            cols = np.asarray(self._columns(t))
            at = np.array([first.get((key, t), -1) for key in keys])
            found = at >= 0
            blocks = []
            for p in probas.values():
                block = np.full((len(X), len(cols)), 1.0 / len(cols))
                block[found] = p[np.ix_(at[found], cols)]
                blocks.append(np.log(np.clip(block, EPS, 1.0)))
            out[t] = np.hstack(blocks) if blocks else np.zeros((len(X), 0))
        return out

    def _features(
        self,
        X: pd.DataFrame,
        probas: Mapping[str, np.ndarray],
        counts: np.ndarray | None,
        target: str,
        partners: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """One target's combiner inputs: log-probabilities of each family, the smoothed log prior
        with the actor's evidence count, the role, and (``partners``) the families'
        log-probabilities for the same actor on the other targets."""
        cols = self._columns(target)
        blocks = [np.log(np.clip(p[:, cols], EPS, 1.0)) for p in probas.values()]
        if partners is not None:
            blocks += [block for t, block in partners.items() if t != target]
        if counts is not None:
            seen = counts[:, cols]
            total = max(1, sum(self.overall_[target].values()))
            base = np.array(
                [self.overall_[target].get(lab, 0) / total for lab in self.label_space[target]]
            )
            n = seen.sum(axis=1, keepdims=True)
            smoothed = (seen + self.prior_strength * base) / (n + self.prior_strength)
            blocks += [np.log(np.clip(smoothed, EPS, 1.0)), np.log1p(n)]
        if self.use_role:
            blocks.append(
                np.array([[float(str(t).lstrip().startswith(SPEAKER_MARK))] for t in X["text"]])
            )
        return np.hstack(blocks)

    def _stages(self, labels: np.ndarray) -> bool:
        present = set(labels)
        return self.two_stage and NONE in present and len(present - {NONE}) >= 2

    def _fit_combiner(self, F: np.ndarray, labels: np.ndarray, two: bool) -> Any:
        def lr() -> LogisticRegression:
            return LogisticRegression(
                C=self.combiner_C,
                class_weight=self.class_weight,
                max_iter=2000,
                random_state=self.random_state,
            )

        if not two:
            return lr().fit(F, labels)
        stance = labels != NONE
        return (lr().fit(F, stance), lr().fit(F[stance], labels[stance]))

    def _combine(self, combiner: Any, F: np.ndarray, target: str) -> np.ndarray:
        """Probabilities over ``label_space[target]`` (labels the combiner never saw get 0)."""
        labels = self.label_space[target]
        out = np.zeros((len(F), len(labels)))
        if isinstance(combiner, tuple):
            gate, which = combiner
            p_stance = gate.predict_proba(F)[:, list(gate.classes_).index(True)]
            out[:, labels.index(NONE)] = 1.0 - p_stance
            for j, lab in enumerate(which.classes_):
                out[:, labels.index(lab)] = p_stance * which.predict_proba(F)[:, j]
            return out
        for j, lab in enumerate(combiner.classes_):
            out[:, labels.index(lab)] = combiner.predict_proba(F)[:, j]
        return out

    def fit(self, X: pd.DataFrame, y: Sequence[str]) -> CombinedStanceModel:
        self._check_labels(X, y)
        X = X.reset_index(drop=True)
        self.fit_combiners(X, y, self._out_of_fold(X, y))
        self.families_ = self._fit_families(X, y)
        return self

    def fit_combiners(
        self, X: pd.DataFrame, y: Sequence[str], probas: Mapping[str, np.ndarray]
    ) -> CombinedStanceModel:
        """The prior, the combiners and the temperatures, from the families' held-out ``probas``
        for the rows of ``X`` (what :meth:`fit` does after its inner folds)."""
        X = X.reset_index(drop=True)
        labels = np.asarray(y, dtype=object)
        counts = self._fit_prior(X, y) if self.use_prior else None
        if not self.use_prior:
            self.prior_counts_, self.overall_ = {t: {} for t in self.label_space}, {}
        groups = np.asarray(article_groups(X), dtype=object)
        partners = self._partners(X, probas)
        self.combiners_: dict[str, Any] = {}
        self.temperature_: dict[str, float] = {}
        self.passthrough_: dict[str, str] = {}
        for target in self.label_space:
            rows = np.flatnonzero(X["target"].to_numpy() == target)
            if not len(rows):
                continue
            F = self._features(
                X.iloc[rows],
                {k: v[rows] for k, v in probas.items()},
                None if counts is None else counts[rows],
                target,
                None if partners is None else {t: b[rows] for t, b in partners.items()},
            )
            two = self._stages(labels[rows])
            if not _learnable(labels[rows], two):  # one label only: nothing to learn or calibrate
                self.combiners_[target] = str(pd.Series(labels[rows]).mode()[0])
                continue
            self.combiners_[target] = self._fit_combiner(F, labels[rows], two)
            held = (
                self._held_out(F, labels[rows], groups[rows], target, two)
                if self.calibration == "temperature" or self.fallback
                else None
            )
            truth = np.array([self.label_space[target].index(lab) for lab in labels[rows]])
            if held is not None and self.fallback:
                cols = np.asarray(self._columns(target))
                # "": the combiner, first, so that it wins a tie
                candidates = {"": held} | {
                    name: _normalised(p[np.ix_(rows, cols)]) for name, p in probas.items()
                }
                winner = max(candidates, key=lambda name: _macro_f1(truth, candidates[name]))
                if winner:
                    self.passthrough_[target] = winner
                    held = candidates[winner]
            self.temperature_[target] = (
                fit_temperature(held, truth)
                if held is not None and self.calibration == "temperature"
                else 1.0
            )
        return self

    def _held_out(
        self, F: np.ndarray, labels: np.ndarray, groups: np.ndarray, target: str, two: bool
    ) -> np.ndarray | None:
        """The combiner's out-of-fold probabilities on its training rows (inner folds by article),
        or None where a fold leaves too few labels to fit it."""
        folds = min(self.inner_folds, len(set(groups)))
        held = np.zeros((len(F), len(self.label_space[target])))
        for fit_idx, held_idx in GroupKFold(n_splits=folds).split(F, groups=groups):
            if not _learnable(labels[fit_idx], two):
                return None
            part = self._fit_combiner(F[fit_idx], labels[fit_idx], two)
            held[held_idx] = self._combine(part, F[held_idx], target)
        return held

    def _raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        X = X.reset_index(drop=True)
        return self.combine_probas(X, {n: m.predict_proba(X) for n, m in self.families_.items()})

    def combine_probas(self, X: pd.DataFrame, probas: Mapping[str, np.ndarray]) -> np.ndarray:
        """Combined, calibrated probabilities over :attr:`classes_` from the families' ``probas``."""
        X = X.reset_index(drop=True)
        counts = self._prior_counts(X) if self.use_prior else None
        out = np.zeros((len(X), len(self.classes_)))
        partners = self._partners(X, probas)
        for target, combiner in self.combiners_.items():
            rows = np.flatnonzero(X["target"].to_numpy() == target)
            if not len(rows):
                continue
            cols = np.asarray(self._columns(target))
            if isinstance(combiner, str):  # the target had one label in training
                out[rows, self.classes_.index(class_name(target, combiner))] = 1.0
                continue
            chosen = self.passthrough_.get(target)
            if chosen:  # fallback chose this family for the target: its probabilities as they are
                raw = _normalised(probas[chosen][np.ix_(rows, cols)])
            else:
                F = self._features(
                    X.iloc[rows],
                    {k: v[rows] for k, v in probas.items()},
                    None if counts is None else counts[rows],
                    target,
                    None if partners is None else {t: b[rows] for t, b in partners.items()},
                )
                raw = self._combine(combiner, F, target)
            p = apply_temperature(raw, self.temperature_[target])
            out[np.ix_(rows, cols)] = p
        return out

    # -- persistence: each family in its own folder, the combiners as skops, the rest as JSON -----
    def _save_weights(self, path: Path) -> None:
        import skops.io as sio

        for name, family in self.families_.items():
            family.save(path / name)
        sio.dump(self.combiners_, path / COMBINER)
        state = {
            "prior_counts": self.prior_counts_,
            "overall": self.overall_,
            "temperature": self.temperature_,
            "passthrough": self.passthrough_,
        }
        (path / STATE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def _load(cls, path: Path, manifest: dict[str, Any]) -> CombinedStanceModel:
        model = cls(**manifest.get("params", {}), label_space=manifest["label_space"])
        model.families_ = {
            name: load_model(path / name)
            for name in ("tfidf", "embedding")
            if (path / name).is_dir()
        }
        model.combiners_ = load_skops(path / COMBINER, ())
        state = json.loads((path / STATE).read_text(encoding="utf-8"))
        model.prior_counts_ = state["prior_counts"]
        model.overall_ = state["overall"]
        model.temperature_ = {k: float(v) for k, v in state["temperature"].items()}
        model.passthrough_ = {str(k): str(v) for k, v in state.get("passthrough", {}).items()}
        return model
