"""Scoring articles: actors → contexts → predictions, one row per (article, actor, target).

The same object runs inside the MLflow pyfunc model, the streaming scorer and Spark.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from stancekit.actors import ActorExtractor, ContextConfig, Gazetteer
from stancekit.data.schema import NO_EVIDENCE_LABELS
from stancekit.models.base import StanceModel, load_model, model_input

OUTPUT_COLUMNS = [
    "doc_id",
    "actor_id",
    "actor",
    "n_mentions",
    "role",
    "target",
    "label",
    "proba",
    "evidence",
]


def write_actor_config(
    path: str | Path,
    gazetteer: Gazetteer,
    context: ContextConfig,
    discovery: Mapping[str, Any] | None = None,
) -> Path:
    """One self-contained file with the gazetteer and context settings a model was trained with."""
    path = Path(path)
    data = yaml.safe_load(gazetteer.to_yaml())
    data["context"] = dict(context.__dict__)
    if discovery:
        data["discovery"] = dict(discovery)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def read_actor_config(path: str | Path) -> ActorExtractor:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    gazetteer = Gazetteer.from_entries(
        (raw, f"{path} entry {i}") for i, raw in enumerate(data["actors"], 1)
    )
    from stancekit.actors.discovery import make_recogniser

    discovery = data.get("discovery") or {}
    recogniser = make_recogniser(discovery.get("recogniser"), discovery.get("model"))
    return ActorExtractor(
        gazetteer, ContextConfig(**data.get("context", {})), recogniser, discovery
    )


class StanceScorer:
    """A fitted model plus the actor layer it was trained with."""

    def __init__(
        self, model: StanceModel, extractor: ActorExtractor, targets: Sequence[str] | None = None
    ):
        self.model = model
        self.extractor = extractor
        self.targets = list(targets or model.label_space)

    @classmethod
    def from_artifacts(cls, model_dir: str | Path, actors_file: str | Path) -> StanceScorer:
        return cls(load_model(model_dir), read_actor_config(actors_file))

    def score_frame(
        self, articles: pd.DataFrame, params: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        """Articles (``id`` or ``doc_id``, ``text``, optional ``lang``) in; scored rows out.

        ``params={"format": "json"}`` returns one row per article with a JSON list of its rows
        (the shape a Spark UDF needs); the default returns one row per (article, actor, target).
        """
        params = dict(params or {})
        id_col = "id" if "id" in articles.columns else "doc_id"
        if id_col not in articles.columns or "text" not in articles.columns:
            raise ValueError(
                f"articles need columns 'id' (or 'doc_id') and 'text'; got {list(articles.columns)}"
            )
        targets = list(params.get("targets") or self.targets)
        langs = (
            articles["lang"] if "lang" in articles.columns else pd.Series([None] * len(articles))
        )

        # Model inputs for every (article, actor, target), and per-sentence inputs for evidence.
        units: list[dict[str, Any]] = []
        sentence_rows: list[dict[str, Any]] = []
        per_article: list[list[int]] = []
        for doc_id, text, lang in zip(articles[id_col], articles["text"], langs, strict=True):
            mine: list[int] = []
            if isinstance(text, str) and text.strip():
                for ctx in self.extractor.contexts(text, lang if isinstance(lang, str) else None):
                    for target in targets:
                        mine.append(len(units))
                        units.append(
                            {
                                "doc_id": str(doc_id),
                                "actor_id": ctx.actor.actor_id,
                                "actor": ctx.actor.name,
                                "n_mentions": len(ctx.actor.mentions),
                                "role": ctx.role,
                                "target": target,
                                "text": ctx.text,
                                "_first_sentence": len(sentence_rows),
                                "_plain": ctx.plain_sentences,
                            }
                        )
                        sentence_rows.extend(
                            {
                                "target": target,
                                "text": s,
                                "actor_id": ctx.actor.actor_id,
                                "doc_id": str(doc_id),
                            }
                            for s in ctx.sentences
                        )
            per_article.append(mine)

        rows: list[dict[str, Any]] = []
        if units:
            probas = self.model.proba_by_label(model_input(pd.DataFrame(units)))
            sent_probas = (
                self.model.proba_by_label(pd.DataFrame(sentence_rows)) if sentence_rows else []
            )
            for unit, proba in zip(units, probas, strict=True):
                label = max(proba, key=proba.__getitem__)
                evidence = ""
                if label not in NO_EVIDENCE_LABELS and unit["_plain"]:
                    first = unit["_first_sentence"]
                    scores = [sent_probas[first + k][label] for k in range(len(unit["_plain"]))]
                    evidence = unit["_plain"][max(range(len(scores)), key=scores.__getitem__)]
                rows.append(
                    {
                        "doc_id": unit["doc_id"],
                        "actor_id": unit["actor_id"],
                        "actor": unit["actor"],
                        "n_mentions": unit["n_mentions"],
                        "role": unit["role"],
                        "target": unit["target"],
                        "label": label,
                        "proba": json.dumps({k: round(v, 6) for k, v in proba.items()}),
                        "evidence": evidence,
                    }
                )
        if params.get("format") == "json":
            return pd.DataFrame(
                {
                    "doc_id": [str(d) for d in articles[id_col]],
                    "rows": [
                        json.dumps([rows[i] for i in idx], ensure_ascii=False)
                        for idx in per_article
                    ],
                }
            )
        return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
