"""Tables of the public-data runs from MLflow: per family, the run with the best dev metric.

    .venv/bin/python experiments/public/summarize.py [dataset ...]

Writes experiments/<dataset>/results.md, fills the results section of its README, and prints it. Test
numbers are reported only for the configuration chosen on dev. Where an experiment ``cv-<dataset>``
exists (``stancekit cv ... tracking.experiment=cv-<dataset>``), its configurations are tabulated too
(the README's ``cv`` section).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = {
    "newsmtsc": ("newsmtsc_f1m", "F1m"),
    "semeval2016": ("semeval2016_favg", "F-avg (mean over targets)"),
    "ruw": ("ruw_macro_f1", "macro-F1 (mean of the Russia and Ukraine targets)"),
    "semeval2025_t10": ("semeval2025_t10_main_role_accuracy", "main-role accuracy"),
    "cinexio": ("cinexio_macro_f1", "macro-F1 (3 buckets)"),
}


def per_language(run_id: str, n_boot: int = 2000) -> dict[str, str]:
    """Test main-role accuracy per language with a 95% article-bootstrap interval and the count,
    from the run's logged test predictions."""
    try:
        text = mlflow.artifacts.load_text(f"runs:/{run_id}/predictions/test.csv")
    except Exception:  # noqa: BLE001 - a run without predictions simply has no breakdown
        return {}
    pred = pd.read_csv(io.StringIO(text))
    if "lang" not in pred.columns:
        return {}
    rng = np.random.default_rng(0)
    out = {}
    for lang, rows in pred.groupby("lang"):
        hit = (rows["label"] == rows["pred"]).groupby(rows["doc_id"]).agg(["sum", "count"])
        draws = rng.integers(0, len(hit), size=(n_boot, len(hit)))
        boot = hit["sum"].to_numpy()[draws].sum(1) / hit["count"].to_numpy()[draws].sum(1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        acc = hit["sum"].sum() / hit["count"].sum()
        out[str(lang)] = f"{acc:.3f} [{lo:.2f}, {hi:.2f}] n={len(rows)}"
    return out


#: Params added after runs were logged, with the behaviour those earlier runs had.
BEFORE_PARAM = {
    "params.model.actor_ngrams": "None",
    "params.model.actor_analyzer": "char_wb",
    "params.data.options.contexts": "mention",
    "params.data.options.max_contexts": "8",
    "params.model.pooling": "cls",
    "params.model.head_learning_rate": "None",
}


def _filled(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with each param a run predates set to what the run did without it."""
    runs = runs.copy()
    for col, value in BEFORE_PARAM.items():
        if col in runs:
            runs[col] = runs[col].fillna(value)
    return runs


def _varying(runs: pd.DataFrame) -> list[str]:
    """The params columns whose value differs between runs (what a sweep changed)."""
    cols = [c for c in runs.columns if c.startswith("params.") and "tracking" not in c]
    return [c for c in cols if runs[c].fillna("(unset)").map(str).nunique() > 1]


def _value(run: pd.Series, column: str) -> str:
    v = run.get(column)
    return v if isinstance(v, str) else "(unset)"


def summarize(dataset: str) -> str:
    key, label = OFFICIAL[dataset]
    runs = mlflow.search_runs(
        experiment_names=[f"public-{dataset}"], filter_string="attributes.status = 'FINISHED'"
    )
    if runs.empty or f"metrics.val_{key}" not in runs.columns:
        return f"no finished runs with val_{key} in experiment public-{dataset}\n"
    runs = _filled(runs)
    lines = [
        f"| family | chosen on dev | dev {label} | test {label} | test macro-F1 [95% CI] | fit s | run |",
        "|---|---|---|---|---|---|---|",
    ]
    langs: dict[str, dict[str, str]] = {}
    for model, group in runs.groupby("tags.model"):
        best = group.sort_values(f"metrics.val_{key}", ascending=False).iloc[0]
        steps = best.get("params.model.max_steps")
        swept = [c for c in _varying(group) if c != "params.model.max_steps"]
        chosen = ", ".join(
            f"{c.removeprefix('params.').removeprefix('model.')}={_value(best, c)}" for c in swept
        )
        if isinstance(steps, str) and steps != "-1":
            chosen = ", ".join(x for x in (chosen, f"max_steps={steps} (capped)") if x)
        elif isinstance(best.get("params.model.epochs"), str) and "epochs=" not in chosen:
            chosen = ", ".join(x for x in (f"epochs={best['params.model.epochs']}", chosen) if x)
        chosen = chosen or "defaults"
        ci = f"[{best.get('metrics.test_macro_f1_ci_low', float('nan')):.3f}, {best.get('metrics.test_macro_f1_ci_high', float('nan')):.3f}]"
        lines.append(
            f"| {model} | {chosen} ({len(group)} run(s)) | {best[f'metrics.val_{key}']:.3f} "
            f"| {best.get(f'metrics.test_{key}', float('nan')):.3f} | {best.get('metrics.test_macro_f1', float('nan')):.3f} {ci} "
            f"| {best.get('metrics.fit_s', float('nan')):.0f} | {best['run_id'][:8]} |"
        )
        if dataset == "semeval2025_t10":
            langs[str(model)] = per_language(best["run_id"])
    out = "\n".join(lines) + "\n"
    if langs:
        all_langs = sorted({lang for v in langs.values() for lang in v})
        out += (
            "\nTest main-role accuracy by language (chosen configuration; 95% interval by "
            "article bootstrap, n mentions):\n\n"
        )
        out += "| family | " + " | ".join(all_langs) + " |\n|---|" + "---|" * len(all_langs) + "\n"
        for model, v in langs.items():
            out += f"| {model} | " + " | ".join(v.get(lang, "-") for lang in all_langs) + " |\n"
    return out


def summarize_cv(dataset: str) -> str:
    """Every configuration of experiment ``cv-<dataset>``: out-of-fold official metric (overall and
    per language) and macro-F1 with its article-bootstrap interval, best first."""
    key, label = OFFICIAL[dataset]
    runs = mlflow.search_runs(
        experiment_names=[f"cv-{dataset}"], filter_string="attributes.status = 'FINISHED'"
    )
    if runs.empty or f"metrics.cv_{key}" not in runs.columns:
        return ""
    runs = _filled(runs)
    varying = {m: _varying(g) for m, g in runs.groupby("tags.model")}  # within a family
    langs = sorted(
        c.removeprefix(f"metrics.cv_{key}_")
        for c in runs.columns
        if c.startswith(f"metrics.cv_{key}_") and len(c.removeprefix(f"metrics.cv_{key}_")) == 2
    )
    lines = [
        f"| configuration | rows (splits) | {label} | "
        + "".join(f"{lang} | " for lang in langs)
        + "macro-F1 [95% CI] | s |",
        "|---|---|---|" + "---|" * len(langs) + "---|---|",
    ]
    for _, r in runs.sort_values(f"metrics.cv_{key}", ascending=False).iterrows():
        shown = varying[r["tags.model"]]
        if isinstance(r.get("params.model.C"), str) and "params.model.C" not in shown:
            shown = [*shown, "params.model.C"]  # the regularisation is worth stating even unswept
        config = ", ".join(f"{c.removeprefix('params.')}={_value(r, c)}" for c in shown)
        ci = f"[{r.get('metrics.cv_macro_f1_ci_low', float('nan')):.3f}, {r.get('metrics.cv_macro_f1_ci_high', float('nan')):.3f}]"
        lines.append(
            f"| {r['tags.model']}: {config or 'defaults'} | {r.get('metrics.n_examples', float('nan')):.0f} "
            f"({r.get('tags.cv_splits', 'all')}) | {r[f'metrics.cv_{key}']:.3f} | "
            + "".join(f"{r.get(f'metrics.cv_{key}_{lang}', float('nan')):.3f} | " for lang in langs)
            + f"{r.get('metrics.cv_macro_f1', float('nan')):.3f} {ci} | {r.get('metrics.cv_seconds', float('nan')):.0f} |"
        )
    return "\n".join(lines) + "\n"


def _fill(readme: Path, name: str, table: str) -> None:
    """Replace the ``<!-- name:start -->``...``<!-- name:end -->`` section of ``readme``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if readme.exists() and start in (text := readme.read_text(encoding="utf-8")) and end in text:
        head, rest = text.split(start, 1)
        readme.write_text(f"{head}{start}\n{table}{end}{rest.split(end, 1)[1]}", encoding="utf-8")


def main() -> None:
    mlflow.set_tracking_uri(
        os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{ROOT / 'mlflow.db'}")
    )
    for dataset in sys.argv[1:] or list(OFFICIAL):
        table = summarize(dataset)
        folder = ROOT / "experiments" / dataset
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.md").write_text(
            f"# {dataset}: results (generated by experiments/public/summarize.py)\n\n{table}",
            encoding="utf-8",
        )
        _fill(folder / "README.md", "results", table)
        cv = summarize_cv(dataset)
        if cv:
            _fill(folder / "README.md", "cv", cv)
            with (folder / "results.md").open("a", encoding="utf-8") as out:
                out.write(f"\n## Cross-validation by article (experiment cv-{dataset})\n\n{cv}")
        print(f"## {dataset}\n\n{table}" + (f"\n### cross-validation\n\n{cv}" if cv else ""))


if __name__ == "__main__":
    main()
