"""What every command shares: the consoles, ``--verbose``, the tracking option, one-line errors."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

console = Console()
errors = Console(stderr=True)
_state = {"verbose": False}
F = TypeVar("F", bound=Callable[..., Any])

TrackingOpt = Annotated[
    str | None,
    typer.Option(
        "--tracking-uri",
        help="MLflow store; wins over $MLFLOW_TRACKING_URI (default: sqlite under the project)",
    ),
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="tracebacks and info logs")]


def tracking(uri: str | None) -> str:
    """Point MLflow at ``uri`` (or the environment's / the project's store) and return it."""
    from stancekit.tracking.runs import setup_tracking

    return setup_tracking(uri)


def set_verbose(verbose: bool) -> None:
    _state["verbose"] = _state["verbose"] or verbose
    logging.basicConfig(
        level=logging.INFO if _state["verbose"] else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if _state["verbose"]:
        logging.getLogger().setLevel(logging.INFO)


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
