"""Resolving annotations into one gold row per (article, actor, target), with every decision recorded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GOLD = "adjudicated"


class AdjudicationError(ValueError):
    """A disagreement with no recorded decision."""


@dataclass
class Gold:
    rows: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(
        default_factory=list
    )  # actors an is_actor decision removed
    stats: dict[str, int] = field(default_factory=dict)


def adjudicate(
    rows: Iterable[Mapping[str, Any]],
    decisions: Iterable[Mapping[str, Any]] = (),
) -> Gold:
    """Gold rows: the single annotation, the agreed label, or the recorded decision.

    ``decisions`` hold ``{doc_id, actor_id, target, label, evidence_start, evidence_end, reason}``
    for label disagreements and ``{doc_id, actor_id, is_actor: "no"|"yes", reason}`` for actors one
    annotator rejected. A disagreement without a decision is an error, never a silent choice.
    """
    by_key: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by_key[(r["doc_id"], r["actor_id"], r["target"])].append(r)
    decisions = list(decisions)
    label_decisions = {
        (d["doc_id"], d["actor_id"], d["target"]): d for d in decisions if "target" in d
    }
    actor_decisions = {(d["doc_id"], d["actor_id"]): d for d in decisions if "is_actor" in d}
    gold = Gold(stats={"single": 0, "agreed": 0, "decided": 0, "dropped": 0})
    for key, given in sorted(by_key.items()):
        verdict = actor_decisions.get(key[:2])
        if verdict is not None and verdict["is_actor"] == "no":
            gold.dropped.append(
                {
                    "doc_id": key[0],
                    "actor_id": key[1],
                    "target": key[2],
                    "reason": verdict.get("reason", ""),
                }
            )
            gold.stats["dropped"] += 1
            continue
        labels = {a["label"] for a in given}
        if len(given) == 1:
            chosen, how = dict(given[0]), "single"
        elif len(labels) == 1:
            chosen, how = dict(given[0]), "agreed"
        else:
            d = label_decisions.get(key)
            if d is None:
                raise AdjudicationError(
                    f"({key[0]}, {key[1]}, {key[2]}): annotators disagree ({sorted(labels)}) and no decision is recorded"
                )
            chosen = {
                **dict(given[0]),
                "label": d["label"],
                "evidence_start": d.get("evidence_start"),
                "evidence_end": d.get("evidence_end"),
            }
            how = "decided"
        gold.stats[how] += 1
        chosen["annotator"] = GOLD
        chosen["resolution"] = how
        gold.rows.append(chosen)
    return gold


def read_decisions(path: Any, articles: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Decisions from a JSONL file; a label decision's evidence text becomes offsets into its article."""
    from stancekit.annotation.standoff import to_standoff
    from stancekit.data.io import read_records

    decided = []
    for rec in read_records(path):
        d = dict(rec.data)
        if "target" in d and "evidence" in d:
            offsets = to_standoff([{**d, "annotator": "adjudicator"}], articles)[0]
            d.update({k: v for k, v in offsets.items() if k.startswith("evidence_")})
            d.pop("evidence")
        decided.append(d)
    return decided
