"""Stand-off label rows: evidence as character offsets into the article, never the article's text.

Public articles may not be redistributed, so the annotated set stores ``doc_id`` + ``lang`` and
offsets; :func:`resolve_standoff` rebuilds full LABELS.md rows against a local copy of the texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stancekit.data.schema import Article, LabelRow

STANDOFF_FIELDS = (
    "doc_id",
    "lang",
    "actor_id",
    "target",
    "label",
    "evidence_start",
    "evidence_end",
    "annotator",
)
# Optional: the actor's surface forms (names, not article text), kept for actors the annotators
# added, so that the data layer can locate an actor the gazetteer does not know.
OPTIONAL_FIELDS = ("actor", "mentions", "added")


class StandoffError(ValueError):
    """A row whose evidence cannot be located in, or read back from, its article."""


def _locate(text: str, evidence: str) -> tuple[int, int] | None:
    if not evidence:
        return None
    i = text.find(evidence)
    if i < 0:
        # tolerate whitespace differences (line breaks inside a sentence)
        import re

        pattern = r"\s+".join(re.escape(w) for w in evidence.split())
        m = re.search(pattern, text)
        return (m.start(), m.end()) if m else None
    return i, i + len(evidence)


def to_standoff(
    rows: Iterable[Mapping[str, Any]], articles: Mapping[str, Article]
) -> list[dict[str, Any]]:
    """Rows with evidence text → rows with evidence offsets (and no text at all)."""
    out = []
    for n, r in enumerate(rows, start=1):
        article = articles.get(r["doc_id"])
        if article is None:
            raise StandoffError(f"row {n}: article '{r['doc_id']}' not found")
        span = _locate(article.text, r.get("evidence") or "")
        if r.get("evidence") and span is None:
            raise StandoffError(
                f"row {n} ({r['doc_id']}, {r['actor_id']}, {r['target']}): evidence not in the article"
            )
        out.append(
            {
                "doc_id": r["doc_id"],
                "lang": r.get("lang") or article.lang,
                "actor_id": r["actor_id"],
                "target": r["target"],
                "label": r["label"],
                "evidence_start": span[0] if span else None,
                "evidence_end": span[1] if span else None,
                "annotator": r.get("annotator"),
                **{k: r[k] for k in OPTIONAL_FIELDS if r.get(k)},
            }
        )
    return out


def standoff_rows(
    rows: Iterable[Mapping[str, Any]], articles: Mapping[str, Article]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows as stand-off rows, and a problem line for each row left out because its evidence is not
    in its article (whitespace aside)."""
    ok, problems = [], []
    for n, r in enumerate(rows, start=1):
        evidence = " ".join((r.get("evidence") or "").split())
        if evidence and evidence not in " ".join(articles[r["doc_id"]].text.split()):
            problems.append(
                f"row {n} ({r['doc_id']}, {r['actor_id']}, {r['target']}): evidence not in the "
                "article; row left out of the stand-off file"
            )
        else:
            ok.append(r)
    return to_standoff(ok, articles), problems


def resolve_standoff(
    rows: Iterable[Mapping[str, Any]],
    articles: Mapping[str, Article],
    names: Mapping[str, str] | None = None,
) -> list[LabelRow]:
    """Stand-off rows → :class:`LabelRow` with the evidence sentence cut from the article."""
    out = []
    for n, r in enumerate(rows, start=1):
        article = articles.get(r["doc_id"])
        if article is None:
            raise StandoffError(f"row {n}: article '{r['doc_id']}' not found in the texts given")
        start, end = r.get("evidence_start"), r.get("evidence_end")
        evidence = ""
        if start is not None and end is not None:
            start, end = int(start), int(end)
            if not 0 <= start < end <= len(article.text):
                raise StandoffError(
                    f"row {n}: evidence offsets {start}:{end} outside article '{r['doc_id']}'"
                )
            evidence = article.text[start:end]
        actor_id = str(r["actor_id"])
        out.append(
            LabelRow(
                doc_id=str(r["doc_id"]),
                actor_id=actor_id,
                target=str(r["target"]),
                label=str(r["label"]),
                actor=str(r.get("actor") or (names or {}).get(actor_id, actor_id)),
                mentions=tuple(r.get("mentions") or ()),
                evidence=evidence,
                annotator=str(r["annotator"]) if r.get("annotator") else None,
            )
        )
    return out
