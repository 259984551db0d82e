"""Every config composes and every model config instantiates; params.yaml matches conf/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from stancekit.config import build_extractor, build_model, compose
from stancekit.models.base import StanceModel
from tests.conftest import ROOT

MODELS = sorted(p.stem for p in (ROOT / "conf" / "model").glob("*.yaml"))
EXPERIMENTS = sorted(p.stem for p in (ROOT / "conf" / "experiment").glob("*.yaml"))


@pytest.mark.parametrize("model", MODELS)
def test_every_model_config_instantiates(model: str) -> None:
    cfg = compose([f"model={model}"])
    assert isinstance(build_model(cfg.model), StanceModel)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_experiment_composes(experiment: str) -> None:
    cfg = compose([f"experiment={experiment}"])
    assert cfg.tracking.experiment


def test_debug_and_tracking_groups_compose() -> None:
    assert compose(["debug=smoke"]).data.max_rows == 24
    assert compose(["tracking=none"]).tracking.enabled is False


def test_default_actor_config_loads_the_gazetteer() -> None:
    extractor = build_extractor(compose([]).actors, ROOT)
    assert len(extractor.gazetteer) > 50
    assert {"russia", "ukraine", "vladimir_putin", "kim_jong_un", "north_korea"} <= set(
        extractor.gazetteer.entries
    )


def test_params_yaml_is_the_composed_default() -> None:
    cfg = compose([])
    OmegaConf.resolve(cfg)
    committed = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    assert committed == OmegaConf.to_container(cfg), "params.yaml is stale: run `make params`"


def test_paths_resolve_against_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stancekit.paths import project_root

    monkeypatch.chdir(tmp_path)
    assert project_root() == ROOT


@pytest.mark.parametrize("data", sorted(p.stem for p in (ROOT / "conf" / "data").glob("*.yaml")))
def test_every_data_config_composes(data: str) -> None:
    cfg = compose([f"data={data}"])
    assert cfg.data.articles and cfg.data.labels and list(cfg.data.targets)


def test_news_experiment_trains_the_chosen_model_on_every_article() -> None:
    for experiment in ("news_fast", "news"):  # the fast one first: cfg below is news
        cfg = compose([f"experiment={experiment}"])
        assert cfg.data.name == "actor_stance" and cfg.data.holdout is None
        assert cfg.train.val_size == 0 and cfg.train.test_size == 0
        assert isinstance(build_model(cfg.model), StanceModel)
    assert cfg.model.name == "combined" and cfg.model.two_stage and cfg.model.fallback
    OmegaConf.resolve(cfg)
    committed = yaml.safe_load((ROOT / "news" / "params.yaml").read_text(encoding="utf-8"))
    assert committed == OmegaConf.to_container(cfg), "news/params.yaml is stale: run `make params`"
