"""Project-root discovery and path resolution: every configured path is relative to the root."""

from __future__ import annotations

import os
from pathlib import Path

_MARKERS = ("conf/config.yaml", "pyproject.toml")


def project_root(start: str | Path | None = None) -> Path:
    """The project root: ``$STANCEKIT_ROOT``, else the nearest parent holding ``conf/config.yaml``.

    Falls back to the source checkout this package was installed from (editable installs).
    """
    env = os.environ.get("STANCEKIT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if all((candidate / m).exists() for m in _MARKERS):
            return candidate
    source_checkout = Path(__file__).resolve().parents[2]
    if (source_checkout / "conf" / "config.yaml").exists():
        return source_checkout
    return here


def resolve(path: str | Path, root: str | Path | None = None) -> Path:
    """Resolve ``path`` against ``root`` (or the project root) unless it is already absolute."""
    if path is None:
        raise ValueError("a configured path is missing (null)")
    p = Path(os.path.expanduser(str(path)))
    if p.is_absolute():
        return p
    base = Path(root) if root else project_root()
    return (base / p).resolve()
