"""The corpus report: scored rows counted by actor and target, by period and by source.

Reads what ``stancekit score`` writes (JSONL, CSV, a Parquet file or a Spark Parquet folder) in
chunks, so only the counts are held in memory. Each table gives, per group, every label of the
target with its count, the group's total ``n``, its share and a 95% Wilson interval
(:func:`~stancekit.evaluation.metrics.wilson_interval`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stancekit.data.io import BadRecord, DataFormatError, RecordScanner, file_format
from stancekit.data.schema import LABEL_SPACE
from stancekit.evaluation.metrics import wilson_interval
from stancekit.scoring.core import METADATA_FIELDS

REQUIRED = ("doc_id", "actor_id", "actor", "target", "label")
PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
#: Per target, the labels at the two ends of its axis: position = share(second) - share(first)
#: among the rows that take a stance (neither ``none`` nor ``abstain``).
POLES = {
    "war": ("pro_russia", "pro_ukraine"),
    "west": ("anti_west", "pro_west"),
    "sentiment": ("negative", "positive"),
}
NO_STANCE = ("none", "abstain")
CHUNK = 50_000


def scored_chunks(path: str | Path) -> Iterator[pd.DataFrame]:
    """Scored rows in chunks: the :data:`REQUIRED` columns and the metadata ones (None if absent)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"--input {path}: no such file or folder")
    if path.is_dir() or file_format(path) == "parquet":
        yield from _parquet_chunks(path)
        return
    rows: list[dict[str, Any]] = []
    for item in RecordScanner(path):
        if isinstance(item, BadRecord):
            raise DataFormatError(f"{item.where()}: {item.message}")
        for name in REQUIRED:
            if item.data.get(name) in (None, ""):
                raise DataFormatError(
                    f"{item.where(name)}: missing; is this a file of scored rows?"
                )
        rows.append({name: item.data.get(name) for name in (*REQUIRED, *METADATA_FIELDS)})
        if len(rows) >= CHUNK:
            yield pd.DataFrame(rows)
            rows = []
    if rows:
        yield pd.DataFrame(rows)


def _parquet_chunks(path: Path) -> Iterator[pd.DataFrame]:
    import pyarrow.dataset as ds

    data = ds.dataset(str(path), format="parquet")
    names = set(data.schema.names)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise DataFormatError(f"{path}: no column(s) {missing}; is this a file of scored rows?")
    columns = [n for n in (*REQUIRED, *METADATA_FIELDS) if n in names]
    for batch in data.to_batches(columns=columns, batch_size=CHUNK):
        frame = batch.to_pandas()
        for name in METADATA_FIELDS:
            if name not in frame.columns:
                frame[name] = None
        yield frame


@dataclass
class CorpusCounts:
    """Label counts per (actor, target), per (period, actor, target) and per (source, actor, target)."""

    period: str = "month"
    rows: int = 0
    docs: set[str] = field(default_factory=set)
    undated: int = 0
    unsourced: int = 0
    names: dict[str, str] = field(default_factory=dict)
    by_actor: Counter[tuple[str, ...]] = field(default_factory=Counter)
    by_period: Counter[tuple[str, ...]] = field(default_factory=Counter)
    by_source: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def add(self, chunk: pd.DataFrame) -> None:
        chunk = chunk.astype({name: "string" for name in REQUIRED})
        self.rows += len(chunk)
        self.docs.update(chunk["doc_id"].unique())
        for actor_id, name in zip(chunk["actor_id"], chunk["actor"], strict=True):
            self.names.setdefault(actor_id, name)
        keys = ["actor_id", "target", "label"]
        self.by_actor.update(_counts(chunk, keys))
        when = to_periods(chunk["date"], self.period)
        self.undated += int(when.isna().sum())
        self.by_period.update(
            _counts(chunk.assign(period=when).dropna(subset=["period"]), ["period", *keys])
        )
        source = chunk["source"].where(chunk["source"].notna() & (chunk["source"] != ""))
        self.unsourced += int(source.isna().sum())
        self.by_source.update(
            _counts(chunk.assign(source=source).dropna(subset=["source"]), ["source", *keys])
        )


def _counts(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], int]:
    if frame.empty:
        return {}
    sizes = frame.groupby(keys, sort=False).size()
    return {tuple(str(k) for k in key): int(n) for key, n in sizes.items()}


