"""The one model interface every family shares.

A stance model is target-conditioned: one model for all targets, fed a frame with columns
``target`` and ``text`` (an actor's marked contexts), predicting within each target's own label set.
Its classes are ``"target:label"`` strings; probabilities outside a row's target are zero.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from stancekit.data.schema import LABEL_SPACE

if TYPE_CHECKING:
    from stancekit.actors.contexts import ActorContext

MANIFEST = "stancekit_model.json"
FORMAT_VERSION = 1
#: The columns a model may read: ``target`` and ``text`` always; a family that knows what to do
#: with the actor's id and the article's id (the combined model's actor prior) reads them when
#: present. Training and scoring hand over every one of these their frame has.
INPUT_COLUMNS = ("target", "text", "actor_id", "doc_id")


def model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``frame`` that a model reads (:data:`INPUT_COLUMNS`), in that order."""
    return frame[[c for c in INPUT_COLUMNS if c in frame.columns]]


@dataclass
class ContextProbas:
    """Label probabilities per actor context: ``units[c][t]`` of context ``c``'s input for the
    ``t``-th target, ``sentences[c][t][k]`` of its ``k``-th marked sentence alone."""

    units: list[list[dict[str, float]]]
    sentences: list[list[list[dict[str, float]]]]


def class_name(target: str, label: str) -> str:
    return f"{target}:{label}"


def split_class(name: str) -> tuple[str, str]:
    target, _, label = name.partition(":")
    return target, label


