"""``stancekit annotate``: Label Studio tasks out, annotations in, adjudication, agreement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from stancekit.cli.common import TrackingOpt, console, one_line_errors, tracking

app = typer.Typer(help="Annotation workflow with Label Studio.", no_args_is_help=True)
LangOpt = Annotated[list[str] | None, typer.Option(help="languages of a SemEval folder")]


def _load_articles(path: Path, langs: list[str] | None, narratives: str | None) -> list:
    from stancekit.data import load_articles
    from stancekit.data.adapters import read_semeval_articles

    if path.is_dir():
        return read_semeval_articles(path, tuple(langs or ("bg", "ru")), narratives or None)
    return load_articles(path)


@app.command("export")
@one_line_errors
def export(
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
    lang: LangOpt = None,
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
    scorers = []
    if model:
        from stancekit.tracking.loading import load_checked_model

        tracking(tracking_uri)
        scorers = [
            load_checked_model(uri, trust_model_code)[0].unwrap_python_model().scorer
            for uri in model
        ]
    tasks = build_tasks(
        arts, build_extractor(cfg.actors), scorers, strategy, n, seed, list(model or [])
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    config = output.with_name(output.stem + ".label_config.xml")
    config.write_text(label_config(), encoding="utf-8")
    console.print(
        f"{len(tasks)} tasks from {len(arts)} articles → {output}; labelling config → {config}"
    )


@app.command("import")
@one_line_errors
def import_(
    export: Annotated[Path, typer.Option(help="Label Studio JSON export")],
    articles: Annotated[
        Path, typer.Option(help="the articles the tasks came from (file or SemEval folder)")
    ],
    output: Annotated[Path, typer.Option(help="label rows (.jsonl/.csv/.parquet)")],
    lang: LangOpt = None,
    narratives: Annotated[str, typer.Option(help="SemEval folder: narratives filter")] = "URW",
    standoff: Annotated[
        bool, typer.Option(help="store evidence as offsets, never the article's text")
    ] = False,
) -> None:
    """Turn a Label Studio export into LABELS.md rows (annotator ids kept), reporting every problem."""
    from stancekit.annotation.labelstudio import import_export
    from stancekit.annotation.standoff import standoff_rows
    from stancekit.config import build_extractor, compose
    from stancekit.data.io import write_records

    arts = {a.id: a for a in _load_articles(articles, lang, narratives)}
    known = build_extractor(compose([]).actors).gazetteer.entries
    result = import_export(export, arts, known)
    rows, problems = result.rows, list(result.problems)
    if standoff:
        rows, left_out = standoff_rows(rows, arts)
        problems += left_out
    write_records(output, rows)
    if result.rejected:
        write_records(output.with_name(output.stem + ".rejected.jsonl"), result.rejected)
    for problem in problems:
        console.print(problem, markup=False)
    console.print(
        f"{len(rows)} rows → {output}; {len(result.rejected)} proposed actors rejected; "
        f"{len(problems)} problem(s)"
    )
    if problems:
        raise typer.Exit(1)


@app.command("adjudicate")
@one_line_errors
def adjudicate(
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
    lang: LangOpt = None,
) -> None:
    """One gold row per (article, actor, target): the single label, the agreed one, or the decision."""
    from stancekit.annotation.adjudicate import adjudicate as resolve
    from stancekit.annotation.adjudicate import read_decisions
    from stancekit.data.io import read_records, write_records

    arts = {a.id: a for a in _load_articles(articles, lang, None)}
    every = [rec.data for path in rows for rec in read_records(path)]
    gold = resolve(every, read_decisions(decisions, arts))
    write_records(output, [*every, *gold.rows])
    console.print(
        f"{len(every)} annotator rows + {len(gold.rows)} gold rows → {output}; resolution: {gold.stats}"
    )


@app.command("agreement")
@one_line_errors
def agreement(
    labels: Annotated[Path, typer.Option(help="label rows with an annotator column")],
    output: Annotated[Path | None, typer.Option(help="markdown report")] = None,
) -> None:
    """Cohen's kappa and Krippendorff's alpha per target and language on rows labelled more than once."""
    import pandas as pd

    from stancekit.annotation.agreement import agreement_markdown
    from stancekit.data.io import read_records
    from stancekit.data.schema import LABEL_SPACE

    rows = pd.DataFrame([r.data for r in read_records(labels)])
    if "annotator" not in rows.columns:
        raise typer.BadParameter(f"{labels}: rows have no 'annotator' column")
    report = agreement_markdown(rows, LABEL_SPACE)
    if report is None:
        console.print("no (article, actor) was labelled by two annotators")
        raise typer.Exit(1)
    console.print(report, markup=False)
    if output:
        output.write_text(report, encoding="utf-8")
