"""The ``stancekit`` command: each subcommand loads its inputs and calls one core function."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Actor-level stance toward the war in Ukraine and the West.", no_args_is_help=True
)
console = Console()

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


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
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
        console.print(str(exc), markup=False)
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
def score(
    model: Annotated[str, typer.Option(help="model URI, e.g. models:/stancekit-stance@champion")],
    input: Annotated[
        Path, typer.Option("--input", help="articles: .jsonl/.csv/.parquet, or one .txt article")
    ],
    output: Annotated[Path, typer.Option(help="scored rows: .jsonl/.csv/.parquet")],
    batch_size: Annotated[int, typer.Option(help="articles per model call")] = 64,
    quarantine: Annotated[Path | None, typer.Option(help="where bad records go")] = None,
    show: Annotated[bool, typer.Option(help="print a per-actor table")] = True,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Score articles: one row per (article, actor, target) with label, probabilities and evidence."""
    from stancekit.scoring.batch import score_file

    _tracking(tracking_uri)
    stats = score_file(model, input, output, batch_size=batch_size, quarantine_path=quarantine)
    console.print(
        f"{stats.articles_in} articles in: {stats.articles_scored} scored, {stats.quarantined} quarantined"
        f"{' (' + stats.quarantine_file + ')' if stats.quarantine_file else ''}; "
        f"{stats.rows_out} rows written to {stats.output} (model {stats.model_uri}"
        f"{' v' + stats.model_version if stats.model_version else ''})"
    )
    if show and stats.rows_out:
        _show_rows(output)


@app.command()
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
    from stancekit.scoring.batch import _articles

    extra = [f"actors.discovery.recogniser={discover}"] if discover else []
    cfg = compose([*(overrides or []), *extra])
    extractor = build_extractor(cfg.actors)
    proposed: Counter[str] = Counter()
    proposed_info: dict[str, dict[str, object]] = {}
    for rec in _articles(input):
        doc_id, text = rec.data.get("id", rec.data.get("doc_id")), rec.data.get("text") or ""
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


if __name__ == "__main__":
    app()
