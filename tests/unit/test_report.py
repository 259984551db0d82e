"""The corpus report: its numbers are a direct count of the scored rows; its page stands alone."""

from __future__ import annotations

import base64
import json
import random
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stancekit.data.schema import LABEL_SPACE
from stancekit.evaluation.metrics import wilson_interval
from stancekit.reporting.corpus import count_scored

ACTORS = {"vladimir_putin": "Владимир Путин", "nato": "NATO", "bulgaria": "България"}


def scored_rows(n_docs: int = 60, seed: int = 1) -> pd.DataFrame:
    """Rows shaped like `stancekit score` output, some without a date or a source."""
    rng = random.Random(seed)
    rows = []
    for d in range(n_docs):
        date = None if d % 7 == 0 else f"2024-{1 + d % 4:02d}-{1 + d % 27:02d}"
        source = None if d % 5 == 0 else rng.choice(["bnr", "dnevnik"])
        for actor_id in rng.sample(sorted(ACTORS), 2):
            for target, labels in LABEL_SPACE.items():
                rows.append(
                    {
                        "doc_id": f"d{d}",
                        "actor_id": actor_id,
                        "actor": ACTORS[actor_id],
                        "role": "mentioned",
                        "n_mentions": 1,
                        "target": target,
                        "label": rng.choice([*labels, "abstain"] if d % 9 == 0 else labels),
                        "proba": json.dumps({lab: 1 / len(labels) for lab in labels}),
                        "evidence": "",
                        "model_uri": "models:/m/1",
                        "model_version": "1",
                        "date": date,
                        "source": source,
                    }
                )
    return pd.DataFrame(rows)


def _direct(rows: pd.DataFrame, group: list[str]) -> dict[tuple, int]:
    return {tuple(k): int(v) for k, v in rows.groupby(group).size().items()}


def _reported(table: pd.DataFrame, group: list[str]) -> dict[tuple, int]:
    present = table[table["count"] > 0]
    return {tuple(r): int(c) for r, c in zip(present[group].values, present["count"], strict=True)}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """Scored rows written as JSONL, and the report the command made of them (made once)."""
    from stancekit.cli import app

    tmp = tmp_path_factory.mktemp("report")
    rows = scored_rows()
    src = tmp / "scored.jsonl"
    src.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows.to_dict("records"))
    )
    result = CliRunner().invoke(app, ["report", "--input", str(src), "--output", str(tmp / "out")])
    assert result.exit_code == 0, result.output
    return rows, tmp


def _csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype={"period": str, "source": str})


def test_report_numbers_equal_a_direct_count_of_the_rows(made: tuple[pd.DataFrame, Path]) -> None:
    rows, tmp = made
    out = tmp / "out"
    keys = ["actor_id", "target", "label"]

    by_actor = _csv(out, "by_actor")
    assert _reported(by_actor, keys) == _direct(rows, keys)
    sizes = rows.groupby(["actor_id", "target"]).size()
    for (actor_id, target), sub in by_actor.groupby(["actor_id", "target"]):
        assert (sub["n"] == sizes[(actor_id, target)]).all()
        assert sub["share"].sum() == pytest.approx(1.0, abs=1e-5)  # CSV: 6 digits
        assert set(LABEL_SPACE[target]) <= set(sub["label"])  # zero counts listed too
        assert ((sub["ci_low"] <= sub["share"]) & (sub["share"] <= sub["ci_high"])).all()
    assert set(by_actor["actor"]) == set(ACTORS.values())

    dated = rows.dropna(subset=["date"]).assign(period=lambda f: f["date"].str[:7])
    assert _reported(_csv(out, "by_period"), ["period", *keys]) == _direct(dated, ["period", *keys])
    sourced = rows.dropna(subset=["source"])
    assert _reported(_csv(out, "by_source"), ["source", *keys]) == _direct(
        sourced, ["source", *keys]
    )
    counts = count_scored(tmp / "scored.jsonl")
    assert counts.rows == len(rows) and len(counts.docs) == 60
    assert counts.undated == rows["date"].isna().sum()
    assert counts.unsourced == rows["source"].isna().sum()

    # Positions: share(pro) - share(anti) among the rows taking a stance.
    war = rows[(rows["actor_id"] == "nato") & (rows["target"] == "war")]
    stance = war[~war["label"].isin(["none", "abstain"])]
    expected = (
        (stance["label"] == "pro_ukraine").sum() - (stance["label"] == "pro_russia").sum()
    ) / len(stance)
    pos = _csv(out, "positions").set_index(["actor_id", "target"])
    assert pos.loc[("nato", "war"), "position"] == pytest.approx(expected)
    assert pos.loc[("nato", "war"), "n_stance"] == len(stance)

    # CSV and Parquet inputs give the same counts.
    rows.to_csv(tmp / "scored.csv", index=False)
    rows.to_parquet(tmp / "scored.parquet")
    for other in ("scored.csv", "scored.parquet"):
        again = count_scored(tmp / other)
        assert again.by_actor == counts.by_actor
        assert again.by_period == counts.by_period
        assert again.by_source == counts.by_source


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert low == pytest.approx([0.0, 0.2366, 0.7225], abs=1e-4)
    assert high == pytest.approx([0.2775, 0.7634, 1.0], abs=1e-4)
    assert np.isnan(wilson_interval(0, 0)[0])


