"""Loading a logged model without running anything foreign: resolve, fetch once, check, then load.

``mlflow.pyfunc.load_model`` imports the MLmodel's loader module, puts the model's ``code/`` folder
first on ``sys.path``, executes its model-from-code file and unpickles a ``python_model``. So the
folder is checked first: the flavour and loader are the toolkit's own, its code is byte for byte
the toolkit's code (unless the user trusts the model's code), every path it names stays inside
it, and nothing in it is a pickle.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PYFUNC_FILE = Path(__file__).with_name("pyfunc_model.py")
PACKAGE_DIR = Path(__file__).resolve().parents[1]
LOADER_MODULE = "mlflow.pyfunc.loaders.code_model"
PICKLE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".cloudpickle", ".dill", ".pt", ".pth", ".ckpt"}


class ModelRefused(ValueError):
    """A model folder that the scorer will not load; the message lists every reason."""


@dataclass(frozen=True)
class FetchedModel:
    """A model as it will be loaded: the URI asked for, the pinned URI, its version and files."""

    uri: str
    pinned_uri: str
    version: str | None
    path: Path
    fingerprint: str


def resolve_version(model_uri: str) -> tuple[str, str | None]:
    """``models:/name@alias`` → (``models:/name/N``, ``"N"``); other URIs are returned as they are."""
    if not model_uri.startswith("models:/"):
        return model_uri, None
    from mlflow import MlflowClient

    ref = model_uri.removeprefix("models:/")
    if "@" in ref:
        name, alias = ref.split("@", 1)
        version = str(MlflowClient().get_model_version_by_alias(name, alias).version)
        return f"models:/{name}/{version}", version
    name, _, version = ref.partition("/")
    if version.isdigit():
        return model_uri, version
    return model_uri, None


def fingerprint_folder(path: Path) -> str:
    """A SHA-256 over every file's relative path and bytes: the identity of a model's content."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def fetch_model(model_uri: str) -> FetchedModel:
    """Resolve the alias once, then bring the model's folder here; that version is used throughout."""
    pinned, version = resolve_version(model_uri)
    local = Path(pinned)
    if not local.is_dir():
        import mlflow

        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=pinned))
    return FetchedModel(model_uri, pinned, version, local, fingerprint_folder(local))


def _inside(root: Path, rel: object, what: str, problems: list[str]) -> Path | None:
    if not isinstance(rel, str) or not rel:
        problems.append(f"{what} is not a relative path: {rel!r}")
        return None
    if Path(rel).is_absolute():
        problems.append(f"{what} '{rel}' is an absolute path")
        return None
    target = (root / rel).resolve()
    if not target.is_relative_to(root):
        problems.append(f"{what} '{rel}' leaves the model folder")
        return None
    return target


def _is_pickle(file: Path) -> bool:
    if file.suffix.lower() in PICKLE_SUFFIXES:
        return True
    with file.open("rb") as fh:
        head = fh.read(4)
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return True
    if head.startswith(b"PK") and zipfile.is_zipfile(file):
        # torch's zip checkpoints keep a data.pkl inside; skops archives hold JSON and arrays.
        with zipfile.ZipFile(file) as zf:
            return any(n.endswith((".pkl", ".pickle")) for n in zf.namelist())
    return False


def _code_problems(root: Path, code_dir: Path | None) -> list[str]:
    problems = []
    shipped = root / "pyfunc_model.py"
    if not shipped.is_file() or shipped.read_bytes() != PYFUNC_FILE.read_bytes():
        problems.append("pyfunc_model.py differs from this stancekit's tracking/pyfunc_model.py")
    if code_dir is None or not code_dir.exists():
        return problems
    for file in sorted(p for p in code_dir.rglob("*") if p.is_file() or p.is_symlink()):
        rel = file.relative_to(code_dir)
        ours = PACKAGE_DIR.parent / rel
        if rel.parts[0] != PACKAGE_DIR.name or not ours.is_file():
            problems.append(f"code/{rel.as_posix()} is not a file of stancekit")
        elif file.is_symlink() or file.read_bytes() != ours.read_bytes():
            problems.append(f"code/{rel.as_posix()} differs from this stancekit's copy")
    return problems


