"""``python -m stancekit.cv [-m] [group=option ...]``: cross-validate by article and log the run.

With ``-m`` Hydra cross-validates every combination of the overrides in one process (e.g.
``model=combined model.two_stage=true,false model.combiner_C=0.1,1``); each setting is an MLflow
run of kind ``cv`` with its ``cv_*`` metrics, out-of-fold predictions and reliability plot, and the
value returned to Hydra (for a sweeper plugin) is ``cv_macro_f1``.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig


@hydra.main(version_base="1.3", config_path="../../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    from stancekit.tracking.runs import cross_validate_logged

    return cross_validate_logged(cfg)


if __name__ == "__main__":
    main()
