"""Joining label rows to articles through the actor layer: one model input per (article, actor, target).

Training and scoring both go through :func:`actor_contexts`, so a model sees the same kind of input
at scoring time as in training.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from stancekit.actors import (
    Actor,
    ActorContext,
    ActorExtractor,
    build_context,
    mentions_from_strings,
)
from stancekit.actors.contexts import split_sentences
from stancekit.data.schema import Article, LabelRow

EXAMPLE_COLUMNS = [
    "doc_id",
    "lang",
    "actor_id",
    "actor",
    "n_mentions",
    "role",
    "target",
    "label",
    "text",
    "source",
]


@dataclass
class Examples:
    frame: pd.DataFrame
    quarantine: list[dict[str, str]] = field(default_factory=list)


def actor_contexts(extractor: ActorExtractor, article: Article) -> dict[str, ActorContext]:
    return {c.actor.actor_id: c for c in extractor.contexts(article.text, article.lang)}


def build_examples(
    articles: Sequence[Article], labels: Iterable[LabelRow], extractor: ActorExtractor
) -> Examples:
    """Model inputs for every label row; rows whose actor cannot be located go to quarantine."""
    by_doc: dict[str, list[LabelRow]] = {}
    for r in labels:
        by_doc.setdefault(r.doc_id, []).append(r)
    rows: list[dict[str, object]] = []
    quarantine: list[dict[str, str]] = []
    for article in articles:
        doc_rows = by_doc.get(article.id)
        if not doc_rows:
            continue
        found = actor_contexts(extractor, article)
        sentences = None
        for r in doc_rows:
            ctx = found.get(r.actor_id)
            source = "gazetteer"
            if ctx is None:
                # The gazetteer missed the actor: fall back to the annotated surface forms.
                mentions = mentions_from_strings(r.actor_id, article.text, r.mentions)
                if not mentions:
                    quarantine.append(
                        {
                            "doc_id": r.doc_id,
                            "actor_id": r.actor_id,
                            "target": r.target,
                            "reason": "actor not found in the article: no gazetteer match and none of "
                            f"its annotated mentions {list(r.mentions)} occur in the text",
                        }
                    )
                    continue
                sentences = sentences or split_sentences(article.text)
                actor = Actor(r.actor_id, r.actor or r.actor_id, "unknown", mentions)
                ctx = build_context(article.text, sentences, actor, extractor.context)
                found[r.actor_id] = ctx
                source = "annotation"
            rows.append(
                {
                    "doc_id": r.doc_id,
                    "lang": article.lang,
                    "actor_id": r.actor_id,
                    "actor": r.actor or ctx.actor.name,
                    "n_mentions": len(ctx.actor.mentions),
                    "role": ctx.role,
                    "target": r.target,
                    "label": r.label,
                    "text": ctx.text,
                    "source": source,
                }
            )
    return Examples(pd.DataFrame(rows, columns=EXAMPLE_COLUMNS), quarantine)


def fingerprint(frame: pd.DataFrame) -> str:
    """A content hash of prepared examples: equal data, equal hash, whatever the row order."""
    records = sorted(
        json.dumps(r, ensure_ascii=False, sort_keys=True, default=str)
        for r in frame.to_dict(orient="records")
    )
    h = hashlib.sha256()
    for rec in records:
        h.update(rec.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def split_fingerprint(frame: pd.DataFrame, split: str) -> str:
    """The fingerprint of one split's rows (``split`` column): what identifies a held-out set."""
    if "split" not in frame.columns:
        return ""
    columns = [c for c in EXAMPLE_COLUMNS if c in frame.columns]
    return fingerprint(frame.loc[frame["split"] == split, columns])
