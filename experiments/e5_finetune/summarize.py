"""Tables for experiments/e5_finetune/README.md from results/*.json and the out-of-fold predictions.

python experiments/e5_finetune/summarize.py > experiments/e5_finetune/results.md
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from stancekit.data.public import label_space_of
from stancekit.data.schema import LABEL_SPACE
from stancekit.evaluation.metrics import paired_bootstrap_difference

RESULTS = Path(__file__).parent / "results"
#: row sets (run-name prefix) → (title, label space, targets)
GROUPS = {
    "t10": ("SemEval-2025 T10 main role, bg+ru, train+val", label_space_of("semeval2025_t10")),
    "as10": ("actor stance, 10 articles per language", dict(LABEL_SPACE)),
    "as": ("actor stance, every article (frozen slice excluded)", dict(LABEL_SPACE)),
}
FINE_TUNED, BASELINES = "e5_ft", ("tfidf", "embed_e5")


def ci(m: dict[str, float], key: str) -> str:
    if key not in m:
        return "–"
    return f"{m[key]:.3f} [{m[key + '_ci_low']:.3f}, {m[key + '_ci_high']:.3f}]"


def main() -> None:
    runs = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))
    }
    for prefix, (title, space) in GROUPS.items():
        mine = {
            k.removeprefix(prefix + "_"): r for k, r in runs.items() if k.split("_")[0] == prefix
        }
        if not mine:
            continue
        targets = [
            t for t in space if any(f"cv_macro_f1_{t}" in r["metrics"] for r in mine.values())
        ]
        print(f"\n### {title}\n")
        cols = ["family", "lang", "rows (articles)", "mean macro-F1 [95% CI]"]
        cols += [f"{t} macro-F1" for t in targets] if len(targets) > 1 else ["accuracy"]
        cols += ["folds", "CPU s", "wall s"]
        print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
        for family, r in mine.items():
            for lang, m in [("all", r["metrics"]), *sorted(r["per_lang"].items())]:
                cells = [
                    family,
                    lang,
                    f"{m['n_rows'] if 'n_rows' in m else m['n_examples']:.0f} "
                    f"({m['n_articles']:.0f})",
                    ci(m, "cv_macro_f1"),
                ]
                if len(targets) > 1:
                    cells += [ci(m, f"cv_macro_f1_{t}") for t in targets]
                else:
                    cells += [f"{m[f'cv_accuracy_{targets[0]}']:.3f}"]
                cells += (
                    [str(r["folds"]), f"{r['cpu_s']:.0f}", f"{r['wall_s']:.0f}"]
                    if lang == "all"
                    else ["", "", ""]
                )
                print("| " + " | ".join(cells) + " |")
        if FINE_TUNED not in mine:
            continue
        tuned = pd.read_csv(RESULTS / f"{prefix}_{FINE_TUNED}.csv.gz")
        print(
            f"\nPaired difference, {FINE_TUNED} minus baseline, mean macro-F1 "
            "(same folds; 1,000 resamples of articles, 95%):\n"
        )
        print("| baseline | " + " | ".join(["all", *sorted(tuned["lang"].unique())]) + " |")
        print("|---|" + "---|" * (1 + tuned["lang"].nunique()))
        for base in BASELINES:
            if base not in mine:
                continue
            other = pd.read_csv(RESULTS / f"{prefix}_{base}.csv.gz")
            cells = []
            for lang in ["all", *sorted(tuned["lang"].unique())]:
                sel = slice(None) if lang == "all" else (tuned["lang"] == lang).to_numpy()
                d, low, high = paired_bootstrap_difference(
                    tuned[sel].reset_index(drop=True),
                    other[sel].reset_index(drop=True),
                    space,
                    seed=42,
                )[""]
                cells.append(f"{d:+.3f} [{low:+.3f}, {high:+.3f}]")
            print(f"| {base} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
