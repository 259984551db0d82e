"""train (Hydra multirun) → compare → promote → score, against a temporary SQLite MLflow store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stancekit.cli import app
from tests.conftest import ROOT, SEED_ARTICLE, write_jsonl

runner = CliRunner()


def _cli(*args: str, codes: tuple[int, ...] = (0,)) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code in codes, result.output
    return result.output


def _promote(*args: str) -> str:
    """Make sure a champion exists: promoted (0) or kept (10) are both fine here."""
    return _cli("promote", "--experiment", "e2e", *args, codes=(0, 10))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Both TF-IDF families trained by a real Hydra multirun on the tiny corpus, with the real gazetteer."""
    from tests.conftest import tiny_corpus

    tmp = tmp_path_factory.mktemp("e2e")
    articles, labels = tiny_corpus()
    a = write_jsonl(tmp / "articles.jsonl", articles)
    lab = write_jsonl(tmp / "labels.jsonl", labels)
    uri = f"sqlite:///{tmp}/mlflow.db"
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
    cmd = [
        sys.executable,
        "-m",
        "stancekit.train",
        "-m",
        "model=tfidf_logreg,tfidf_svm,majority",
        f"data.articles={a}",
        f"data.labels={lab}",
        "tracking.experiment=e2e",
        "train.bootstrap=50",
        f"paths.log_dir={tmp}/logs",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    from stancekit.tracking.runs import setup_tracking

    setup_tracking(uri)  # MLflow's global store and $MLFLOW_TRACKING_URI, for every test here
    yield {"tmp": tmp, "uri": uri, "articles": a, "articles_rows": articles}
    os.environ.pop("MLFLOW_TRACKING_URI", None)


def test_compare_lists_runs_with_intervals_p_values_and_breakdowns(trained: dict) -> None:
    import mlflow

    from stancekit.tracking.runs import log_predictions

    # A run evaluated on other data (its val fingerprint differs) is set apart, never mixed in.
    mlflow.set_experiment("e2e")
    with mlflow.start_run(run_name="elsewhere"):
        mlflow.set_tags({"model": "elsewhere", "val_fingerprint": "0" * 64})
        log_predictions(
            pd.DataFrame(
                [{"doc_id": "x", "actor_id": "a", "target": "war", "label": "none", "pred": "none"}]
            ),
            "val",
        )
    out_dir = trained["tmp"] / "reports"
    output = _cli(
        "compare", "--experiment", "e2e", "--output-dir", str(out_dir), "--bootstrap", "50"
    )
    text = (out_dir / "compare_e2e_val.md").read_text()
    assert "tfidf_logreg" in text and "tfidf_svm" in text and "majority" in text
    assert "set apart, not compared: elsewhere" in text and "evaluated on other data" in output
    assert "### Macro-F1 by lang" in text and "### Macro-F1 by actor type" in text
    table = pd.read_csv(out_dir / "compare_e2e_val.csv")
    assert len(table) == 3 and table["baseline"].sum() == 1
    others = table[~table["baseline"]]
    assert others["p_value"].between(0, 1).all() and others["p_value_war"].notna().all()
    assert (table["macro_f1_ci_low"] <= table["macro_f1"]).all()
    breakdown = pd.read_csv(out_dir / "compare_e2e_val_breakdown.csv")
    assert {"lang", "target", "actor_type"} <= set(breakdown["by"])
    assert "person" in set(breakdown[breakdown["by"] == "actor_type"]["group"])
    # the chart with intervals and the tables are logged as a run of their own
    runs = mlflow.search_runs(experiment_names=["e2e"], filter_string="tags.kind = 'compare'")
    arts = {a.path for a in mlflow.MlflowClient().list_artifacts(runs.iloc[0]["run_id"], "compare")}
    assert "compare/macro_f1_intervals.png" in arts and "compare/compare.csv" in arts


def test_promote_then_gate(trained: dict) -> None:
    import mlflow
    from mlflow import MlflowClient

    report = trained["tmp"] / "gate.json"
    output = _cli("promote", "--experiment", "e2e", "--report", str(report))
    assert "promoted" in output and "[pass] floor" in output
    champ = MlflowClient().get_model_version_by_alias("stancekit-stance", "champion")
    assert str(champ.version) == "1" and champ.tags["gate.decision"] == "promoted"
    decided = json.loads(report.read_text())
    assert decided["promoted"] and decided["test_rows"] > 0 and decided["test_fingerprint"]
    run = mlflow.get_run(champ.run_id)
    assert decided["test_fingerprint"] == run.data.tags["test_fingerprint"]
    # Promoting again: the best run is already champion, nothing moves; exit 10 says "kept".
    output = _cli("promote", "--experiment", "e2e", codes=(10,))
    assert "kept champion" in output
    assert (
        str(MlflowClient().get_model_version_by_alias("stancekit-stance", "champion").version)
        == "1"
    )
    assert run.data.tags["family"] == "tfidf"


def _run_of(model: str) -> str:
    import mlflow

    runs = mlflow.search_runs(experiment_names=["e2e"], filter_string=f"tags.model = '{model}'")
    return str(runs.iloc[0]["run_id"])


def _champion(name: str) -> str | None:
    from stancekit.tracking.registry import pin_alias

    pinned = pin_alias(name, "champion")
    return pinned.version if pinned else None


def test_gate_moves_champion_only_when_the_rule_passes(
    trained: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient

    from stancekit.tracking import promotion

    name = "gate-e2e"
    majority = _run_of("majority")
    _cli("promote", "--run", majority, "--name", name, "gate.floor=0")
    assert _champion(name) == "1"

    # A crash at any step before the move leaves `champion` where it was (exit 1).
    for failing in ("evaluated", "logged", "tagged", "reported"):

        def boom(step: str, failing: str = failing) -> None:
            if step == failing:
                raise RuntimeError(f"injected failure at {step}")

        monkeypatch.setattr(promotion, "_step", boom)
        output = _cli("promote", "--experiment", "e2e", "--name", name, codes=(1,))
        assert "injected failure" in output
        assert _champion(name) == "1", failing

    # The champion moved by someone else while the gate evaluated: the gate refuses to move it.
    def moved(step: str) -> None:
        if step == "evaluated":
            MlflowClient().delete_registered_model_alias(name, "champion")

    monkeypatch.setattr(promotion, "_step", moved)
    output = _cli("promote", "--experiment", "e2e", "--name", name, codes=(1,))
    assert "moved from v1 to nothing" in output and _champion(name) is None
    MlflowClient().set_registered_model_alias(name, "champion", "1")
    monkeypatch.undo()

    # The real thing: the best TF-IDF run beats the majority champion significantly.
    report = trained["tmp"] / "gate2.json"
    output = _cli("promote", "--experiment", "e2e", "--name", name, "--report", str(report))
    decided = json.loads(report.read_text())
    new = decided["challenger_version"]
    assert _champion(name) == new != "1" and decided["champion_version"] == "1"
    assert {c["name"] for c in decided["checks"]} == {"gain", "significant", "no_target_worse"}
    assert decided["differences"]["overall"]["p_better"] < 0.05
    tags = MlflowClient().get_model_version(name, new).tags
    assert tags["gate.decision"] == "promoted" and float(tags["gate.p_value"]) < 0.05
    assert str(MlflowClient().get_model_version_by_alias(name, "challenger").version) == new

    # The majority model against the new champion: kept, exit 10, the decision on its version.
    output = _cli("promote", "--run", majority, "--name", name, codes=(10,))
    assert "[FAIL] gain" in output and _champion(name) == new
    assert MlflowClient().get_model_version(name, "1").tags["gate.decision"] == "kept"


def test_score_writes_one_row_per_article_actor_target(trained: dict) -> None:
    from mlflow import MlflowClient

    _promote()
    tmp: Path = trained["tmp"]
    bad = trained["articles_rows"][:3] + [{"id": "broken", "text": ""}, {"text": "no id"}]
    inp = write_jsonl(tmp / "score_in.jsonl", bad)
    out = tmp / "scores.jsonl"
    output = _cli(
        "score",
        "--model",
        "models:/stancekit-stance@champion",
        "--input",
        str(inp),
        "--output",
        str(out),
    )
    assert "5 articles in: 3 scored, 2 quarantined" in output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    quarantine = [
        json.loads(line) for line in (tmp / "scores.quarantine.jsonl").read_text().splitlines()
    ]
    assert [q["reason"].split(": ", 1)[1] for q in quarantine] == [
        "missing text for article 'broken'",
        "missing article id",
    ]
    assert quarantine[0]["where"].endswith("score_in.jsonl:4")
    keys = {(r["doc_id"], r["actor_id"], r["target"]) for r in rows}
    assert len(keys) == len(rows)
    assert {
        "doc_id",
        "actor_id",
        "actor",
        "n_mentions",
        "target",
        "label",
        "proba",
        "evidence",
        "model_uri",
    } <= set(rows[0])
    version = str(MlflowClient().get_model_version_by_alias("stancekit-stance", "champion").version)
    for r in rows:
        assert abs(sum(r["proba"].values()) - 1) < 1e-4
        assert r["label"] == max(r["proba"], key=r["proba"].get)
        assert (
            r["model_uri"] == "models:/stancekit-stance@champion" and r["model_version"] == version
        )
        assert (r["evidence"] == "") == (r["label"] == "none")
    # tiny-000 names Putin and Zelensky: both are scored on every target
    first = {(r["actor_id"], r["target"]) for r in rows if r["doc_id"] == "tiny-000"}
    assert {("vladimir_putin", t) for t in ("war", "west", "sentiment")} <= first


def test_scoring_keeps_the_version_it_resolved(
    trained: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`@champion` is resolved once: a move of the alias while the job runs changes nothing."""
    from mlflow import MlflowClient

    from stancekit.tracking import loading
    from stancekit.tracking.registry import ensure_version

    _promote()
    client = MlflowClient()
    resolved = str(client.get_model_version_by_alias("stancekit-stance", "champion").version)
    other = ensure_version("stancekit-stance", _run_of("majority"))
    assert other != resolved
    check = loading.check_model_folder

    def alias_moves_meanwhile(path: Path, trust_code: bool = False) -> None:
        client.set_registered_model_alias("stancekit-stance", "champion", other)
        check(path, trust_code)

    monkeypatch.setattr(loading, "check_model_folder", alias_moves_meanwhile)
    tmp: Path = trained["tmp"]
    out = tmp / "pinned_scores.jsonl"
    try:
        _cli(
            "score",
            "--model",
            "models:/stancekit-stance@champion",
            "--input",
            str(trained["articles"]),
            "--output",
            str(out),
        )
    finally:
        client.set_registered_model_alias("stancekit-stance", "champion", resolved)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and {r["model_version"] for r in rows} == {resolved}
    # the predictions are the resolved model's: the majority model would give one label per target
    assert len({(r["target"], r["label"]) for r in rows}) > 3


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="../shared/data/seed is not present")
def test_score_seed_article(trained: dict) -> None:
    tmp: Path = trained["tmp"]
    _promote()
    inp = write_jsonl(
        tmp / "seed.jsonl", [{"id": "seed", "lang": "bg", "text": SEED_ARTICLE.read_text()}]
    )
    out = tmp / "seed_scores.csv"
    _cli(
        "score",
        "--model",
        "models:/stancekit-stance@champion",
        "--input",
        str(inp),
        "--output",
        str(out),
    )
    import pandas as pd

    rows = pd.read_csv(out)
    for actor in ("vladimir_putin", "kim_jong_un", "russia", "north_korea"):
        assert set(rows[rows["actor_id"] == actor]["target"]) == {"war", "west", "sentiment"}, actor


def test_logged_model_is_code_plus_skops_with_signature(trained: dict) -> None:
    import mlflow
    import yaml

    _promote()
    local = Path(mlflow.artifacts.download_artifacts("models:/stancekit-stance@champion"))
    files = {p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()}
    assert {
        "MLmodel",
        "pyfunc_model.py",
        "artifacts/model/model.skops",
        "artifacts/model/stancekit_model.json",
        "artifacts/actors.yaml",
        "input_example.json",
    } <= files
    assert not [f for f in files if f.endswith((".pkl", ".pickle", ".cloudpickle", ".joblib"))], (
        files
    )
    mlmodel = yaml.safe_load((local / "MLmodel").read_text())
    assert (
        mlmodel["flavors"]["python_function"]["loader_module"] == "mlflow.pyfunc.loaders.code_model"
    )
    inputs = {c["name"]: c for c in json.loads(mlmodel["signature"]["inputs"])}
    assert inputs["text"]["required"] and not inputs["lang"]["required"]
    run = mlflow.get_run(mlmodel["run_id"])
    assert run.data.tags["data_fingerprint"] and run.data.tags["git_commit"]
    assert run.data.params["model.name"] in ("tfidf_logreg", "tfidf_svm")
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "plots")}
    assert "plots/confusion_val.png" in artifacts and "plots/reliability_val.png" in artifacts


@pytest.mark.slow
def test_transformer_trains_logs_epochs_and_exports_onnx(tmp_path: Path) -> None:
    """Hydra → fine-tuned (tiny, local) transformer → ONNX int8 → MLflow pyfunc → scoring."""
    import mlflow

    from tests.conftest import build_tiny_transformer, tiny_corpus

    articles, labels = tiny_corpus()
    tiny = build_tiny_transformer(tmp_path / "tiny", [a["text"] for a in articles])
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    cmd = [
        sys.executable,
        "-m",
        "stancekit.train",
        "model=transformer_minilm",
        f"model.pretrained={tiny}",
        "model.epochs=2",
        "model.batch_size=8",
        "model.learning_rate=0.001",
        "model.progress=false",
        f"data.articles={write_jsonl(tmp_path / 'a.jsonl', articles)}",
        f"data.labels={write_jsonl(tmp_path / 'l.jsonl', labels)}",
        "tracking.experiment=tiny-transformer",
        "train.bootstrap=20",
        "train.onnx=true",
        "train.onnx_min_agreement=0.5",
        f"paths.log_dir={tmp_path}/logs",
    ]
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env={**os.environ, "MLFLOW_TRACKING_URI": uri},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    mlflow.set_tracking_uri(uri)
    run = mlflow.search_runs(experiment_names=["tiny-transformer"]).iloc[0]
    agreement = run["metrics.onnx_label_agreement"]
    assert run["metrics.onnx_speedup"] > 0 and run["metrics.onnx_max_abs_proba_diff"] < 0.05
    assert run["metrics.onnx_parity_passed"] == float(agreement >= 0.5)
    history = mlflow.MlflowClient().get_metric_history(run["run_id"], "epoch_eval_macro_f1")
    assert len(history) >= 1  # per-epoch dev metric
    model = mlflow.pyfunc.load_model(run["tags.stancekit.model_uri"])
    rows = model.predict(pd.DataFrame([{"id": "x", "text": articles[0]["text"], "lang": "en"}]))
    assert set(rows["target"]) == {"war", "west", "sentiment"}


def test_evaluate_on_a_public_adapter_file(trained: dict, tmp_path: Path) -> None:
    """`stancekit evaluate` on any file an adapter reads: here a NewsMTSC-format folder."""
    from tests.unit.test_public_data import _jsonl, _newsmtsc_sentence

    _promote()
    _jsonl(
        tmp_path / "train.jsonl",
        [
            _newsmtsc_sentence(i, f"Senator Doe{i}", p)
            for i, p in enumerate([2.0, 4.0, 6.0, 2.0, 4.0, 6.0])
        ],
    )
    _jsonl(tmp_path / "paper_splits_rw" / "dev.jsonl", [_newsmtsc_sentence(99, "Ann Lee", 6.0)])
    out = tmp_path / "metrics.json"
    _cli(
        "evaluate",
        "--model",
        "models:/stancekit-stance@champion",
        "data=newsmtsc",
        f"data.path={tmp_path}",
        "train.bootstrap=20",
        "--output",
        str(out),
    )
    metrics = json.loads(out.read_text())
    assert metrics["eval_rows"] == 7
    assert (
        0 <= metrics["eval_newsmtsc_f1m"] <= 1
        and metrics["eval_newsmtsc_f1m"] == metrics["eval_macro_f1"]
    )
    # the evaluation is a run of its own with its per-row predictions, comparable by fingerprint
    import mlflow

    from stancekit.tracking.compare import load_predictions

    runs = mlflow.search_runs(
        experiment_names=["stancekit"], filter_string="tags.kind = 'evaluation'"
    )
    assert len(runs) == 1 and runs.iloc[0]["tags.eval_fingerprint"]
    pred = load_predictions(runs.iloc[0]["run_id"], "eval")
    assert pred is not None and len(pred) == 7
    assert {"doc_id", "label", "pred", "proba"} <= set(pred.columns)