class _PageCheck(HTMLParser):
    """Tags must nest; collects every URL-bearing attribute."""

    VOID = {"meta", "img", "br", "hr", "link", "input", "source", "col", "wbr", "area", "base"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.images: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data", "action") and value:
                self.urls.append((tag, name, value))
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def check_page(text: str) -> _PageCheck:
    page = _PageCheck()
    page.feed(text)
    page.close()
    assert text.startswith("<!DOCTYPE html>")
    assert not page.errors and not page.stack, (page.errors, page.stack)
    for tag, name, value in page.urls:
        assert value.startswith("data:image/png;base64,"), f"<{tag} {name}> points outside: {value}"
    assert "url(" not in text and "@import" not in text and "<script" not in text
    for src in page.images:
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    return page


def test_report_page_is_valid_html_with_every_image_embedded(
    made: tuple[pd.DataFrame, Path],
) -> None:
    text = (made[1] / "out" / "report.html").read_text(encoding="utf-8")
    page = check_page(text)
    # the stance map, bars for three targets, and war and west over time
    assert len(page.images) == 6
    assert "Владимир Путин" in text


def test_report_names_what_is_wrong_with_its_input(tmp_path: Path) -> None:
    from stancekit.cli import app

    bad = tmp_path / "articles.jsonl"
    bad.write_text('{"id": "a1", "text": "Putin"}\n')
    result = CliRunner().invoke(app, ["report", "--input", str(bad), "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert "articles.jsonl:1 field 'doc_id': missing" in result.output
    rows = scored_rows(3)
    rows.to_parquet(tmp_path / "s.parquet")
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--input",
            str(tmp_path / "s.parquet"),
            "--output",
            str(tmp_path),
            "--period",
            "hour",
        ],
    )
    assert result.exit_code == 1 and "--period must be one of" in result.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)")
def test_report_page_renders_in_headless_chromium_without_the_network(
    made: tuple[pd.DataFrame, Path], tmp_path: Path
) -> None:
    page = (made[1] / "out" / "report.html").read_text(encoding="utf-8")
    # A copy that reports, in its title, how many images the browser decoded.
    probe = (
        "<script>window.onload=()=>{const i=[...document.images];document.title="
        "'decoded '+i.filter(x=>x.complete&&x.naturalWidth>0).length+' of '+i.length;}</script>"
    )
    (tmp_path / "probe.html").write_text(page.replace("</body>", probe + "</body>"))
    out = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000",
            "--dump-dom", (tmp_path / "probe.html").as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert "<title>decoded 6 of 6</title>" in out.stdout
