"""Commands on inputs: ``validate`` and ``actors``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from stancekit.cli.common import console, errors, one_line_errors


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
    from stancekit.cli.render import actors_table
    from stancekit.config import build_extractor, compose
    from stancekit.scoring.actor_listing import Proposed, actor_record, list_actors

    if fmt not in ("table", "jsonl"):
        raise typer.BadParameter(f"--format must be table or jsonl, got '{fmt}'")
    extra = [f"actors.discovery.recogniser={discover}"] if discover else []
    cfg = compose([*(overrides or []), *extra])
    proposed = Proposed()
    for item in list_actors(input, build_extractor(cfg.actors), proposed):
        if isinstance(item, str):
            errors.print(item, markup=False)
        elif fmt == "jsonl":
            for a in item[1]:
                print(json.dumps(actor_record(item[0], a), ensure_ascii=False))
        else:
            actors_table(*item)
    if proposed.counts and fmt != "jsonl":
        console.print(
            f"* {len(proposed.counts)} actor(s) outside the gazetteer (provisional ids 'new:...')"
        )
    if suggest:
        suggest.write_text(
            proposed.stubs_yaml(discover or cfg.actors.discovery.recogniser), encoding="utf-8"
        )
        console.print(f"{len(proposed.counts)} gazetteer stub(s) written to {suggest}")