class StanceModel(ABC):
    """fit / predict_proba / predict over (target, text) rows; labels travel with the saved model."""

    family: str = "base"

    def __init__(self, label_space: Mapping[str, Sequence[str]] | None = None):
        self.label_space = {t: list(v) for t, v in (label_space or LABEL_SPACE).items()}

    # -- the contract -------------------------------------------------------------------------
    @property
    def classes_(self) -> list[str]:
        return [class_name(t, lab) for t, labels in self.label_space.items() for lab in labels]

    @abstractmethod
    def fit(self, X: pd.DataFrame, y: Sequence[str]) -> StanceModel:
        """Fit on rows with ``target`` and ``text``; ``y`` holds each row's label (without target)."""

    @abstractmethod
    def _raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Scores over :attr:`classes_` before masking to each row's target."""

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities over :attr:`classes_`; each row sums to 1 over its own target's labels."""
        X = self._check_input(X)
        return self._masked(self._raw_proba(X), X["target"])

    def _masked(self, raw_scores: Any, targets: Sequence[str]) -> np.ndarray:
        """Raw scores kept to each row's target's labels and renormalised."""
        raw = np.clip(np.asarray(raw_scores, dtype=float), 0.0, None)
        mask = np.zeros_like(raw)
        index = {c: i for i, c in enumerate(self.classes_)}
        for r, target in enumerate(targets):
            for lab in self.label_space[target]:
                mask[r, index[class_name(target, lab)]] = 1.0
        raw = raw * mask
        total = raw.sum(axis=1, keepdims=True)
        # A row whose target got no mass (a label unseen in training) falls back to uniform.
        uniform = mask / mask.sum(axis=1, keepdims=True)
        return np.where(total > 0, raw / np.where(total > 0, total, 1.0), uniform)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        proba = self.predict_proba(X)
        return np.array(
            [split_class(self.classes_[i])[1] for i in proba.argmax(axis=1)], dtype=object
        )

    def proba_by_label(self, X: pd.DataFrame) -> list[dict[str, float]]:
        """Per row, label -> probability within the row's target."""
        X = self._check_input(X)
        return self._by_label(self.predict_proba(X), X["target"])

    def proba_for_contexts(
        self, contexts: Sequence[ActorContext], targets: Sequence[str]
    ) -> ContextProbas:
        """Per actor context and target, the label probabilities of its whole input and of each of
        its marked sentences alone (the evidence candidates).

        This default reads each distinct (target, text, actor) once; the actor's id goes with its
        text because a family may know something about the actor itself (the combined model's
        prior). A family that can build an input's features from its sentences' (TF-IDF) does better.
        """
        rows: dict[tuple[str, str, str], int] = {}
        for ctx in contexts:
            for t in targets:
                for text in (ctx.text, *ctx.sentences):
                    rows.setdefault((t, text, ctx.actor.actor_id), len(rows))
        frame = pd.DataFrame(list(rows), columns=["target", "text", "actor_id"])
        got = self.proba_by_label(frame) if rows else []
        return ContextProbas(
            [[got[rows[t, ctx.text, ctx.actor.actor_id]] for t in targets] for ctx in contexts],
            [
                [[got[rows[t, s, ctx.actor.actor_id]] for s in ctx.sentences] for t in targets]
                for ctx in contexts
            ],
        )

    def _by_label(self, proba: np.ndarray, targets: Sequence[str]) -> list[dict[str, float]]:
        index = {c: i for i, c in enumerate(self.classes_)}
        return [
            {lab: float(proba[r, index[class_name(t, lab)]]) for lab in self.label_space[t]}
            for r, t in enumerate(targets)
        ]

    def _check_input(self, X: pd.DataFrame) -> pd.DataFrame:
        missing = {"target", "text"} - set(X.columns)
        if missing:
            raise ValueError(
                f"model input lacks column(s) {sorted(missing)}; got {list(X.columns)}"
            )
        unknown = set(X["target"]) - set(self.label_space)
        if unknown:
            raise ValueError(
                f"unknown target(s) {sorted(unknown)}; the model knows {list(self.label_space)}"
            )
        return X

    def _check_labels(self, X: pd.DataFrame, y: Sequence[str]) -> list[str]:
        X = self._check_input(X)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        out = []
        for t, lab in zip(X["target"], y, strict=True):
            if lab not in self.label_space[t]:
                raise ValueError(
                    f"label '{lab}' is not in target '{t}''s label set {self.label_space[t]}"
                )
            out.append(class_name(t, lab))
        return out

    # -- persistence --------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        manifest = {
            "format_version": FORMAT_VERSION,
            "family": self.family,
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "label_space": self.label_space,
            "classes": self.classes_,
            "params": self.get_config(),
        }
        self._save_weights(path)
        (path / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        return path

    def get_config(self) -> dict[str, Any]:
        return {}

    def _align(self, proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
        """A scikit-learn estimator's probabilities (columns in ``classes`` order) over :attr:`classes_`."""
        out = np.zeros((proba.shape[0], len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for j, c in enumerate(classes):
            out[:, index[c]] = proba[:, j]
        return out

    @abstractmethod
    def _save_weights(self, path: Path) -> None: ...

    @classmethod
    @abstractmethod
    def _load(cls, path: Path, manifest: dict[str, Any]) -> StanceModel: ...


def load_skops(file: Path, trusted: Sequence[str]) -> Any:
    """A skops file, refused if it holds any type beyond skops' defaults and ``trusted``."""
    import skops.io as sio

    untrusted = [t for t in sio.get_untrusted_types(file=file) if t not in trusted]
    if untrusted:
        raise ValueError(f"{file}: refusing to load untrusted type(s) {untrusted}")
    return sio.load(file, trusted=list(trusted))


class SkopsStanceModel(StanceModel):
    """A family whose fitted state is one scikit-learn object, saved as a skops file.

    Subclasses name the attribute that holds it (``skops_attr``), its file in the model folder
    (``skops_file``) and the types beyond skops' defaults it may contain (``skops_trusted``);
    loading refuses any other type, so no pickle is ever run.
    """

    skops_attr: str
    skops_file: str
    skops_trusted: Sequence[str] = ()

    def _save_weights(self, path: Path) -> None:
        import skops.io as sio

        sio.dump(getattr(self, self.skops_attr), path / self.skops_file)

    @classmethod
    def _load(cls, path: Path, manifest: dict[str, Any]) -> StanceModel:
        model = cls(**manifest.get("params", {}), label_space=manifest["label_space"])
        setattr(model, cls.skops_attr, load_skops(path / cls.skops_file, cls.skops_trusted))
        return model


#: Model classes that :func:`load_model` may construct; a manifest naming another class is refused.
KNOWN_FAMILIES = {
    "majority": "stancekit.models.baseline.MajorityStanceModel",
    "combined": "stancekit.models.combined.CombinedStanceModel",
    "embedding": "stancekit.models.embedding.EmbeddingStanceModel",
    "transformer_onnx": "stancekit.models.onnx.OnnxTransformerStanceModel",
    "tfidf": "stancekit.models.tfidf.TfidfStanceModel",
    "transformer": "stancekit.models.transformer.TransformerStanceModel",
}


def load_model(path: str | Path) -> StanceModel:
    """Load a model saved with :meth:`StanceModel.save` (no pickle: each family has a safe format)."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        raise FileNotFoundError(f"{path}: not a stancekit model (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    family = manifest.get("family")
    if family not in KNOWN_FAMILIES:
        raise ValueError(
            f"{manifest_path}: unknown model family '{family}' (known: {sorted(KNOWN_FAMILIES)})"
        )
    module, _, name = KNOWN_FAMILIES[family].rpartition(".")
    cls = getattr(import_module(module), name)
    return cls._load(path, manifest)
