"""Discovery of actors outside the gazetteer: rules, natasha, a local transformers model."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancekit.actors import ActorExtractor, Gazetteer
from stancekit.actors.discovery import RuleRecogniser, Span, discover, make_recogniser, slug
from stancekit.actors.matcher import ActorMention

GAZ = "- {id: vladimir_putin, type: person, name: {bg: Владимир Путин}, aliases: {bg: [Путин]}}\n"
TEXT = "Вчера Стефан Янев заяви, че Путин греши. Янев е бивш премиер. Фондация Отворено Общество мълчи."


class FixedRecogniser:
    def __init__(self, spans: list[Span]):
        self._spans = spans

    def spans(self, text: str, lang: str | None = None) -> list[Span]:
        return self._spans


def _span(text: str, surface: str, kind: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(start, start + len(surface), kind)


def test_discover_skips_known_and_merges_surnames() -> None:
    known = [
        ActorMention(
            "vladimir_putin", "Путин", TEXT.index("Путин"), TEXT.index("Путин") + 5, "aliases"
        )
    ]
    rec = FixedRecogniser(
        [
            _span(TEXT, "Стефан Янев", "PER"),
            _span(TEXT, "Путин", "PER"),
            _span(TEXT, "Янев", "PER", 1),
            _span(TEXT, "Вчера", "LOC"),
        ]
    )
    found = discover(TEXT, known, rec, "bg")
    assert [(d.actor_id, d.type, [m.text for m in d.mentions]) for d in found] == [
        ("new:stefan_yanev", "person", ["Стефан Янев", "Янев"]),
    ]


def test_rule_recogniser_and_extractor_integration(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_text(GAZ, encoding="utf-8")
    ex = ActorExtractor(Gazetteer.load(p), recogniser=RuleRecogniser())
    actors = {a.actor_id: a for a in ex.actors(TEXT, "bg")}
    assert not actors["vladimir_putin"].provisional
    assert actors["new:stefan_yanev"].provisional
    assert actors["new:stefan_yanev"].role == "speaker"
    assert "new:fondatsiya_otvoreno_obshtestvo" in actors or "new:otvoreno_obshtestvo" in actors
    assert "new:vchera" not in actors


def test_ignore_list(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_text(GAZ, encoding="utf-8")
    ex = ActorExtractor(
        Gazetteer.load(p), recogniser=RuleRecogniser(), discovery={"ignore": ["Стефан Янев"]}
    )
    assert "new:stefan_yanev" not in {a.actor_id for a in ex.actors(TEXT, "bg")}


def test_natasha_finds_russian_people() -> None:
    rec = make_recogniser("natasha")
    text = "Министр иностранных дел Сергей Лавров встретился с Ван И в Пекине."
    spans = rec.spans(text, "ru")
    assert ("Сергей Лавров", "PER") in [(text[s.start : s.end], s.type) for s in spans]


def test_slug_transliterates() -> None:
    assert slug("Стефан Янев", "bg") == "stefan_yanev"
    assert slug("Open Society", "en") == "open_society"


def test_unknown_recogniser() -> None:
    with pytest.raises(ValueError, match="unknown recogniser 'spacy'"):
        make_recogniser("spacy")
    with pytest.raises(ValueError, match="needs actors.discovery.model"):
        make_recogniser("transformers")


def test_transformers_recogniser_loads_a_local_model(tmp_path: Path) -> None:
    """A tiny random token-classification model and a tokenizer trained here: loads offline, returns spans."""
    from transformers import BertConfig, BertForTokenClassification

    from tests.conftest import build_tiny_tokenizer

    fast = build_tiny_tokenizer([TEXT] * 5, vocab_size=200)
    labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]
    cfg = BertConfig(
        vocab_size=fast.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={v: i for i, v in enumerate(labels)},
    )
    model_dir = tmp_path / "ner"
    BertForTokenClassification(cfg).save_pretrained(model_dir, safe_serialization=True)
    fast.save_pretrained(model_dir)
    rec = make_recogniser("transformers", str(model_dir))
    spans = rec.spans(TEXT, "bg")
    assert all(0 <= s.start < s.end <= len(TEXT) for s in spans)
    assert {s.type for s in spans} <= {"PER", "ORG"}
