"""Validation of articles and label rows: every problem is collected with its file, line and field."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from stancekit.data.io import BadRecord, Record, scan_records
from stancekit.data.schema import LABEL_SPACE, NO_EVIDENCE_LABELS, Article, LabelRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Issue:
    where: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DataValidationError(ValueError):
    """Raised with every error found, one per line."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        lines = "\n".join(f"  {i}" for i in issues[:50])
        more = f"\n  ... and {len(issues) - 50} more" if len(issues) > 50 else ""
        super().__init__(f"{len(issues)} data error(s):\n{lines}{more}")


@dataclass
class Report:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(Issue(where, message))

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Issue(where, message, "warning"))

    def raise_if_errors(self) -> None:
        for w in self.warnings:
            log.warning("%s", w)
        if self.errors:
            raise DataValidationError(self.errors)


def normalise_text(text: str) -> str:
    """NFC, unified quotes/dashes kept, whitespace runs collapsed: the form used for matching and hashing."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


def text_hash(text: str) -> str:
    return hashlib.sha1(normalise_text(text).lower().encode("utf-8")).hexdigest()


def _as_str(value: object) -> str | None:
    if value is None:
        return None
    return str(value)


def parse_articles(records: Iterable[Record], report: Report) -> list[Article]:
    articles: list[Article] = []
    seen: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for rec in records:
        d = rec.data
        doc_id = _as_str(d.get("id", d.get("doc_id")))
        text = d.get("text")
        bad = False
        if not doc_id:
            report.error(rec.where("id"), "missing article id")
            bad = True
        if text is None or not isinstance(text, str) or not text.strip():
            report.error(rec.where("text"), f"missing text for article '{doc_id or '?'}'")
            bad = True
        if doc_id and doc_id in seen:
            report.error(
                rec.where("id"), f"duplicate article id '{doc_id}' (first at {seen[doc_id]})"
            )
            bad = True
        if bad or not doc_id or not isinstance(text, str):
            continue
        seen[doc_id] = rec.where()
        h = text_hash(text)
        if h in seen_text:
            report.warn(
                rec.where("text"),
                f"article '{doc_id}' has the same text as '{seen_text[h]}'; they are kept in one split",
            )
        else:
            seen_text[h] = doc_id
        articles.append(
            Article(
                id=doc_id,
                text=normalise_text(text),
                lang=_as_str(d.get("lang")),
                date=_as_str(d.get("date")),
                source=_as_str(d.get("source")),
                title=_as_str(d.get("title")),
            )
        )
    return articles


def _mentions(value: object) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        # CSV cells hold a JSON list or a '|'-separated list.
        value = value.strip()
        if value.startswith("["):
            import json

            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                return None
        else:
            return tuple(v.strip() for v in value.split("|") if v.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_labels(
    records: Iterable[Record], report: Report, articles: dict[str, Article] | None = None
) -> list[LabelRow]:
    rows: list[LabelRow] = []
    seen: dict[tuple[str, str, str, str | None], tuple[str, str]] = {}
    for rec in records:
        d = rec.data
        bad = False
        for name in ("doc_id", "actor_id", "target", "label"):
            if not _as_str(d.get(name)):
                report.error(rec.where(name), f"missing {name}")
                bad = True
        doc_id, actor_id = str(d.get("doc_id") or ""), str(d.get("actor_id") or "")
        target, label = str(d.get("target") or ""), str(d.get("label") or "")
        if target and target not in LABEL_SPACE:
            report.error(
                rec.where("target"),
                f"unknown target '{target}' (expected one of {list(LABEL_SPACE)})",
            )
            bad = True
        elif target and label and label not in LABEL_SPACE[target]:
            report.error(
                rec.where("label"),
                f"unknown label '{label}' for target '{target}' (expected one of {list(LABEL_SPACE[target])})",
            )
            bad = True
        mentions = _mentions(d.get("mentions"))
        if mentions is None:
            report.error(rec.where("mentions"), "mentions must be a list of strings")
            bad = True
        if bad or mentions is None:
            continue
        evidence = _as_str(d.get("evidence")) or ""
        annotator = _as_str(d.get("annotator"))
        article = articles.get(doc_id) if articles is not None else None
        if articles is not None and article is None:
            report.error(rec.where("doc_id"), f"label row points at missing article '{doc_id}'")
            continue
        if label in NO_EVIDENCE_LABELS and evidence:
            report.warn(rec.where("evidence"), f"label '{label}' should have empty evidence")
        if (
            article is not None
            and evidence
            and normalise_text(evidence) not in normalise_text(article.text)
        ):
            report.warn(rec.where("evidence"), f"evidence is not a sentence of article '{doc_id}'")
        key = (doc_id, actor_id, target, annotator)
        if key in seen:
            prev_where, prev_label = seen[key]
            if prev_label != label:
                report.error(
                    rec.where("label"),
                    f"conflicting label '{label}' for ({doc_id}, {actor_id}, {target}); "
                    f"'{prev_label}' at {prev_where}",
                )
            else:
                report.warn(rec.where(), f"duplicate row for ({doc_id}, {actor_id}, {target})")
            continue
        seen[key] = (rec.where(), label)
        rows.append(
            LabelRow(
                doc_id=doc_id,
                actor_id=actor_id,
                target=target,
                label=label,
                actor=_as_str(d.get("actor")) or "",
                mentions=mentions,
                evidence=evidence,
                annotator=annotator,
            )
        )
    return rows


def read_checked(path: str | Path, report: Report) -> list[Record]:
    """The records of a file; each line that is not a record becomes an error of ``report``."""
    records = []
    for item in scan_records(path):
        if isinstance(item, BadRecord):
            report.error(item.where(), item.message)
        else:
            records.append(item)
    return records


def _check_max_rows(max_rows: int | None) -> None:
    if max_rows is not None and (isinstance(max_rows, bool) or max_rows <= 0):
        raise ValueError(
            f"data.max_rows must be a positive number of articles or null, got {max_rows}"
        )


def load_articles(path: str | Path, max_rows: int | None = None) -> list[Article]:
    """Read and validate articles; raise :class:`DataValidationError` listing every problem."""
    _check_max_rows(max_rows)
    report = Report()
    articles = parse_articles(read_checked(path, report), report)
    report.raise_if_errors()
    return articles[:max_rows] if max_rows else articles


def load_dataset(
    articles_path: str | Path, labels_path: str | Path, max_rows: int | None = None
) -> tuple[list[Article], list[LabelRow]]:
    """Read and validate articles and their label rows together (``max_rows`` caps articles)."""
    _check_max_rows(max_rows)
    report = Report()
    articles = parse_articles(read_checked(articles_path, report), report)
    by_id = {a.id: a for a in articles}
    labels = parse_labels(read_checked(labels_path, report), report, by_id)
    report.raise_if_errors()
    if max_rows:
        articles = articles[:max_rows]
        keep = {a.id for a in articles}
        labels = [r for r in labels if r.doc_id in keep]
    return articles, labels
