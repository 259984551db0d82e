"""Composing the Hydra config outside ``@hydra.main`` and building objects from its groups."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from stancekit.paths import project_root, resolve


def conf_dir(root: str | Path | None = None) -> Path:
    return Path(root or project_root()) / "conf"


def compose(overrides: Sequence[str] = (), root: str | Path | None = None) -> DictConfig:
    """The resolved config for ``overrides``, exactly as ``python -m stancekit.train`` would see it."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(conf_dir(root)), version_base="1.3"):
        return hydra_compose(config_name="config", overrides=list(overrides))


def root_of(cfg: DictConfig) -> Path:
    return Path(cfg.paths.root) if cfg.get("paths") and cfg.paths.get("root") else project_root()


def path_of(cfg: DictConfig, value: str) -> Path:
    return resolve(value, root_of(cfg))


class ConfigError(ValueError):
    """A config value out of range; the message names its key."""


def checked_int(
    cfg: DictConfig, key: str, minimum: int, allow_null: bool = True, prefix: str = ""
) -> int | None:
    """``cfg``'s value at dotted ``key``, refused unless an integer >= ``minimum`` (or null)."""
    value = OmegaConf.select(cfg, key)
    if value is None and allow_null:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        bound = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        null = " or null" if allow_null else ""
        raise ConfigError(f"{prefix}{key} must be {bound}{null}, got {value!r}")
    return value


def build_model(model_cfg: DictConfig | dict[str, Any]) -> Any:
    """Instantiate a model from its config group (``_target_`` plus parameters; ``name`` is a label)."""
    from hydra.utils import instantiate

    params = (
        OmegaConf.to_container(model_cfg, resolve=True)
        if isinstance(model_cfg, DictConfig)
        else dict(model_cfg)
    )
    assert isinstance(params, dict)
    params.pop("name", None)
    return instantiate(params, _convert_="all")


def build_extractor(actors_cfg: DictConfig, root: Path | None = None) -> Any:
    from stancekit.actors import ActorExtractor, ContextConfig, Gazetteer
    from stancekit.actors.discovery import make_recogniser

    checked_int(actors_cfg, "context.window", 0, allow_null=False, prefix="actors.")
    if OmegaConf.select(actors_cfg, "context.max_contexts") is not None:
        checked_int(actors_cfg, "context.max_contexts", 1, prefix="actors.")
    gazetteer = Gazetteer.load(resolve(actors_cfg.gazetteer, root))
    ctx = ContextConfig(**OmegaConf.to_container(actors_cfg.context, resolve=True))  # type: ignore[arg-type]
    discovery = OmegaConf.to_container(actors_cfg.get("discovery") or {}, resolve=True)
    assert isinstance(discovery, dict)
    model = discovery.get("model")
    recogniser = make_recogniser(
        discovery.get("recogniser"), str(resolve(model, root)) if model else None
    )
    return ActorExtractor(gazetteer, ctx, recogniser, {str(k): v for k, v in discovery.items()})


def flatten(cfg: DictConfig | dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``a.b.c: value`` pairs of a nested config (lists kept as strings), for MLflow params."""
    data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    out: dict[str, Any] = {}
    assert isinstance(data, dict)
    for k, v in data.items():
        key = f"{prefix}{k!s}"
        if isinstance(v, dict):
            out.update(flatten(v, f"{key}."))
        else:
            out[key] = v
    return out
