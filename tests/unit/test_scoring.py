"""The batch scorer loses nothing: bad input quarantined by line, atomic output, resume, retries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from stancekit.scoring import batch
from stancekit.scoring.batch import ScoringError, score_batch, score_file
from stancekit.scoring.inputs import DuplicateRefused
from stancekit.scoring.parts import PartStore, ResumeRefused, work_dir_for
from tests.conftest import tiny_corpus, write_jsonl
from tests.scoring_model import save_tiny_pyfunc

ARTICLES = tiny_corpus(12)[0]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pyfunc(tmp_path_factory.mktemp("pyfunc") / "model")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _messy(path: Path) -> Path:
    good = [json.dumps(a).encode() for a in ARTICLES]
    path.write_bytes(
        b"\n".join(
            [
                *good[:3],
                b"{not json",
                b"[1, 2]",
                b"7",
                b'{"id": "u8", "text": "Putin \xff said"}',
                json.dumps(ARTICLES[0]).encode(),  # a duplicate id
                json.dumps({"id": "no-text", "text": 5}).encode(),
                *good[3:],
            ]
        )
        + b"\n"
    )
    return path


def test_bad_lines_are_quarantined_by_line_and_the_run_goes_on(
    model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.jsonl"
    stats = score_file(str(model_dir), _messy(tmp_path / "in.jsonl"), out, progress=False)
    assert (stats.articles_in, stats.articles_scored, stats.quarantined) == (18, 12, 6)
    assert stats.quarantined_by_kind == {
        "duplicate_id": 1,
        "invalid_json": 1,
        "invalid_utf8": 1,
        "missing_text": 1,
        "not_object": 2,
    }
    q = _lines(tmp_path / "scores.quarantine.jsonl")
    assert [e["line"] for e in q] == [4, 5, 6, 7, 8, 9]
    assert q[4]["reason"].endswith(
        f"duplicate article id 'tiny-000' (first at {tmp_path}/in.jsonl:1)"
    )
    rows = _lines(out)
    assert {r["doc_id"] for r in rows} == {
        a["id"] for a in ARTICLES
    }  # records after the bad ones too
    assert len({(r["doc_id"], r["actor_id"], r["target"]) for r in rows}) == len(rows)
    marker = json.loads((tmp_path / "scores.success.json").read_text())
    assert marker["check"] == "18 in = 12 scored + 6 quarantined"
    assert not work_dir_for(out).exists()


def test_output_may_not_be_the_input_nor_the_quarantine(model_dir: Path, tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    before = inp.read_bytes()
    with pytest.raises(ScoringError, match="--output .* is the input file"):
        score_file(str(model_dir), inp, inp, progress=False)
    with pytest.raises(ScoringError, match="--quarantine .* is the input file"):
        score_file(str(model_dir), inp, tmp_path / "o.jsonl", quarantine_path=inp, progress=False)
    with pytest.raises(ScoringError, match="--quarantine .* is the output"):
        out = tmp_path / "o.jsonl"
        score_file(str(model_dir), inp, out, quarantine_path=out, progress=False)
    assert inp.read_bytes() == before


def test_a_failed_start_leaves_the_previous_output_and_a_stale_quarantine_is_replaced(
    model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.jsonl"
    score_file(str(model_dir), _messy(tmp_path / "in.jsonl"), out, progress=False)
    previous = out.read_bytes()
    with pytest.raises(ScoringError, match="no such file"):
        score_file(str(model_dir), tmp_path / "misspelt.jsonl", out, progress=False)
    assert out.read_bytes() == previous
    score_file(str(model_dir), write_jsonl(tmp_path / "ok.jsonl", ARTICLES), out, progress=False)
    assert (tmp_path / "scores.quarantine.jsonl").read_text() == ""


def test_duplicates_can_be_refused(model_dir: Path, tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", [*ARTICLES[:2], ARTICLES[0]])
    out = tmp_path / "o.jsonl"
    with pytest.raises(DuplicateRefused, match=r"in.jsonl:3 field 'id': duplicate article id"):
        score_file(str(model_dir), inp, out, duplicates="refuse", progress=False)
    assert not out.exists()


def test_ragged_csv_rows_and_long_articles_are_quarantined(model_dir: Path, tmp_path: Path) -> None:
    inp = tmp_path / "in.csv"
    a, b = ARTICLES[0], ARTICLES[1]
    inp.write_text(
        "id,text,lang\n"
        f'{a["id"]},"{a["text"]}",en\n'
        f'{b["id"]},"{b["text"]}",en,surplus\n'
        f'long,"{"Putin said. " * 50}",en\n'
    )
    stats = score_file(str(model_dir), inp, tmp_path / "o.parquet", max_chars=300, progress=False)
    assert stats.quarantined_by_kind == {"ragged_row": 1, "too_long": 1}
    import pandas as pd

    assert set(pd.read_parquet(tmp_path / "o.parquet")["doc_id"]) == {a["id"]}


def test_abstain_below_and_max_bad_fraction(model_dir: Path, tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    stats = score_file(str(model_dir), inp, tmp_path / "o.jsonl", abstain_below=1.0, progress=False)
    rows = _lines(tmp_path / "o.jsonl")
    assert stats.abstained == len(rows) > 0
    assert all(r["label"] == "abstain" and r["evidence"] == "" for r in rows)

    out = tmp_path / "bad.jsonl"
    stats = score_file(
        str(model_dir), _messy(tmp_path / "m.jsonl"), out, max_bad_fraction=0.2, progress=False
    )
    assert not stats.succeeded and "6 of 18 articles quarantined" in (stats.failure or "")
    assert not out.exists() and not (tmp_path / "bad.success.json").exists()
    assert len(_lines(tmp_path / "bad.quarantine.jsonl")) == 6


def test_a_failing_batch_is_retried_then_its_bad_article_quarantined() -> None:
    from stancekit.data.io import Record

    calls: list[list[str]] = []
    flaky = {"n": 0}

    def predict(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
        calls.append([a["id"] for a in articles])
        if any(a["id"] == "poison" for a in articles):
            raise RuntimeError("model broke")
        flaky["n"] += 1
        if flaky["n"] == 1:
            raise TimeoutError("transient")
        return [{"doc_id": a["id"]} for a in articles]

    batch = [(Record("f", i, {}), {"id": i}) for i in ("a", "b")]
    rows, failed = score_batch(predict, batch)
    assert [r["doc_id"] for r in rows] == ["a", "b"] and not failed
    batch = [(Record("f", i + 1, {}), {"id": x}) for i, x in enumerate(["a", "poison", "c"])]
    calls.clear()
    rows, failed = score_batch(predict, batch)
    assert calls[:2] == [["a", "poison", "c"]] * 2  # the batch, then its one retry
    assert [r["doc_id"] for r in rows] == ["a", "c"]
    assert [(f["line"], f["kind"]) for f in failed] == [(2, "model_error")]
    assert "RuntimeError: model broke" in failed[0]["reason"]


def test_resume_after_a_crash_equals_an_uninterrupted_run(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stancekit.scoring.parts as parts

    inp = _messy(tmp_path / "in.jsonl")
    whole = tmp_path / "whole.jsonl"
    score_file(str(model_dir), inp, whole, part_size=4, progress=False)

    out = tmp_path / "o.jsonl"
    real = parts.PartStore.write_part

    def crash_at_third(self: Any, number: int, *args: Any) -> None:
        if number == 2:
            raise KeyboardInterrupt
        real(self, number, *args)

    monkeypatch.setattr(parts.PartStore, "write_part", crash_at_third)
    with pytest.raises(KeyboardInterrupt):
        score_file(str(model_dir), inp, out, part_size=4, progress=False)
    assert not out.exists() and not (tmp_path / "o.success.json").exists()
    monkeypatch.setattr(parts.PartStore, "write_part", real)

    with pytest.raises(ResumeRefused, match="abstain_below"):
        score_file(str(model_dir), inp, out, part_size=4, resume=True, abstain_below=0.5)
    stats = score_file(str(model_dir), inp, out, part_size=4, resume=True, progress=False)
    assert stats.resumed_parts == 2
    assert out.read_bytes() == whole.read_bytes()
    assert (tmp_path / "o.quarantine.jsonl").read_bytes() == (
        tmp_path / "whole.quarantine.jsonl"
    ).read_bytes()


def test_resume_is_refused_when_the_model_changed(model_dir: Path, tmp_path: Path) -> None:
    import shutil

    from stancekit.scoring.parts import PartStore

    other = tmp_path / "model"
    shutil.copytree(model_dir, other)
    out = tmp_path / "o.jsonl"
    inp = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    store = PartStore(out)
    store.open(
        {"model_version": None, "model_fingerprint": "older", "config": {}, "input": {}}, False
    )
    store.close()
    with pytest.raises(ResumeRefused, match="model_fingerprint 'older'"):
        score_file(str(other), inp, out, resume=True, progress=False)


def test_cli_errors_are_one_line_and_format_xml_is_refused(tmp_path: Path) -> None:
    from stancekit.cli import app

    inp = write_jsonl(tmp_path / "in.jsonl", ARTICLES[:1])
    result = CliRunner().invoke(
        app,
        ["score", "--model", str(tmp_path / "nowhere"), "--input", str(inp), "--output", str(inp)],
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0 and "is the input file" in result.output
    result = CliRunner().invoke(app, ["actors", "--input", str(inp), "--format", "xml"])
    assert result.exit_code != 0 and "--format must be table or jsonl" in result.output


def test_validate_reports_every_problem(tmp_path: Path) -> None:
    from stancekit.cli import app

    p = tmp_path / "a.jsonl"
    p.write_bytes(b'{"id": "1", "text": "ok"}\n{bad\n{"lang": "en"}\n\xff\n')
    result = CliRunner().invoke(app, ["validate", "--articles", str(p)])
    assert result.exit_code == 1, result.output
    for expected in (
        "a.jsonl:2: invalid JSON",
        "a.jsonl:3 field 'id': missing article id",
        "a.jsonl:3 field 'text': missing text",
        "a.jsonl:4: invalid UTF-8",
    ):
        assert expected in result.output


def test_a_lone_surrogate_is_quarantined_not_a_crash(model_dir: Path, tmp_path: Path) -> None:
    # Valid JSON ("\ud800" escaped) but not encodable as UTF-8: found by benchmarks/score_fuzz.py.
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        json.dumps(ARTICLES[0])
        + "\n"
        + '{"id": "s", "text": "Putin \\ud800 said", "x": "\\udfff"}\n'
    )
    stats = score_file(str(model_dir), inp, tmp_path / "o.jsonl", progress=False)
    assert stats.quarantined_by_kind == {"invalid_text": 1} and stats.articles_scored == 1
    assert _lines(tmp_path / "o.quarantine.jsonl")[0]["record"]["x"] == "\udfff"


# -- streaming: each part and its quarantine on disk before more input is read ----------------
PART = 5


def _input(tmp_path: Path, fmt: str) -> tuple[Path, int]:
    """23 records; in JSONL three bad lines (records 3, 9, 18), in Parquet three without text."""
    articles = tiny_corpus(20)[0]
    if fmt == "parquet":
        rows = [dict(a) for a in articles]
        for i in (2, 8, 17):
            rows.insert(i, {"id": f"no-text-{i}", "lang": "en", "text": None, "title": None})
        path = tmp_path / "in.parquet"
        pd.DataFrame(rows).to_parquet(path, index=False)
        return path, len(rows)
    path = write_jsonl(tmp_path / "in.jsonl", articles)
    lines = path.read_text(encoding="utf-8").splitlines()
    for i in (2, 8, 17):
        lines.insert(i, '{"broken')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_each_part_and_its_quarantine_are_written_before_more_input_is_read(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    inp, n_records = _input(tmp_path, fmt)
    read = 0
    real_open = batch.open_articles

    def counting_open(path: Path) -> Any:
        scanner = real_open(path)

        class Counted:
            total, unit = scanner.total, scanner.unit

            @property
            def done(self) -> int:
                return scanner.done

            def __iter__(self) -> Iterator[Any]:
                nonlocal read
                for item in scanner:
                    read += 1
                    yield item

        return Counted()

    seen: list[tuple[int, int, int]] = []  # (part, records read by then, quarantined in it)
    real_write = PartStore.write_part

    def checking_write(self: PartStore, number: int, rows: list, meta: dict) -> None:
        real_write(self, number, rows, meta)
        on_disk = json.loads((self.dir / f"part-{number:06d}.json").read_text(encoding="utf-8"))
        seen.append((number, read, len(on_disk["quarantine"])))

    monkeypatch.setattr(batch, "open_articles", counting_open)
    monkeypatch.setattr(PartStore, "write_part", checking_write)
    out = tmp_path / "out.jsonl"
    stats = batch.score_file(str(model_dir), inp, out, batch_size=2, part_size=PART, progress=False)
    assert stats.articles_in == n_records and stats.quarantined == 3
    parts = -(-n_records // PART)
    assert [p for p, _, _ in seen] == list(range(parts))
    for number, read_by_then, _ in seen:
        # a part is written once its records are read: never more than one record further
        assert read_by_then <= (number + 1) * PART + 1
    # the quarantine went to disk part by part: the bad records of parts 0, 1 and 3
    assert [q for _, _, q in seen] == [1, 1, 0, 1, 0]
    assert not work_dir_for(out).exists()
    assert len((tmp_path / "out.quarantine.jsonl").read_text().splitlines()) == 3


def test_partitioned_output_is_a_parquet_dataset_with_the_rows_of_one_file(
    model_dir: Path, tmp_path: Path
) -> None:
    inp = _messy(tmp_path / "in.jsonl")
    single = tmp_path / "single.parquet"
    score_file(str(model_dir), inp, single, part_size=4, progress=False)
    folder = tmp_path / "scored.parquet"
    stats = score_file(str(model_dir), inp, folder, part_size=4, partitioned=True, progress=False)
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"part-{k:06d}.parquet" for k in range(5)]  # 18 records, 4 per part
    assert stats.marker == str(tmp_path / "scored.success.json")
    assert (tmp_path / "scored.quarantine.jsonl").read_bytes() == (
        tmp_path / "single.quarantine.jsonl"
    ).read_bytes()
    whole = pd.read_parquet(single)
    pd.testing.assert_frame_equal(pd.read_parquet(folder), whole)
    from stancekit.reporting.corpus import count_scored

    counts = count_scored(folder)
    assert counts.rows == len(whole) == stats.rows_out
    assert counts.docs == set(whole["doc_id"])
    # a second run replaces the dataset whole (no stale part from a run with more parts)
    (folder / "part-000099.parquet").write_bytes((folder / "part-000000.parquet").read_bytes())
    score_file(str(model_dir), inp, folder, part_size=9, partitioned=True, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == [
        "part-000000.parquet",
        "part-000001.parquet",
    ]
    pd.testing.assert_frame_equal(pd.read_parquet(folder), whole)
    with pytest.raises(ScoringError, match="Parquet dataset folder"):
        score_file(str(model_dir), inp, tmp_path / "x.jsonl", partitioned=True, progress=False)
    with pytest.raises(ScoringError, match="is a folder"):
        score_file(str(model_dir), inp, folder, progress=False)
