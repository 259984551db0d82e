"""The paired bootstrap, the comparison table and the gate's rule, on small synthetic prediction sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stancekit.evaluation.comparison import compare_predictions, comparison_markdown
from stancekit.evaluation.significance import paired_bootstrap
from stancekit.tracking.gate import GateRule, decide

SPACE = {"war": ["pro_russia", "pro_ukraine", "neutral", "none"], "west": ["pro_west", "anti_west"]}


def _gold(n_docs: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        for a in range(3):
            for target, labels in SPACE.items():
                rows.append(
                    {
                        "doc_id": f"d{d}",
                        "actor_id": f"a{a}",
                        "lang": "bg" if d % 2 else "en",
                        "target": target,
                        "label": labels[int(rng.integers(len(labels)))],
                    }
                )
    return pd.DataFrame(rows)


def _predict(gold: pd.DataFrame, accuracy: dict[str, float], seed: int) -> pd.DataFrame:
    """Right with the given probability per target, else a random other label."""
    rng = np.random.default_rng(seed)
    out = gold.copy()
    preds = []
    for r in gold.itertuples():
        if rng.random() < accuracy[r.target]:
            preds.append(r.label)
        else:
            preds.append(str(rng.choice([lab for lab in SPACE[r.target] if lab != r.label])))
    out["pred"] = preds
    return out


def test_identical_predictions_differ_by_nothing() -> None:
    a = _predict(_gold(), {"war": 0.6, "west": 0.6}, 1)
    diff = paired_bootstrap(a, a.copy(), SPACE, 200)
    assert diff[""].delta == 0 and diff["war"].delta == 0
    assert diff[""].p_better == 1.0 and diff[""].p_worse == 1.0


def test_a_clearly_better_model_is_significant_and_a_worse_target_is_flagged() -> None:
    gold = _gold()
    a = _predict(gold, {"war": 0.5, "west": 0.9}, 1)
    b = _predict(gold, {"war": 0.95, "west": 0.5}, 2)
    diff = paired_bootstrap(a, b, SPACE, 300, seed=3)
    assert diff["war"].delta > 0.3 and diff["war"].p_better < 0.01
    assert diff["west"].delta < -0.2 and diff["west"].p_worse < 0.01
    assert diff["war"].ci_low > 0 > diff["west"].ci_high
    # the same seed gives the same numbers
    assert paired_bootstrap(a, b, SPACE, 300, seed=3)["war"] == diff["war"]


def test_sets_on_different_rows_or_gold_are_refused() -> None:
    gold = _gold()
    a = _predict(gold, {"war": 0.6, "west": 0.6}, 1)
    with pytest.raises(ValueError, match="cover different rows"):
        paired_bootstrap(a, a.iloc[:-3], SPACE, 10)
    other = a.copy()
    other.loc[0, "label"] = "none" if a.loc[0, "label"] != "none" else "neutral"
    with pytest.raises(ValueError, match="gold labels differ on 1 rows"):
        paired_bootstrap(a, other, SPACE, 10)


def test_rows_sharing_a_key_are_paired_in_stored_order() -> None:
    # one person in several sentences of one story (NewsMTSC): the key repeats
    gold = pd.DataFrame(
        {
            "doc_id": ["s1"] * 4 + ["s2"],
            "actor_id": ["p"] * 4 + ["q"],
            "target": "west",
            "label": ["pro_west", "anti_west", "anti_west", "pro_west", "anti_west"],
        }
    )
    right = gold.assign(pred=gold["label"])
    wrong = gold.assign(pred=gold["label"].map({"pro_west": "anti_west", "anti_west": "pro_west"}))
    diff = paired_bootstrap(wrong, right, {"west": SPACE["west"]}, 50)
    assert diff["west"].a == 0.0 and diff["west"].b == 1.0
    with pytest.raises(ValueError, match="cover different rows"):
        paired_bootstrap(right, right.iloc[1:], {"west": SPACE["west"]}, 10)
    with pytest.raises(ValueError, match="gold labels differ on 2 rows"):  # stored in another order
        paired_bootstrap(right, right.iloc[[1, 0, 2, 3, 4]], {"west": SPACE["west"]}, 10)


def test_comparison_table_has_intervals_p_values_and_breakdowns() -> None:
    gold = _gold()
    sets = {
        "base": _predict(gold, {"war": 0.5, "west": 0.5}, 1),
        "better": _predict(gold, {"war": 0.9, "west": 0.9}, 2),
    }
    cmp = compare_predictions(sets, SPACE, "base", n_bootstrap=100)
    better = cmp.table.set_index("run").loc["better"]
    assert better["macro_f1_ci_low"] <= better["macro_f1"] <= better["macro_f1_ci_high"]
    assert better["delta"] > 0 and better["p_value"] < 0.05
    assert "f1_war_pro_russia" in cmp.table.columns
    assert set(cmp.breakdown["by"]) == {"lang", "target"}
    assert set(cmp.breakdown[cmp.breakdown["by"] == "lang"]["group"]) == {"bg", "en"}
    md = comparison_markdown(cmp, SPACE, "t")
    assert "### Macro-F1 by lang" in md and "baseline" in md


def test_gate_rule_from_config_refuses_unknown_keys_and_bad_values() -> None:
    with pytest.raises(ValueError, match="unknown key"):
        GateRule.from_config({"alpah": 0.05})
    with pytest.raises(ValueError, match="gate.alpha"):
        GateRule.from_config({"alpha": 1.5})


def test_gate_decides_by_floor_gain_significance_and_targets() -> None:
    gold = _gold()
    weak = _predict(gold, {"war": 0.5, "west": 0.5}, 1)
    strong = _predict(gold, {"war": 0.95, "west": 0.95}, 2)
    mixed = _predict(gold, {"war": 0.99, "west": 0.2}, 3)
    rule = GateRule(floor=0.6, n_bootstrap=200)
    # a first champion: only the floor, checked by MLflow's threshold validation
    assert decide(rule, strong, None, SPACE)[0]
    passed, checks, *_ = decide(rule, weak, None, SPACE)
    assert not passed and checks[0].name == "floor"
    # against a champion: significant gain passes; a significantly worse target does not
    passed, checks, ours, theirs, diffs = decide(rule, strong, weak, SPACE)
    assert passed and ours["macro_f1"] > theirs["macro_f1"] and diffs["overall"]["p_better"] < 0.05
    passed, checks, *_ = decide(rule, mixed, weak, SPACE)
    assert not passed
    assert next(c for c in checks if c.name == "no_target_worse").detail.startswith(
        "significantly worse: west"
    )
    # no gain at all, and a minimum gain larger than the real one (MLflow's min_absolute_change)
    assert not decide(rule, weak, weak.copy(), SPACE)[0]
    passed, checks, *_ = decide(GateRule(min_gain=0.9, n_bootstrap=50), strong, weak, SPACE)
    assert not passed and not next(c for c in checks if c.name == "min_gain").passed
