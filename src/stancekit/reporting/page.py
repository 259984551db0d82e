"""The corpus report as one self-contained HTML page: figures are embedded PNGs, no external URL."""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from stancekit.data.schema import LABEL_SPACE  # noqa: E402

if TYPE_CHECKING:
    from stancekit.reporting.corpus import CorpusCounts

COLOURS = {
    "pro_russia": "#c0392b",
    "anti_west": "#c0392b",
    "negative": "#c0392b",
    "pro_ukraine": "#2471a3",
    "pro_west": "#2471a3",
    "positive": "#2471a3",
    "neutral": "#f0b429",
    "none": "#bfc5cc",
    "abstain": "#7f8c8d",
}
AXES = {
    "war": "pro-Russia  ←  war  →  pro-Ukraine",
    "west": "anti-West  ←  the West  →  pro-West",
    "sentiment": "negative  ←  sentiment  →  positive",
}
STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0} td,th{padding:2px 8px;
border-bottom:1px solid #eee;text-align:right} th{background:#f6f6f6} img{max-width:100%}
.note{color:#555;font-size:.9em}
"""


def png(fig: Figure) -> str:
    """A figure as an ``<img>`` whose source is the PNG itself (base64)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def top_actors(positions: pd.DataFrame, top: int) -> list[str]:
    """The ``top`` actors with the most rows (ties by id)."""
    n = positions.groupby("actor_id")["n"].max().reset_index()
    return list(n.sort_values(["n", "actor_id"], ascending=[False, True])["actor_id"][:top])


def stance_map(positions: pd.DataFrame, actors: list[str]) -> Figure | None:
    """Who stands where: each actor's war position against its West position."""
    wide = positions[positions["actor_id"].isin(actors)].pivot_table(
        index=["actor_id", "actor"], columns="target", values=["position", "n_stance"]
    )
    if ("position", "war") not in wide or ("position", "west") not in wide:
        return None
    wide = wide.dropna(subset=[("position", "war"), ("position", "west")])
    if wide.empty:
        return None
    fig, ax = plt.subplots(figsize=(8, 7))
    size = wide[("n_stance", "war")].fillna(0) + wide[("n_stance", "west")].fillna(0)
    ax.scatter(
        wide[("position", "war")],
        wide[("position", "west")],
        s=30 + 400 * (size / size.max()) ** 0.5,
        alpha=0.6,
        color="#34495e",
    )
    for (_, name), x, y in zip(
        wide.index, wide[("position", "war")], wide[("position", "west")], strict=True
    ):
        ax.annotate(name, (x, y), fontsize=8, xytext=(4, 3), textcoords="offset points")
    ax.axhline(0, color="#ccc", lw=1)
    ax.axvline(0, color="#ccc", lw=1)
    ax.set(xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), xlabel=AXES["war"], ylabel=AXES["west"])
    ax.set_title("Who stands where (size: rows taking a stance)")
    return fig


def share_bars(shares: pd.DataFrame, target: str, actors: list[str]) -> Figure | None:
    """Each actor's label shares on ``target``, one stacked bar per actor, its n beside it."""
    sub = shares[(shares["target"] == target) & shares["actor_id"].isin(actors)]
    if sub.empty:
        return None
    wide = sub.pivot_table(index=["actor_id", "actor", "n"], columns="label", values="share")
    wide = wide.sort_index(level="n", ascending=True, sort_remaining=False)
    labels = [lab for lab in LABEL_SPACE.get(target, ()) if lab in wide.columns]
    labels += [lab for lab in wide.columns if lab not in labels]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(wide) + 1.2))
    left = pd.Series(0.0, index=wide.index)
    names = [f"{name} (n={n})" for _, name, n in wide.index]
    for label in labels:
        values = wide[label].fillna(0)
        ax.barh(names, values, left=left, color=COLOURS.get(label, "#999"), label=label)
        left += values
    ax.set(xlim=(0, 1), xlabel="share of rows")
    ax.set_title(f"{target}: label shares per actor", pad=30)
    ax.legend(ncol=len(labels), loc="lower center", bbox_to_anchor=(0.5, 1.04), frameon=False)
    return fig


def timeline(by_period: pd.DataFrame, target: str, actors: list[str]) -> Figure | None:
    """How it moved: each actor's position on ``target`` per period."""
    sub = by_period[
        (by_period["target"] == target)
        & by_period["actor_id"].isin(actors)
        & (by_period["n_stance"] > 0)
    ]
    if sub.empty or sub["period"].nunique() < 2:
        return None
    fig, ax = plt.subplots(figsize=(9, 4.5))
    periods = sorted(sub["period"].unique())
    for (_, name), line in sub.groupby(["actor_id", "actor"], sort=False):
        line = line.set_index("period").reindex(periods)
        ax.plot(periods, line["position"], marker="o", label=name)
    ax.axhline(0, color="#ccc", lw=1)
    ax.set(ylim=(-1.1, 1.1), ylabel=AXES[target], title=f"{target}: position per period")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return fig


def _table(frame: pd.DataFrame, limit: int) -> str:
    shown = frame.head(limit)
    text = shown.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="", escape=True)
    more = len(frame) - len(shown)
    return text + (f'<p class="note">{more} more rows in the CSV file.</p>' if more > 0 else "")


def render_page(
    input_path: Path, counts: CorpusCounts, tables: dict[str, pd.DataFrame], top: int
) -> str:
    """The whole page as text."""
    pos = tables["positions"]
    actors = top_actors(pos, top)
    shares = tables["by_actor"]
    parts = [
        f"<h1>Corpus report: {html.escape(input_path.name)}</h1>",
        f'<p class="note">{counts.rows} scored rows, {len(counts.docs)} articles, '
        f"{len(counts.names)} actors; {counts.rows - counts.undated} rows dated "
        f"(by {html.escape(counts.period)}), {counts.rows - counts.unsourced} with a source. "
        "Shares come with 95% Wilson intervals in the CSV files. An actor's position on a "
        "target is share(pro) − share(anti) among its rows that take a stance (not "
        f"<i>none</i> or <i>abstain</i>), from −1 to 1. Made "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC from {html.escape(str(input_path))}.</p>",
        "<h2>Who stands where</h2>",
    ]
    figure = stance_map(pos, actors)
    if figure is not None:
        parts.append(png(figure))
    for target in LABEL_SPACE:
        figure = share_bars(shares, target, actors)
        if figure is not None:
            parts.append(png(figure))
    parts += [
        "<h2>Positions of the most named actors</h2>",
        _table(pos[pos["actor_id"].isin(actors)], 3 * top),
    ]
    if "positions_by_period" in tables:
        parts.append("<h2>How it moved over time</h2>")
        moved = [timeline(tables["positions_by_period"], t, actors[:8]) for t in ("war", "west")]
        parts += [png(f) for f in moved if f is not None]
    if "positions_by_source" in tables:
        by_source = tables["positions_by_source"]
        parts += [
            "<h2>By source</h2>",
            _table(by_source[by_source["actor_id"].isin(actors)], 4 * top),
        ]
    parts += ["<h2>Label shares</h2>", _table(shares[shares["actor_id"].isin(actors)], 10 * top)]
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>stancekit corpus report: {html.escape(input_path.name)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
