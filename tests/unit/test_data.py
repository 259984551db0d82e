"""Data contract: one test per error kind, asserting the message names file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stancekit.data import (
    DataValidationError,
    load_articles,
    load_dataset,
    read_records,
    split_by_article,
)
from stancekit.data.io import DataFormatError, write_records
from tests.conftest import tiny_corpus, write_jsonl

ARTICLE = {"id": "a1", "text": "Putin spoke.", "lang": "en"}
ROW = {
    "doc_id": "a1",
    "actor_id": "vladimir_putin",
    "actor": "Putin",
    "mentions": ["Putin"],
    "target": "war",
    "label": "pro_russia",
    "evidence": "Putin spoke.",
}


def _errors(tmp_path: Path, articles: list[dict], labels: list[dict] | None = None) -> str:
    a = write_jsonl(tmp_path / "articles.jsonl", articles)
    with pytest.raises(DataValidationError) as exc:
        if labels is None:
            load_articles(a)
        else:
            load_dataset(a, write_jsonl(tmp_path / "labels.jsonl", labels))
    return str(exc.value)


def test_missing_text(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE, {"id": "a2", "text": "  "}])
    assert f"{tmp_path / 'articles.jsonl'}:2 field 'text': missing text for article 'a2'" in msg


def test_missing_id(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [{"text": "x"}])
    assert "articles.jsonl:1 field 'id': missing article id" in msg


def test_duplicate_id(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE, ARTICLE])
    assert "articles.jsonl:2 field 'id': duplicate article id 'a1' (first at" in msg


def test_unknown_label(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE], [{**ROW, "label": "pro_west"}])
    assert (
        "labels.jsonl:1 field 'label': unknown label 'pro_west' for target 'war' "
        "(expected one of ['pro_russia', 'pro_ukraine', 'neutral', 'none'])"
    ) in msg


def test_unknown_target(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE], [{**ROW, "target": "nato"}])
    assert "labels.jsonl:1 field 'target': unknown target 'nato'" in msg


def test_label_row_points_at_missing_article(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE], [ROW, {**ROW, "doc_id": "zz"}])
    assert "labels.jsonl:2 field 'doc_id': label row points at missing article 'zz'" in msg


def test_conflicting_labels(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE], [ROW, {**ROW, "label": "neutral"}])
    assert (
        "labels.jsonl:2 field 'label': conflicting label 'neutral' for (a1, vladimir_putin, war)"
        in msg
    )


def test_missing_field_and_bad_mentions(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE], [{**ROW, "actor_id": None}, {**ROW, "mentions": 5}])
    assert "labels.jsonl:1 field 'actor_id': missing actor_id" in msg
    assert "labels.jsonl:2 field 'mentions': mentions must be a list of strings" in msg


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    msg = _errors(tmp_path, [ARTICLE, {"id": "a2"}, ARTICLE])
    assert msg.startswith("2 data error(s):")


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "a"}\n{oops\n', encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"bad.jsonl:2: invalid JSON"):
        read_records(p)


def test_unsupported_format(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="unsupported file type '.xml'"):
        read_records(tmp_path / "x.xml")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_formats_round_trip(tmp_path: Path, suffix: str) -> None:
    articles, labels = tiny_corpus(6)
    a = tmp_path / f"articles{suffix}"
    lab = tmp_path / f"labels{suffix}"
    write_records(a, articles)
    write_records(lab, labels)
    arts, rows = load_dataset(a, lab)
    assert [x.id for x in arts] == [x["id"] for x in articles]
    assert len(rows) == len(labels)
    assert rows[0].mentions == tuple(labels[0]["mentions"])


def test_csv_errors_name_the_row(tmp_path: Path) -> None:
    p = tmp_path / "articles.csv"
    pd.DataFrame([{"id": "a", "text": "ok"}, {"id": "b", "text": ""}]).to_csv(p, index=False)
    with pytest.raises(DataValidationError, match=r"articles.csv:3 field 'text'"):
        load_articles(p)


def test_split_is_by_article_and_seeded() -> None:
    from stancekit.data.io import Record
    from stancekit.data.validate import Report, parse_articles, parse_labels

    articles, labels = tiny_corpus(40)
    rep = Report()
    arts = parse_articles([Record("a", i, r) for i, r in enumerate(articles, 1)], rep)
    rows = parse_labels(
        [Record("l", i, r) for i, r in enumerate(labels, 1)], rep, {a.id: a for a in arts}
    )
    s1 = split_by_article(arts, rows, 0.2, 0.2, seed=1)
    s2 = split_by_article(arts, rows, 0.2, 0.2, seed=1)
    assert s1 == s2
    all_ids = s1["train"] + s1["val"] + s1["test"]
    assert sorted(all_ids) == sorted(a.id for a in arts)  # every article in exactly one split
    assert len(set(all_ids)) == len(all_ids)
    assert 6 <= len(s1["test"]) <= 10 and 6 <= len(s1["val"]) <= 10


def test_duplicate_texts_share_a_split() -> None:
    from stancekit.data.schema import Article

    arts = [Article(f"d{i}", f"text {i // 2}") for i in range(20)]  # pairs of identical texts
    s = split_by_article(arts, [], 0.2, 0.2, seed=3)
    where = {d: k for k, ids in s.items() for d in ids}
    for i in range(0, 20, 2):
        assert where[f"d{i}"] == where[f"d{i + 1}"]


def test_label_rows_load_from_demo_format(tmp_path: Path) -> None:
    # mentions in CSV may be a JSON list or '|'-separated
    a = write_jsonl(tmp_path / "a.jsonl", [ARTICLE])
    p = tmp_path / "l.csv"
    pd.DataFrame(
        [
            {**ROW, "mentions": json.dumps(["Putin"])},
            {**ROW, "target": "west", "label": "none", "mentions": "Putin|Путин", "evidence": ""},
        ]
    ).to_csv(p, index=False)
    _, rows = load_dataset(a, p)
    assert rows[1].mentions == ("Putin", "Путин")
