"""``stancekit report``: the corpus report over scored rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stancekit.cli.common import console, one_line_errors


@one_line_errors
def report(
    input: Annotated[
        Path,
        typer.Option(
            "--input", help="scored rows as `stancekit score` wrote them (.jsonl/.csv/.parquet)"
        ),
    ],
    output: Annotated[Path, typer.Option(help="folder for the CSV tables and report.html")],
    period: Annotated[
        str, typer.Option(help="time step of the over-time tables: day|week|month|quarter|year")
    ] = "month",
    top: Annotated[int, typer.Option(help="actors shown in the figures (by rows)")] = 20,
) -> None:
    """Label shares with counts and 95% intervals by actor and target (and by period and source)."""
    from stancekit.reporting.corpus import corpus_report

    if top <= 0:
        raise typer.BadParameter(f"--top must be positive, got {top}")
    result = corpus_report(input, output, period, top)
    counts = result.counts
    console.print(
        f"{counts.rows} rows, {len(counts.docs)} articles, {len(counts.names)} actors; "
        f"{counts.rows - counts.undated} rows dated, {counts.rows - counts.unsourced} with a source",
        markup=False,
    )
    for path in result.files:
        console.print(f"→ {path}", markup=False, soft_wrap=True)
