"""The articles a scoring run reads: each record is an article to score or a quarantine entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stancekit.data.io import BadRecord, DataFormatError, Record, RecordScanner
from stancekit.scoring.core import article_metadata as metadata

DUPLICATES = ("keep-first", "refuse")


class DuplicateRefused(ValueError):
    """An article id seen twice while duplicates are refused."""


class TextFile:
    """A plain-text file as one article named after the file (same interface as RecordScanner)."""

    unit = "B"

    def __init__(self, path: Path):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
        self.path = path
        self.total = path.stat().st_size
        self.done = 0

    def __iter__(self) -> Iterator[Record | BadRecord]:
        raw = self.path.read_bytes()
        self.done = self.total
        if b"\0" in raw[:8192]:
            raise DataFormatError(f"{self.path}: binary data (NUL bytes), not UTF-8 text")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            yield BadRecord(
                str(self.path),
                line,
                "invalid_utf8",
                "invalid UTF-8",
                raw[:1000].decode(errors="replace"),
            )
            return
        yield Record(str(self.path), 1, {"id": self.path.stem, "text": text})


def open_articles(path: str | Path) -> RecordScanner | TextFile:
    """Records of an article file (JSONL, CSV, Parquet), or one ``.txt`` article."""
    path = Path(path)
    if path.suffix.lower() == ".txt":
        return TextFile(path)
    return RecordScanner(path)


def quarantine_entry(item: Record | BadRecord, kind: str, message: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "where": item.where(),
        "line": item.line,
        "kind": kind,
        "reason": message,
    }
    if isinstance(item, BadRecord):
        entry["raw"] = item.raw
    else:
        entry["record"] = item.data
    return entry


@dataclass
class ArticleGate:
    """Turns records into articles: an id, a text within ``max_chars``, an id not seen before."""

    max_chars: int | None = None
    duplicates: str = "keep-first"
    seen: dict[str, int] = field(default_factory=dict)  # id -> line (all ids: keep it small)

    def __post_init__(self) -> None:
        if self.max_chars is not None and self.max_chars <= 0:
            raise ValueError(
                f"max_chars must be a positive number of characters, got {self.max_chars}"
            )
        if self.duplicates not in DUPLICATES:
            raise ValueError(f"duplicates must be one of {DUPLICATES}, got '{self.duplicates}'")

    def check(
        self, item: Record | BadRecord
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(article, None) for a record to score; (None, quarantine entry) otherwise."""
        if isinstance(item, BadRecord):
            return None, quarantine_entry(item, item.kind, f"{item.where()}: {item.message}")
        d = item.data
        doc_id = d.get("id", d.get("doc_id"))
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
            if doc_id is not None:
                return None, quarantine_entry(
                    item,
                    "bad_id",
                    f"{item.where('id')}: article id must be a string or a number, "
                    f"got {type(doc_id).__name__}",
                )
            doc_id = None
        if doc_id is None or str(doc_id).strip() == "":
            return None, quarantine_entry(
                item, "missing_id", f"{item.where('id')}: missing article id"
            )
        doc_id = str(doc_id)
        text = d.get("text")
        if not isinstance(text, str) or not text.strip():
            got = "" if text is None or isinstance(text, str) else f" (got {type(text).__name__})"
            return None, quarantine_entry(
                item,
                "missing_text",
                f"{item.where('text')}: missing text for article '{doc_id}'{got}",
            )
        for name, value in (("id", doc_id), ("text", text)):
            bad = _lone_surrogate(value)
            if bad is not None:
                return None, quarantine_entry(
                    item,
                    "invalid_text",
                    f"{item.where(name)}: a lone surrogate (U+{ord(value[bad]):04X}) at character "
                    f"{bad + 1} of article '{doc_id!r}' is not text",
                )
        if self.max_chars is not None and len(text) > self.max_chars:
            return None, quarantine_entry(
                item,
                "too_long",
                f"{item.where('text')}: article '{doc_id}' has {len(text)} "
                f"characters, more than max_chars={self.max_chars}",
            )
        first = self.seen.get(doc_id)
        if first is not None:
            message = f"{item.where('id')}: duplicate article id '{doc_id}' (first at {item.path}:{first})"
            if self.duplicates == "refuse":
                raise DuplicateRefused(
                    message + "; pass --duplicates keep-first to score the "
                    "first and quarantine the others"
                )
            return None, quarantine_entry(item, "duplicate_id", message)
        self.seen[doc_id] = item.line
        lang = d.get("lang")
        ok_lang = isinstance(lang, str) and _lone_surrogate(lang) is None
        return {"id": doc_id, "text": text, "lang": lang if ok_lang else None, **metadata(d)}, None


def _lone_surrogate(value: str) -> int | None:
    """Where ``value`` holds a lone surrogate (valid in JSON, not encodable as UTF-8), or None."""
    try:
        value.encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return exc.start