def check_model_folder(path: str | Path, trust_code: bool = False) -> None:
    """Raise :class:`ModelRefused` unless the folder is a stancekit pyfunc model that is safe to load."""
    root = Path(path).resolve()
    mlmodel = root / "MLmodel"
    if not mlmodel.is_file():
        raise ModelRefused(f"{path}: no MLmodel file; not an MLflow model folder")
    try:
        meta = yaml.safe_load(mlmodel.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ModelRefused(f"{path}: MLmodel is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict) or not isinstance(meta.get("flavors"), dict):
        raise ModelRefused(f"{path}: MLmodel has no flavours")
    problems: list[str] = []
    flavors: dict[str, Any] = meta["flavors"]
    if set(flavors) != {"python_function"}:
        problems.append(f"flavours {sorted(flavors)} (only python_function is loaded)")
    conf = flavors.get("python_function") or {}
    if not isinstance(conf, dict):
        conf = {}
    if conf.get("loader_module") != LOADER_MODULE:
        problems.append(f"loader module '{conf.get('loader_module')}' is not {LOADER_MODULE}")
    if "python_model" in conf:
        problems.append(f"a pickled python_model ('{conf['python_model']}')")
    if (meta.get("metadata") or {}).get("mlflow.model.is_external"):
        problems.append("its artifacts are stored outside the folder")
    code_path = conf.get("model_code_path")
    if not isinstance(code_path, str) or os.path.basename(code_path) != "pyfunc_model.py":
        problems.append(f"model code '{code_path}' is not pyfunc_model.py")
    for name, info in (conf.get("artifacts") or {}).items():
        _inside(root, (info or {}).get("path"), f"artifact '{name}'", problems)
    code_dir = _inside(root, conf["code"], "code folder", problems) if conf.get("code") else None
    if "data" in conf:
        _inside(root, conf["data"], "data path", problems)
    for key, rel in (conf.get("env") or {}).items():
        _inside(root, rel, f"environment file '{key}'", problems)
    example = meta.get("saved_input_example_info") or {}
    for key in ("artifact_path", "serving_input_path"):
        if key in example:
            _inside(root, example[key], f"input example '{key}'", problems)
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root).as_posix()
        if file.is_symlink() and not file.resolve().is_relative_to(root):
            problems.append(f"{rel} links outside the model folder")
        elif file.is_file() and _is_pickle(file):
            problems.append(f"{rel} is a pickle")
    if not trust_code:
        problems += _code_problems(root, code_dir)
    if problems:
        hint = (
            " (if you wrote this model's code and trust it, pass --trust-model-code)"
            if not trust_code and any("stancekit" in p or "pyfunc_model" in p for p in problems)
            else ""
        )
        raise ModelRefused(f"{path}: refused to load: " + "; ".join(problems) + hint)


@contextmanager
def _no_pickles() -> Iterator[None]:
    before = os.environ.get("MLFLOW_ALLOW_PICKLE_DESERIALIZATION")
    os.environ["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"] = "false"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", None)
        else:
            os.environ["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"] = before


def load_checked_model(model_uri: str, trust_code: bool = False) -> tuple[Any, FetchedModel]:
    """The pyfunc model at ``model_uri`` after :func:`check_model_folder`, and what was loaded."""
    import mlflow

    fetched = fetch_model(model_uri)
    check_model_folder(fetched.path, trust_code)
    with _no_pickles():
        model = mlflow.pyfunc.load_model(str(fetched.path), suppress_warnings=True)
    return model, fetched


def stancekit_model_dir(uri: str) -> Path:
    """A logged/registered pyfunc's stancekit model folder (or a plain saved model folder)."""
    if Path(uri).is_dir():
        return Path(uri)
    import mlflow

    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri))
    for candidate in (local / "artifacts" / "model", local / "model", local):
        if (candidate / "stancekit_model.json").exists():
            return candidate
    raise FileNotFoundError(f"{uri}: no stancekit model inside (looked in {local})")