def to_periods(dates: pd.Series, period: str) -> pd.Series:
    """Each date's period as text (``2024-03`` for a month); None where there is no readable date."""
    if period not in PERIODS:
        raise ValueError(f"--period must be one of {', '.join(PERIODS)}, got '{period}'")
    parsed = pd.to_datetime(dates, errors="coerce", utc=True, format="mixed")
    stamps = parsed.dt.tz_localize(None).dt.to_period(PERIODS[period])
    return stamps.astype("string").where(stamps.notna(), None).astype(object)


def count_scored(path: str | Path, period: str = "month") -> CorpusCounts:
    counts = CorpusCounts(period=period)
    to_periods(pd.Series([], dtype=object), period)  # a bad period fails before reading
    for chunk in scored_chunks(path):
        counts.add(chunk)
    return counts


def share_table(
    counts: Counter[tuple[str, ...]], group: list[str], names: dict[str, str]
) -> pd.DataFrame:
    """One row per (group..., actor, target, label): count, n, share and its Wilson interval.

    Every label of the target's label space is listed, with count 0 where no row has it.
    """
    columns = [
        *group,
        "actor_id",
        "actor",
        "target",
        "label",
        "count",
        "n",
        "share",
        "ci_low",
        "ci_high",
    ]
    totals: Counter[tuple[str, ...]] = Counter()
    seen: dict[tuple[str, ...], set[str]] = {}
    for key, n in counts.items():
        totals[key[:-1]] += n
        seen.setdefault(key[:-1], set()).add(key[-1])
    records = []
    for unit, n in totals.items():
        target = unit[-1]
        space = list(LABEL_SPACE.get(target, ()))
        labels = space + sorted(seen[unit] - set(space))
        for label in labels:
            records.append(
                (
                    *unit[:-2],
                    unit[-2],
                    names.get(unit[-2], unit[-2]),
                    target,
                    label,
                    counts.get((*unit, label), 0),
                    n,
                )
            )
    table = pd.DataFrame(records, columns=columns[:-3])
    table["share"] = table["count"] / table["n"]
    table["ci_low"], table["ci_high"] = wilson_interval(table["count"], table["n"])
    order = {t: i for i, t in enumerate(LABEL_SPACE)}
    table["_t"] = table["target"].map(order).fillna(len(order))
    table = table.sort_values(
        [*group, "n", "actor_id", "_t"],
        ascending=[True] * len(group) + [False, True, True],
        kind="stable",
    )
    return table.drop(columns="_t").reset_index(drop=True)


def positions(shares: pd.DataFrame, group: list[str] | None = None) -> pd.DataFrame:
    """Per (group..., actor, target): rows taking a stance and ``share(pro) - share(anti)`` among them."""
    group = list(group or [])
    keys = [*group, "actor_id", "actor", "target"]
    out = []
    for key, sub in shares[shares["target"].isin(list(POLES))].groupby(keys, sort=False):
        anti, pro = POLES[key[-1]]
        by = dict(zip(sub["label"], sub["count"], strict=True))
        stance = sum(c for lab, c in by.items() if lab not in NO_STANCE)
        position = (by.get(pro, 0) - by.get(anti, 0)) / stance if stance else float("nan")
        out.append((*key, int(sub["n"].iloc[0]), stance, position))
    return pd.DataFrame(out, columns=[*keys, "n", "n_stance", "position"])


@dataclass
class CorpusReport:
    """What the report found and wrote."""

    counts: CorpusCounts
    tables: dict[str, pd.DataFrame]
    files: list[Path]


def corpus_report(
    input_path: str | Path, output_dir: str | Path, period: str = "month", top: int = 20
) -> CorpusReport:
    """Count the scored rows of ``input_path``; write the CSV tables and ``report.html`` to ``output_dir``."""
    from stancekit.reporting.page import render_page

    counts = count_scored(input_path, period)
    if counts.rows == 0:
        raise DataFormatError(f"{input_path}: no scored rows to report on")
    tables = {"by_actor": share_table(counts.by_actor, [], counts.names)}
    tables["positions"] = positions(tables["by_actor"])
    if counts.by_period:
        tables["by_period"] = share_table(counts.by_period, ["period"], counts.names)
        tables["positions_by_period"] = positions(tables["by_period"], ["period"])
    if counts.by_source:
        tables["by_source"] = share_table(counts.by_source, ["source"], counts.names)
        tables["positions_by_source"] = positions(tables["by_source"], ["source"])
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False, float_format="%.6g")
        files.append(out / f"{name}.csv")
    page = out / "report.html"
    page.write_text(render_page(Path(input_path), counts, tables, top), encoding="utf-8")
    files.append(page)
    return CorpusReport(counts, tables, files)
