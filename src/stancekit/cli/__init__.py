"""The ``stancekit`` command. Each command group has its module; a command parses its options and
calls one function of the stage packages below it.

- :mod:`~stancekit.cli.data`: ``validate``, ``actors``
- :mod:`~stancekit.cli.runs`: ``cv``, ``evaluate``, ``compare``, ``promote``, ``demo``
- :mod:`~stancekit.cli.retrain`: ``retrain``
- :mod:`~stancekit.cli.score`: ``score``
- :mod:`~stancekit.cli.report`: ``report``
- :mod:`~stancekit.cli.annotate`: ``annotate export|import|adjudicate|agreement``
- :mod:`~stancekit.cli.models`: ``models build-e5``
"""

from __future__ import annotations

from typing import Annotated

import typer

from stancekit.cli import annotate, data, models, report, retrain, runs, score
from stancekit.cli.common import set_verbose

app = typer.Typer(
    help="Actor-level stance toward the war in Ukraine and the West.", no_args_is_help=True
)


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="tracebacks and info logs")
    ] = False,
) -> None:
    set_verbose(verbose)


for command in (
    data.validate,
    data.actors,
    runs.cv,
    runs.evaluate,
    runs.compare,
    runs.promote,
    runs.demo,
    retrain.retrain,
    score.score,
    report.report,
):
    app.command()(command)
app.add_typer(annotate.app, name="annotate")
app.add_typer(models.app, name="models")

__all__ = ["app"]
