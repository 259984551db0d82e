"""Public datasets → the project's articles and rows, read in the format of their original releases."""

from __future__ import annotations

from pathlib import Path

from stancekit.data.schema import Article
from stancekit.data.validate import normalise_text

SEMEVAL_LANGS = {"bg": "BG", "ru": "RU", "en": "EN", "pt": "PT", "hi": "HI"}


def semeval_narratives(folder: Path) -> dict[str, list[str]]:
    """article id → its subtask-2 narratives (``URW: ...`` for the war, ``CC: ...`` for climate)."""
    path = folder / "subtask-2-annotations.txt"
    out: dict[str, list[str]] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            out[parts[0]] = [n.strip() for n in parts[1].split(";") if n.strip()]
    return out


def read_semeval_articles(
    root: str | Path,
    langs: list[str] | tuple[str, ...] = ("bg", "ru"),
    narrative_prefix: str | None = "URW",
) -> list[Article]:
    """SemEval-2025 Task 10 raw documents (``<root>/<LANG>/raw-documents/*.txt``) as articles.

    ``doc_id`` is the file name; with ``narrative_prefix``, only articles whose subtask-2
    narratives include one starting with it (``URW``: the war in Ukraine) are kept.
    """
    root = Path(root)
    articles: list[Article] = []
    for lang in langs:
        folder = root / SEMEVAL_LANGS.get(lang, lang.upper())
        docs = folder / "raw-documents"
        if not docs.is_dir():
            raise FileNotFoundError(
                f"{docs}: no SemEval-2025 T10 raw-documents folder for '{lang}'"
            )
        narratives = semeval_narratives(folder)
        for path in sorted(docs.glob("*.txt")):
            if narrative_prefix and not any(
                n.startswith(narrative_prefix) for n in narratives.get(path.name, [])
            ):
                continue
            text = normalise_text(path.read_text(encoding="utf-8"))
            title = text.split("\n", 1)[0].strip()
            articles.append(
                Article(id=path.name, text=text, lang=lang, source="semeval2025_t10", title=title)
            )
    return articles


def frozen_docs(path: str | Path | None) -> frozenset[str]:
    """The articles of a frozen evaluation slice (``frozen``: language → ids, as in
    ``data/annotations/batch2.json``); none without a path."""
    if not path:
        return frozenset()
    import json

    record = json.loads(Path(path).read_text(encoding="utf-8"))
    frozen = record.get("frozen") if isinstance(record, dict) else None
    if not isinstance(frozen, dict):
        raise ValueError(f"{path}: no 'frozen' mapping of language -> article ids")
    return frozenset(str(d) for docs in frozen.values() for d in docs)


def load_semeval_annotations(
    rows: str | Path,
    texts: str | Path,
    langs: list[str] | tuple[str, ...] = ("bg", "ru"),
    annotator: str | None = "adjudicated",
    max_rows: int | None = None,
    exclude: frozenset[str] = frozenset(),
) -> tuple[list[Article], list]:
    """The project's stand-off annotations joined with the SemEval-2025 T10 texts.

    ``annotator`` picks one annotation per row (``adjudicated`` rows are the resolved gold;
    ``None`` keeps every annotator's rows, e.g. for agreement studies). Articles in ``exclude``
    (a frozen evaluation slice) are left out.
    """
    from stancekit.annotation.standoff import resolve_standoff
    from stancekit.data.io import read_records
    from stancekit.data.validate import Report, parse_labels

    articles = {a.id: a for a in read_semeval_articles(texts, langs, narrative_prefix=None)}
    raw = [r.data for r in read_records(rows) if r.data.get("doc_id") not in exclude]
    if annotator:
        raw = [r for r in raw if r.get("annotator") == annotator]
    keep = sorted({r["doc_id"] for r in raw})
    if max_rows:
        keep = keep[:max_rows]
    kept = set(keep)
    label_rows = resolve_standoff([r for r in raw if r["doc_id"] in kept], articles)
    # the same validation as any label file: labels, targets, conflicts, evidence in the article
    from stancekit.data.io import Record

    report = Report()
    records = [
        Record(str(rows), i, {**r.__dict__, "mentions": list(r.mentions)})
        for i, r in enumerate(label_rows, 1)
    ]
    checked = parse_labels(records, report, articles)
    report.raise_if_errors()
    return [articles[d] for d in keep], checked
