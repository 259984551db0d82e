"""Label Studio: tasks per (article, actor) with pre-annotations, and its JSON export back to label rows.

Task data: ``doc_id``, ``lang``, ``actor_id``, ``actor``, ``mentions`` and the article as ``html``
with the actor's mentions in ``<mark>``. The labelling config (generated from LABELS.md's label sets)
asks, per target, for a label and an evidence sentence, plus whether the proposed actor is one.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stancekit.actors import ActorExtractor
from stancekit.data.schema import LABEL_SPACE, NO_EVIDENCE_LABELS, Article

IS_ACTOR = "is_actor"
STRATEGIES = ("random", "uncertainty", "disagreement", "all")


def label_config(label_space: Mapping[str, Sequence[str]] = LABEL_SPACE) -> str:
    """The Label Studio labelling config (XML) for the targets and labels of LABELS.md."""
    parts = [
        "<View>",
        '  <Header value="$actor ($actor_id) in $doc_id [$lang]"/>',
        '  <Text name="mentions" value="$mentions_text"/>',
        '  <HyperText name="article" value="$html"/>',
        '  <Header value="Is this an actor per LABELS.md?" size="5"/>',
        f'  <Choices name="{IS_ACTOR}" toName="article" choice="single" showInline="true" required="true">',
        '    <Choice value="yes" selected="true"/>',
        '    <Choice value="no"/>',
        "  </Choices>",
    ]
    for target, labels in label_space.items():
        parts.append(f'  <Header value="{target}" size="5"/>')
        parts.append(
            f'  <Choices name="{target}" toName="article" choice="single" showInline="true" '
            f'required="true" visibleWhen="choice-selected" whenTagName="{IS_ACTOR}" whenChoiceValue="yes">'
        )
        parts += [f'    <Choice value="{lab}"/>' for lab in labels]
        parts.append("  </Choices>")
        parts.append(
            f'  <TextArea name="{target}_evidence" toName="article" maxSubmissions="1" editable="true" '
            f'placeholder="one sentence copied from the article (empty for none)"/>'
        )
    parts.append(
        '  <TextArea name="notes" toName="article" placeholder="anything the guideline did not cover"/>'
    )
    parts.append("</View>")
    return "\n".join(parts) + "\n"


def _html(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, last = [], 0
    for s, e in sorted(spans):
        if s < last:
            continue
        out += [html.escape(text[last:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        last = e
    out.append(html.escape(text[last:]))
    return "<div style='white-space: pre-wrap'>" + "".join(out) + "</div>"


def _result(target: str, label: str, evidence: str) -> list[dict[str, Any]]:
    res = [
        {
            "from_name": target,
            "to_name": "article",
            "type": "choices",
            "value": {"choices": [label]},
        }
    ]
    if evidence:
        res.append(
            {
                "from_name": f"{target}_evidence",
                "to_name": "article",
                "type": "textarea",
                "value": {"text": [evidence]},
            }
        )
    return res


def _entropy(proba: Mapping[str, float]) -> float:
    p = np.array([v for v in proba.values() if v > 0])
    return float(-(p * np.log(p)).sum())


def build_tasks(
    articles: Sequence[Article],
    extractor: ActorExtractor,
    scorers: Sequence[Any] = (),
    strategy: str = "random",
    n: int | None = None,
    seed: int = 42,
    model_versions: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One task per (article, actor), pre-annotated by the first scorer, chosen by ``strategy``.

    ``random`` shuffles (seeded); ``uncertainty`` ranks by the first model's mean entropy over
    targets; ``disagreement`` by how many targets two models label differently; ``all`` keeps
    article order. ``scorers`` are :class:`StanceScorer`-like objects with ``score_frame``.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy '{strategy}' (one of {', '.join(STRATEGIES)})")
    if strategy in ("uncertainty", "disagreement") and len(scorers) < (
        1 if strategy == "uncertainty" else 2
    ):
        raise ValueError(
            f"strategy '{strategy}' needs {'a model' if strategy == 'uncertainty' else 'two models'}"
        )
    frame = pd.DataFrame([{"id": a.id, "text": a.text, "lang": a.lang} for a in articles])
    scored = [s.score_frame(frame) for s in scorers]
    tasks: list[dict[str, Any]] = []
    for article in articles:
        for actor in extractor.actors(article.text, article.lang):
            tasks.append(
                {
                    "data": {
                        "doc_id": article.id,
                        "lang": article.lang or "",
                        "actor_id": actor.actor_id,
                        "actor": actor.name,
                        "provisional": actor.provisional,
                        "mentions": actor.surface_forms,
                        "mentions_text": "mentions: " + ", ".join(actor.surface_forms),
                        "html": _html(article.text, [(m.start, m.end) for m in actor.mentions]),
                    },
                }
            )
    priority = [0.0] * len(tasks)
    if scored:
        keyed = [{(r.doc_id, r.actor_id, r.target): r for r in s.itertuples()} for s in scored]
        for i, task in enumerate(tasks):
            d = task["data"]
            rows = [{t: k.get((d["doc_id"], d["actor_id"], t)) for t in LABEL_SPACE} for k in keyed]
            first = rows[0]
            result: list[dict[str, Any]] = []
            for t, r in first.items():
                if r is not None:
                    result += _result(t, r.label, r.evidence)
            task["predictions"] = [
                {"model_version": (list(model_versions) or ["model"])[0], "result": result}
            ]
            if strategy == "uncertainty":
                probas = [json.loads(r.proba) for r in first.values() if r is not None]
                priority[i] = float(np.mean([_entropy(p) for p in probas])) if probas else 0.0
            elif strategy == "disagreement":
                pairs = [(rows[0][t], rows[1][t]) for t in LABEL_SPACE]
                priority[i] = float(
                    sum(a.label != b.label for a, b in pairs if a is not None and b is not None)
                )
    order = list(range(len(tasks)))
    if strategy == "random":
        random.Random(seed).shuffle(order)
    elif strategy in ("uncertainty", "disagreement"):
        rng = random.Random(seed)
        tie = {i: rng.random() for i in order}
        order.sort(key=lambda i: (-priority[i], tie[i]))
    chosen = [tasks[i] for i in order[: n or None]]
    for task, i in zip(chosen, order, strict=False):
        if strategy in ("uncertainty", "disagreement"):
            task["data"]["priority"] = priority[i]
    return chosen


@dataclass
class ImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(
        default_factory=list
    )  # proposed actors judged not actors
    problems: list[str] = field(default_factory=list)


def _choice(result: list[dict[str, Any]], name: str) -> str | None:
    for r in result:
        if r.get("from_name") == name and r.get("type") == "choices":
            choices = r.get("value", {}).get("choices") or []
            return choices[0] if choices else None
    return None


def _evidence(result: list[dict[str, Any]], target: str) -> str:
    for r in result:
        if r.get("from_name") == f"{target}_evidence":
            value = r.get("value", {})
            if r.get("type") == "textarea":
                return " ".join(value.get("text") or []).strip()
            if value.get("text"):
                return str(value["text"]).strip()  # a span region (Labels) carries its text
    return ""


def _annotator(ann: Mapping[str, Any]) -> str:
    who = ann.get("completed_by")
    if isinstance(who, Mapping):
        return str(who.get("email") or who.get("id") or "unknown")
    return str(who) if who is not None else "unknown"


def import_export(
    path: str | Path,
    articles: Mapping[str, Article] | None = None,
    known_actors: Iterable[str] | None = None,
    label_space: Mapping[str, Sequence[str]] = LABEL_SPACE,
) -> ImportResult:
    """A Label Studio JSON export → LABELS.md rows (one per annotation and target), validated.

    Problems name the task id: unknown labels, missing targets, evidence not in the article,
    articles not found, actor ids the gazetteer does not know (unless provisional ``new:``).
    A task with ``data.added`` is an actor the annotator found that had no task (a gazetteer miss):
    it must list its ``mentions`` as they are written in the article, and each must occur there.
    """
    path = Path(path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}: not a Label Studio JSON export ({exc.msg} at line {exc.lineno})"
        ) from exc
    if not isinstance(tasks, list):
        raise ValueError(f"{path}: expected a JSON list of tasks")
    known = set(known_actors) if known_actors is not None else None
    out = ImportResult()
    for pos, task in enumerate(tasks, start=1):
        tid = task.get("id", f"#{pos}")
        data = task.get("data") or {}
        doc_id, actor_id = data.get("doc_id"), data.get("actor_id")
        where = f"{path} task {tid}"
        if not doc_id or not actor_id:
            out.problems.append(f"{where}: task data lacks doc_id or actor_id")
            continue
        article = articles.get(doc_id) if articles is not None else None
        if articles is not None and article is None:
            out.problems.append(f"{where}: article '{doc_id}' not found")
            continue
        if known is not None and actor_id not in known and not str(actor_id).startswith("new:"):
            out.problems.append(f"{where}: actor '{actor_id}' is not in the gazetteer")
            continue
        mentions = [str(m) for m in data.get("mentions") or [] if str(m).strip()]
        added = bool(data.get("added"))
        if added and not mentions:
            out.problems.append(f"{where}: added actor '{actor_id}' lists no mentions")
            continue
        if added and article is not None:
            absent = [m for m in mentions if m not in article.text]
            if absent:
                out.problems.append(
                    f"{where}: mentions {absent} of added actor '{actor_id}' are not in article '{doc_id}'"
                )
                continue
        for ann in task.get("annotations") or []:
            if ann.get("was_cancelled"):
                continue
            result = ann.get("result") or []
            annotator = _annotator(ann)
            if _choice(result, IS_ACTOR) == "no":
                out.rejected.append(
                    {
                        "doc_id": doc_id,
                        "actor_id": actor_id,
                        "annotator": annotator,
                        "task": tid,
                        "reason": "annotator: not an actor",
                    }
                )
                continue
            for target, labels in label_space.items():
                label = _choice(result, target)
                if label is None:
                    out.problems.append(
                        f"{where}: annotation by {annotator} has no '{target}' label"
                    )
                    continue
                if label not in labels:
                    out.problems.append(f"{where}: unknown label '{label}' for target '{target}'")
                    continue
                evidence = "" if label in NO_EVIDENCE_LABELS else _evidence(result, target)
                if (
                    evidence
                    and article is not None
                    and " ".join(evidence.split()) not in " ".join(article.text.split())
                ):
                    out.problems.append(
                        f"{where}: '{target}' evidence by {annotator} is not in article '{doc_id}'"
                    )
                out.rows.append(
                    {
                        "doc_id": doc_id,
                        "lang": data.get("lang") or None,
                        "actor_id": actor_id,
                        "actor": data.get("actor", ""),
                        "mentions": mentions,
                        "added": added,
                        "target": target,
                        "label": label,
                        "evidence": evidence,
                        "annotator": annotator,
                    }
                )
    return out
