"""Config values are checked where they are read, and the error names the key."""

from __future__ import annotations

import pytest

from stancekit.config import ConfigError, build_extractor, compose
from stancekit.data.validate import load_articles
from tests.conftest import tiny_corpus, write_jsonl


def test_a_negative_context_window_is_refused_naming_the_key() -> None:
    cfg = compose(["actors.context.window=-3"])
    with pytest.raises(ConfigError, match=r"actors.context.window must be an integer >= 0, got -3"):
        build_extractor(cfg.actors)


def test_a_negative_row_cap_is_refused_naming_the_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from stancekit.training.train import load_data

    articles = write_jsonl(tmp_path / "a.jsonl", tiny_corpus(3)[0])
    cfg = compose([f"data.articles={articles}", "data.max_rows=-5"])
    with pytest.raises(
        ConfigError, match=r"data.max_rows must be a positive integer or null, got -5"
    ):
        load_data(cfg)
    with pytest.raises(ValueError, match="data.max_rows must be a positive number"):
        load_articles(articles, max_rows=-5)
