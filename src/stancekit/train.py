"""``python -m stancekit.train [group=option ...]``: train one model (or sweep with ``-m``) and log it."""

from __future__ import annotations

import logging

import hydra
from omegaconf import DictConfig

log = logging.getLogger("stancekit.train")


@hydra.main(version_base="1.3", config_path="../../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    from stancekit.training.train import train

    result = train(cfg)
    if cfg.tracking.enabled:
        from stancekit.tracking.runs import log_training

        run_id = log_training(cfg, result)
        log.info("logged run %s to experiment '%s'", run_id, cfg.tracking.experiment)
    log.info("val_macro_f1 = %.4f", result.metrics.get("val_macro_f1", float("nan")))
    return result.metrics.get("val_macro_f1", 0.0)


if __name__ == "__main__":
    main()
