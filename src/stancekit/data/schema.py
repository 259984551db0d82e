"""Row types and label sets of the annotation guideline (LABELS.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Every target of LABELS.md with its label set, in a fixed order.
LABEL_SPACE: dict[str, tuple[str, ...]] = {
    "war": ("pro_russia", "pro_ukraine", "neutral", "none"),
    "west": ("anti_west", "pro_west", "neutral", "none"),
    "sentiment": ("negative", "neutral", "positive"),
}
TARGETS: tuple[str, ...] = tuple(LABEL_SPACE)
#: The two stance classes of each stance target; its F-avg is the mean of their F1s.
STANCE_LABELS: dict[str, tuple[str, str]] = {
    "war": ("pro_russia", "pro_ukraine"),
    "west": ("anti_west", "pro_west"),
}

#: Labels that carry no evidence sentence.
NO_EVIDENCE_LABELS = frozenset({"none"})

ARTICLE_FIELDS = ("id", "text", "lang", "date", "source", "title")
LABEL_FIELDS = ("doc_id", "actor_id", "actor", "mentions", "target", "label", "evidence")


@dataclass(frozen=True)
class Article:
    """A news article: the unit that splits, deduplication and scoring work on."""

    id: str
    text: str
    lang: str | None = None
    date: str | None = None
    source: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class LabelRow:
    """One actor in one article for one target, as in LABELS.md."""

    doc_id: str
    actor_id: str
    target: str
    label: str
    actor: str = ""
    mentions: tuple[str, ...] = field(default_factory=tuple)
    evidence: str = ""
    annotator: str | None = None
