"""Terminal rendering of the commands' results (rich tables); no logic of its own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.table import Table

from stancekit.cli.common import console


def scored_rows_table(path: Path, limit: int = 200) -> None:
    """One line per (article, actor): each target's label and its probability."""
    from stancekit.data.io import iter_records

    table = Table(title=f"actors in {path.name}")
    for col in ("doc", "actor", "war", "west", "sentiment"):
        table.add_column(col)
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for rec in iter_records(path):
        r = rec.data
        proba = r["proba"] if isinstance(r["proba"], dict) else json.loads(r["proba"])
        cells.setdefault((r["doc_id"], r["actor"]), {})[r["target"]] = (
            f"{r['label']} {proba[r['label']]:.2f}" if r["label"] in proba else r["label"]
        )
    for (doc, actor), by_target in list(cells.items())[:limit]:
        table.add_row(doc, actor, *(by_target.get(t, "") for t in ("war", "west", "sentiment")))
    console.print(table)


def actors_table(doc_id: Any, actors: list[Any]) -> None:
    table = Table(title=str(doc_id))
    for col in ("actor_id", "name", "type", "n", "speaking", "mentions"):
        table.add_column(col)
    for a in actors:
        table.add_row(
            a.actor_id + (" *" if a.provisional else ""),
            a.name,
            a.type,
            str(len(a.mentions)),
            str(a.n_speaking),
            ", ".join(a.surface_forms),
        )
    console.print(table)


def cv_tables(
    metrics: Mapping[str, float],
    model: str,
    data: str,
    loader: str | None,
    targets: list[str],
    folds: int,
) -> None:
    """Macro-F1 per target with its interval, then the dataset's official metrics if any."""
    table = Table(title=f"{model} on {data}: {folds}-fold CV by article")
    for col in ("target", "macro-F1", "95% CI"):
        table.add_column(col)
    for key in ("", *targets):
        name = "cv_macro_f1" + (f"_{key}" if key else "")
        if name in metrics:
            low = metrics.get(name + "_ci_low", float("nan"))
            high = metrics.get(name + "_ci_high", float("nan"))
            table.add_row(key or "mean", f"{metrics[name]:.3f}", f"[{low:.3f}, {high:.3f}]")
    console.print(table)
    official = {k: v for k, v in metrics.items() if k.startswith(f"cv_{loader}_")}
    if official:
        metrics_table(
            {k.removeprefix(f"cv_{loader}_"): v for k, v in official.items()},
            f"official metrics of {data}, out of fold",
        )


def metrics_table(metrics: Mapping[str, float], title: str, digits: int = 3) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value")
    for k, v in metrics.items():
        table.add_row(k, f"{v:.{digits}f}")
    console.print(table)


def rows_table(rows: list[dict[str, str]], title: str) -> None:
    """String rows (one dict per row) as a rich table."""
    table = Table(title=title)
    headers = list(dict.fromkeys(h for row in rows for h in row))
    for h in headers:
        table.add_column(h)
    for row in rows:
        table.add_row(*(row.get(h, "") for h in headers))
    console.print(table)


def comparison_tables(cmp: Any, label_space: Mapping[str, Any]) -> None:
    """The comparison: the main table, per-class F1, then each breakdown."""
    from stancekit.evaluation.comparison import (
        BREAKDOWNS,
        breakdown_rows,
        class_rows,
        summary_rows,
        target_p_rows,
    )

    for note in cmp.notes:
        console.print(note, markup=False)
    targets = list(label_space)
    rows_table(
        summary_rows(cmp, targets, per_target=False),
        "macro-F1 [95% CI]; Δ and p: paired bootstrap against the baseline",
    )
    rows = target_p_rows(cmp, targets)
    if rows:
        rows_table(rows, "per target: Δ against the baseline [95% CI] and p")
    rows_table(class_rows(cmp, label_space), "F1 per class")
    for by in BREAKDOWNS:
        rows = breakdown_rows(cmp, by)
        if rows:
            rows_table(rows, f"macro-F1 by {by.replace('_', ' ')}")


def gate_decision(d: Any) -> None:
    """The gate's decision, its checks and where it was recorded."""
    verb = "promoted" if d.promoted else "kept champion"
    version = f"v{d.challenger_version}" if d.challenger_version else "(not registered)"
    console.print(
        f"{verb}: {d.name} {version} (run {d.challenger_run[:8]}); champion before: "
        f"{('v' + d.champion_version) if d.champion_version else 'none'}",
        markup=False,
    )
    for c in d.checks:
        console.print(f"  [{'pass' if c.passed else 'FAIL'}] {c.name}: {c.detail}", markup=False)
    if not d.checks:
        console.print(f"  {d.reason}", markup=False)
    for note in d.notes:
        console.print(f"  note: {note}", markup=False)
    if d.test_rows:
        console.print(
            f"  judged on {d.test_rows} '{d.test_split}' rows, fingerprint {d.test_fingerprint[:12]}",
            markup=False,
        )
