"""Shared fixtures: a tiny labelled corpus and gazetteer built in a temporary folder."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DVC_NO_ANALYTICS", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_ARTICLE = SHARED / "data" / "seed" / "kim_putin_vostochny_bg.txt"

TINY_GAZETTEER = """
- {id: vladimir_putin, type: person, name: {en: Vladimir Putin, bg: Владимир Путин}, aliases: {en: [Putin], bg: [Путин]}}
- {id: volodymyr_zelensky, type: person, name: {en: Volodymyr Zelensky, bg: Володимир Зеленски}, aliases: {en: [Zelensky], bg: [Зеленски]}}
- {id: antonio_guterres, type: person, name: {en: Antonio Guterres}, aliases: {en: [Guterres]}}
- {id: russia, type: state, name: {en: Russia, bg: Русия}, metonyms: {en: [Moscow, Kremlin], bg: [Москва, Кремъл]}}
- {id: nato, type: bloc, name: {en: NATO, bg: НАТО}}
- {id: bulgaria, type: state, name: {en: Bulgaria, bg: България}, metonyms: {bg: [София]}}
"""

# (actor mention, war, west, sentiment, sentence templates)
_ACTORS = [
    (
        "Putin",
        "pro_russia",
        "anti_west",
        "negative",
        [
            "{a} praised the invasion and blamed NATO for the war.",
            "{a} said the West is an enemy of Russia.",
        ],
    ),
    (
        "Zelensky",
        "pro_ukraine",
        "pro_west",
        "positive",
        [
            "{a} thanked allies for new air defence and condemned the invasion.",
            "{a} welcomed sanctions on Moscow.",
        ],
    ),
    (
        "Guterres",
        "neutral",
        "neutral",
        "neutral",
        [
            "{a} called on both sides to start peace talks.",
            "{a} urged restraint and dialogue without blaming anyone.",
        ],
    ),
    (
        "Bulgaria",
        "none",
        "none",
        "neutral",
        ["A conference took place in {a} on Tuesday.", "Weather in {a} was mild this week."],
    ),
]


def tiny_corpus(n_articles: int = 24) -> tuple[list[dict], list[dict]]:
    """Articles that each name two actors, and their LABELS.md rows (deterministic)."""
    articles, labels = [], []
    for i in range(n_articles):
        picked = [_ACTORS[i % 4], _ACTORS[(i + 1 + i // 4) % 4]]
        if picked[0] is picked[1]:
            picked = [picked[0], _ACTORS[(i + 2) % 4]]
        sentences = [a[4][(i // 2) % 2].format(a=a[0]) for a in picked]
        text = f"Report number {i}.\n" + " ".join(sentences)
        doc_id = f"tiny-{i:03d}"
        articles.append({"id": doc_id, "lang": "en", "text": text, "title": f"Report {i}"})
        ids = {
            "Putin": "vladimir_putin",
            "Zelensky": "volodymyr_zelensky",
            "Guterres": "antonio_guterres",
            "Bulgaria": "bulgaria",
        }
        for mention, war, west, sent, _ in picked:
            sent_text = next(s for s in sentences if mention in s)
            for target, label in (("war", war), ("west", west), ("sentiment", sent)):
                labels.append(
                    {
                        "doc_id": doc_id,
                        "actor_id": ids[mention],
                        "actor": mention,
                        "mentions": [mention],
                        "target": target,
                        "label": label,
                        "evidence": "" if label == "none" else sent_text,
                    }
                )
    return articles, labels


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


@pytest.fixture(autouse=True)
def _mlflow_store_restored() -> object:
    """Each test leaves MLflow pointed where it found it. ``mlflow.set_tracking_uri`` (and
    ``set_registry_uri``) also write ``$MLFLOW_TRACKING_URI`` (``$MLFLOW_REGISTRY_URI``), so one
    test's store would otherwise leak into the next."""
    names = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
    env_before = {name: os.environ.get(name) for name in names}
    yield
    for name, value in env_before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if "mlflow" in sys.modules:
        import mlflow.tracking._model_registry.utils as registry_utils
        import mlflow.tracking._tracking_service.utils as tracking_utils

        tracking_utils._tracking_uri = env_before["MLFLOW_TRACKING_URI"]
        registry_utils._registry_uri = env_before["MLFLOW_REGISTRY_URI"]


@pytest.fixture
def tiny_data(tmp_path: Path) -> dict[str, Path]:
    articles, labels = tiny_corpus()
    gaz = tmp_path / "gazetteer.yaml"
    gaz.write_text(TINY_GAZETTEER, encoding="utf-8")
    return {
        "articles": write_jsonl(tmp_path / "articles.jsonl", articles),
        "labels": write_jsonl(tmp_path / "labels.jsonl", labels),
        "gazetteer": gaz,
        "tmp": tmp_path,
    }


@pytest.fixture
def tiny_overrides(tiny_data: dict[str, Path]) -> list[str]:
    tmp = tiny_data["tmp"]
    return [
        f"data.articles={tiny_data['articles']}",
        f"data.labels={tiny_data['labels']}",
        f"data.score_input={tiny_data['articles']}",
        f"actors.gazetteer={tiny_data['gazetteer']}",
        f"tracking.uri=sqlite:///{tmp}/mlflow.db",
        "tracking.experiment=tiny",
        "train.bootstrap=30",
    ]


def build_tiny_tokenizer(texts: list[str], vocab_size: int = 300):  # type: ignore[no-untyped-def]
    """A BERT-style WordPiece tokenizer trained here on ``texts`` (no download)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(
        texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials)
    )
    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def build_tiny_transformer(folder: Path, texts: list[str]) -> Path:
    """A tiny random BERT and a WordPiece tokenizer trained here: loads offline in well under a second."""
    from transformers import BertConfig, BertForSequenceClassification

    fast = build_tiny_tokenizer(texts)
    cfg = BertConfig(
        vocab_size=fast.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
        num_labels=2,
    )
    folder.mkdir(parents=True, exist_ok=True)
    BertForSequenceClassification(cfg).save_pretrained(folder, safe_serialization=True)
    fast.save_pretrained(folder)
    return folder


#: Marked model inputs with labels for every target: the tiny training set of model tests.
ROWS = [
    ("war", "[ACTOR] Putin [/ACTOR] praised the invasion", "pro_russia"),
    ("war", "[ACTOR] Zelensky [/ACTOR] condemned the invasion", "pro_ukraine"),
    ("war", "[ACTOR] Guterres [/ACTOR] called for peace talks", "neutral"),
    ("war", "[ACTOR] Sofia [/ACTOR] hosted a fair", "none"),
    ("west", "[ACTOR] Putin [/ACTOR] called NATO an enemy", "anti_west"),
    ("west", "[ACTOR] Zelensky [/ACTOR] thanked NATO allies", "pro_west"),
    ("west", "[ACTOR] Guterres [/ACTOR] spoke to all sides", "neutral"),
    ("west", "[ACTOR] Sofia [/ACTOR] hosted a fair", "none"),
    ("sentiment", "[ACTOR] Putin [/ACTOR] the aggressor", "negative"),
    ("sentiment", "[ACTOR] Zelensky [/ACTOR] the brave leader", "positive"),
    ("sentiment", "[ACTOR] Guterres [/ACTOR] spoke", "neutral"),
]
