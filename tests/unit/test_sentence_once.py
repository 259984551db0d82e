"""The sentence-once TF-IDF scorer gives the per-unit scorer's rows on real articles.

Today's per-unit path (each (actor, target) input and each evidence sentence vectorised on its own)
is :meth:`StanceModel.proba_for_contexts`; :class:`TfidfStanceModel` overrides it to count each
distinct sentence of a batch once. The model is trained on actor contexts of the demo corpus
(labels assigned by a fixed rule, so every label occurs) and scores other real articles: the seed
article and SemEval-2025 T10 bg/ru texts read by path.
"""

from __future__ import annotations

import json
import types
import zlib

import pandas as pd
import pytest

from stancekit.actors import ActorExtractor, ContextConfig, Gazetteer
from stancekit.data.schema import LABEL_SPACE
from stancekit.models import TfidfStanceModel
from stancekit.models.base import StanceModel
from stancekit.scoring.core import StanceScorer
from tests.conftest import ROOT, SEED_ARTICLE, SHARED

SEMEVAL = SHARED / "data" / "semeval2025_t10" / "train"


def real_articles() -> list[dict[str, str]]:
    if not SEED_ARTICLE.exists():
        pytest.skip(f"{SEED_ARTICLE} is not at hand (shared data folder absent)")
    out = [{"id": "seed", "lang": "bg", "text": SEED_ARTICLE.read_text(encoding="utf-8")}]
    for lang in ("BG", "RU"):
        for path in sorted((SEMEVAL / lang / "raw-documents").glob("*.txt"))[:4]:
            text = path.read_text(encoding="utf-8")
            out.append({"id": path.stem, "lang": lang.lower(), "text": text})
    return out


@pytest.fixture(scope="module")
def extractor() -> ActorExtractor:
    return ActorExtractor(Gazetteer.load(ROOT / "conf" / "actors" / "gazetteer"))


def train_on_demo(extractor: ActorExtractor, **params: object) -> TfidfStanceModel:
    demo = [json.loads(line) for line in (ROOT / "data" / "demo" / "articles.jsonl").open()]
    rows = []
    for article in demo[:8]:
        for ctx in extractor.contexts(article["text"], article.get("lang")):
            for target, labels in LABEL_SPACE.items():
                pick = zlib.crc32(f"{ctx.actor.actor_id}/{target}".encode()) % len(labels)
                rows.append((target, ctx.text, labels[pick]))
    X = pd.DataFrame({"target": [r[0] for r in rows], "text": [r[1] for r in rows]})
    model = TfidfStanceModel(**{"max_iter": 100, "C": 1.0, **params})  # type: ignore[arg-type]
    return model.fit(X, [r[2] for r in rows])


def per_unit(scorer: StanceScorer) -> StanceScorer:
    """The same scorer reading every input on its own, as before (the base family's method)."""
    model = scorer.model
    slow = types.SimpleNamespace(
        proba_for_contexts=types.MethodType(StanceModel.proba_for_contexts, model),
        proba_by_label=model.proba_by_label,
        label_space=model.label_space,
    )
    return StanceScorer(slow, scorer.extractor)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("params", "context"),
    [
        ({}, ContextConfig()),
        pytest.param(
            {"classifier": "svm", "actor_analyzer": "word"},
            ContextConfig(window=1),
            marks=pytest.mark.slow,
        ),
        pytest.param(
            {"actor_ngrams": None, "word_ngrams": (1, 3)},
            ContextConfig(role_marker=False),
            marks=pytest.mark.slow,
        ),
    ],
    ids=["default", "svm-window1", "no-actor-block-trigrams"],
)
def test_sentence_once_scorer_matches_per_unit(
    extractor: ActorExtractor, params: dict, context: ContextConfig
) -> None:
    ex = ActorExtractor(extractor.gazetteer, context)
    scorer = StanceScorer(train_on_demo(ex, **params), ex)
    frame = pd.DataFrame(real_articles())
    fast = scorer.score_frame(frame)
    slow = per_unit(scorer).score_frame(frame)
    assert len(fast) == len(slow) > 100
    keys = ["doc_id", "actor_id", "target"]
    assert fast[keys].equals(slow[keys])
    same_label = (fast["label"] == slow["label"]).mean()
    assert same_label >= 0.99, f"labels agree on {same_label:.2%} of {len(fast)} rows"
    assert (fast["evidence"] == slow["evidence"]).mean() >= 0.99
    worst = max(
        abs(json.loads(a)[k] - json.loads(b)[k])
        for a, b in zip(fast["proba"], slow["proba"], strict=True)
        for k in json.loads(a)
    )
    assert worst < 1e-5


def test_a_context_whose_junctions_are_not_spaces_is_read_whole(
    extractor: ActorExtractor,
) -> None:
    from stancekit.models.tfidf_sentences import pieces

    glued = ActorExtractor(extractor.gazetteer, ContextConfig(separator="|", window=1))
    text = "Путин говори в Москва. Зеленски отговори. НАТО мълчи."
    ctx = next(c for c in glued.contexts(text, "bg") if c.actor.actor_id == "vladimir_putin")
    assert pieces(ctx) == [ctx.text]
    spaced = ActorExtractor(extractor.gazetteer, ContextConfig(window=1))
    ctx = next(c for c in spaced.contexts(text, "bg") if c.actor.actor_id == "vladimir_putin")
    assert "".join(pieces(ctx)) == ctx.text and len(pieces(ctx)) > 2


def test_word_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from stancekit.models import tfidf_sentences

    monkeypatch.setattr(tfidf_sentences, "MAX_CACHED_WORDS", 5)
    vec = tfidf_sentences.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit(
        ["alpha beta gamma delta epsilon zeta eta theta"]
    )
    cache = tfidf_sentences.WordNgramCache()
    for i in range(20):
        got = cache.counts(vec, [f"alpha beta w{i} gamma delta epsilon"])
        assert got.sum() > 0
        assert len(cache.columns[id(vec)]) <= 5 + 6
    whole = vec.transform(["alpha beta gamma"])
    assert (
        abs(
            tfidf_sentences.tfidf_from_counts(vec, cache.counts(vec, ["alpha beta gamma"])) - whole
        ).max()
        < 1e-12
    )


def test_each_distinct_sentence_is_vectorised_once_per_batch(
    extractor: ActorExtractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    scorer = StanceScorer(train_on_demo(extractor), extractor)
    read: list[str] = []
    counted = CountVectorizer.transform

    def recording(self: CountVectorizer, docs: list[str]) -> object:
        read.extend(docs)
        return counted(self, docs)

    monkeypatch.setattr(CountVectorizer, "transform", recording)
    rows = scorer.score_frame(pd.DataFrame(real_articles()[:3]))
    assert len(rows) > 30
    assert read, "the word vectorizer was not used"
    assert len(read) == len(set(read)), "a text was vectorised twice"
    assert not [d for d in read if " | " in d and d != " | "], (
        "a concatenated context was vectorised whole"
    )
