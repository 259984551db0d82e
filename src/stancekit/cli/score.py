"""``stancekit score``: the batch scorer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from stancekit.cli.common import (
    TrackingOpt,
    VerboseOpt,
    console,
    one_line_errors,
    set_verbose,
    tracking,
)


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
    partitioned: Annotated[
        bool,
        typer.Option(
            help="write --output (.parquet) as a Parquet dataset folder, one file per part, "
            "as the Spark engine does: for archives too large for one file"
        ),
    ] = False,
    engine: Annotated[
        str, typer.Option(help="local (streaming, resumable) or spark (Parquet out)")
    ] = "local",
    master: Annotated[
        str, typer.Option(help="Spark master for --engine spark, e.g. spark://host:7077")
    ] = "local[2]",
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
    show: Annotated[bool, typer.Option(help="print a per-actor table")] = True,
    verbose: VerboseOpt = False,
    tracking_uri: TrackingOpt = None,
) -> None:
    """Score articles: one row per (article, actor, target) with label, probabilities and evidence."""
    from stancekit.cli.render import scored_rows_table
    from stancekit.scoring.batch import format_summary, score_file

    set_verbose(verbose)
    tracking(tracking_uri)
    common: dict[str, Any] = {
        "batch_size": batch_size,
        "quarantine_path": quarantine,
        "abstain_below": abstain_below,
        "max_bad_fraction": max_bad_fraction,
        "max_chars": max_chars,
        "duplicates": duplicates,
        "trust_model_code": trust_model_code,
    }
    if engine == "spark":
        from stancekit.scoring.spark import score_spark

        if resume:
            raise typer.BadParameter("--resume is for --engine local; a Spark job reruns whole")
        stats = score_spark(model, input, output, master=master, **common)
        show = False  # the output is a folder of parts; read it with Spark or pandas
    elif engine == "local":
        stats = score_file(
            model,
            input,
            output,
            progress=progress,
            resume=resume,
            part_size=part_size,
            partitioned=partitioned,
            **common,
        )
        show = show and not partitioned
    else:
        raise typer.BadParameter(f"--engine must be local or spark, got '{engine}'")
    for line in format_summary(stats):
        console.print(line, markup=False, soft_wrap=True)
    if not stats.succeeded:
        raise typer.Exit(3)
    if show and stats.rows_out:
        scored_rows_table(output)
