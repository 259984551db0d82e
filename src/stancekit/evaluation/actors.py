"""How well the actor layer finds the actors annotators saw: recall, precision against the gold
actors, and split actors (one gold actor found as several).

A gold actor is one (article, actor) of the annotated rows, with the surface forms the annotators
recorded. An extracted actor finds it when the ids agree or when any of its mentions overlaps an
occurrence of one of the gold forms in the text, so a provisional ``new:`` id, or a gazetteer id
added later under another name, counts when it points at the same words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stancekit.actors import Actor, mentions_from_strings


@dataclass(frozen=True)
class GoldActor:
    doc_id: str
    actor_id: str
    mentions: tuple[str, ...] = ()


def gold_actors(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[GoldActor]]:
    """doc_id → its gold actors, one per (article, actor id), every recorded form kept."""
    forms: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for r in rows:
        key = (str(r["doc_id"]), str(r["actor_id"]))
        forms[key].update(dict.fromkeys(str(m) for m in r.get("mentions") or ()))
    out: dict[str, list[GoldActor]] = defaultdict(list)
    for (doc, actor), f in sorted(forms.items()):
        out[doc].append(GoldActor(doc, actor, tuple(f)))
    return dict(out)


@dataclass
class ActorMatch:
    """One article's extracted actors against its gold actors."""

    found: list[GoldActor] = field(default_factory=list)
    missed: list[GoldActor] = field(default_factory=list)
    matched: list[Actor] = field(default_factory=list)  # extracted actors that hit a gold actor
    unmatched: list[Actor] = field(default_factory=list)  # extracted, no gold actor: audit these
    split: int = 0  # gold actors hit by more than one extracted actor


def match_actors(text: str, extracted: Sequence[Actor], gold: Sequence[GoldActor]) -> ActorMatch:
    spans = {
        g.actor_id: [(m.start, m.end) for m in mentions_from_strings(g.actor_id, text, g.mentions)]
        for g in gold
    }
    hits: dict[str, int] = defaultdict(int)
    out = ActorMatch()
    for a in extracted:
        hit = [
            g
            for g in gold
            if g.actor_id == a.actor_id
            or any(s < m.end and m.start < e for m in a.mentions for s, e in spans[g.actor_id])
        ]
        (out.matched if hit else out.unmatched).append(a)
        for g in hit:
            hits[g.actor_id] += 1
    for g in gold:
        (out.found if hits[g.actor_id] else out.missed).append(g)
    out.split = sum(1 for n in hits.values() if n > 1)
    return out


def actor_scores(matches: Iterable[ActorMatch]) -> dict[str, float]:
    """Recall over gold actors, precision against gold over extracted actors, and counts."""
    found = missed = matched = unmatched = split = 0
    for m in matches:
        found, missed = found + len(m.found), missed + len(m.missed)
        matched, unmatched = matched + len(m.matched), unmatched + len(m.unmatched)
        split += m.split
    gold, extracted = found + missed, matched + unmatched
    return {
        "gold_actors": gold,
        "extracted_actors": extracted,
        "recall": found / gold if gold else 0.0,
        "precision_vs_gold": matched / extracted if extracted else 0.0,
        "split_actors": split,
    }
