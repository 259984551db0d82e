"""Check: one TF-IDF model per SemEval-2016 target (as the published SVM) against stancekit's one
model with target-crossed features. Trains on `train`, scores mean F-avg on the dev portion (`val`).

    .venv/bin/python experiments/semeval2016/per_target_check.py [path]   # about 2 min on 2 cores
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from stancekit.data.public import load_public
from stancekit.evaluation.official import f_avg

ROOT = Path(__file__).resolve().parents[2]


def features(word: tuple[int, int], char: tuple[int, int]) -> FeatureUnion:
    return FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=word, sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=char, sublinear_tf=True)),
        ]
    )


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/data/semeval2016_stance"
    frame, _ = load_public("semeval2016", path)
    print("| word n-grams | char n-grams | C | dev mean F-avg | per target |")
    print("|---|---|---|---|---|")
    best = 0.0
    for word, char in (((1, 2), (2, 5)), ((1, 3), (2, 5)), ((1, 1), (2, 4))):
        for C in (0.1, 0.3, 1.0, 3.0, 10.0):
            scores = {}
            for target, rows in frame.groupby("target"):
                train, dev = rows[rows["split"] == "train"], rows[rows["split"] == "val"]
                clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
                model = make_pipeline(features(word, char), clf).fit(train["text"], train["label"])
                scores[str(target).removeprefix("stance_")] = f_avg(
                    dev["label"], model.predict(dev["text"])
                )
            mean = float(np.mean(list(scores.values())))
            best = max(best, mean)
            per = ", ".join(f"{k} {v:.3f}" for k, v in scores.items())
            print(f"| {word[0]}-{word[1]} | {char[0]}-{char[1]} | {C} | {mean:.3f} | {per} |")
    print(f"\nbest per-target configuration: {best:.3f} mean F-avg on dev")


if __name__ == "__main__":
    main()
