"""The Spark engine (real Spark in local mode) gives the local engine's rows and quarantine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import tiny_corpus, write_jsonl
from tests.scoring_model import save_tiny_pyfunc

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (17) on PATH", allow_module_level=True)

KEY = ["doc_id", "actor_id", "target"]


def _articles(n: int) -> list[dict]:
    articles = tiny_corpus(n)[0]
    for i, a in enumerate(articles):
        a["date"] = f"2024-0{1 + i % 3}-1{i % 9}"
        if i % 4:
            a["source"] = ["bnr", "dnevnik", "pravda"][i % 3]
    return articles


def _sorted(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path).sort_values(KEY).reset_index(drop=True)


@pytest.mark.slow
def test_spark_and_local_engines_give_identical_rows_and_quarantine(tmp_path: Path) -> None:
    from stancekit.cli import app
    from stancekit.scoring.batch import score_file
    from stancekit.scoring.spark import score_spark

    model = save_tiny_pyfunc(tmp_path / "model")
    inp = write_jsonl(tmp_path / "in.jsonl", _articles(30))
    with inp.open("a", encoding="utf-8") as fh:  # each kind of bad record the gate knows
        fh.write('{"broken\n[1]\n\n{"id": "tiny-003", "text": "Putin again"}\n')
        fh.write('{"id": "empty", "text": ""}\n{"text": "no id"}\n')
        fh.write(json.dumps({"id": "long", "text": "Putin " * 400}) + "\n")
    pq_in = tmp_path / "in.parquet"
    pd.DataFrame(_articles(12)).to_parquet(pq_in)

    local = score_file(str(model), inp, tmp_path / "local.parquet", progress=False, max_chars=2000)
    result = CliRunner().invoke(
        app,
        [
            "score", "--engine", "spark", "--master", "local[2]", "--model", str(model),
            "--input", str(inp), "--output", str(tmp_path / "spark.parquet"),
            "--max-chars", "2000", "--batch-size", "7",
            "--tracking-uri", f"sqlite:///{tmp_path}/mlflow.db",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    spark = json.loads((tmp_path / "spark.success.json").read_text())

    assert (spark["articles_in"], spark["articles_scored"], spark["quarantined"]) == (36, 30, 6)
    assert spark["quarantined_by_kind"] == local.quarantined_by_kind
    assert (spark["rows_out"], spark["actors"]) == (local.rows_out, local.actors)
    a, b = _sorted(tmp_path / "local.parquet"), _sorted(tmp_path / "spark.parquet")
    assert len(a) > 100 and set(a["date"]) and set(a["source"].dropna())
    pd.testing.assert_frame_equal(a, b)
    assert (tmp_path / "spark.quarantine.jsonl").read_text() == (
        tmp_path / "local.quarantine.jsonl"
    ).read_text()
    assert spark["check"] == "36 in = 30 scored + 6 quarantined"

    # Parquet in: the same rows as the local engine reading the same file.
    score_file(str(model), pq_in, tmp_path / "local2.parquet", progress=False)
    score_spark(str(model), pq_in, tmp_path / "spark2.parquet")
    pd.testing.assert_frame_equal(
        _sorted(tmp_path / "local2.parquet"), _sorted(tmp_path / "spark2.parquet")
    )


@pytest.mark.slow
def test_spark_engine_refuses_what_the_local_engine_refuses(tmp_path: Path) -> None:
    from stancekit.scoring.batch import ScoringError
    from stancekit.scoring.spark import score_spark
    from stancekit.tracking.loading import ModelRefused

    model = save_tiny_pyfunc(tmp_path / "model")
    inp = write_jsonl(tmp_path / "in.jsonl", _articles(6) + [{"id": "tiny-000", "text": "x"}])
    with pytest.raises(ScoringError, match=r"in.jsonl:7 field 'id': duplicate article id"):
        score_spark(str(model), inp, tmp_path / "out.parquet", duplicates="refuse")
    with pytest.raises(ScoringError, match="writes Parquet"):
        score_spark(str(model), inp, tmp_path / "out.jsonl")
    (model / "stancekit" / "x.pkl").parent.mkdir(exist_ok=True)
    (model / "stancekit" / "x.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(ModelRefused, match="is a pickle"):
        score_spark(str(model), inp, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()
