from __future__ import annotations

import pandas as pd
from sklearn.metrics import f1_score

from stancekit.data.schema import LABEL_SPACE
from stancekit.evaluation.metrics import confusion_table, evaluate_predictions, macro_f1


def test_macro_f1_matches_sklearn() -> None:
    y = ["a", "b", "b", "c", "a", "c"]
    p = ["a", "b", "c", "c", "b", "c"]
    assert abs(macro_f1(y, p, ["a", "b", "c", "d"]) - f1_score(y, p, average="macro")) < 1e-12


def test_evaluate_names_and_intervals() -> None:
    frame = pd.DataFrame(
        {
            "doc_id": [f"d{i // 2}" for i in range(40)],
            "target": ["war", "sentiment"] * 20,
            "label": ["pro_russia", "negative", "pro_ukraine", "positive"] * 10,
            "pred": ["pro_russia", "negative", "pro_ukraine", "negative"] * 10,
        }
    )
    m = evaluate_predictions(frame, LABEL_SPACE, "val", n_bootstrap=200, seed=1)
    assert m["val_macro_f1_war"] == 1.0
    assert abs(m["val_macro_f1"] - (1.0 + m["val_macro_f1_sentiment"]) / 2) < 1e-12
    assert m["val_macro_f1_ci_low"] <= m["val_macro_f1"] <= m["val_macro_f1_ci_high"]
    assert m["val_f1_war_pro_russia"] == 1.0
    assert "val_macro_f1_west" not in m  # no rows for that target
    table = confusion_table(frame, LABEL_SPACE)
    assert table["count"].sum() == len(frame)


def test_weighted_macro_f1_with_unit_weights_is_macro_f1() -> None:
    import numpy as np

    from stancekit.evaluation.metrics import _weighted_macro_f1

    rng = np.random.default_rng(0)
    true, pred = rng.integers(0, 4, 200), rng.integers(0, 3, 200)
    labels = ["a", "b", "c", "d"]
    expected = macro_f1([labels[i] for i in true], [labels[i] for i in pred], labels)
    got = _weighted_macro_f1(true, pred, np.ones((1, 200)), 4)[0]
    assert abs(got - expected) < 1e-12
    # doubling every weight changes nothing; zero weight removes a row
    assert abs(_weighted_macro_f1(true, pred, np.full((1, 200), 2.0), 4)[0] - expected) < 1e-12
    w = np.ones((1, 200))
    w[0, :100] = 0
    sub = macro_f1([labels[i] for i in true[100:]], [labels[i] for i in pred[100:]], labels)
    assert abs(_weighted_macro_f1(true, pred, w, 4)[0] - sub) < 1e-12


def test_paired_difference_resamples_articles_for_both_models() -> None:
    import numpy as np
    import pytest

    from stancekit.evaluation.significance import paired_bootstrap

    rng = np.random.default_rng(3)
    labels = LABEL_SPACE["war"]
    gold = rng.choice(labels, size=300)
    rows = {
        "doc_id": [f"d{i // 5}" for i in range(300)],
        "actor_id": [f"a{i % 5}" for i in range(300)],
        "target": "war",
        "label": gold,
    }
    good = pd.DataFrame({**rows, "pred": np.where(rng.random(300) < 0.8, gold, labels[0])})
    bad = pd.DataFrame({**rows, "pred": rng.choice(labels, size=300)})
    diff = paired_bootstrap(bad, good, {"war": labels}, n_bootstrap=300, seed=0)[""]
    assert diff.delta == pytest.approx(
        macro_f1(gold, good["pred"], labels) - macro_f1(gold, bad["pred"], labels)
    )
    assert 0 < diff.ci_low <= diff.delta <= diff.ci_high and diff.p_better < 0.01
    same = paired_bootstrap(good, good, {"war": labels}, n_bootstrap=50)[""]
    assert (same.delta, same.ci_low, same.ci_high) == (0.0, 0.0, 0.0)  # no spread at all
    with pytest.raises(ValueError, match="different rows"):
        paired_bootstrap(good, bad.iloc[:-1], {"war": labels})
