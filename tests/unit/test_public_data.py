"""Public dataset adapters on tiny inline files in each release's format, and the official metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stancekit.data.public import (
    cinexio_label,
    entity_contexts,
    label_space_of,
    load_public,
    read_cinexio,
    read_newsmtsc,
    read_ruw,
    read_semeval2016,
    read_semeval2025,
    ruw_war_label,
)
from stancekit.evaluation.official import official_metrics
from stancekit.training.examples import EXAMPLE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _one_split_per_doc(frame: pd.DataFrame) -> None:
    assert (frame.groupby("doc_id")["split"].nunique() == 1).all()


def _columns(frame: pd.DataFrame) -> None:
    assert list(frame.columns[: len(EXAMPLE_COLUMNS)]) == EXAMPLE_COLUMNS
    assert set(frame["split"]) <= {"train", "val", "test"}
    assert (frame["n_mentions"] == 1).all() and (frame["role"] == "mentioned").all()


# -- NewsMTSC -----------------------------------------------------------------------------------


def _newsmtsc_sentence(article: int, name: str, polarity: float) -> dict:
    sentence = f"Yesterday {name} said the plan number {article} works."
    start = sentence.index(name)
    gid = f"allsides_{article}_{article}_1_{name}_{start}_{start + len(name)}"
    target = {
        "Input.gid": gid,
        "from": start,
        "to": start + len(name),
        "mention": name,
        "polarity": polarity,
    }
    return {"primary_gid": gid, "sentence_normalized": sentence, "targets": [target]}


def test_newsmtsc_maps_polarity_marks_span_and_keeps_dev_as_val(tmp_path: Path) -> None:
    polarities = [2.0, 4.0, 6.0] * 4
    _jsonl(
        tmp_path / "train.jsonl",
        [_newsmtsc_sentence(i, f"Senator Doe{i}", p) for i, p in enumerate(polarities)],
    )
    _jsonl(tmp_path / "paper_splits_rw" / "dev.jsonl", [_newsmtsc_sentence(99, "Ann Lee", 6.0)])
    frame, space = read_newsmtsc(tmp_path, variant="rw", test_size=0.25, seed=1)
    _columns(frame)
    assert space == {"sentiment": ["negative", "neutral", "positive"]}
    train = frame[frame["doc_id"] != "allsides_story_99"]
    assert train["label"].tolist() == ["negative", "neutral", "positive"] * 4
    assert frame.loc[0, "text"] == (
        "[MENTIONED] Yesterday [ACTOR] Senator Doe0 [/ACTOR] said the plan number 0 works."
    )
    assert frame.loc[0, "actor_id"] == "senator_doe0"
    val = frame[frame["split"] == "val"]
    assert val["doc_id"].tolist() == ["allsides_story_99"] and val["label"].tolist() == ["positive"]
    assert (frame["split"] == "test").sum() == 3  # a quarter of the 12 training stories
    _one_split_per_doc(frame)
    with pytest.raises(ValueError, match="variant must be 'rw' or 'mt'"):
        read_newsmtsc(tmp_path, variant="xx")


# -- RUW ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("russia", "ukraine", "war"),
    [
        ("favor", "against", "pro_russia"),
        ("favor", "none", "pro_russia"),
        ("none", "against", "pro_russia"),
        ("against", "favor", "pro_ukraine"),
        ("against", "none", "pro_ukraine"),
        ("none", "favor", "pro_ukraine"),
        ("against", "against", "neutral"),
        ("favor", "favor", "neutral"),
        ("none", "none", "none"),
    ],
)
def test_ruw_war_mapping(russia: str, ukraine: str, war: str) -> None:
    assert ruw_war_label(russia, ukraine) == war


def _ruw_csv(path: Path, rows: list[tuple[str, str, str]], split: str) -> None:
    frame = pd.DataFrame(
        [
            {
                "Tweet": t,
                "Target 1": "Russia",
                "Stance 1": r,
                "Target 2": "Ukraine",
                "Stance 2": u,
                "Test/Train/Dev": split,
            }
            for t, r, u in rows
        ]
    )
    # The release is GB18030-encoded ("…" is a GB byte pair).
    path.write_bytes(frame.to_csv(index=False).encode("gb18030"))


def test_ruw_reads_gb18030_and_adds_the_war_target(tmp_path: Path) -> None:
    stances = [("FAVOR", "AGAINST"), ("AGAINST", "FAVOR"), ("NONE", "NONE"), ("AGAINST", "AGAINST")]
    train = [(f"tweet {i} about the front…", *stances[i % 4]) for i in range(8)]
    train.append(("tweet 0 about the front…", "FAVOR", "AGAINST"))  # a duplicate tweet
    _ruw_csv(tmp_path / "raw_train_Russia_Ukraine.csv", train, "Train")
    _ruw_csv(tmp_path / "raw_val_Russia_Ukraine.csv", [("a val tweet", "NONE", "FAVOR")], "Dev")
    frame, space = read_ruw(tmp_path, test_size=0.25, seed=0)
    _columns(frame)
    assert set(space) == {"stance_russia", "stance_ukraine", "war"}
    assert len(frame) == 3 * 10
    first = frame[frame["text"] == "tweet 0 about the front…"]
    assert first["doc_id"].nunique() == 1 and len(first) == 6  # the duplicate shares its group
    labels = dict(zip(first["target"], first["label"], strict=False))
    assert labels == {"stance_russia": "favor", "stance_ukraine": "against", "war": "pro_russia"}
    val = frame[frame["split"] == "val"].set_index("target")["label"].to_dict()
    assert val == {"stance_russia": "none", "stance_ukraine": "favor", "war": "pro_ukraine"}
    assert frame[frame["split"] == "test"]["doc_id"].nunique() == 2
    _one_split_per_doc(frame)


# -- SemEval-2016 -------------------------------------------------------------------------------


def test_semeval2016_reads_tweeteval_layout_with_mapping(tmp_path: Path) -> None:
    (tmp_path / "mapping.txt").write_text("0\tnone\n1\tagainst\n2\tfavor", "utf-8")
    folder = tmp_path / "hillary"
    folder.mkdir()
    tweets = [f"Tweet number {i} on the race #SemST " for i in range(9)]
    (folder / "train_text.txt").write_text("\n".join(tweets) + "\n", "utf-8")
    (folder / "train_labels.txt").write_text("\n".join("012" * 3) + "\n", "utf-8")
    (folder / "val_text.txt").write_text("One val tweet\n", "utf-8")
    (folder / "val_labels.txt").write_text("2\n", "utf-8")
    frame, space = read_semeval2016(tmp_path, topics=["hillary"], test_size=0.34, seed=3)
    _columns(frame)
    assert space == {"stance_hillary": ["favor", "against", "none"]}
    assert frame["target"].unique().tolist() == ["stance_hillary"]
    assert frame["label"].tolist()[:3] == ["none", "against", "favor"]
    assert frame.loc[0, "text"] == "Tweet number 0 on the race #SemST"
    assert frame[frame["split"] == "val"]["label"].tolist() == ["favor"]
    assert (frame["split"] == "test").sum() == 3
    (folder / "train_labels.txt").write_text("0\n1\n", "utf-8")
    with pytest.raises(ValueError, match="9 tweets but 2 labels"):
        read_semeval2016(tmp_path, topics=["hillary"])


# -- Cinexio ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "label"),
    [(0.0, "negative"), (1.5, "negative"), (2.0, "neutral"), (3.5, "neutral"), (4.0, "positive")],
)
def test_cinexio_buckets_follow_the_dataset_category(rating: float, label: str) -> None:
    assert cinexio_label(rating) == label


def test_cinexio_groups_reviews_by_movie(tmp_path: Path) -> None:
    ratings = [0.5, 3.0, 5.0, 4.5]
    rows = [
        {
            "ID": i,
            "Cinexio_URL": f"http://www.cinexio.com/sofia/movie/{i % 4}",
            "Comment": f" Ревю {i} ",
            "User_Rating": ratings[i % 4],
            "Date": 0,
            "Category": 0,
        }
        for i in range(12)
    ]
    _jsonl(tmp_path / "train.jsonl", rows)
    _jsonl(tmp_path / "dev.jsonl", [{**rows[0], "Cinexio_URL": "http://x/movie/77", "ID": 99}])
    _jsonl(tmp_path / "test.jsonl", [{**rows[0], "User_Rating": 0.0}])  # hidden ratings: unread
    frame, _ = read_cinexio(tmp_path, test_size=0.25, seed=0)
    _columns(frame)
    assert len(frame) == 13 and frame.loc[0, "text"] == "Ревю 0"
    assert frame["label"].tolist()[:4] == ["negative", "neutral", "positive", "positive"]
    assert frame[frame["split"] == "val"]["doc_id"].tolist() == ["cinexio_movie_77"]
    assert frame[frame["split"] == "test"]["doc_id"].nunique() == 1
    _one_split_per_doc(frame)


# -- SemEval-2025 Task 10 -----------------------------------------------------------------------


def _semeval2025_lang(root: Path, lang: str, article: str, raw: bytes, rows: list[str]) -> None:
    folder = root / "train" / lang
    (folder / "raw-documents").mkdir(parents=True)
    (folder / "raw-documents" / article).write_bytes(raw)
    (folder / "subtask-1-annotations.txt").write_bytes(("\r\n".join(rows) + "\r\n").encode())


def test_semeval2025_aligns_each_offset_convention(tmp_path: Path) -> None:
    # BG: a CRLF file whose offsets count the "\r"
    bg = "Заглавие\r\n\r\nНАТО обвини Русия.\r\nКиев благодари.".encode()
    bg_text = bg.decode()
    s = bg_text.index("Киев")
    _semeval2025_lang(
        tmp_path,
        "BG",
        "BG_1.txt",
        bg,
        [
            f"BG_1.txt\tНАТО\t{bg_text.index('НАТО')}\t{bg_text.index('НАТО') + 3}\tAntagonist\tInstigator",
            f"BG_1.txt\tКиев\t{s}\t{s + 3}\tProtagonist\tGuardian\tVirtuous",
        ],
    )
    # RU: stored with LF, offsets count each line break as two characters
    ru = "Заголовок\n\nМосква заявила о победе."
    s = ru.index("Москва") + 2
    _semeval2025_lang(
        tmp_path,
        "RU",
        "RU_1.txt",
        ru.encode(),
        [f"RU_1.txt\tМосква\t{s}\t{s + 5}\tAntagonist\tDeceiver"],
    )
    # EN: an emoji before the mention counts as two UTF-16 units
    en = "Title 🔥 here\n\nKyiv residents suffered."
    s = en.index("Kyiv") + 1
    _semeval2025_lang(
        tmp_path,
        "EN",
        "EN_1.txt",
        en.encode(),
        [f"EN_1.txt\tKyiv residents\t{s}\t{s + 13}\tInnocent\tVictim"],
    )
    frame, space = read_semeval2025(tmp_path, langs=["bg", "ru", "en"], test_size=0.34, seed=0)
    _columns(frame)
    assert frame.attrs["dropped"] == 0
    assert space == {"main_role": ["protagonist", "antagonist", "innocent"]}
    by_actor = frame.set_index("actor")
    assert by_actor.loc["НАТО", "text"] == "[MENTIONED] [ACTOR] НАТО [/ACTOR] обвини Русия."
    assert by_actor.loc["Киев", "fine_roles"] == ["Guardian", "Virtuous"]
    assert by_actor.loc["Киев", "label"] == "protagonist"
    assert by_actor.loc["Москва", "text"] == "[MENTIONED] [ACTOR] Москва [/ACTOR] заявила о победе."
    assert by_actor.loc["Kyiv residents", "text"].startswith("[MENTIONED] [ACTOR] Kyiv residents")
    assert by_actor.loc["Kyiv residents", "lang"] == "en"
    assert frame.groupby("split")["doc_id"].nunique().to_dict() == {"test": 1, "train": 1, "val": 1}
    _one_split_per_doc(frame)


def test_semeval2025_entity_contexts_pool_the_entity_sentences(tmp_path: Path) -> None:
    text = "Заглавие за НАТО\n\nРусия говори. НАТО обвини Русия. Киев мълчи. Натовци? нато пак."
    s = text.index("НАТО обвини")
    got = entity_contexts(text, s, s + 4)
    # the mention's sentence first, then the others naming it (whole words, any case: not "Натовци")
    assert got == (
        "[MENTIONED] [ACTOR] НАТО [/ACTOR] обвини Русия. | Заглавие за [ACTOR] НАТО [/ACTOR]"
        " | Натовци? [ACTOR] нато [/ACTOR] пак."
    )
    assert entity_contexts(text, s, s + 4, max_contexts=1, role_marker=False) == (
        "[ACTOR] НАТО [/ACTOR] обвини Русия."
    )
    _semeval2025_lang(
        tmp_path,
        "BG",
        "BG_1.txt",
        text.encode(),
        [f"BG_1.txt\tНАТО\t{s}\t{s + 4}\tAntagonist\tInstigator"],
    )
    frame, _ = read_semeval2025(tmp_path, langs=["bg"], contexts="entity")
    assert frame["text"].tolist() == [got]
    with pytest.raises(ValueError, match="contexts must be 'mention' or 'entity'"):
        read_semeval2025(tmp_path, langs=["bg"], contexts="article")


def test_load_public_names_the_known_datasets(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown public dataset 'nope'"):
        load_public("nope", tmp_path)
    assert set(label_space_of("semeval2016", ["atheism"])) == {"stance_atheism"}


# -- official metrics ---------------------------------------------------------------------------


def test_newsmtsc_f1m_is_macro_f1_over_three_classes() -> None:
    frame = pd.DataFrame(
        {
            "target": "sentiment",
            "label": ["negative", "negative", "neutral", "positive"],
            "pred": ["negative", "neutral", "neutral", "neutral"],
        }
    )
    # F1: negative 2/3, neutral 2*1/(1+3) = 1/2, positive 0
    got = official_metrics("newsmtsc", frame, prefix="val")
    assert got == {"val_newsmtsc_f1m": pytest.approx((2 / 3 + 1 / 2 + 0) / 3)}


def test_semeval2016_favg_per_target_and_overall() -> None:
    frame = pd.DataFrame(
        {
            "target": ["stance_hillary"] * 4 + ["stance_atheism"] * 2,
            "label": ["favor", "against", "none", "against", "favor", "against"],
            "pred": ["favor", "none", "none", "against", "favor", "against"],
        }
    )
    got = official_metrics("semeval2016", frame, prefix="test")
    # hillary: F1 favor 1, F1 against 2*1/(2+1) = 2/3 → 5/6; atheism: 1 and 1 → 1
    assert got["test_semeval2016_favg_hillary"] == pytest.approx(5 / 6)
    assert got["test_semeval2016_favg_atheism"] == pytest.approx(1.0)
    assert got["test_semeval2016_favg"] == pytest.approx((5 / 6 + 1) / 2)
    # pooled: favor 2/2 → 1; against tp 2, gold 3, pred 2 → 4/5
    assert got["test_semeval2016_favg_pooled"] == pytest.approx((1 + 0.8) / 2)


def test_semeval2025_emr_and_main_role_accuracy() -> None:
    frame = pd.DataFrame(
        {
            "target": "main_role",
            "label": ["antagonist", "innocent", "protagonist"],
            "pred": ["antagonist", "antagonist", "protagonist"],
            "fine_roles": [["Instigator", "Tyrant"], ["Victim"], ["Guardian"]],
            "pred_fine_roles": [["Tyrant", "Instigator"], ["Tyrant"], ["Guardian", "Virtuous"]],
        }
    )
    got = official_metrics("semeval2025_t10", frame, prefix="val")
    assert got["val_semeval2025_t10_main_role_accuracy"] == pytest.approx(2 / 3)
    assert got["val_semeval2025_t10_emr"] == pytest.approx(1 / 3)
    # micro: tp 3, predicted 5, gold 4 → P 3/5, R 3/4
    assert got["val_semeval2025_t10_fine_micro_f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    no_fine = official_metrics("semeval2025_t10", frame.drop(columns="pred_fine_roles"))
    assert set(no_fine) == {"val_semeval2025_t10_main_role_accuracy"}


def test_official_metrics_per_language_when_rows_mix_languages() -> None:
    frame = pd.DataFrame(
        {
            "target": "main_role",
            "lang": ["bg", "bg", "ru", "ru"],
            "label": ["antagonist", "innocent", "protagonist", "antagonist"],
            "pred": ["antagonist", "antagonist", "protagonist", "antagonist"],
        }
    )
    got = official_metrics("semeval2025_t10", frame, prefix="cv")
    assert got["cv_semeval2025_t10_main_role_accuracy"] == pytest.approx(3 / 4)
    assert got["cv_semeval2025_t10_main_role_accuracy_bg"] == pytest.approx(1 / 2)
    assert got["cv_semeval2025_t10_main_role_accuracy_ru"] == pytest.approx(1.0)
    one_language = official_metrics("semeval2025_t10", frame[frame["lang"] == "bg"], prefix="cv")
    assert set(one_language) == {"cv_semeval2025_t10_main_role_accuracy"}


def test_ruw_macro_f1_per_target() -> None:
    frame = pd.DataFrame(
        {
            "target": ["stance_russia"] * 3 + ["stance_ukraine"] * 3 + ["war"],
            "label": ["favor", "against", "none", "favor", "favor", "none", "neutral"],
            "pred": ["favor", "against", "none", "favor", "none", "none", "none"],
        }
    )
    got = official_metrics("ruw", frame, prefix="val")
    # ukraine: favor 2/3, against 0 (absent), none 2/3
    assert got["val_ruw_macro_f1_russia"] == pytest.approx(1.0)
    assert got["val_ruw_macro_f1_ukraine"] == pytest.approx((2 / 3 + 0 + 2 / 3) / 3)
    assert got["val_ruw_macro_f1"] == pytest.approx((1 + 4 / 9) / 2)
    with pytest.raises(ValueError, match="no official metric for 'x'"):
        official_metrics("x", frame)


# -- training on a public dataset ---------------------------------------------------------------


def _tiny_semeval2016(root: Path) -> list[str]:
    """Two topics of separable tweets in the TweetEval layout; the overrides that train on them."""
    (root / "mapping.txt").write_text("0\tnone\n1\tagainst\n2\tfavor\n", "utf-8")
    for topic in ("hillary", "atheism"):
        (root / topic).mkdir()
        words = {"0": "weather lunch", "1": "hate awful", "2": "love great"}
        labels = "012" * 4
        texts = [f"{words[y]} {topic} tweet {i}" for i, y in enumerate(labels)]
        (root / topic / "train_text.txt").write_text("\n".join(texts), "utf-8")
        (root / topic / "train_labels.txt").write_text("\n".join(labels), "utf-8")
    return [
        "data=semeval2016",
        f"data.path={root}",
        "data.options.topics=[hillary,atheism]",
        "data.targets=[stance_hillary,stance_atheism]",
        "train.bootstrap=0",
    ]


def test_train_takes_the_adapters_label_space(tmp_path: Path) -> None:
    from stancekit.config import compose
    from stancekit.training.train import train

    cfg = compose(_tiny_semeval2016(tmp_path))
    result = train(cfg)
    assert result.model.label_space == {
        "stance_hillary": ["favor", "against", "none"],
        "stance_atheism": ["favor", "against", "none"],
    }
    assert set(result.examples["split"]) == {"train", "val", "test"}
    assert "test_semeval2016_favg" in result.metrics
    assert "val_semeval2016_favg_hillary" in result.metrics


def test_cv_on_public_data_reports_the_official_metric(tmp_path: Path) -> None:
    from stancekit.config import compose
    from stancekit.training.cv import cross_validate

    cfg = compose([*_tiny_semeval2016(tmp_path), "tracking=none"])
    metrics, pred = cross_validate(cfg, folds=3, progress=False)
    assert len(pred) == 24 and set(pred["fold"]) == {0, 1, 2}  # every tweet, train or not
    assert set(pred["pred"]) <= {"favor", "against", "none"}
    assert 0 <= metrics["cv_semeval2016_favg"] <= 1
    assert "cv_semeval2016_favg_atheism" in metrics
    _, pred = cross_validate(cfg, folds=2, progress=False, splits=["train", "val"])
    assert "test" not in set(pred["split"]) and len(pred) < 24
    with pytest.raises(ValueError, match=r"no rows in split\(s\) \['dev'\]"):
        cross_validate(cfg, folds=2, progress=False, splits=["dev"])


# -- the real datasets (skipped where ../shared/data is absent) ----------------------------------


def _need(folder: str) -> Path:
    path = SHARED / folder
    if not path.is_dir():
        pytest.skip(f"{path} is not here")
    return path


def _counts(frame: pd.DataFrame, target: str) -> dict[str, int]:
    rows = frame[frame["target"] == target]
    return {s: int((rows["split"] == s).sum()) for s in ("train", "val", "test")}


def test_real_newsmtsc_counts() -> None:
    path = _need("newsmtsc")
    for variant, n_val in (("rw", 343), ("mt", 442)):
        frame, _ = read_newsmtsc(path, variant=variant)
        counts = _counts(frame, "sentiment")
        assert counts["train"] + counts["test"] == 8739 and counts["val"] == n_val
    train = frame[frame["split"] != "val"]["label"].value_counts().to_dict()
    assert train == {"negative": 3316, "neutral": 3028, "positive": 2395}


def test_real_ruw_counts() -> None:
    frame, _ = read_ruw(_need("ruw"))
    counts = _counts(frame, "stance_russia")
    assert counts["train"] + counts["test"] == 4200 and counts["val"] == 600
    val = frame[(frame["split"] == "val") & (frame["target"] == "stance_russia")]
    assert val["label"].value_counts().to_dict() == {"against": 267, "none": 201, "favor": 132}


def test_real_semeval2016_counts() -> None:
    frame, _ = read_semeval2016(_need("semeval2016_stance"))
    expected = {"abortion": 587, "atheism": 461, "climate": 355, "feminist": 597, "hillary": 620}
    for topic, n_train in expected.items():
        counts = _counts(frame, f"stance_{topic}")
        assert counts["train"] + counts["test"] == n_train
    assert int((frame["split"] == "val").sum()) == 66 + 52 + 40 + 67 + 69


def test_real_semeval2025_counts() -> None:
    frame, _ = read_semeval2025(_need("semeval2025_t10"))
    assert frame.attrs["dropped"] == 0
    assert frame.groupby("lang").size().to_dict() == {
        "bg": 448,
        "en": 414,
        "hi": 928,
        "pt": 745,
        "ru": 367,
    }
    assert frame.groupby("lang")["doc_id"].nunique().to_dict() == {
        "bg": 166,
        "en": 106,
        "hi": 114,
        "pt": 169,
        "ru": 133,
    }
    bg = frame[frame["lang"] == "bg"]["label"].value_counts().to_dict()
    assert bg == {"antagonist": 291, "innocent": 104, "protagonist": 53}
    _one_split_per_doc(frame)


def test_real_cinexio_counts() -> None:
    frame, _ = read_cinexio(_need("cinexio_bg"))
    counts = _counts(frame, "sentiment")
    assert counts["train"] + counts["test"] == 8155 and counts["val"] == 811
    train = frame[frame["split"] != "val"]["label"].value_counts().to_dict()
    assert train == {"positive": 6141, "neutral": 1378, "negative": 636}
    _one_split_per_doc(frame)
