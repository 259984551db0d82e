"""Annotation workflow: Label Studio tasks, export import with problems by task id, agreement, stand-off."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stancekit.actors import ActorExtractor, Gazetteer
from stancekit.annotation.agreement import agreement, cohen_kappa, krippendorff_alpha
from stancekit.annotation.labelstudio import build_tasks, import_export, label_config
from stancekit.annotation.standoff import (
    StandoffError,
    resolve_standoff,
    standoff_rows,
    to_standoff,
)
from stancekit.data.schema import LABEL_SPACE, Article
from tests.conftest import TINY_GAZETTEER

ARTICLES = [
    Article("a1", "Putin praised the war. NATO met in Sofia.", "en"),
    Article("a2", "Zelensky thanked NATO allies.", "en"),
]


@pytest.fixture
def extractor(tmp_path: Path) -> ActorExtractor:
    p = tmp_path / "g.yaml"
    p.write_text(TINY_GAZETTEER, encoding="utf-8")
    return ActorExtractor(Gazetteer.load(p))


def test_label_config_lists_every_label() -> None:
    xml = label_config()
    for target, labels in LABEL_SPACE.items():
        assert f'<Choices name="{target}"' in xml and f'name="{target}_evidence"' in xml
        for lab in labels:
            assert f'<Choice value="{lab}"/>' in xml


def test_tasks_per_article_actor_with_highlights(extractor: ActorExtractor) -> None:
    tasks = build_tasks(ARTICLES, extractor, strategy="all")
    keys = [(t["data"]["doc_id"], t["data"]["actor_id"]) for t in tasks]
    assert keys == [
        ("a1", "vladimir_putin"),
        ("a1", "nato"),
        ("a2", "volodymyr_zelensky"),
        ("a2", "nato"),
    ]
    assert "<mark>Putin</mark>" in tasks[0]["data"]["html"]
    shuffled = build_tasks(ARTICLES, extractor, strategy="random", n=3, seed=1)
    assert len(shuffled) == 3 and shuffled == build_tasks(
        ARTICLES, extractor, strategy="random", n=3, seed=1
    )
    with pytest.raises(ValueError, match="needs two models"):
        build_tasks(ARTICLES, extractor, strategy="disagreement")


def _ann(who: str, war: str, evidence: str = "", is_actor: str = "yes") -> dict:
    result = [{"from_name": "is_actor", "type": "choices", "value": {"choices": [is_actor]}}]
    if is_actor == "yes":
        result += [
            {"from_name": "war", "type": "choices", "value": {"choices": [war]}},
            {"from_name": "west", "type": "choices", "value": {"choices": ["none"]}},
            {"from_name": "sentiment", "type": "choices", "value": {"choices": ["neutral"]}},
            {"from_name": "sentiment_evidence", "type": "textarea", "value": {"text": [evidence]}},
        ]
        if evidence:
            result.append(
                {"from_name": "war_evidence", "type": "textarea", "value": {"text": [evidence]}}
            )
    return {"completed_by": {"email": who}, "result": result}


def test_import_export_rows_and_problems(tmp_path: Path) -> None:
    export = [
        {
            "id": 1,
            "data": {"doc_id": "a1", "actor_id": "vladimir_putin", "actor": "Putin", "lang": "en"},
            "annotations": [
                _ann("x@a", "pro_russia", "Putin praised the war."),
                _ann("y@a", "pro_russia", "Putin praised the war."),
            ],
        },
        {
            "id": 2,
            "data": {"doc_id": "a1", "actor_id": "nato", "actor": "NATO"},
            "annotations": [_ann("x@a", "pro_west", "NATO met in Sofia.")],
        },
        {
            "id": 3,
            "data": {"doc_id": "zz", "actor_id": "nato"},
            "annotations": [_ann("x@a", "none")],
        },
        {
            "id": 4,
            "data": {"doc_id": "a2", "actor_id": "nato"},
            "annotations": [_ann("x@a", "pro_ukraine", "Not in text.")],
        },
        {
            "id": 5,
            "data": {"doc_id": "a2", "actor_id": "martians"},
            "annotations": [_ann("x@a", "none")],
        },
        {
            "id": 6,
            "data": {"doc_id": "a2", "actor_id": "new:foo"},
            "annotations": [_ann("x@a", "none", is_actor="no")],
        },
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = import_export(path, {a.id: a for a in ARTICLES}, {"vladimir_putin", "nato"})
    assert f"{path} task 2: unknown label 'pro_west' for target 'war'" in result.problems
    assert f"{path} task 3: article 'zz' not found" in result.problems
    assert f"{path} task 4: 'war' evidence by x@a is not in article 'a2'" in result.problems
    assert f"{path} task 5: actor 'martians' is not in the gazetteer" in result.problems
    assert result.rejected == [
        {
            "doc_id": "a2",
            "actor_id": "new:foo",
            "annotator": "x@a",
            "task": 6,
            "reason": "annotator: not an actor",
        }
    ]
    putin = [r for r in result.rows if r["actor_id"] == "vladimir_putin"]
    assert {r["annotator"] for r in putin} == {"x@a", "y@a"} and len(putin) == 6


def test_agreement_matches_reference_values() -> None:
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "b"]) == 1.0
    from sklearn.metrics import cohen_kappa_score

    a, b = list("aabbcabcab"), list("abbbcacbab")
    assert abs(cohen_kappa(a, b) - cohen_kappa_score(a, b)) < 1e-12
    # Krippendorff (2011) nominal example, the reliability data of his worked example
    units = [
        ["a", "a"],
        ["b", "b"],
        ["b", "b", "b"],
        ["c", "c", "c", "c"],
        ["c", "c"],
        ["a", "b"],
        ["d", "d"],
        ["a", "a", "a"],
        ["c", "c"],
    ]
    assert -1 <= krippendorff_alpha(units) <= 1
    rows = pd.DataFrame(
        [
            {"doc_id": "d1", "actor_id": "x", "target": "war", "label": "none", "annotator": "A"},
            {"doc_id": "d1", "actor_id": "x", "target": "war", "label": "none", "annotator": "B"},
            {
                "doc_id": "d2",
                "actor_id": "x",
                "target": "war",
                "label": "pro_russia",
                "annotator": "A",
            },
            {
                "doc_id": "d2",
                "actor_id": "x",
                "target": "war",
                "label": "neutral",
                "annotator": "B",
            },
            {
                "doc_id": "d3",
                "actor_id": "x",
                "target": "war",
                "label": "pro_russia",
                "annotator": "A",
            },
        ]
    )
    (war,) = agreement(rows, LABEL_SPACE)
    assert war.n_items == 2 and war.n_annotators == 2
    assert (
        war.confusion.loc["pro_russia", "neutral"] == 1 and war.confusion.loc["none", "none"] == 1
    )


def test_krippendorff_against_package() -> None:
    krippendorff = pytest.importorskip("krippendorff")
    import numpy as np

    units = [["a", "b"], ["a", "a", "b"], ["c", "c"], ["b", "b", "b"], ["a", "c"]]
    code = {"a": 0, "b": 1, "c": 2}
    data = np.full((3, len(units)), np.nan)
    for j, u in enumerate(units):
        for i, x in enumerate(u):
            data[i, j] = code[x]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert abs(krippendorff_alpha(units) - expected) < 1e-9


def test_standoff_round_trip_keeps_no_text() -> None:
    arts = {a.id: a for a in ARTICLES}
    rows = [
        {
            "doc_id": "a1",
            "actor_id": "vladimir_putin",
            "target": "war",
            "label": "pro_russia",
            "evidence": "Putin praised the war.",
            "annotator": "x",
        },
        {
            "doc_id": "a1",
            "actor_id": "nato",
            "target": "war",
            "label": "none",
            "evidence": "",
            "annotator": "x",
        },
    ]
    standoff = to_standoff(rows, arts)
    assert "evidence" not in standoff[0] and standoff[0]["evidence_start"] == 0
    assert not any("Putin praised" in json.dumps(r) for r in standoff)
    back = resolve_standoff(standoff, arts)
    assert back[0].evidence == "Putin praised the war." and back[1].evidence == ""
    with pytest.raises(StandoffError, match="evidence not in the article"):
        to_standoff([{**rows[0], "evidence": "Made up."}], arts)
    kept, problems = standoff_rows([*rows, {**rows[0], "evidence": "Made up."}], arts)
    assert len(kept) == 2 and len(problems) == 1
    assert problems[0].startswith("row 3 (a1, vladimir_putin, war): evidence not in the article")


def test_added_actor_keeps_its_mentions_through_standoff(tmp_path: Path) -> None:
    """An actor the gazetteer missed, added by the annotator, is located by its mentions."""
    export = [
        {
            "data": {
                "doc_id": "a1",
                "lang": "en",
                "added": True,
                "actor_id": "new:sofia_mayor",
                "actor": "Sofia",
                "mentions": ["Sofia"],
            },
            "annotations": [_ann("x@a", "none")],
        },
        {
            "data": {"doc_id": "a1", "added": True, "actor_id": "new:ghost", "mentions": ["Ghost"]},
            "annotations": [_ann("x@a", "none")],
        },
        {
            "data": {"doc_id": "a1", "added": True, "actor_id": "new:nameless"},
            "annotations": [_ann("x@a", "none")],
        },
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    arts = {a.id: a for a in ARTICLES}
    result = import_export(path, arts, {"nato"})
    assert result.problems == [
        f"{path} task #2: mentions ['Ghost'] of added actor 'new:ghost' are not in article 'a1'",
        f"{path} task #3: added actor 'new:nameless' lists no mentions",
    ]
    standoff = to_standoff(result.rows, arts)
    assert standoff[0]["mentions"] == ["Sofia"] and standoff[0]["added"] is True
    back = resolve_standoff(standoff, arts)
    assert back[0].mentions == ("Sofia",) and back[0].actor == "Sofia"


def test_agreement_by_language_leaves_the_gold_out() -> None:
    from stancekit.annotation.agreement import agreement_by_language

    rows = pd.DataFrame(
        [
            {
                "doc_id": d,
                "lang": lang,
                "actor_id": "a",
                "target": "war",
                "label": lab,
                "annotator": who,
            }
            for d, lang in (("d1", "bg"), ("d2", "en"))
            for who, lab in (("x", "none"), ("y", "none"), ("adjudicated", "pro_russia"))
        ]
    )
    by_lang = dict(agreement_by_language(rows, {"war": LABEL_SPACE["war"]}))
    assert list(by_lang) == ["all", "bg", "en"]
    assert by_lang["all"][0].n_items == 2 and by_lang["all"][0].n_annotators == 2
    assert by_lang["bg"][0].n_items == 1
